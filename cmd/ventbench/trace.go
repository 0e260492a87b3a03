package main

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/snapshot"
	"github.com/ventd/ventd/testbench/room"
)

// tracer writes one run's periods as CSV (-trace DIR): the true air of
// every zone beside what each PM2.5 sensor read and what each fan was
// told, and why. It is how a law's failing goal is understood: the
// figures say what went wrong, the trace says when and why.
//
// The true air is the room model's, which moves lazily: only when a
// sensor reads it (or the scenario plays an event), so its time lags the
// clock's, and nothing steps it to a period's time. A period's
// true_<zone> is the zone's PM2.5 at the latest instant, at or before the
// period's time, that the room had reached when the clock moved
// (observe). With the SPS30s' one-second ticks that is the tick the
// period's readings were measured from, under a second before the period
// (under two where a scenario event stepped the room before the clock's
// move was seen); the tracer never steps the room itself. It is final,
// and the row is written, only once the room has been seen past the
// period's time: the records come on their own goroutine, at any lag
// behind the clock, and a row written with whatever air had been seen by
// then changed from run to run.
type tracer struct {
	f      *os.File
	w      *bufio.Writer
	start  time.Time
	zones  []string
	header bool
	// cutoff ends the clock advances observe takes. The loop runs on
	// past the scenario's end until the first record at or after it
	// reaches its output, which cancels it (bench.go): how many advances
	// come after the end depends on the scheduler. Those before the end
	// plus a control period come in every run (the loop makes that
	// record, then sleeps to its next period, before it looks at its
	// context), so the rows' air is taken from them alone.
	cutoff time.Time
	// pending are the periods waiting for their air, oldest first. Only
	// add and close use them (close after the last add), so not under mu.
	pending []traceRow

	mu sync.Mutex
	// seen is the true air at each room time observe saw, in time order,
	// from the one the oldest pending or next period needs.
	seen []trueAir
}

// trueAir is the PM2.5 of every zone (NaN: unknown) at a room time.
type trueAir struct {
	at   time.Time
	pm25 []float64 // never changed once observed: rows read it unlocked
}

// traceRow is a period's row but its true air, which goes between head
// and tail.
type traceRow struct {
	at         time.Time
	head, tail string
}

// maxTruthGap is how far the room's time may lag a period for its state
// to stand as the period's true air: older, the room had not been
// stepped (no sensor read it) and its air is not known, so the row's
// true air is left empty rather than show a past state as the present.
const maxTruthGap = 10 * time.Second

func newTracer(dir string, c *benchCase, ctl controller, seed uint64, start time.Time) (*tracer, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("-trace: %w", err)
	}
	// The name is the scenario file's to choose: one with "/" or ".."
	// must not write outside dir.
	name := strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == 0 {
			return '_'
		}
		return r
	}, c.sc.Name)
	if name == "." || name == ".." || strings.HasPrefix(name, ".") {
		name = "_" + name
	}
	path := filepath.Join(dir, fmt.Sprintf("%s-%s-%d.csv", name, ctl.name, seed))
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("-trace: %w", err)
	}
	period := c.cfg.Control.Period
	if period <= 0 {
		period = time.Second // the daemon's default
	}
	t := &tracer{f: f, w: bufio.NewWriter(f), start: start, cutoff: start.Add(c.sc.Duration + period)}
	for _, z := range c.room.Zones {
		t.zones = append(t.zones, z.Name)
	}
	return t, nil
}

// observe keeps the true air of every zone at the room's time; clk is the
// clock's new time. It runs on the goroutine that moves the clock, the
// daemon's loop, which is also the only one that steps the room, so what
// it sees is the same in every run. It only reads the room: its stepping,
// and so the figures, are the same with or without a trace.
func (t *tracer) observe(clk time.Time, rm *room.Room) {
	if !clk.Before(t.cutoff) {
		return
	}
	now := rm.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	if n := len(t.seen); n > 0 && !now.After(t.seen[n-1].at) {
		return // the room has not moved: its air has not changed
	}
	// Before the first period only the latest state is of use.
	if n := len(t.seen); n > 0 && !now.After(t.start) {
		t.seen = t.seen[:0]
	}
	v := make([]float64, len(t.zones))
	for i, z := range t.zones {
		v[i] = math.NaN()
		if st, err := rm.State(z); err == nil {
			v[i] = st.PM25
		}
	}
	t.seen = append(t.seen, trueAir{at: now, pm25: v})
}

// airAt returns the true air for a period at time at and whether it is
// final: the latest seen at or before at (nil if none, or too old), final
// once the room has been seen past at, or when last (no more will come).
// It drops what no later period needs.
func (t *tracer) airAt(at time.Time, last bool) ([]float64, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	i := 0 // the first seen after at
	for i < len(t.seen) && !t.seen[i].at.After(at) {
		i++
	}
	if i == len(t.seen) && !last {
		return nil, false
	}
	if i == 0 {
		return nil, true
	}
	t.seen = t.seen[i-1:] // the next period, no earlier, may need it too
	if clock.Sub(at, t.seen[0].at) > maxTruthGap {
		return nil, true
	}
	return t.seen[0].pm25, true
}

// flush writes the pending periods whose true air is final; last says
// the run is over, so all of them.
func (t *tracer) flush(last bool) {
	for len(t.pending) > 0 {
		r := t.pending[0]
		truth, ok := t.airAt(r.at, last)
		if !ok {
			return
		}
		t.pending = t.pending[1:]
		var b strings.Builder
		b.WriteString(r.head)
		for i := range t.zones {
			b.WriteByte(',')
			if i < len(truth) && !math.IsNaN(truth[i]) {
				b.WriteString(strconv.FormatFloat(truth[i], 'f', 2, 64))
			}
		}
		b.WriteString(r.tail)
		fmt.Fprintln(t.w, b.String())
	}
}

// add writes one period: seconds since the scenario's start, then per
// zone its true PM2.5, then per sensor its PM2.5 reading (empty unless
// good or above the range) and its quality, then per fan duty, mode and
// reason.
func (t *tracer) add(s *snapshot.Snapshot) {
	var pm []snapshot.Reading
	for _, r := range s.Readings {
		if r.Quantity == sample.PM25 {
			pm = append(pm, r)
		}
	}
	if !t.header {
		cols := []string{"t_s"}
		for _, z := range t.zones {
			cols = append(cols, "true_"+z)
		}
		for _, r := range pm {
			cols = append(cols, r.Sensor, r.Sensor+"_quality")
		}
		for _, f := range s.Fans {
			cols = append(cols, f.Name, f.Name+"_mode", f.Name+"_reason")
		}
		fmt.Fprintln(t.w, strings.Join(cols, ","))
		t.header = true
	}
	row := traceRow{at: s.Time, head: strconv.FormatFloat(s.Time.Sub(t.start).Seconds(), 'f', 0, 64)}
	var tail []string
	for _, r := range pm {
		// A reading the law cannot use (a sensor gone, stale, frozen)
		// keeps its last value in the record: written as it stands, it
		// read as live air, so it is left out and its quality says why.
		v := ""
		if r.Quality == sample.Good || r.Quality == sample.OutOfRange {
			v = strconv.FormatFloat(r.Value, 'f', 1, 64)
		}
		tail = append(tail, v, r.Quality.String())
	}
	for _, f := range s.Fans {
		tail = append(tail, strconv.FormatFloat(f.Duty, 'f', 3, 64), string(f.Mode), strconv.Quote(f.Reason))
	}
	if len(tail) > 0 {
		row.tail = "," + strings.Join(tail, ",")
	}
	t.pending = append(t.pending, row)
	t.flush(false)
}

// close writes the periods still waiting for their air, with the latest
// the room reached before each (the run is over: no more will come), and
// closes the file.
func (t *tracer) close() error {
	t.flush(true)
	if err := t.w.Flush(); err != nil {
		t.f.Close()
		return err
	}
	return t.f.Close()
}
