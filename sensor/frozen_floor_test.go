package sensor

import (
	"fmt"
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

// TestCleanAirAtZeroIsNotFrozen: in particle-free air (a booth on
// filtered make-up air at night) a working SPS30 whose unit offset is a
// little negative reads exactly 0 every second, as its output is clamped
// at the bottom of its range. The stuck detector takes that for a frozen
// signal chain after alarms.sensor_stuck_after: the PM turns to a fault,
// the fans go to their safe duty and a sensor fault alarm is raised, in
// the cleanest air the room ever has. (Seed 2 is such a unit; a third of
// seeds 1-29 are.) A reading pinned at the floor of its range says
// nothing about a frozen sensor: the SPS30's status register is what
// catches a stopped fan or laser.
//
// Firmware before 2.2 has no status register: there a zero that never
// moves is all a dead laser shows, and it still counts as frozen.
func TestCleanAirAtZeroIsNotFrozen(t *testing.T) {
	for _, fw := range [][2]byte{{2, 2}, {2, 1}} {
		t.Run(fmt.Sprintf("firmware %d.%d", fw[0], fw[1]), func(t *testing.T) {
			cleanAirAtZero(t, fw, fw == [2]byte{2, 1})
		})
	}
}

func cleanAirAtZero(t *testing.T, fw [2]byte, wantFrozen bool) {
	clk := clock.NewSim(t0, 0)
	bus := i2csim.New("sim", clk.Sleep)
	a := air.Clean
	a.PM1, a.PM25, a.PM4, a.PM10 = 0, 0, 0, 0
	bus.Attach(0x69, sps30sim.New(clk, air.Fixed(a), sps30sim.Opts{Seed: 2, Firmware: fw}))
	set, err := New([]config.Sensor{{Name: "pm", Type: config.SPS30, Bus: "sim", Address: 0x69, Zone: "booth", PMCalibration: 1, StaleAfter: 3 * time.Second}},
		func(config.Sensor) (i2c.Bus, error) { return bus, nil },
		Opts{Clock: clk, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), StuckAfter: 30 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	for end := clk.Now().Add(40 * time.Minute); clk.Now().Before(end); {
		next := clk.Now().Add(time.Second)
		set.Update(clk.Now)
		clk.Sleep(next.Sub(clk.Now()))
	}
	s := set.Get("pm")
	smp := s.Sample(sample.PM25)
	if smp.Value != 0 {
		t.Fatalf("PM2.5 = %v: the unit no longer reads 0 in particle-free air, pick another seed", smp.Value)
	}
	if f := s.Faults(clk.Now(), 10*time.Second); f.Frozen != wantFrozen {
		t.Errorf("Faults().Frozen %v in particle-free air after 40 min, want %v", f.Frozen, wantFrozen)
	}
	if !wantFrozen && smp.Quality != sample.Good {
		t.Errorf("PM2.5 0 µg/m³ in particle-free air after 40 min: %v (%v), want good", smp.Quality, smp.Err)
	}
}

// A reading that stood still 3 min before ventd restarted and still
// stands after it (a sensor whose output does not move, reading exactly
// the same air) is found frozen 5 min (an SPS30's stuck time, the
// configured 30 min being longer) after it stopped moving, not 5 min
// after the start: the stuck watch's run is saved and continues.
func TestStillReadingAcrossRestartIsOneRun(t *testing.T) {
	for _, saved := range []bool{true, false} {
		t.Run(fmt.Sprintf("saved %v", saved), func(t *testing.T) {
			clk := clock.NewSim(t0, 0)
			bus := i2csim.New("sim", clk.Sleep)
			a := air.Clean
			a.PM1, a.PM25, a.PM4, a.PM10 = 8, 12, 14, 15
			dev := sps30sim.New(clk, air.Fixed(a), sps30sim.Opts{Seed: 1, Ideal: true})
			bus.Attach(0x69, dev)
			cfg := []config.Sensor{{Name: "pm", Type: config.SPS30, Bus: "sim", Address: 0x69, Zone: "booth", PMCalibration: 1, StaleAfter: 3 * time.Second}}
			start := func(kept map[string]string) *Set {
				set, err := New(cfg, func(config.Sensor) (i2c.Bus, error) { return bus, nil },
					Opts{Clock: clk, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), StuckAfter: 30 * time.Minute,
						Saved: func(k string) (string, bool) { v, ok := kept[k]; return v, ok }})
				if err != nil {
					t.Fatal(err)
				}
				return set
			}
			run := func(set *Set, d time.Duration) {
				for end := clk.Now().Add(d); clk.Now().Before(end); {
					next := clk.Now().Add(time.Second)
					set.Update(clk.Now)
					clk.Sleep(next.Sub(clk.Now()))
				}
			}
			first := start(nil)
			run(first, 5*time.Second)
			froze := clk.Now() // its first reading, within a second or two
			run(first, 3*time.Minute)
			kept := first.Keep()
			first.Close()
			if !saved {
				kept = nil
			}
			clk.Sleep(time.Minute) // the restart
			second := start(kept)
			run(second, 3*time.Minute)
			s := second.Get("pm")
			if f := s.Faults(clk.Now(), 10*time.Second); f.Frozen != saved {
				t.Fatalf("frozen %v 7 min after the reading froze, 3 min after the start (saved run: %v)", f.Frozen, saved)
			}
			if !saved {
				return
			}
			fz := s.TakeFreezes()
			if len(fz) != 1 || fz[0].Since.Sub(froze).Abs() > 5*time.Second {
				t.Errorf("freezes %+v, want one since %s, before the restart", fz, froze.Format(time.TimeOnly))
			}
		})
	}
}
