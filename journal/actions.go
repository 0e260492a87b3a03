package journal

import (
	"database/sql"
	"fmt"
	"time"
)

// Actions returns the actions in [from, to), by time.
func (j *Journal) Actions(from, to time.Time) ([]Action, error) {
	lo, hi := bounds(from, to)
	var out []Action
	err := j.query("actions", func(r *sql.Rows) error {
		var a Action
		var t, back int64
		var uid sql.NullInt64
		if err := r.Scan(&t, &a.Kind, &a.Target, &a.Who, &a.Via, &uid, &a.Peer, &a.Note, &a.Result, &a.Error, &back); err != nil {
			return err
		}
		a.Time, a.Backwards = utc(t), msDuration(back)
		if uid.Valid {
			u := uint32(uid.Int64)
			a.UID = &u
		}
		out = append(out, a)
		return nil
	}, `SELECT time_ms, kind, target, who, via, uid, peer, note, result, error, backwards_ms FROM actions
		WHERE time_ms >= ? AND time_ms < ? ORDER BY time_ms, id`, lo, hi)
	return out, err
}

// LastEventID returns the highest alarm transition sequence number
// written, 0 when there is none: the sequence continues after it, so a
// restart never reuses a number a consumer has already seen.
func (j *Journal) LastEventID() (uint64, error) {
	var id sql.NullInt64
	if err := j.rd.QueryRow(`SELECT max(id) FROM events`).Scan(&id); err != nil {
		return 0, fmt.Errorf("journal: %s: read the last event id: %w", j.path, err)
	}
	return uint64(id.Int64), nil
}
