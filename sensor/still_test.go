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

// frozenAround freezes the rig's SPS30 (stuck time stuckAfter) and checks
// that its reading is measured 10 s before want and frozen 5 s after it.
func frozenAround(t *testing.T, stuckAfter, want time.Duration) {
	t.Helper()
	r := newRig(t, stuckAfter)
	r.run(time.Minute)
	r.pm.SetStuck(true)
	r.run(want - 10*time.Second)
	if f := r.set.Get("pm").Faults(r.clk.Now(), 10*time.Second); f.Frozen || r.pm25().Quality != sample.Good {
		t.Fatalf("stuck after %v: frozen %v, PM2.5 %+v %v after the reading stopped, want it still measured until %v",
			stuckAfter, f.Frozen, r.pm25(), want-10*time.Second, want)
	}
	r.run(15 * time.Second)
	if f := r.set.Get("pm").Faults(r.clk.Now(), 10*time.Second); !f.Frozen || r.pm25().Quality != sample.Fault {
		t.Fatalf("stuck after %v: frozen %v, PM2.5 %+v %v after the reading stopped, want it frozen from %v",
			stuckAfter, f.Frozen, r.pm25(), want+5*time.Second, want)
	}
}

// An SPS30's reading moves every second (an IEEE float carrying its
// noise), so one that has stood exactly still for 5 min is frozen,
// whatever longer stuck time is configured: a staff sensor no longer
// records 30 min of frozen air as measured. A shorter stuck time is kept.
func TestSPS30IsFrozenAfterFiveMinutes(t *testing.T) {
	t.Run("stuck after 30m", func(t *testing.T) { frozenAround(t, 30*time.Minute, 5*time.Minute) })
	t.Run("stuck after 2m", func(t *testing.T) { frozenAround(t, 2*time.Minute, 2*time.Minute) })
}

// A SEN5x (0.1 µg/m³ steps, smoothed) may hold a reading longer: it keeps
// the configured stuck time.
func TestSEN5xKeepsTheStuckTime(t *testing.T) {
	a := air.Clean
	a.PM25 = 12
	r := newSenRig(t, config.SEN54, "SEN54", nil, a) // stuck after 30 min
	r.run(time.Minute)
	r.sim.SetStuck(true)
	r.run(29 * time.Minute)
	if f := r.set.Get("sen").Faults(r.clk.Now(), 10*time.Second); f.Frozen || r.get(sample.PM25).Quality != sample.Good {
		t.Fatalf("SEN54 still for 29 min: frozen %v, PM2.5 %+v, want it measured until the stuck time", f.Frozen, r.get(sample.PM25))
	}
	r.run(2 * time.Minute)
	if f := r.set.Get("sen").Faults(r.clk.Now(), 10*time.Second); !f.Frozen {
		t.Fatalf("SEN54 still for 31 min: not frozen, PM2.5 %+v", r.get(sample.PM25))
	}
}

// A still 0 on an SPS30 that checks itself (particle-free air, a unit
// whose offset is a little negative: frozen_floor_test.go) is not frozen
// at any time, the 5 min included: its status register speaks for it.
func TestSPS30StillZeroIsNotFrozen(t *testing.T) {
	a := air.Clean
	a.PM1, a.PM25, a.PM4, a.PM10 = 0, 0, 0, 0
	clk, _, set := oneSPS30(t, a, 2, "staff")
	s := set.Get("pm")
	zeros := 0
	for end := clk.Now().Add(12 * time.Minute); clk.Now().Before(end); {
		next := clk.Now().Add(time.Second)
		set.Update(clk.Now)
		if smp := s.Sample(sample.PM25); smp.Quality == sample.Good && smp.Value == 0 {
			zeros++
		}
		if f := s.Faults(clk.Now(), 10*time.Second); f.Frozen {
			t.Fatalf("frozen at %s in particle-free air: %+v", clk.Now().Format(time.TimeOnly), s.Sample(sample.PM25))
		}
		clk.Sleep(next.Sub(clk.Now()))
	}
	if zeros < 10*60 {
		t.Fatalf("%d good zero readings in 12 min: the unit no longer reads 0 in particle-free air, pick another seed", zeros)
	}
}

// A reading above the sensor's range (dense smoke: an SPS30 reads a few
// thousand µg/m³, past its specified 1000) still moves every second when
// the sensor works, and one that stands exactly still there is frozen
// like any other: before, the stuck watch looked at good readings only,
// so a sensor frozen in dense smoke held the booth's smoke alarm on for
// good, and no alarm ever said the sensor was at fault.
func TestSPS30FrozenAboveItsRangeIsFound(t *testing.T) {
	a := air.Clean
	a.PM1, a.PM25, a.PM4, a.PM10 = 2000, 2400, 2500, 2600
	clk, dev, set := oneSPS30(t, a, 1, "booth")
	s := set.Get("pm")
	run := func(d time.Duration) {
		for end := clk.Now().Add(d); clk.Now().Before(end); {
			next := clk.Now().Add(time.Second)
			set.Update(clk.Now)
			clk.Sleep(next.Sub(clk.Now()))
		}
	}
	run(20 * time.Minute) // a working unit in dense smoke
	if smp := s.Sample(sample.PM25); !smp.AboveRange() || s.Faults(clk.Now(), 10*time.Second).Frozen {
		t.Fatalf("working SPS30 in 2400 µg/m³ for 20 min: %+v, frozen %v; want above its range, not frozen",
			smp, s.Faults(clk.Now(), 10*time.Second).Frozen)
	}
	dev.SetStuck(true)
	run(4*time.Minute + 50*time.Second)
	if s.Faults(clk.Now(), 10*time.Second).Frozen {
		t.Fatalf("frozen 10 s before the SPS30's 5 min")
	}
	run(15 * time.Second)
	f := s.Faults(clk.Now(), 10*time.Second)
	smp := s.Sample(sample.PM25)
	if !f.Frozen || smp.Quality != sample.Fault || smp.AtLeast(clk.Now(), 10*time.Second) {
		t.Fatalf("SPS30 frozen above its range for 5 min: frozen %v, PM2.5 %+v; want frozen, a fault (unknown air: the fans' safe duty), no longer smoke for the alarms", f.Frozen, smp)
	}
	if got := s.TakeFreezes(); len(got) != 1 || got[0].Values[sample.PM25] < 1000 {
		t.Fatalf("freezes %+v, want one, at the reading above the range", got)
	}
}

// oneSPS30 is a sensor set of one SPS30, "pm" in zone, in fixed air a,
// its unit drawn from seed, with the default 30 min stuck time.
func oneSPS30(t *testing.T, a air.State, seed uint64, zone string) (*clock.Sim, *sps30sim.Device, *Set) {
	t.Helper()
	clk := clock.NewSim(t0, 0)
	bus := i2csim.New("sim", clk.Sleep)
	dev := sps30sim.New(clk, air.Fixed(a), sps30sim.Opts{Seed: seed})
	bus.Attach(0x69, dev)
	set, err := New([]config.Sensor{{Name: "pm", Type: config.SPS30, Bus: "sim", Address: 0x69, Zone: zone, PMCalibration: 1, StaleAfter: 3 * time.Second}},
		func(config.Sensor) (i2c.Bus, error) { return bus, nil },
		Opts{Clock: clk, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), StuckAfter: 30 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	return clk, dev, set
}
