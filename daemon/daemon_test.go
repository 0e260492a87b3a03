package daemon

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/snapshot"
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/i2csim"
	"github.com/ventd/ventd/testbench/scenario"
)

var t0 = time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)

// harness is the daemon on the simulated room, stepped by hand.
type harness struct {
	t   *testing.T
	clk *clock.Sim
	rig *testbench.Rig
	d   *Daemon
	dir string
}

func newHarness(t *testing.T, dir string, start time.Time) *harness {
	t.Helper()
	return rigHarness(t, config.Sim(), dir, start, testbench.RigOpts{Seed: 7})
}

// rigHarness runs a daemon for cfg on a simulated room with nothing
// scheduled, its journal in dir ("" for none).
func rigHarness(t *testing.T, cfg *config.Config, dir string, start time.Time, opts testbench.RigOpts) *harness {
	t.Helper()
	return lawHarness(t, cfg, dir, start, opts, nil)
}

// lawHarness is rigHarness with the room run by law (nil: the room law).
func lawHarness(t *testing.T, cfg *config.Config, dir string, start time.Time, opts testbench.RigOpts, law func(control.Params) (control.Law, error)) *harness {
	t.Helper()
	return dayHarness(t, cfg, &scenario.Scenario{Name: "empty", Duration: 24 * time.Hour}, dir, start, opts, law)
}

// dayHarness is lawHarness with the simulated room playing sc.
func dayHarness(t *testing.T, cfg *config.Config, sc *scenario.Scenario, dir string, start time.Time, opts testbench.RigOpts, law func(control.Params) (control.Law, error)) *harness {
	t.Helper()
	clk := clock.NewSim(start, 0)
	rig, err := testbench.NewRig(cfg, clk, sc, opts)
	if err != nil {
		t.Fatal(err)
	}
	d, err := New(Options{Config: cfg, Clock: clk, Hardware: rig, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), StateDir: dir, Sim: true, NewLaw: law})
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, clk: clk, rig: rig, d: d, dir: dir}
}

// journalIn opens the journal ventd left in dir, read-only, for the test.
func journalIn(t *testing.T, dir string) *journal.Journal {
	t.Helper()
	j, err := journal.OpenReadOnly(filepath.Join(dir, "journal.db"), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j
}

// run steps the loop for d of simulated time and returns the last snapshot.
func (h *harness) run(d time.Duration) *snapshot.Snapshot {
	end := h.clk.Now().Add(d)
	for h.clk.Now().Before(end) {
		next := h.clk.Now().Add(h.d.period)
		h.d.step(h.clk.Now())
		h.clk.Sleep(next.Sub(h.clk.Now()))
	}
	return h.snapshot()
}

// call runs fn (a request to the loop) while stepping the loop a second
// at a time until fn returns.
func (h *harness) call(fn func()) {
	done := make(chan struct{})
	go func() { defer close(done); fn() }()
	for {
		select {
		case <-done:
			return
		case <-time.After(time.Millisecond):
			// A millisecond of wall time a simulated second, so a loaded
			// machine still gets fn's request to the loop within a few
			// periods, not half a minute later (tests act at a chosen
			// moment: TestAlarmMinuteWrittenAtOnce, mid-minute).
			h.run(time.Second)
		}
	}
}

// tester is who the tests act as.
var tester = record.Actor{Name: "tester", Via: "test"}

// snapshot waits until the outputs have every record so far, then returns
// the latest picture.
func (h *harness) snapshot() *snapshot.Snapshot {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := h.d.hub.Idle(ctx, "snapshot", "journal"); err != nil {
		h.t.Fatal(err)
	}
	return h.d.Snapshot()
}

func (h *harness) bus() *i2csim.Bus { return h.rig.SimBus("sim0") }

func sensorSnap(s *snapshot.Snapshot, name string) snapshot.Sensor {
	for _, sn := range s.Sensors {
		if sn.Name == name {
			return sn
		}
	}
	return snapshot.Sensor{SensorID: &snapshot.SensorID{}}
}
