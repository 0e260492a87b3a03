package journal

import (
	"database/sql"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"
)

// pruneChunk bounds each delete transaction, so that a prune of months of
// rows never holds the write lock (or grows the WAL) for long.
const pruneChunk = 5000

// pruned lists the tables Prune ages out, each by the column that says when
// a row stops mattering. Shifts age out with their minutes but are never
// deleted for size: a few rows a day, and the only record of the 1 s
// figures once the minutes are gone. Calibrations and configuration changes are kept:
// there are a few dozen a year, and the one in force may be older than
// any retention.
var pruned = []struct{ table, col string }{
	{"minutes", "start_ms"},
	{"events", "time_ms"},
	{"acks", "time_ms"},
	{"gaps", "end_ms"},
	{"clock_status", "time_ms"},
	{"shifts", "end_ms"},
	{"ventilation", "time_ms"},
}

// pruneTable reports whether Prune ages rows of the table out.
func pruneTable(name string) bool {
	return slices.ContainsFunc(pruned, func(p struct{ table, col string }) bool { return p.table == name })
}

// Prune deletes rows older than now − Retention, then, when MaxSizeBytes is
// set, the oldest minutes until the data fits, and hands the freed pages
// back to the file system (incremental vacuum, then a WAL checkpoint). It
// returns the number of rows deleted. Run it about once an hour or a day;
// it is cheap when there is nothing to delete.
func (j *Journal) Prune(now time.Time) (deleted int, err error) {
	if err := j.refuseReadOnly("prune"); err != nil {
		return 0, err
	}
	cutoff := now.Add(-j.opts.Retention).UnixMilli()
	// What it deletes goes on the record first (prune_record.go).
	old, err := j.anyBefore(cutoff)
	if err != nil {
		return 0, err
	}
	if old {
		if err := j.recordPrune(now, cutoff, fmt.Sprintf("deleting the records before it: retention %s", days(j.opts.Retention))); err != nil {
			return 0, err
		}
	}
	for _, t := range pruned {
		n, err := j.deleteBefore(t.table, t.col, cutoff)
		deleted += n
		if err != nil {
			return deleted, err
		}
	}
	if j.opts.MaxSizeBytes > 0 {
		for {
			used, err := j.usedBytes()
			if err != nil {
				return deleted, err
			}
			if used <= j.opts.MaxSizeBytes {
				break
			}
			// The oldest chunk of minutes goes, its end on the record first.
			var end sql.NullInt64
			err = j.db.QueryRow(`SELECT start_ms FROM minutes ORDER BY start_ms LIMIT 1 OFFSET ?`, pruneChunk-1).Scan(&end)
			if errors.Is(err, sql.ErrNoRows) {
				err = j.db.QueryRow(`SELECT max(start_ms) FROM minutes`).Scan(&end)
			}
			if err != nil {
				return deleted, fmt.Errorf("journal: %s: prune for size: %w", j.path, err)
			}
			if !end.Valid {
				return deleted, nil // no minutes left to delete
			}
			if err := j.recordPrune(now, end.Int64+1, fmt.Sprintf("deleting the oldest minutes, up to it: the journal is over its size cap (%d MB)", j.opts.MaxSizeBytes/1e6)); err != nil {
				return deleted, err
			}
			n, err := j.deleteBefore("minutes", "start_ms", end.Int64+1)
			deleted += n
			if err != nil || n == 0 {
				return deleted, err
			}
		}
	}
	n, err := j.pruneChain(cutoff) // the links of what was deleted: chain_prune.go
	deleted += n
	if err != nil {
		return deleted, err
	}
	return deleted, j.vacuum()
}

// days says a retention in days, as the configuration gives it.
func days(d time.Duration) string {
	return fmt.Sprintf("%g days", d.Hours()/24)
}

func (j *Journal) deleteBefore(table, col string, cutoff int64) (int, error) {
	total := 0
	for {
		n, err := j.deleteChunk(table, col, cutoff)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

// deleteChunk deletes about pruneChunk of the oldest rows before cutoff,
// in its own transaction. It bounds by the time of the chunk's last row
// (rows sharing that time go too), which works on the WITHOUT ROWID
// minutes table and needs no DELETE … LIMIT support in the build.
func (j *Journal) deleteChunk(table, col string, cutoff int64) (int, error) {
	j.wmu.Lock()
	defer j.wmu.Unlock()
	q := fmt.Sprintf(`DELETE FROM %[1]s WHERE %[2]s < ? AND %[2]s <= coalesce(
		(SELECT %[2]s FROM %[1]s ORDER BY %[2]s LIMIT 1 OFFSET %[3]d), ?)`, table, col, pruneChunk-1)
	r, err := j.db.Exec(q, cutoff, int64(math.MaxInt64))
	if err != nil {
		return 0, fmt.Errorf("journal: %s: prune %s: %w", j.path, table, err)
	}
	n, _ := r.RowsAffected()
	return int(n), nil
}

// usedBytes is the size the data would have with no free pages.
func (j *Journal) usedBytes() (int64, error) {
	var pages, free, size int64
	err := j.db.QueryRow(`SELECT p.page_count, f.freelist_count, s.page_size
		FROM pragma_page_count p, pragma_freelist_count f, pragma_page_size s`).Scan(&pages, &free, &size)
	if err != nil {
		return 0, fmt.Errorf("journal: %s: read page counts: %w", j.path, err)
	}
	return (pages - free) * size, nil
}

// Size returns the size of the database in bytes (page count × page size),
// which is the file's size.
func (j *Journal) Size() (int64, error) {
	var pages, size int64
	err := j.db.QueryRow(`SELECT p.page_count, s.page_size FROM pragma_page_count p, pragma_page_size s`).Scan(&pages, &size)
	if err != nil {
		return 0, fmt.Errorf("journal: %s: read size: %w", j.path, err)
	}
	return pages * size, nil
}

// vacuum moves free pages to the end of the file and truncates it.
func (j *Journal) vacuum() error {
	j.wmu.Lock()
	defer j.wmu.Unlock()
	if _, err := j.db.Exec(`PRAGMA incremental_vacuum`); err != nil {
		return fmt.Errorf("journal: %s: incremental vacuum: %w", j.path, err)
	}
	return nil
}
