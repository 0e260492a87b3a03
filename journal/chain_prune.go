package journal

import (
	"database/sql"
	"fmt"
	"strings"
)

// pruneChain deletes the links whose rows Prune has deleted: those whose
// newest row is older than cutoff, and those holding only minutes older
// than the oldest minute left (deleted for size). A link holding a
// calibration, a configuration change or an action is kept with it, since
// those rows are never pruned. The moves noted for deleted links go with them, but
// not the record of rows changed outside ventd. The oldest link kept still
// names the hash of the one before it, so the chain verifies from there.
func (j *Journal) pruneChain(cutoff int64) (int, error) {
	j.wmu.Lock()
	defer j.wmu.Unlock()
	var oldest sql.NullInt64
	if err := j.db.QueryRow(`SELECT min(start_ms) FROM minutes`).Scan(&oldest); err != nil {
		return 0, fmt.Errorf("journal: %s: prune chain: %w", j.path, err)
	}
	var kept []string // links holding rows Prune never deletes
	for _, t := range chained {
		if t.time != "NULL" && !pruneTable(t.name) {
			kept = append(kept, `tables LIKE '%`+t.name+`=%'`)
		}
	}
	keep := strings.Join(kept, " OR ")
	r, err := j.db.Exec(`DELETE FROM chain WHERE NOT (`+keep+`) AND (last_ms < ? OR (tables GLOB 'minutes=*' AND tables NOT GLOB '* *' AND last_ms < ?))`,
		cutoff, oldest.Int64)
	if err != nil {
		return 0, fmt.Errorf("journal: %s: prune chain: %w", j.path, err)
	}
	n, _ := r.RowsAffected()
	r, err = j.db.Exec(`DELETE FROM chain_moved WHERE by_link <> 0 AND link NOT IN (SELECT id FROM chain)`)
	if err != nil {
		return int(n), fmt.Errorf("journal: %s: prune chain moves: %w", j.path, err)
	}
	m, _ := r.RowsAffected()
	return int(n + m), nil
}
