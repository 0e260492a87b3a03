package journal

import (
	"database/sql"
	"fmt"
	"strings"
	"time"
)

// # What Prune deleted, on the record
//
// Verify cannot tell rows deleted with retention from rows deleted with
// sqlite3 by looking at what is left: both leave links with rows missing,
// older than everything kept. So Prune first writes, sealed in the chain,
// an action saying before when it is about to delete (kind
// journal_pruned, its cutoff in the target), and Verify excuses missing
// rows only of links older than the latest such cutoff. Deleting the start
// of a young record is then named as a deletion. A crash between the
// action and the delete leaves an action whose rows are still there,
// which is harmless; the next prune deletes them.
//
// Which links this applies to is sealed in each link: its format
// (chainFormat 2 and later). A link an earlier ventd sealed, with format
// 1, is excused as before, by the oldest minute left: that ventd pruned
// without saying so.

// ActionPruned is the kind of the action Prune records.
const ActionPruned = "journal_pruned"

// recordPrune writes the sealed action for a prune that deletes rows
// before cutoff, for the reason given.
func (j *Journal) recordPrune(now time.Time, cutoff int64, result string) error {
	_, err := j.Write(Batch{Actions: []Action{{Time: now, Kind: ActionPruned, Target: utc(cutoff).Format(time.RFC3339Nano),
		Who: "ventd", Via: "journal", Result: result}}})
	if err != nil {
		return fmt.Errorf("journal: %s: record the prune before %s: %w", j.path, utc(cutoff).Format(time.RFC3339), err)
	}
	return nil
}

// anyBefore reports whether a table Prune ages out holds a row before
// cutoff.
func (j *Journal) anyBefore(cutoff int64) (bool, error) {
	var q []string
	for _, t := range pruned {
		q = append(q, fmt.Sprintf(`EXISTS (SELECT 1 FROM %s WHERE %s < ?1)`, t.table, t.col))
	}
	var old bool
	if err := j.db.QueryRow(`SELECT `+strings.Join(q, " OR "), cutoff).Scan(&old); err != nil {
		return false, fmt.Errorf("journal: %s: prune: %w", j.path, err)
	}
	return old, nil
}

// prunedBefore returns the latest cutoff the sealed prune actions record,
// in unix ms, and false when none does.
func (j *Journal) prunedBefore() (latest int64, found bool, err error) {
	err = j.query("the prunes", func(r *sql.Rows) error {
		var target string
		if err := r.Scan(&target); err != nil {
			return err
		}
		t, err := time.Parse(time.RFC3339Nano, target)
		if err != nil {
			return nil // its row does not verify either, and Verify names it
		}
		if ms := t.UnixMilli(); !found || ms > latest {
			latest, found = ms, true
		}
		return nil
	}, `SELECT target FROM actions WHERE kind = ? AND chain > 0`, ActionPruned)
	return latest, found, err
}
