package journal

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strconv"
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
	per := minutesPerStatement(b.Minutes)
	if err := j.stmts.prepare(ctx, sizedFor(&b, per)); err != nil { // before the transaction begins
		return Result{}, j.writeError("prepare", j.stmts.lost(err))
	}
	if err := j.stmts.run(ctx, beginWrite); err != nil {
		return Result{}, j.writeError("begin", j.stmts.lost(err))
	}
	done := false
	defer func() {
		if !done {
			j.stmts.rollback(ctx)
		}
	}()
	if j.series == nil {
		j.series = map[[2]string]int64{}
	}
	w := &writer{ctx: ctx, conn: j.stmts.conn, tol: j.opts.ClockTolerance.Milliseconds(), series: j.series, stmts: &j.stmts}
	ch, err := w.begin(&b, per) // the clock's state and the hash chain's link: chain.go
	if err != nil {
		return Result{}, j.writeError("begin", err)
	}
	var res Result
	steps := []struct {
		what string
		fn   func() error
	}{
		{"minutes", func() error { return w.minutes(b.Minutes, per) }},
		{"retractions", func() error { return w.retract(b.Retractions) }},
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
		{"chain link", func() error { return ch.seal(j.opts.Clock.Now()) }},
	}
	for _, s := range steps {
		if err := s.fn(); err != nil {
			return Result{}, j.writeError("write "+s.what, err)
		}
	}
	if err := j.stmts.run(ctx, commitWrite); err != nil {
		// A COMMIT that failed (SQLITE_BUSY: a reader held on past the
		// busy timeout) leaves the transaction open: the deferred
		// ROLLBACK ends it, and the batch can be retried whole.
		return Result{}, j.writeError("commit", err)
	}
	done = true
	for k, id := range w.newSeries { // known only once they are on the disk
		j.series[k] = id
	}
	return res, nil
}

// sizedFor lists the INSERTs of several rows a Write of b runs, per
// minutes a statement.
func sizedFor(b *Batch, per int) []sized {
	var need []sized
	for _, n := range chunks(len(b.Minutes), per) {
		need = append(need, sized{freshMinutes, n}, sized{mergingMinutes, n})
	}
	for _, n := range chunks(len(b.Shifts), maxShiftRows) {
		need = append(need, sized{shiftRows, n})
	}
	return need
}

// chunks are the rows per statement that n rows written per a statement
// take: per, and what is left.
func chunks(n, per int) []int {
	switch {
	case n == 0:
		return nil
	case n <= per:
		return []int{n}
	case n%per == 0:
		return []int{per}
	}
	return []int{per, n % per}
}

func (j *Journal) writeError(what string, err error) error {
	return fmt.Errorf("journal: %s: %s: %w", j.path, what, err)
}

// writer is one batch's transaction and its clock bookkeeping.
type writer struct {
	ctx   context.Context
	conn  *sql.Conn    // the writer's connection, inside the Write's transaction
	tol   int64        // ms
	ch    *chainWriter // the chain link this Write's rows go into (chain.go)
	stmts *writeStmts  // the statements every Write runs, prepared once
	// fresh: every minute of the batch is newer than the newest written
	// and none repeats, so each is inserted as given, never merged.
	fresh bool

	newest   int64 // high-water mark before this batch; 0 = none yet
	wasBack  bool  // the previous batch was flagged
	max      int64 // newest time in this batch
	seen     bool  // the batch had any timed row
	flagged  int
	earliest int64 // earliest flagged time
	// newestText and backText are the mark's and the state's meta values
	// as stored (NULL: none): saveClock rewrites only one that changed.
	newestText, backText sql.NullString

	series    map[[2]string]int64 // series ids committed before (read only)
	newSeries map[[2]string]int64 // series ids this batch created or found
}

// writeState reads, in one statement, what a Write starts from: the
// clock's high-water mark, whether the last batch was flagged, whether
// meta's chain_link is idle, the chain's newest link and its hash, and
// the newest minute's start.
const writeState = `SELECT (SELECT value FROM meta WHERE key = '` + metaNewest + `'),
	(SELECT value FROM meta WHERE key = '` + metaBackwards + `'),
	(SELECT value FROM meta WHERE key = '` + metaChainLink + `'),
	(SELECT id FROM chain ORDER BY id DESC LIMIT 1),
	(SELECT hash FROM chain ORDER BY id DESC LIMIT 1),
	(SELECT max(start_ms) FROM minutes)`

// begin reads the state a Write of b starts from and begins the chain's
// link. A batch of minutes newer than any written, and nothing else, is
// written without arming the triggers: it cannot rewrite a row.
func (w *writer) begin(b *Batch, per int) (*chainWriter, error) {
	st, err := w.stmts.stmt(w.ctx, writeState)
	if err != nil {
		return nil, err
	}
	var newest, back, link sql.NullString
	var last, newestMinute sql.NullInt64
	var prev []byte
	if err := st.QueryRowContext(w.ctx).Scan(&newest, &back, &link, &last, &prev, &newestMinute); err != nil {
		return nil, fmt.Errorf("read clock and chain state: %w", err)
	}
	// A retraction may rewrite this batch's own minutes: they are then
	// sealed as stored, with their keys, not as written.
	w.fresh = per > 1 && len(b.Retractions) == 0 && (!newestMinute.Valid || !slices.ContainsFunc(b.Minutes, func(m Minute) bool {
		return m.Start.UnixMilli() <= newestMinute.Int64
	}))
	if newest.String != "" {
		if w.newest, err = strconv.ParseInt(newest.String, 10, 64); err != nil {
			return nil, fmt.Errorf("meta %s = %q: %w", metaNewest, newest.String, err)
		}
	}
	w.newestText, w.backText = newest, back
	w.wasBack = back.String == "1"
	w.ch, err = beginChain(w.ctx, w.conn, w.stmts, last.Int64, prev, link.Valid && link.String == "0", !w.fresh || b.Len() > len(b.Minutes))
	if err != nil {
		return nil, fmt.Errorf("begin chain link: %w", err)
	}
	return w.ch, nil
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
// of the flagged state as clock_status rows. It is the Write's last row:
// it ends the chain's tagging.
func (w *writer) saveClock(now time.Time) (*Backwards, error) {
	if !w.seen {
		return nil, w.ch.endTagging(nil)
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
	var kv []any
	if mark := strconv.FormatInt(max(w.newest, w.max), 10); !w.newestText.Valid || w.newestText.String != mark {
		kv = append(kv, metaNewest, mark)
	}
	if !w.backText.Valid || w.backText.String != state {
		kv = append(kv, metaBackwards, state)
	}
	return bw, w.ch.endTagging(kv)
}

func (w *writer) insertStatus(now time.Time, synced bool, note string, back int64) error {
	if err := w.ch.arm(); err != nil {
		return err
	}
	w.ch.touch("clock_status")
	_, err := w.conn.ExecContext(w.ctx, `INSERT INTO clock_status (time_ms, synchronized, source, note, backwards_ms)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, now.UnixMilli(), synced, SourceJournal, note, back)
	return err
}

// exec runs one statement per row of table with a statement prepared
// once.
func (w *writer) exec(table, query string, n int, args func(i int) []any) (affected int64, err error) {
	if n == 0 {
		return 0, nil
	}
	w.ch.touch(table)
	st, err := w.stmts.stmt(w.ctx, query)
	if err != nil {
		return 0, err
	}
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

// nullable stores NaN as NULL (SQLite has no NaN).
func nullable(f float64) any {
	if math.IsNaN(f) {
		return nil
	}
	return f
}

const insertEvents = `INSERT INTO events (id, alarm_id, time_ms, rule, kind, level, subject, quantity, value, threshold, message, backwards_ms)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`

func (w *writer) events(es []Event) (duplicates int, err error) {
	n, err := w.exec("events", insertEvents,
		len(es), func(i int) []any {
			e := es[i]
			t, back := w.stamp(e.Time)
			return []any{int64(e.ID), int64(e.AlarmID), t, e.Rule, e.Kind, e.Level, e.Subject, e.Quantity,
				nullable(e.Value), nullable(e.Threshold), e.Message, back}
		})
	return len(es) - int(n), err
}

func (w *writer) acks(as []Ack) error {
	_, err := w.exec("acks", `INSERT INTO acks (alarm_id, time_ms, who, note, backwards_ms)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		len(as), func(i int) []any {
			a := as[i]
			t, back := w.stamp(a.Time)
			return []any{int64(a.AlarmID), t, a.Who, a.Note, back}
		})
	return err
}

func (w *writer) calibrations(cs []Calibration) error {
	_, err := w.exec("calibrations", `INSERT INTO calibrations (time_ms, sensor, serial, kind, reference, correction, who, note, backwards_ms)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		len(cs), func(i int) []any {
			c := cs[i]
			t, back := w.stamp(c.Time)
			return []any{t, c.Sensor, c.Serial, c.Kind, nullable(c.Reference), nullable(c.Correction), c.Who, c.Note, back}
		})
	return err
}

func (w *writer) configChanges(cs []ConfigChange) error {
	_, err := w.exec("config_changes", `INSERT INTO config_changes (time_ms, hash, summary, backwards_ms)
		VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		len(cs), func(i int) []any {
			c := cs[i]
			t, back := w.stamp(c.Time)
			return []any{t, c.Hash, c.Summary, back}
		})
	return err
}

const insertGaps = `INSERT INTO gaps (start_ms, end_ms, zone, quantity, reason, backwards_ms)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (start_ms, zone, quantity, reason) DO UPDATE SET
			end_ms = max(end_ms, excluded.end_ms),
			backwards_ms = max(backwards_ms, excluded.backwards_ms)`

func (w *writer) gaps(gs []Gap) error {
	_, err := w.exec("gaps", insertGaps,
		len(gs), func(i int) []any {
			g := gs[i]
			end, back := w.stamp(g.End) // a gap is written when it ends; its start is in the past by nature
			return []any{g.Start.UnixMilli(), end, g.Zone, g.Quantity, g.Reason, back}
		})
	return err
}

func (w *writer) clockStatus(cs []ClockStatus) error {
	_, err := w.exec("clock_status", `INSERT INTO clock_status (time_ms, synchronized, source, note, backwards_ms)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		len(cs), func(i int) []any {
			c := cs[i]
			t, back := w.stamp(c.Time)
			return []any{t, c.Synchronized, c.Source, c.Note, back}
		})
	return err
}

func (w *writer) actions(as []Action) error {
	_, err := w.exec("actions", `INSERT INTO actions (time_ms, kind, target, who, via, uid, peer, note, result, error, backwards_ms)
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
