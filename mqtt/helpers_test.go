package mqtt

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/daemon"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/scenario"
)

var t0 = time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)

// wallWait bounds every wait on the network or the other goroutines. It
// is generous: tests wait for events, never for a time.
const wallWait = 60 * time.Second

// watcher is an output beside the publisher: it keeps each transition
// with the wall time its record arrived (the hub hands a record to every
// output at once), for latencies.
type watcher struct {
	mu     sync.Mutex
	events []alarm.Event
	at     map[uint64]time.Time // transition seq → wall time of its record
	walls  []time.Time          // wall time of each record, for the loop's period
}

func (w *watcher) Receive(p *record.Period) {
	now := time.Now()
	w.mu.Lock()
	defer w.mu.Unlock()
	w.walls = append(w.walls, now)
	for _, e := range p.Transitions {
		w.events = append(w.events, e)
		w.at[e.ID] = now
	}
}

// room is a daemon on the simulated room, with a publisher attached.
type room struct {
	t     testing.TB
	cfg   *config.Config
	clk   *clock.Sim
	rig   *testbench.Rig
	d     *daemon.Daemon
	pub   *Publisher
	watch *watcher
	dir   string
	log   *testbench.LogBuffer

	stopLoop, stopPub context.CancelFunc
	loopDone, pubDone chan struct{}
	stopped           bool

	// The hold: checked on the loop's own goroutine at each tick of the
	// clock, so the loop stops one period after the record that matched,
	// however fast or slow the machine.
	mu      sync.Mutex
	holdOn  func(p *record.Period) bool
	checked *record.Period
	matched *record.Period
	hit     chan struct{}
	// ticks are the wall times the loop published each record, seen on
	// its own goroutine: the loop's period, for the benchmarks.
	ticks []time.Time
}

type roomOpts struct {
	broker   string // empty: no publisher (a baseline for the benchmarks)
	name     string // the room's name; default the sim config's
	dir      string // state directory; default a new one
	start    time.Time
	scenario string  // YAML events; default none
	speed    float64 // simulated time's pace (clock.NewSim); 0 as fast as it goes
	mqtt     func(m *config.MQTT)
	config   func(c *config.Config)
	pub      func(p *Publisher) // before it runs
}

// startRoom starts a daemon with its publisher. Its clock is held until
// the test runs it with until.
func startRoom(t testing.TB, o roomOpts) *room {
	t.Helper()
	cfg := config.Sim()
	if o.name != "" {
		cfg.Room = o.name
	}
	m := config.DefaultMQTT()
	m.Broker, m.ReconnectMax = o.broker, time.Second
	if o.mqtt != nil {
		o.mqtt(&m)
	}
	cfg.MQTT = &m
	if o.config != nil {
		o.config(cfg)
	}
	if o.dir == "" {
		o.dir = t.TempDir()
	}
	if o.start.IsZero() {
		o.start = t0
	}
	sc := &scenario.Scenario{Name: "empty", Duration: 24 * time.Hour}
	if o.scenario != "" {
		var err error
		if sc, err = scenario.Parse([]byte("name: test\nduration: 24h\nevents:\n"+o.scenario), "test.yaml"); err != nil {
			t.Fatal(err)
		}
	}
	clk := clock.NewSim(o.start, o.speed)
	rig, err := testbench.NewRig(cfg, clk, sc, testbench.RigOpts{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	r := &room{t: t, cfg: cfg, clk: clk, rig: rig, dir: o.dir, log: &testbench.LogBuffer{}}
	log := slog.New(slog.NewTextHandler(io.MultiWriter(r.log), &slog.HandlerOptions{Level: slog.LevelDebug}))
	r.d, err = daemon.New(daemon.Options{Config: cfg, Clock: clk, Hardware: rig, Log: log, StateDir: o.dir, Sim: true})
	if err != nil {
		t.Fatal(err)
	}
	r.watch = &watcher{at: map[uint64]time.Time{}}
	clk.OnAdvance(func(time.Time) { r.check() })
	if o.broker != "" {
		r.pub, err = New(Options{Config: cfg, Room: r.d, Journal: filepath.Join(o.dir, "journal.db"), Version: "test", Log: log,
			ReconnectMin: 50 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		r.d.Attach("mqtt", r.pub, nil)
		if o.pub != nil {
			o.pub(r.pub)
		}
	}
	r.d.Attach("watcher", r.watch, &record.AttachOpts{Backlog: -1})
	clk.Hold()
	var loopCtx, pubCtx context.Context
	loopCtx, r.stopLoop = context.WithCancel(context.Background())
	pubCtx, r.stopPub = context.WithCancel(context.Background())
	r.loopDone, r.pubDone = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(r.pubDone)
		if r.pub != nil {
			r.pub.Run(pubCtx)
		}
	}()
	go func() { defer close(r.loopDone); r.d.Run(loopCtx) }()
	t.Cleanup(r.stop)
	return r
}

// check holds the clock when the latest record matches what until waits
// for. It runs on the loop's goroutine (clock.Sim.OnAdvance).
func (r *room) check() {
	p := r.d.Latest()
	r.mu.Lock()
	defer r.mu.Unlock()
	if p == nil || p == r.checked {
		return
	}
	r.checked = p
	r.ticks = append(r.ticks, time.Now())
	if r.holdOn != nil && r.holdOn(p) {
		r.clk.Hold()
		r.holdOn, r.matched = nil, p
		close(r.hit)
	}
}

// until runs the simulated room until a record satisfies ok, holds the
// clock there and returns that record.
func (r *room) until(what string, ok func(p *record.Period) bool) *record.Period {
	r.t.Helper()
	r.mu.Lock()
	r.holdOn, r.hit = ok, make(chan struct{})
	hit := r.hit
	r.mu.Unlock()
	r.clk.Release()
	select {
	case <-hit:
	case <-time.After(wallWait):
		r.clk.Hold()
		r.t.Fatalf("the simulated room never reached %s (now %s)", what, r.clk.Now())
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.matched
}

// untilPaced is until with the room held to about a simulated second
// each pace of wall time, for what waits on something outside the room: a
// command on its way through the broker, which an unpaced room can outrun
// (a booth's session ended and cleared before the purge asked in it came).
func (r *room) untilPaced(what string, pace time.Duration, ok func(p *record.Period) bool) *record.Period {
	r.t.Helper()
	deadline := time.Now().Add(wallWait)
	for {
		end := r.clk.Now().Add(time.Second)
		p := r.until(what, func(p *record.Period) bool { return ok(p) || !p.Time.Before(end) })
		if ok(p) {
			return p
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("the simulated room never reached %s (now %s)", what, r.clk.Now())
		}
		time.Sleep(pace)
	}
}

// runFor runs the simulated room for d from its clock's time.
func (r *room) runFor(d time.Duration) *record.Period {
	r.t.Helper()
	end := r.clk.Now().Add(d)
	return r.until(end.String(), func(p *record.Period) bool { return !p.Time.Before(end) })
}

// transition returns a predicate for a record with a transition of kind
// on rule.
func transition(rule alarm.RuleID, kind alarm.Kind) func(p *record.Period) bool {
	return func(p *record.Period) bool {
		for _, e := range p.Transitions {
			if e.RuleID == rule && e.Kind == kind {
				return true
			}
		}
		return false
	}
}

// eventOf returns the transition of kind on rule that the watcher got,
// waiting for it: the hub hands records to outputs after the loop moves on.
func (r *room) eventOf(rule alarm.RuleID, kind alarm.Kind) alarm.Event {
	r.t.Helper()
	deadline := time.Now().Add(wallWait)
	for time.Now().Before(deadline) {
		r.watch.mu.Lock()
		for _, e := range r.watch.events {
			if e.RuleID == rule && e.Kind == kind {
				r.watch.mu.Unlock()
				return e
			}
		}
		r.watch.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
	}
	r.t.Fatalf("no %s transition of %s", kind, rule)
	return alarm.Event{}
}

// publishedAt is the wall time the record with transition seq reached the
// outputs.
func (r *room) publishedAt(seq uint64) time.Time {
	r.watch.mu.Lock()
	defer r.watch.mu.Unlock()
	return r.watch.at[seq]
}

// waitStatus waits until the publisher's status satisfies ok.
func (r *room) waitStatus(what string, ok func(Status) bool) Status {
	r.t.Helper()
	deadline := time.Now().Add(wallWait)
	for {
		s := r.pub.Status()
		if ok(s) {
			return s
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("publisher never reached %s: %+v\nlog:\n%s", what, s, r.log)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// stop stops the loop (fans to safe, last record), then the publisher.
func (r *room) stop() {
	if r.stopped {
		return
	}
	r.stopped = true
	r.stopLoop()
	r.clk.Release()
	<-r.loopDone
	r.stopPub()
	<-r.pubDone
}

// runPublisher runs p until the returned stop, which the test's end calls
// too.
func runPublisher(t testing.TB, p *Publisher) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); p.Run(ctx) }()
	var once sync.Once
	stop = func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return stop
}
