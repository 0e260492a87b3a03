package journal

import (
	"crypto/sha256"
	"database/sql"
	"fmt"
	"strconv"
	"time"
)

// minuteRows is how many minutes go in one INSERT: a day's backlog of 18
// series is 26k rows, and one statement per row costs more than the
// SQLite work itself.
const minuteRows = 256

// minutesPerStatement is how many minutes each INSERT writes: all of a
// minute's rows (up to minuteRows) in one, but one a statement when a
// minute repeats in the batch, so that the rows RETURNING hands back (in
// no promised order within a statement) come in the order they were
// written and the last of a repeated minute is the one stored.
func minutesPerStatement(ms []Minute) int {
	type key struct {
		start          int64
		zone, quantity string
	}
	seen := make(map[key]bool, len(ms))
	for _, m := range ms {
		k := key{m.Start.UnixMilli(), m.Zone, m.Quantity}
		if seen[k] {
			return 1
		}
		seen[k] = true
	}
	return minuteRows
}

// minutes writes the minutes, per rows a statement, and seals each as
// stored for the chain: a fresh minute as written, any other as its
// INSERT returns it, merges done.
func (w *writer) minutes(ms []Minute, per int) error {
	if len(ms) == 0 {
		return nil
	}
	ids, err := w.seriesIDs(ms)
	if err != nil {
		return err
	}
	if !w.fresh {
		if err := w.ch.arm(); err != nil { // a merge's UPDATE moves the row through the trigger
			return err
		}
	}
	var names map[int64][2]string // for rows returned
	var starts []int64            // the seals' times
	var buf []byte
	if w.fresh {
		starts = make([]int64, len(ms))
	} else {
		names = make(map[int64][2]string, min(len(ms), 64))
	}
	args := make([]any, 0, minuteArgs*min(len(ms), per))
	for lo := 0; lo < len(ms); lo += per {
		hi := min(lo+per, len(ms))
		args = args[:0]
		for i := lo; i < hi; i++ {
			m := ms[i]
			end, back := w.stamp(m.Start.Add(time.Minute)) // a minute is complete at its end
			start := end - time.Minute.Milliseconds()
			args = append(args, start, ids[i], m.Mean, m.Max, m.Count, m.CoveredSeconds, back, w.ch.link)
			if !w.fresh {
				names[ids[i]] = [2]string{m.Zone, m.Quantity}
				continue
			}
			// Sealed as written: a fresh minute is stored as given. No
			// key: only a merged row can be moved back (unmove).
			starts[i] = start
			buf = encodeMinute(buf[:0], start, m.Zone, m.Quantity, m.Mean, m.Max, int64(m.Count), m.CoveredSeconds, back)
			sum := sha256.Sum256(buf)
			w.ch.minutes = append(w.ch.minutes, sealed{table: minutesTable, time: &starts[i], seal: seal(sum[:sealLen])})
		}
		var err error
		if w.fresh {
			err = w.insertFresh(hi-lo, args)
		} else {
			err = w.insertMinutes(hi-lo, args, names)
		}
		if err != nil {
			return fmt.Errorf("minutes from %s: %w", ms[lo].Start.UTC().Format(time.RFC3339), err)
		}
	}
	if per == 1 { // a repeated minute: keep its last version, the one stored
		w.ch.keepLastMinutes()
	}
	return nil
}

// keepLastMinutes keeps, of minutes sealed more than once in this Write
// (repeated, or retracted after they were written), the last seal: the
// row as stored.
func (c *chainWriter) keepLastMinutes() {
	last := make(map[string]int, len(c.minutes))
	kept := c.minutes[:0]
	for _, r := range c.minutes {
		if r.key == "" { // sealed as written: never sealed twice
			kept = append(kept, r)
			continue
		}
		if i, ok := last[r.key]; ok {
			kept[i] = r
			continue
		}
		last[r.key] = len(kept)
		kept = append(kept, r)
	}
	c.minutes = kept
}

// insertFresh inserts n fresh minutes (sealed by minutes as written).
func (w *writer) insertFresh(n int, args []any) error {
	st, err := w.stmts.sizedStmt(sized{freshMinutes, n})
	if err == nil {
		_, err = st.ExecContext(w.ctx, args...)
	}
	return err
}

// minutesTable is the minutes' chainTable.
var minutesTable = chainTableNamed("minutes")

// encodeMinute appends a minute's canonical encoding as SQLite stores it,
// the bytes chainTable.encode gives for the row read back (the test holds
// them equal), without boxing every value: a REAL column gives back an
// integral value stored as an integer as a float, so -0 comes back as 0.
func encodeMinute(buf []byte, start int64, zone, quantity string, mean, maximum float64, count int64, covered float64, back int64) []byte {
	stored := func(f float64) float64 {
		if f == 0 {
			return 0
		}
		return f
	}
	buf = appendRowHead(buf, "minutes")
	buf = appendInt(buf, "start_ms", start)
	buf = appendText(buf, "zone", zone)
	buf = appendText(buf, "quantity", quantity)
	buf = appendFloat(buf, "mean", stored(mean))
	buf = appendFloat(buf, "maximum", stored(maximum))
	buf = appendInt(buf, "count", count)
	buf = appendFloat(buf, "covered_s", stored(covered))
	return appendInt(buf, "backwards_ms", back)
}

// insertMinutes runs the INSERT of n minutes, some perhaps merging, and
// seals the rows it returns, as stored, the series named as this batch
// names it.
func (w *writer) insertMinutes(n int, args []any, names map[int64][2]string) error {
	st, err := w.stmts.sizedStmt(sized{mergingMinutes, n})
	if err != nil {
		return err
	}
	rs, err := st.QueryContext(w.ctx, args...)
	if err != nil {
		return err
	}
	defer rs.Close()
	return w.sealReturned(rs, names)
}

// sealReturned seals the minutes rs returns (RETURNING start_ms, series,
// mean, maximum, count, covered_s, backwards_ms, chain), as stored, the
// series named by names.
func (w *writer) sealReturned(rs *sql.Rows, names map[int64][2]string) error {
	var buf []byte
	for rs.Next() {
		// As stored, storage class and all: start_ms, zone, quantity,
		// mean, maximum, count, covered_s, backwards_ms.
		var start, series, link int64
		vals := make([]any, 8) // the sealed columns (chained's minutes)
		if err := rs.Scan(&start, &series, &vals[3], &vals[4], &vals[5], &vals[6], &vals[7], &link); err != nil {
			return err
		}
		if link != w.ch.link { // merged into a minute of an earlier link: moved
			w.ch.touch("minutes")
		}
		name, ok := names[series]
		if !ok {
			return fmt.Errorf("minute %d of series %d: not one this batch wrote", start, series)
		}
		vals[0], vals[1], vals[2] = start, name[0], name[1]
		var s seal
		var err error
		if buf, s, err = minutesTable.sealRow(buf, writeFormat, vals); err != nil {
			return err
		}
		w.ch.minutes = append(w.ch.minutes, sealed{table: minutesTable, seal: s, time: &start,
			key: strconv.FormatInt(start, 10) + " " + strconv.FormatInt(series, 10), keyVals: []any{start, series}})
	}
	return rs.Err()
}

// minuteArgs is how many values one minute's row takes.
const minuteArgs = 8

// upsertMinutes is the INSERT for n minutes. A minute already there is
// merged: means weighted by count, the larger max, covered seconds added
// up to the minute's 60. With returning, it returns each row as stored,
// and its chain as the INSERT left it: another link's when the row was
// merged (the trigger then moves it to this Write's link).
func upsertMinutes(n int, returning bool) string {
	q := `INSERT INTO minutes (start_ms, series, mean, maximum, count, covered_s, backwards_ms, chain) VALUES ` +
		valueRows(minuteArgs, n) + `
		ON CONFLICT (start_ms, series) DO UPDATE SET
			mean = (mean * count + excluded.mean * excluded.count) / (count + excluded.count),
			maximum = max(maximum, excluded.maximum),
			count = count + excluded.count,
			covered_s = min(60.0, covered_s + excluded.covered_s),
			backwards_ms = max(backwards_ms, excluded.backwards_ms)`
	if returning {
		q += `
		RETURNING start_ms, series, mean, maximum, count, covered_s, backwards_ms, chain`
	}
	return q
}

// seriesIDs returns the series id of each minute, creating new pairs.
// Series are never deleted, so an id once committed is looked up in
// memory rather than asked of SQLite every minute.
func (w *writer) seriesIDs(ms []Minute) ([]int64, error) {
	ids := make([]int64, len(ms))
	for i, m := range ms {
		k := [2]string{m.Zone, m.Quantity}
		id, ok := w.series[k]
		if !ok {
			id, ok = w.newSeries[k]
		}
		if !ok {
			err := w.conn.QueryRowContext(w.ctx, `INSERT INTO series (zone, quantity) VALUES (?, ?)
				ON CONFLICT (zone, quantity) DO UPDATE SET zone = zone RETURNING id`, m.Zone, m.Quantity).Scan(&id)
			if err != nil {
				return nil, fmt.Errorf("series %s %s: %w", m.Zone, m.Quantity, err)
			}
			if w.newSeries == nil {
				w.newSeries = map[[2]string]int64{}
			}
			w.newSeries[k] = id
		}
		ids[i] = id
	}
	return ids, nil
}
