package daemon

import (
	"errors"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/drivers/fan"
	"github.com/ventd/ventd/snapshot"
	"github.com/ventd/ventd/testbench"
)

// missingTach is the simulated room's hardware with one fan's tachometer
// failing to open (a pin name periph does not know, or no edge detection
// in the kernel) until present is set; its output opens.
type missingTach struct {
	*testbench.Rig
	name    string
	present atomic.Bool
	tries   atomic.Int32
	sets    atomic.Int32 // duties set on the fan's output
}

// setCounter counts the duties set on an output.
type setCounter struct {
	fan.Output
	n *atomic.Int32
}

func (c setCounter) SetDuty(d float64) error {
	c.n.Add(1)
	return c.Output.SetDuty(d)
}

func (m *missingTach) Fan(f config.Fan) (fan.Output, error) {
	out, err := m.Rig.Fan(f)
	if err != nil || f.Name != m.name {
		return out, err
	}
	return setCounter{out, &m.sets}, nil
}

// errNoPin is what pihost says of a pin periph does not know.
var errNoPin = errors.New(`no GPIO pin "GPIO99": use a name such as GPIO18 (BCM numbering)`)

func (m *missingTach) Tach(f config.Fan) (fan.Tachometer, error) {
	if f.Name == m.name && !m.present.Load() {
		m.tries.Add(1)
		return nil, errNoPin
	}
	return m.Rig.Tach(f)
}

// A fan whose tachometer could not be opened had its output halted and was
// never set, not even to its safe duty, and was retried every 30 s the
// same way forever: on a Pi the sysfs PWM channel stayed disabled (a relay
// off), the booth had no extraction, and the fault blamed the PWM/relay
// wiring. The tachometer only watches: now the fan is at its safe duty
// from the start and driven by the law, the tachometer's own fault names
// the pin and the error, a missing reading is not a stall, and the
// tachometer is taken over once it opens, off the loop.
func TestAFanWhoseTachometerCannotBeOpenedIsDriven(t *testing.T) {
	cfg := config.Sim()
	f0 := &cfg.Fans[0]
	f0.Tach = &config.Tach{Pin: "GPIO99", PulsesPerRev: 2}
	clk := clock.NewSim(t0, 0)
	rig, err := testbench.NewRig(cfg, clk, nil, testbench.RigOpts{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	hw := &missingTach{Rig: rig, name: f0.Name}
	d, err := New(Options{Config: cfg, Clock: clk, Hardware: hw, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Sim: true})
	if err != nil {
		t.Fatalf("New with the tachometer missing: %v", err)
	}
	defer d.Close()
	if n, got, want := hw.sets.Load(), rig.Room.Fan(f0.Name).Duty(), f0.SafeDuty/100; n != 1 || got != want {
		t.Fatalf("%d duties set, fan at %v once opened: want its safe duty %v set before the loop runs", n, got, want)
	}
	h := &harness{t: t, clk: clk, rig: rig, d: d}
	f := d.fans[0]
	// run steps the loop a second at a time, each retried open (on its
	// own goroutine) delivered before the next period takes it up.
	run := func(dur time.Duration) *snapshot.Snapshot {
		var s *snapshot.Snapshot
		for range int(dur / time.Second) {
			s = h.run(time.Second)
			for f.tachOpen.trying && len(f.tachOpen.done) == 0 {
				runtime.Gosched()
			}
		}
		return s
	}

	s := run(2 * time.Minute)
	if fs := s.Fans[0]; fs.Error != "" || fs.Duty <= 0 || fs.RPM != nil {
		t.Errorf("fan with no tachometer: %+v: want it driven, with no error and no rpm", fs)
	}
	msg := ""
	for _, a := range s.Alarms.Alarms {
		if a.RuleID == alarm.FanTachRule(f0.Name) {
			msg = a.Message
		}
	}
	if !strings.Contains(msg, "tachometer on GPIO99") || !strings.Contains(msg, errNoPin.Error()) {
		t.Errorf("tachometer fault %q: want it to name the pin and the error (alarms %+v)", msg, s.Alarms.Alarms)
	}
	for _, r := range []alarm.RuleID{alarm.FanOutputRule(f0.Name), alarm.FanStallRule(f0.Name)} {
		if _, _, ok := hasAlarm(s, r); ok {
			t.Errorf("%s raised for a fan that is driven and has no tachometer to read", r)
		}
	}
	// One try at start, one every 30 s.
	if n := hw.tries.Load(); n < 4 || n > 6 {
		t.Errorf("%d tries to open the tachometer in 2 min: want one at start and one every 30 s", n)
	}

	hw.present.Store(true)
	s = run(45 * time.Second)
	if s.Fans[0].RPM == nil {
		t.Fatalf("tachometer present again: %+v: want its rpm", s.Fans[0])
	}
	s = run(time.Minute)
	if _, _, ok := hasAlarm(s, alarm.FanTachRule(f0.Name)); ok {
		t.Errorf("tachometer fault still raised a minute after it opened")
	}
	// Taken over: a stall is seen now.
	rig.Room.Fan(f0.Name).SetStalled(true)
	s = run(time.Minute)
	if _, _, ok := hasAlarm(s, alarm.FanStallRule(f0.Name)); !ok {
		t.Errorf("no stall alarm a minute into a stall once the tachometer opened: %+v", s.Alarms.Alarms)
	}
}
