package sensor

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"periph.io/x/conn/v3/i2c"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/testbench/air"
	"github.com/ventd/ventd/testbench/i2csim"
	"github.com/ventd/ventd/testbench/sps30sim"
)

// The room law finds a booth reading frozen before the stuck time
// (control's frozen.go; here at 4 min, before the SPS30's own 5 min) and
// the daemon marks the sensor: from then it is
// frozen as the stuck detector makes it (its samples a fault, its Faults
// frozen with the law's words, a Freeze from where the reading stopped
// moving for the exposure record), until the reading moves. The stuck
// time running out later finds no second freeze.
func TestLawsVerdictIsFrozenUntilTheReadingMoves(t *testing.T) {
	r := newRig(t, 30*time.Minute)
	r.run(10 * time.Second)
	r.pm.SetStuck(true)
	r.run(2 * time.Second)
	since := r.clk.Now()
	r.run(4 * time.Minute)
	s, smp := r.set.Get("pm"), r.pm25()
	if s.MarkFrozen(r.clk.Now(), since, sample.PM25, smp.Value+0.5, "law") {
		t.Fatal("marked frozen at a value the sensor no longer reads")
	}
	const why = "reading stuck at exactly 12.3 µg/m³ since 07:00:12 with no staff sensor moving to compare it with"
	if !s.MarkFrozen(r.clk.Now(), since, sample.PM25, smp.Value, why) {
		t.Fatal("not marked")
	}
	if s.MarkFrozen(r.clk.Now(), since, sample.PM25, smp.Value, why) {
		t.Fatal("marked twice")
	}
	if got := r.pm25(); got.Quality != sample.Fault || got.Err == nil || got.Err.Error() != why {
		t.Fatalf("marked frozen: PM2.5 %+v, want a fault saying the law's why", got)
	}
	if f := s.Faults(r.clk.Now(), 10*time.Second); !f.Frozen || f.FrozenWhy != why {
		t.Fatalf("marked frozen: faults %+v", f)
	}
	if fz := s.TakeFreezes(); len(fz) != 1 || !fz[0].Since.Equal(since) || fz[0].Values[sample.PM25] != smp.Value {
		t.Fatalf("freezes %+v, want one since %s at %v", fz, since.Format(time.TimeOnly), smp.Value)
	}
	r.run(40 * time.Minute) // past the stuck time
	if f := s.Faults(r.clk.Now(), 10*time.Second); !f.Frozen || f.FrozenWhy != why {
		t.Fatalf("40 min on, still stuck: faults %+v", f)
	}
	if fz := s.TakeFreezes(); len(fz) != 0 {
		t.Fatalf("the stuck time found the same freeze again: %+v", fz)
	}
	r.pm.SetStuck(false)
	r.run(3 * time.Second)
	if f := s.Faults(r.clk.Now(), 10*time.Second); f.Frozen || r.pm25().Quality != sample.Good {
		t.Fatalf("the reading moves again: faults %+v, PM2.5 %+v", f, r.pm25())
	}
}

// The law's verdict holds a reading of 0 too: a unit that checks itself
// reads 0 in particle-free air without being frozen (the stuck detector
// lets it be), but the law found this 0 frozen against the staff area's
// air (a rise a working booth sensor would have seen), and a 0 that is
// frozen in smoke must stay unknown air until it moves.
func TestLawsVerdictHoldsAZero(t *testing.T) {
	clk := clock.NewSim(t0, 0)
	bus := i2csim.New("sim", clk.Sleep)
	pm := 0.0
	src := air.Func(func(time.Time) air.State {
		a := air.Clean
		a.PM1, a.PM25, a.PM4, a.PM10 = pm, pm, pm, pm
		return a
	})
	bus.Attach(0x69, sps30sim.New(clk, src, sps30sim.Opts{Seed: 2})) // reads 0 in particle-free air (frozen_floor_test.go)
	set, err := New([]config.Sensor{{Name: "pm", Type: config.SPS30, Bus: "sim", Address: 0x69, Zone: "booth", PMCalibration: 1, StaleAfter: 3 * time.Second}},
		func(config.Sensor) (i2c.Bus, error) { return bus, nil },
		Opts{Clock: clk, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), StuckAfter: 30 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	run := func(d time.Duration) {
		for end := clk.Now().Add(d); clk.Now().Before(end); {
			next := clk.Now().Add(time.Second)
			set.Update(clk.Now)
			clk.Sleep(next.Sub(clk.Now()))
		}
	}
	run(2 * time.Minute)
	s := set.Get("pm")
	if v := s.Sample(sample.PM25).Value; v != 0 {
		t.Fatalf("PM2.5 %v in particle-free air: the test wants a unit that reads 0", v)
	}
	if !s.MarkFrozen(clk.Now(), t0, sample.PM25, 0, "reading stuck at 0.0 µg/m³ while the staff area rose") {
		t.Fatal("not marked")
	}
	run(10 * time.Minute)
	if f := s.Faults(clk.Now(), 10*time.Second); !f.Frozen {
		t.Fatal("a 0 the law found frozen thawed while it stood still")
	}
	pm = 20
	run(15 * time.Second)
	if f := s.Faults(clk.Now(), 10*time.Second); f.Frozen {
		t.Fatalf("the reading moved to %v: still frozen", s.Sample(sample.PM25).Value)
	}
}
