package journal

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Keys of the journal's own state in the meta table.
const (
	metaNewest    = metaPrefix + "newest_ms"       // newest time written, the clock high-water mark
	metaBackwards = metaPrefix + "clock_backwards" // "1" while times are behind the mark
)

// Write records the batch in one transaction: all of it, or on error none
// of it, so a failed batch can be retried whole without duplicates. An
// error wrapping ErrInvalid means the batch itself is wrong and retrying is
// pointless.
//
// Minutes merge with a minute already written for the same start, zone and
// quantity (a restart re-writes the minute it stopped in): means are
// combined weighted by count, max is the larger, covered seconds add up to
// at most 60. Events with an ID already written are skipped.
func (j *Journal) Write(b Batch) (Result, error) {
	if err := j.refuseReadOnly("write"); err != nil {
		return Result{}, err
	}
	if err := b.validate(); err != nil {
		return Result{}, err
	}
	if b.Len() == 0 {
		return Result{}, nil
	}
	j.wmu.Lock()
	defer j.wmu.Unlock()
	ctx := context.Background()
	if err := j.chain.prepare(ctx, j.db); err != nil { // before the transaction holds a connection
		return Result{}, j.writeError("prepare", err)
	}
	tx, err := j.db.BeginTx(ctx, nil)
	if err != nil {
		return Result{}, j.writeError("begin", err)
	}
	defer tx.Rollback()
	if j.series == nil {
		j.series = map[[2]string]int64{}
	}
	w := &writer{ctx: ctx, tx: tx, tol: j.opts.ClockTolerance.Milliseconds(), series: j.series, stmts: &j.chain}
	if err := w.loadClock(); err != nil {
		return Result{}, j.writeError("read clock state", err)
	}
	ch, err := j.beginChain(ctx, tx) // the hash chain: chain.go
	if err != nil {
		return Result{}, j.writeError("begin chain link", err)
	}
	w.link = ch.link
	var res Result
	steps := []struct {
		what string
		fn   func() error
	}{
		{"minutes", func() error { return w.minutes(b.Minutes) }},
		{"events", func() error { n, err := w.events(b.Events); res.DuplicateEvents = n; return err }},
		{"acks", func() error { return w.acks(b.Acks) }},
		{"calibrations", func() error { return w.calibrations(b.Calibrations) }},
		{"config changes", func() error { return w.configChanges(b.ConfigChanges) }},
		{"gaps", func() error { return w.gaps(b.Gaps) }},
		{"clock status", func() error { return w.clockStatus(b.ClockStatus) }},
		{"shifts", func() error { return w.shifts(b.Shifts) }},
		{"actions", func() error { return w.actions(b.Actions) }},
		{"ventilation", func() error { return w.ventilation(b.Ventilation) }},
		{"meta", func() error { return w.setMeta(b.Meta) }},
		{"clock state", func() error { bw, err := w.saveClock(j.opts.Clock.Now()); res.Backwards = bw; return err }},
		{"chain link", func() error { return ch.seal(j.opts.Clock.Now(), &b) }},
	}
	for _, s := range steps {
		if err := s.fn(); err != nil {
			return Result{}, j.writeError("write "+s.what, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return Result{}, j.writeError("commit", err)
	}
	for k, id := range w.newSeries { // known only once they are on the disk
		j.series[k] = id
	}
	return res, nil
}

func (j *Journal) writeError(what string, err error) error {
	return fmt.Errorf("journal: %s: %s: %w", j.path, what, err)
}

// writer is one batch's transaction and its clock bookkeeping.
type writer struct {
	ctx  context.Context
	tx   *sql.Tx
	tol  int64 // ms
	link int64 // the chain link the minutes go into (chain.go)
	// stmts are the statements every Write runs, prepared once.
	stmts *chainStmts

	newest   int64 // high-water mark before this batch; 0 = none yet
	wasBack  bool  // the previous batch was flagged
	max      int64 // newest time in this batch
	seen     bool  // the batch had any timed row
	flagged  int
	earliest int64 // earliest flagged time

	series    map[[2]string]int64 // series ids committed before (read only)
	newSeries map[[2]string]int64 // series ids this batch created or found
}

func (w *writer) loadClock() error {
	var s string
	err := w.tx.QueryRowContext(w.ctx, `SELECT value FROM meta WHERE key = ?`, metaNewest).Scan(&s)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	if s != "" {
		if w.newest, err = strconv.ParseInt(s, 10, 64); err != nil {
			return fmt.Errorf("meta %s = %q: %w", metaNewest, s, err)
		}
	}
	err = w.tx.QueryRowContext(w.ctx, `SELECT value FROM meta WHERE key = ?`, metaBackwards).Scan(&s)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	w.wasBack = err == nil && s == "1"
	return nil
}

// stamp returns the row's time in ms and how far behind the mark it is
// (0 within the tolerance). Rows are compared with earlier batches only:
// one batch's rows are not in time order across tables.
func (w *writer) stamp(t time.Time) (ms, back int64) {
	ms = t.UnixMilli()
	if !w.seen || ms > w.max {
		w.max, w.seen = ms, true
	}
	if w.newest != 0 && w.newest-ms > w.tol {
		back = w.newest - ms
		if w.flagged == 0 || ms < w.earliest {
			w.earliest = ms
		}
		w.flagged++
	}
	return ms, back
}

// saveClock moves the mark forward and records transitions into and out
// of the flagged state as clock_status rows.
func (w *writer) saveClock(now time.Time) (*Backwards, error) {
	if !w.seen {
		return nil, nil
	}
	var bw *Backwards
	switch {
	case w.flagged > 0:
		bw = &Backwards{
			Newest:   time.UnixMilli(w.newest).UTC(),
			Earliest: time.UnixMilli(w.earliest).UTC(),
			Jump:     time.Duration(w.newest-w.earliest) * time.Millisecond,
			Rows:     w.flagged,
			Started:  !w.wasBack,
		}
		if bw.Started {
			note := bw.String() + " (backwards_ms on each row)"
			if err := w.insertStatus(now, false, note, bw.Jump.Milliseconds()); err != nil {
				return nil, err
			}
		}
	case w.wasBack:
		note := fmt.Sprintf("times are again at or after the newest time written, %s", time.UnixMilli(w.newest).UTC().Format(time.RFC3339))
		if err := w.insertStatus(now, true, note, 0); err != nil {
			return nil, err
		}
	}
	state := "0"
	if w.flagged > 0 {
		state = "1"
	}
	mark := max(w.newest, w.max)
	return bw, w.setMeta(map[string]string{
		metaNewest:    strconv.FormatInt(mark, 10),
		metaBackwards: state,
	})
}

func (w *writer) insertStatus(now time.Time, synced bool, note string, back int64) error {
	_, err := w.tx.ExecContext(w.ctx, `INSERT INTO clock_status (time_ms, synchronized, source, note, backwards_ms)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, now.UnixMilli(), synced, SourceJournal, note, back)
	return err
}

// exec runs one statement per row with a statement prepared once.
func (w *writer) exec(query string, n int, args func(i int) []any) (affected int64, err error) {
	if n == 0 {
		return 0, nil
	}
	st, err := w.stmts.stmt(w.ctx, w.tx, query)
	if err != nil {
		return 0, err
	}
	defer st.Close()
	for i := 0; i < n; i++ {
		r, err := st.ExecContext(w.ctx, args(i)...)
		if err != nil {
			return affected, fmt.Errorf("row %d: %w", i, err)
		}
		k, _ := r.RowsAffected()
		affected += k
	}
	return affected, nil
}

// minuteRows is how many minutes go in one INSERT: a day's backlog of 18
// series is 26k rows, and one statement per row costs more than the
// SQLite work itself.
const minuteRows = 256

func (w *writer) minutes(ms []Minute) error {
	if len(ms) == 0 {
		return nil
	}
	ids, err := w.seriesIDs(ms)
	if err != nil {
		return err
	}
	var full *sql.Stmt // the statement for a whole chunk, prepared once
	args := make([]any, 0, minuteArgs*min(len(ms), minuteRows))
	for lo := 0; lo < len(ms); lo += minuteRows {
		hi := min(lo+minuteRows, len(ms))
		args = args[:0]
		for i := lo; i < hi; i++ {
			m := ms[i]
			end, back := w.stamp(m.Start.Add(time.Minute)) // a minute is complete at its end
			args = append(args, end-time.Minute.Milliseconds(), ids[i], m.Mean, m.Max, m.Count, m.CoveredSeconds, back, w.link)
		}
		if hi-lo == minuteRows && full == nil {
			if full, err = w.tx.PrepareContext(w.ctx, upsertMinutes(minuteRows)); err != nil {
				return err
			}
			defer full.Close()
		}
		if hi-lo == minuteRows {
			_, err = full.ExecContext(w.ctx, args...)
		} else {
			// A minute's batch: a row at a time through the one-row
			// statement prepared once, rather than compiling (with the
			// chain's triggers) an INSERT for this many rows each minute.
			err = w.upsertEach(args)
		}
		if err != nil {
			return fmt.Errorf("minutes from %s: %w", ms[lo].Start.UTC().Format(time.RFC3339), err)
		}
	}
	return nil
}

// upsertEach writes the minutes in args (minuteArgs values each) one
// row at a time.
func (w *writer) upsertEach(args []any) error {
	st, err := w.stmts.stmt(w.ctx, w.tx, upsertMinutes(1))
	if err != nil {
		return err
	}
	for i := 0; i < len(args); i += minuteArgs {
		if _, err := st.ExecContext(w.ctx, args[i:i+minuteArgs]...); err != nil {
			return err
		}
	}
	return nil
}

// minuteArgs is how many values one minute's row takes.
const minuteArgs = 8

// upsertMinutes is the INSERT for n minutes. A minute already there is
// merged: means weighted by count, the larger max, covered seconds added
// up to the minute's 60.
func upsertMinutes(n int) string {
	return `INSERT INTO minutes (start_ms, series, mean, maximum, count, covered_s, backwards_ms, chain) VALUES ` +
		strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?), ", n-1) + `(?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (start_ms, series) DO UPDATE SET
			mean = (mean * count + excluded.mean * excluded.count) / (count + excluded.count),
			maximum = max(maximum, excluded.maximum),
			count = count + excluded.count,
			covered_s = min(60.0, covered_s + excluded.covered_s),
			backwards_ms = max(backwards_ms, excluded.backwards_ms)`
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
			err := w.tx.QueryRowContext(w.ctx, `INSERT INTO series (zone, quantity) VALUES (?, ?)
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

// nullable stores NaN as NULL (SQLite has no NaN).
func nullable(f float64) any {
	if math.IsNaN(f) {
		return nil
	}
	return f
}

func (w *writer) events(es []Event) (duplicates int, err error) {
	n, err := w.exec(`INSERT INTO events (id, alarm_id, time_ms, rule, kind, level, subject, quantity, value, threshold, message, backwards_ms)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		len(es), func(i int) []any {
			e := es[i]
			t, back := w.stamp(e.Time)
			return []any{int64(e.ID), int64(e.AlarmID), t, e.Rule, e.Kind, e.Level, e.Subject, e.Quantity,
				nullable(e.Value), nullable(e.Threshold), e.Message, back}
		})
	return len(es) - int(n), err
}

func (w *writer) acks(as []Ack) error {
	_, err := w.exec(`INSERT INTO acks (alarm_id, time_ms, who, note, backwards_ms)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		len(as), func(i int) []any {
			a := as[i]
			t, back := w.stamp(a.Time)
			return []any{int64(a.AlarmID), t, a.Who, a.Note, back}
		})
	return err
}

func (w *writer) calibrations(cs []Calibration) error {
	_, err := w.exec(`INSERT INTO calibrations (time_ms, sensor, serial, kind, reference, correction, who, note, backwards_ms)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		len(cs), func(i int) []any {
			c := cs[i]
			t, back := w.stamp(c.Time)
			return []any{t, c.Sensor, c.Serial, c.Kind, nullable(c.Reference), nullable(c.Correction), c.Who, c.Note, back}
		})
	return err
}

func (w *writer) configChanges(cs []ConfigChange) error {
	_, err := w.exec(`INSERT INTO config_changes (time_ms, hash, summary, backwards_ms)
		VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		len(cs), func(i int) []any {
			c := cs[i]
			t, back := w.stamp(c.Time)
			return []any{t, c.Hash, c.Summary, back}
		})
	return err
}

func (w *writer) gaps(gs []Gap) error {
	_, err := w.exec(`INSERT INTO gaps (start_ms, end_ms, zone, quantity, reason, backwards_ms)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (start_ms, zone, quantity, reason) DO UPDATE SET
			end_ms = max(end_ms, excluded.end_ms),
			backwards_ms = max(backwards_ms, excluded.backwards_ms)`,
		len(gs), func(i int) []any {
			g := gs[i]
			end, back := w.stamp(g.End) // a gap is written when it ends; its start is in the past by nature
			return []any{g.Start.UnixMilli(), end, g.Zone, g.Quantity, g.Reason, back}
		})
	return err
}

func (w *writer) clockStatus(cs []ClockStatus) error {
	_, err := w.exec(`INSERT INTO clock_status (time_ms, synchronized, source, note, backwards_ms)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		len(cs), func(i int) []any {
			c := cs[i]
			t, back := w.stamp(c.Time)
			return []any{t, c.Synchronized, c.Source, c.Note, back}
		})
	return err
}

func (w *writer) actions(as []Action) error {
	_, err := w.exec(`INSERT INTO actions (time_ms, kind, target, who, via, uid, peer, note, result, error, backwards_ms)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, len(as), func(i int) []any {
		a := as[i]
		ms, back := w.stamp(a.Time)
		var uid any
		if a.UID != nil {
			uid = int64(*a.UID)
		}
		return []any{ms, a.Kind, a.Target, a.Who, a.Via, uid, a.Peer, a.Note, a.Result, a.Error, back}
	})
	return err
}
