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

	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/snapshot"
	"github.com/ventd/ventd/testbench/room"
)

// tracer writes one run's periods as CSV (-trace DIR): the true air of
// every zone beside what each PM2.5 sensor read and what each fan was
// told, and why. It is how a law's failing goal is understood: the
// figures say what went wrong, the trace says when and why.
type tracer struct {
	f      *os.File
	w      *bufio.Writer
	start  time.Time
	zones  []string
	header bool
	// truth holds each second's true air by the second, from the clock's
	// advance: the period records arrive later, in batches.
	mu    sync.Mutex
	truth map[int64][]float64
	// oldest is the earliest second truth may hold: a period drops the
	// seconds up to its own from there, without walking the whole map
	// (which grows while the records lag behind the room, and made each
	// period slower than the last: a day's trace took gigabytes).
	oldest int64
	// done is the latest second a period has taken its air from: the
	// room passing through it again later (it moves when a sensor reads)
	// must not put a later state there for a later period to find.
	done int64
	last []float64 // the true air written last
}

// maxTruthGap is how far back a period looks for the true air when its
// own second has none (seconds).
const maxTruthGap = 10

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
	t := &tracer{f: f, w: bufio.NewWriter(f), start: start, truth: map[int64][]float64{}}
	for _, z := range c.room.Zones {
		t.zones = append(t.zones, z.Name)
	}
	return t, nil
}

// observe keeps the true air of every zone at the room's time.
func (t *tracer) observe(rm *room.Room) {
	now := rm.Now()
	sec := now.Unix()
	t.mu.Lock()
	defer t.mu.Unlock()
	if _, ok := t.truth[sec]; ok || (t.done != 0 && sec <= t.done) {
		return
	}
	if len(t.truth) == 0 || sec < t.oldest {
		t.oldest = sec
	}
	v := make([]float64, len(t.zones))
	for i, z := range t.zones {
		v[i] = math.NaN()
		if st, err := rm.State(z); err == nil {
			v[i] = st.PM25
		}
	}
	t.truth[sec] = v
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
	row := []string{strconv.FormatFloat(s.Time.Sub(t.start).Seconds(), 'f', 0, 64)}
	t.mu.Lock()
	// The room moves when a sensor reads it, so a second may have no
	// entry: the newest before it is the air a moment earlier.
	truth, ok := t.truth[s.Time.Unix()]
	for back := int64(1); !ok && back <= maxTruthGap; back++ {
		truth, ok = t.truth[s.Time.Unix()-back]
	}
	if !ok {
		truth = t.last
	}
	t.last = truth
	now := s.Time.Unix()
	for ; t.oldest <= now && len(t.truth) > 0; t.oldest++ {
		delete(t.truth, t.oldest)
	}
	t.done = max(t.done, now)
	t.mu.Unlock()
	for i := range t.zones {
		v := ""
		if i < len(truth) && !math.IsNaN(truth[i]) {
			v = strconv.FormatFloat(truth[i], 'f', 2, 64)
		}
		row = append(row, v)
	}
	for _, r := range pm {
		// A reading the law cannot use (a sensor gone, stale, frozen)
		// keeps its last value in the record: written as it stands, it
		// read as live air, so it is left out and its quality says why.
		v := ""
		if r.Quality == sample.Good || r.Quality == sample.OutOfRange {
			v = strconv.FormatFloat(r.Value, 'f', 1, 64)
		}
		row = append(row, v, r.Quality.String())
	}
	for _, f := range s.Fans {
		row = append(row, strconv.FormatFloat(f.Duty, 'f', 3, 64), string(f.Mode), strconv.Quote(f.Reason))
	}
	fmt.Fprintln(t.w, strings.Join(row, ","))
}

func (t *tracer) close() error {
	if err := t.w.Flush(); err != nil {
		t.f.Close()
		return err
	}
	return t.f.Close()
}
