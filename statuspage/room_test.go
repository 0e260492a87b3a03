package statuspage

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/daemon"
	"github.com/ventd/ventd/httpapi"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/scenario"
)

var simStart = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// testPIN is the staff PIN of the test rooms. Their configs carry its
// hash at the lowest cost the config accepts; startRoom swaps in a
// cost-4 hash of it, because one bcrypt check at cost 10 takes seconds
// under the race detector on a shared machine, and the tests are about
// the page, not bcrypt's speed.
const (
	testPIN      = "246810"
	testPINHash  = "$2a$10$BNBm.0xK7V8k/vVAhZyXneHJZH3.r8RXK.YHFSEXSDT6wGRqWIbGO"
	quickPINHash = "$2a$04$lJQJgvuW5Kszi1uhqYVxPeVcHuQHB.TJSx8CZtTIJ21aoS/FPkkbm"
)

// roomYAML is a room with n booths, each with its own SPS30 on its own
// simulated bus (the simulator has no mux) and its own exhaust fan, and
// one staff area. Alarms rise and clear within simulated seconds so the
// browser tests see a whole alarm in a few periods.
func roomYAML(n int, extra string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "site: Test OPS\nroom: Room %d\nzones:\n", n)
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "  - {name: %s, kind: booth, volume_m3: 4}\n", boothName(n, i))
	}
	b.WriteString("  - {name: staff, kind: staff, volume_m3: 60}\nsensors:\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "  - {name: %s-pm, type: sps30, bus: sim%d, zone: %s}\n", boothName(n, i), i, boothName(n, i))
	}
	b.WriteString("  - {name: booth-dp, type: sdp810, bus: sim1, zone: " + boothName(n, 1) + "}\n")
	b.WriteString("  - {name: staff-pm, type: sps30, bus: sim0, zone: staff}\n  - {name: staff-co2, type: scd41, bus: sim0, zone: staff}\n")
	b.WriteString("  - {name: staff-voc, type: sgp41, bus: sim0, zone: staff}\nfans:\n")
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "  - {name: %s-fan, zones: [%s], backend: sim, max_flow_m3h: 300, rated_power_w: 45, min_duty: 25}\n", boothName(n, i), boothName(n, i))
	}
	b.WriteString("shifts: {time_zone: UTC, starts: [\"07:00\", \"19:00\"], length: 12h}\n")
	b.WriteString("exposure: {limits: {pm25_ugm3: {twa: 100, stel: 400}}}\n")
	b.WriteString("alarms: {on_delay: 5s, off_delay: 5s, sensor_stale_after: 10s}\n")
	if !strings.Contains(extra, "page:") {
		fmt.Fprintf(&b, "page: {pin_hash: %q, sound: true, stale_after: 5s}\n", testPINHash)
	}
	b.WriteString(extra)
	return b.String()
}

func boothName(n, i int) string {
	if n == 1 {
		return "booth"
	}
	return fmt.Sprintf("booth-%d", i)
}

// room is ventd on the simulated room, in this process: the daemon, the
// page attached to it, and the HTTP server ventd runs, on a simulated
// clock the test moves on (unpaced, paced or held).
type room struct {
	t     *testing.T
	cfg   *config.Config
	clk   *clock.Sim
	rig   *testbench.Rig
	d     *daemon.Daemon
	page  *Page
	srv   *http.Server
	addr  string
	done  chan error
	stop  context.CancelFunc
	pacer *pacer

	mu      sync.Mutex
	actions []record.Action
}

type roomOpts struct {
	addr     string // "" picks a free port
	stateDir string
	start    time.Time
	scenario string    // YAML; "" is an empty day
	log      io.Writer // the daemon's and page's log; nil discards it
}

func startRoom(t *testing.T, yml string, o roomOpts) *room {
	t.Helper()
	cfg, err := config.Parse([]byte(yml), "room.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Page.PINHash != "" {
		cfg.Page.PINHash = quickPINHash
	}
	sc := &scenario.Scenario{Name: "empty", Duration: 24 * time.Hour}
	if o.scenario != "" {
		if sc, err = scenario.Parse([]byte(o.scenario), "scenario.yaml"); err != nil {
			t.Fatal(err)
		}
	}
	if o.start.IsZero() {
		o.start = simStart
	}
	clk := clock.NewSim(o.start, 0)
	rig, err := testbench.NewRig(cfg, clk, sc, testbench.RigOpts{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if o.log == nil {
		o.log = io.Discard
	}
	log := slog.New(slog.NewTextHandler(o.log, nil))
	d, err := daemon.New(daemon.Options{Config: cfg, Clock: clk, Hardware: rig, Log: log, StateDir: o.stateDir, Sim: true, Scenario: rig.Active})
	if err != nil {
		t.Fatal(err)
	}
	page, err := New(Options{Config: cfg, Control: d, Now: d.Now, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	r := &room{t: t, cfg: cfg, clk: clk, rig: rig, d: d, page: page, done: make(chan error, 1)}
	r.pacer = newPacer(clk)
	// Held until the test says how time should run (runTo, pace,
	// release): unpaced from here, the clock ran past a test's first mark
	// whenever setting up took a few milliseconds too many.
	r.pacer.hold()
	if o.stateDir != "" {
		if err := page.LoadHistory(filepath.Join(o.stateDir, "journal.db")); err != nil {
			t.Fatal(err)
		}
	}
	d.Attach("page", page, nil)
	d.Attach("actions", record.OutputFunc(func(p *record.Period) {
		r.mu.Lock()
		r.actions = append(r.actions, p.Actions...)
		r.mu.Unlock()
	}), nil)
	mux := http.NewServeMux()
	page.Register(mux)
	mux.Handle("/", httpapi.Handler(d.Snapshot, d.Now, prometheus.NewRegistry(), nil))
	if o.addr == "" {
		o.addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		t.Fatal(err)
	}
	r.addr = ln.Addr().String()
	r.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	r.srv.RegisterOnShutdown(page.Close)
	go r.srv.Serve(ln)
	ctx, cancel := context.WithCancel(context.Background())
	r.stop = cancel
	go func() { r.done <- d.Run(ctx) }()
	t.Cleanup(r.close)
	return r
}

func (r *room) url(path string) string { return "http://" + r.addr + path }

// close stops the daemon and its server, as a SIGTERM to ventd would.
func (r *room) close() {
	if r.stop == nil {
		return
	}
	r.stop()
	r.stop = nil
	r.pacer.release()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	r.srv.Shutdown(ctx)
	select {
	case err := <-r.done:
		if err != nil {
			r.t.Error(err)
		}
	case <-time.After(30 * time.Second):
		r.t.Error("the daemon did not stop")
	}
}

// served returns the actions the daemon recorded so far.
func (r *room) served() []record.Action {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]record.Action(nil), r.actions...)
}

// pacer moves the simulated clock for a test: as fast as the CPU allows up
// to a mark where it holds, or paced against the wall clock so a browser
// can watch a countdown. It works through the clock's OnAdvance hook, on
// the loop's goroutine.
type pacer struct {
	clk *clock.Sim

	mu      sync.Mutex
	holdAt  time.Time
	reached chan time.Time
	speed   float64 // 0: unpaced
	wall0   time.Time
	sim0    time.Time
	held    bool
}

func newPacer(clk *clock.Sim) *pacer {
	p := &pacer{clk: clk, reached: make(chan time.Time, 1)}
	clk.OnAdvance(p.advance)
	return p
}

func (p *pacer) advance(now time.Time) {
	p.mu.Lock()
	if !p.holdAt.IsZero() && !now.Before(p.holdAt) {
		p.holdAt = time.Time{}
		p.held = true
		p.clk.Hold()
		p.mu.Unlock()
		p.reached <- now
		return
	}
	var wait time.Duration
	if p.speed > 0 {
		wait = time.Until(p.wall0.Add(time.Duration(float64(now.Sub(p.sim0)) / p.speed)))
	}
	p.mu.Unlock()
	if wait > 0 {
		time.Sleep(wait)
	}
}

// runTo lets the clock run unpaced until simulated time at, then holds it
// there and returns once the page output has everything up to then.
func (p *pacer) runTo(t *testing.T, r *room, at time.Time) {
	t.Helper()
	p.mu.Lock()
	p.holdAt, p.speed = at, 0
	p.mu.Unlock()
	p.release()
	select {
	case got := <-p.reached:
		// The clock is held from startRoom to the first runTo; a test
		// that let it run (release, pace) and then did slow work can find
		// it past at already, and would then look at a later time than
		// it means.
		if got.Sub(at) > 2*time.Second {
			t.Fatalf("runTo %s: simulated time was already at %s; hold it before the slow work", at.Format(time.TimeOnly), got.Format(time.TimeOnly))
		}
	case <-time.After(90 * time.Second):
		t.Fatalf("simulated time did not reach %s (now %s)", at.Format(time.TimeOnly), p.clk.Now().Format(time.TimeOnly))
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := idle(ctx, r); err != nil {
		t.Fatal(err)
	}
}

// pace lets the clock run at speed times real time, with no mark.
func (p *pacer) pace(speed float64) {
	p.mu.Lock()
	p.holdAt, p.speed = time.Time{}, speed
	p.wall0, p.sim0 = time.Now(), p.clk.Now()
	p.mu.Unlock()
	p.release()
}

// hold stops the clock now.
func (p *pacer) hold() {
	p.mu.Lock()
	p.held = true
	p.clk.Hold()
	p.mu.Unlock()
}

func (p *pacer) release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.held {
		p.held = false
		p.wall0, p.sim0 = time.Now(), p.clk.Now()
		p.clk.Release()
	}
}

// idle waits until the room's outputs have every record published so far.
func idle(ctx context.Context, r *room) error {
	for ctx.Err() == nil {
		busy := false
		for _, s := range r.d.Outputs() {
			if s.Waiting > 0 {
				busy = true
			}
		}
		if !busy {
			return nil
		}
		time.Sleep(5 * time.Millisecond)
	}
	return errors.New("the outputs did not catch up")
}
