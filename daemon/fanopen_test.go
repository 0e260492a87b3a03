package daemon

import (
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/drivers/fan"
	"github.com/ventd/ventd/snapshot"
	"github.com/ventd/ventd/testbench"
)

// missingFan is the simulated room's hardware with one fan's output
// missing (a PWM overlay not loaded, a chip renumbered by a kernel update)
// until present is set.
type missingFan struct {
	*testbench.Rig
	name    string
	present atomic.Bool
	tries   atomic.Int32
}

func (m *missingFan) Fan(f config.Fan) (fan.Output, error) {
	if f.Name == m.name && !m.present.Load() {
		m.tries.Add(1)
		return nil, errors.New("no PWM chips under /sys/class/pwm: the pwm overlay is missing")
	}
	return m.Rig.Fan(f)
}

// A fan that could not be opened made New fail: ventd exited before the
// fans after it in the config were set to their safe duty, with no alarm,
// page or MQTT, and systemd restarted it every 5 s. Now the daemon runs:
// the other fan is controlled, the missing one's output fault is raised
// and named, and it is opened once it appears, off the loop.
func TestAFanThatCannotBeOpenedLeavesTheOthersControlled(t *testing.T) {
	cfg, clk, rig := twoBoothRig(t)
	hw := &missingFan{Rig: rig, name: "booth1-exhaust"}
	d, err := New(Options{Config: cfg, Clock: clk, Hardware: hw, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Sim: true})
	if err != nil {
		t.Fatalf("New with one fan missing: %v", err)
	}
	h := &harness{t: t, clk: clk, rig: rig, d: d}
	var s *snapshot.Snapshot
	for range 120 {
		s = h.run(time.Second)
		time.Sleep(time.Millisecond) // the retries run on their own goroutine: let each finish in its period
	}
	if _, _, ok := hasAlarm(s, "fan/booth1-exhaust/output"); !ok {
		t.Errorf("no output fault for the missing fan: %+v", s.Alarms)
	}
	if _, _, ok := hasAlarm(s, "fan/booth2-exhaust/output"); ok {
		t.Errorf("output fault for the fan that works")
	}
	f1, f2 := s.Fans[0], s.Fans[1]
	if f1.Error == "" || f1.Duty != 0 {
		t.Errorf("missing fan: %+v: want its error and duty 0 (ventd drives nothing)", f1)
	}
	if f2.Error != "" || f2.Duty <= 0 {
		t.Errorf("working fan: %+v: want it driven", f2)
	}
	if n := hw.tries.Load(); n < 2 || n > 5 {
		t.Errorf("%d tries to open the missing fan in 2 min: want one at start and one every 30 s", n)
	}

	hw.present.Store(true)
	s = h.run(45 * time.Second)
	deadline := time.Now().Add(10 * time.Second)
	for s.Fans[0].Error != "" && time.Now().Before(deadline) {
		s = h.run(time.Second) // the open runs on its own goroutine
	}
	if f := s.Fans[0]; f.Error != "" || f.Duty <= 0 {
		t.Errorf("fan present again: %+v: want it opened and driven", f)
	}
	s = h.run(time.Minute)
	if _, _, ok := hasAlarm(s, "fan/booth1-exhaust/output"); ok {
		t.Errorf("output fault still raised a minute after the fan opened")
	}
}

// ventd's stop said "stopped; fans left at their safe duty" with a fan it
// never opened: that fan keeps whatever its output had. The stop names the
// fans left at their safe duty and those it could not drive.
func TestStopNamesTheFansItCouldNotDrive(t *testing.T) {
	cfg, clk, rig := twoBoothRig(t)
	var logs strings.Builder
	hw := &missingFan{Rig: rig, name: "booth1-exhaust"}
	d, err := New(Options{Config: cfg, Clock: clk, Hardware: hw, Log: slog.New(slog.NewTextHandler(&logs, nil)), Sim: true, StateDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, clk: clk, rig: rig, d: d}
	h.run(5 * time.Second)
	h.d.shutdown()
	out := logs.String()
	want := `level=WARN msg="stopped; not every fan could be left at its safe duty" left_at_safe_duty=booth2-exhaust not_driven="booth1-exhaust (fan booth1-exhaust: no PWM chips under /sys/class/pwm: the pwm overlay is missing)"`
	if !strings.Contains(out, want) || strings.Contains(out, `msg="stopped; fans left at their safe duty"`) {
		t.Errorf("stop log:\n%s\nwant a line with\n%s", out, want)
	}
}

// twoBoothRig is the two-booth room of testbench/rooms on a simulated
// clock, with its rig.
func twoBoothRig(t *testing.T) (*config.Config, *clock.Sim, *testbench.Rig) {
	t.Helper()
	cfg, err := config.Load("../testbench/rooms/booths-2.yaml")
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewSim(t0, 0)
	rig, err := testbench.NewRig(cfg, clk, nil, testbench.RigOpts{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	return cfg, clk, rig
}

type seqTach struct{ rpm []float64 }

func (t *seqTach) RPM() (float64, error) {
	v := t.rpm[0]
	t.rpm = t.rpm[1:]
	return v, nil
}

// TestTachReadingsKeptApart: each changed tachometer reading is a value
// of its own, so a record holding an earlier one keeps it as later ones
// come; an unchanged one is the last one, shared.
func TestTachReadingsKeptApart(t *testing.T) {
	want := []float64{1200, 1200, 1310, 0, 0, 1500, 1500, 1499, 1200, 1201, 1202, 1203, 1204, 1205, 1206, 1207, 1208}
	f := &fanOut{tach: &seqTach{rpm: slices.Clone(want)}}
	var held []*float64
	for i := range want {
		f.readTach()
		if *f.rpm != want[i] {
			t.Fatalf("reading %d: rpm %v, want %v", i, *f.rpm, want[i])
		}
		if i > 0 && (want[i] == want[i-1]) != (f.rpm == held[i-1]) {
			t.Fatalf("reading %d (%v after %v): shared %v", i, want[i], want[i-1], f.rpm == held[i-1])
		}
		held = append(held, f.rpm)
	}
	for i, p := range held {
		if *p != want[i] {
			t.Fatalf("reading %d held as %v, was %v", i, *p, want[i])
		}
	}
}
