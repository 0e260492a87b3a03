package sensor

import (
	"errors"
	"io"
	"log/slog"
	"math"
	"strings"
	"testing"
	"time"

	"periph.io/x/conn/v3/i2c"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/testbench/air"
	"github.com/ventd/ventd/testbench/i2csim"
	"github.com/ventd/ventd/testbench/scd41sim"
	"github.com/ventd/ventd/testbench/sps30sim"
)

var t0 = time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)

// rig is one simulated bus with an SPS30 and an SCD41 on it, driven
// through the sensor layer a second at a time, as the loop drives it.
type rig struct {
	clk *clock.Sim
	bus *i2csim.Bus
	pm  *sps30sim.Device
	co2 *scd41sim.Device
	set *Set
}

func newRig(t *testing.T, stuckAfter time.Duration) *rig {
	t.Helper()
	clk := clock.NewSim(t0, 0)
	bus := i2csim.New("sim", clk.Sleep)
	a := air.Clean
	a.PM25, a.CO2 = 12, 620
	r := &rig{clk: clk, bus: bus, pm: sps30sim.New(clk, air.Fixed(a), sps30sim.Opts{Seed: 1}),
		co2: scd41sim.New(clk, air.Fixed(a), scd41sim.Opts{Seed: 2})}
	bus.Attach(0x69, r.pm)
	bus.Attach(0x62, r.co2)
	cfgs := []config.Sensor{
		{Name: "pm", Type: config.SPS30, Bus: "sim", Address: 0x69, Zone: "staff", PMCalibration: 1, StaleAfter: 3 * time.Second},
		{Name: "co2", Type: config.SCD41, Bus: "sim", Address: 0x62, Zone: "staff", StaleAfter: 15 * time.Second},
	}
	set, err := New(cfgs, func(config.Sensor) (i2c.Bus, error) { return bus, nil },
		Opts{Clock: clk, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), StuckAfter: stuckAfter})
	if err != nil {
		t.Fatal(err)
	}
	r.set = set
	return r
}

// run updates every sensor once a second for d.
func (r *rig) run(d time.Duration) {
	for end := r.clk.Now().Add(d); r.clk.Now().Before(end); {
		next := r.clk.Now().Add(time.Second)
		r.set.Update(r.clk.Now)
		r.clk.Sleep(next.Sub(r.clk.Now()))
	}
}

func (r *rig) pm25() sample.Sample { return r.set.Get("pm").Sample(sample.PM25) }

func TestStuckBusIsClearedAndReadsResume(t *testing.T) {
	r := newRig(t, 0)
	r.run(10 * time.Second)
	if s := r.pm25(); s.Quality != sample.Good {
		t.Fatalf("before: %+v", s)
	}
	// The SPS30 is cut off mid-byte and holds SDA low: every transfer on
	// the bus fails until nine SCL pulses free it.
	r.bus.Inject(0x69, i2csim.Fault{Kind: i2csim.FaultStuckBus, Count: 1, Clocks: 5})
	r.run(2 * time.Second)
	if s := r.pm25(); s.Quality != sample.Fault {
		t.Fatalf("with the bus stuck: %+v, want a fault at once (unknown air)", s)
	}
	r.run(clearAfter * time.Second)
	if r.bus.Stuck() {
		t.Fatal("the bus is still stuck: the escalation never cleared it")
	}
	r.run(10 * time.Second)
	if s := r.pm25(); s.Quality != sample.Good {
		t.Fatalf("after the bus clear: %+v, want readings again", s)
	}
	if h := r.set.Get("co2").Health(); !h.Up {
		t.Errorf("the CO2 sensor on the same bus did not come back: %+v", h)
	}
}

func TestBusNoClearCanFreeIsAFault(t *testing.T) {
	r := newRig(t, 0)
	r.run(5 * time.Second)
	r.bus.Inject(0x69, i2csim.Fault{Kind: i2csim.FaultStuckBus, Count: 1, Clocks: i2csim.Forever})
	r.run(time.Minute)
	h := r.set.Get("pm").Health()
	if h.Up || h.Error == "" {
		t.Fatalf("health %+v: want down, with the error", h)
	}
	f := r.set.Get("pm").Faults(r.clk.Now(), 10*time.Second)
	if !f.Stale {
		t.Errorf("faults %+v: want stale (no good reading for a minute)", f)
	}
	// A power cycle (standing in: the fault cleared) brings it back.
	r.bus.ClearFaults(0x69)
	r.run(15 * time.Second)
	if s := r.pm25(); s.Quality != sample.Good {
		t.Fatalf("after the power cycle: %+v", s)
	}
}

// An SPS30's frozen reading is found 5 min after it stopped moving (its
// StillAtMost; the configured stuck time is 30 min), and the freeze says
// where: from when it stopped, with the values it stopped at.
func TestFrozenReadingIsFoundWithWhereItFroze(t *testing.T) {
	r := newRig(t, 30*time.Minute)
	r.run(time.Minute)
	froze := r.clk.Now()
	r.pm.SetStuck(true)
	r.run(4 * time.Minute)
	if s := r.pm25(); s.Quality != sample.Good {
		t.Fatalf("before the stuck time a frozen reading still passes: %+v", s)
	}
	r.run(2 * time.Minute)
	s := r.pm25()
	if s.Quality != sample.Fault || !strings.Contains(s.Err.Error(), "frozen") {
		t.Fatalf("after the stuck time: %+v, want a fault saying frozen", s)
	}
	fs := r.set.Get("pm").TakeFreezes()
	if len(fs) != 1 || fs[0].Since.Sub(froze).Abs() > 2*time.Second || fs[0].Values[sample.PM25] == 0 {
		t.Fatalf("freezes %+v: want one from %s with its values", fs, froze.Format("15:04:05"))
	}
	r.pm.SetStuck(false)
	r.run(5 * time.Second)
	if s := r.pm25(); s.Quality != sample.Good {
		t.Fatalf("moving again: %+v", s)
	}
}

// A forced recalibration runs in steps, each a command and no wait: the
// periods around it take no longer than others, and the CO2 readings count
// as unknown meanwhile.
func TestRecalibrationNeverHoldsAPeriod(t *testing.T) {
	r := newRig(t, 0)
	r.run(4 * time.Minute) // the datasheet's 3 min in steady air first
	s := r.set.Get("co2")
	var corr int
	var done error = errors.New("not finished")
	by := record.Actor{Name: "tech", Via: "test"}
	if err := s.Recalibrate(r.clk.Now(), 420, by, "outdoor air", func(c int, err error) { corr, done = c, err }); err != nil {
		t.Fatal(err)
	}
	if err := s.Recalibrate(r.clk.Now(), 420, by, "", func(int, error) {}); !errors.Is(err, ErrBusy) {
		t.Errorf("a second recalibration while one runs: %v, want ErrBusy", err)
	}
	for i := 0; i < 5 && done != nil && done.Error() == "not finished"; i++ {
		before := r.clk.Now()
		r.set.Update(r.clk.Now)
		if took := r.clk.Now().Sub(before); took > 50*time.Millisecond {
			t.Fatalf("a period with the recalibration took %v of the sensors' time; the loop must not wait it out", took)
		}
		if q := s.Sample(sample.CO2).Quality; done != nil && q == sample.Good {
			t.Errorf("CO2 reads good during the recalibration")
		}
		r.clk.Sleep(time.Second)
	}
	if done != nil {
		t.Fatalf("recalibration: %v", done)
	}
	if corr > -150 || corr < -250 {
		t.Errorf("correction %d ppm; the sensor read about 620 ppm in air it was told is 420", corr)
	}
	cals := r.set.TakeCalibrations()
	if len(cals) != 1 || cals[0].Kind != "frc" || cals[0].By.Name != "tech" || cals[0].Reference != 420 {
		t.Errorf("journaled calibrations %+v", cals)
	}
	r.run(15 * time.Second)
	if q := s.Sample(sample.CO2); q.Quality != sample.Good {
		t.Errorf("after the recalibration: %+v", q)
	}
}

// An SPS30 in smoke thicker than it is specified for reads over 1000
// µg/m³. That is heavy smoke, not a broken sensor: the samples stay out of
// range (the fans treat them as unknown air, full speed), but they say the
// air holds at least that much, and no sensor fault is raised. A reading
// beyond what a working sensor reports is still a fault.
func TestPMAboveRangeIsSmokeNotAFault(t *testing.T) {
	clk := clock.NewSim(t0, 0)
	bus := i2csim.New("sim", clk.Sleep)
	pm25 := 12.0
	a := air.Clean
	pm := sps30sim.New(clk, air.Func(func(time.Time) air.State { a.PM25, a.PM10 = pm25, pm25*1.1; return a }), sps30sim.Opts{Seed: 1})
	bus.Attach(0x69, pm)
	set, err := New([]config.Sensor{{Name: "pm", Type: config.SPS30, Bus: "sim", Address: 0x69, Zone: "booth", PMCalibration: 1, StaleAfter: 3 * time.Second}},
		func(config.Sensor) (i2c.Bus, error) { return bus, nil }, Opts{Clock: clk, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{clk: clk, bus: bus, pm: pm, set: set}
	r.run(20 * time.Second)
	if s := r.pm25(); s.Quality != sample.Good {
		t.Fatalf("clean air: %+v", s)
	}
	pm25 = 2500
	r.run(30 * time.Second)
	s := r.pm25()
	now := clk.Now()
	if s.Quality != sample.OutOfRange || !errors.Is(s.Err, sample.ErrAboveRange) || s.Value < 1000 {
		t.Fatalf("at 2500 µg/m³: %+v, want out of range above 1000, marked ErrAboveRange", s)
	}
	if s.Valid(now, time.Minute) || !s.AtLeast(now, time.Minute) {
		t.Errorf("at 2500 µg/m³: Valid %v, AtLeast %v; want not valid air data, but at least its value", s.Valid(now, time.Minute), s.AtLeast(now, time.Minute))
	}
	if f := set.Get("pm").Faults(now, time.Minute); f.OutOfRange {
		t.Errorf("heavy smoke raised the out-of-range fault: %+v", f)
	}
	if !strings.Contains(s.Err.Error(), "specified to 1000") {
		t.Errorf("error %q does not say the sensor's range", s.Err)
	}

	// A value no working SPS30 reports.
	if v := checkPM(sample.PM25, 65535, 1000); v.quality != sample.OutOfRange || v.err != nil {
		t.Errorf("checkPM(65535) = %+v, want out of range with no ErrAboveRange", v)
	}
	for _, v := range []float64{-1, math.NaN(), 1e39} {
		if got := checkPM(sample.PM25, v, 1000); got.quality != sample.OutOfRange || errors.Is(got.err, sample.ErrAboveRange) {
			t.Errorf("checkPM(%v) = %+v, want a plain out-of-range value", v, got)
		}
	}
}

// countingBus counts the bus clears asked of its bus.
type countingBus struct {
	*i2csim.Bus
	clears int
}

func (b *countingBus) ClearBus() error { b.clears++; return b.Bus.ClearBus() }

// busClearRig is smokyPM on a bus that counts its clears, logging to log.
func busClearRig(t *testing.T, log io.Writer) (*rig, *countingBus) {
	t.Helper()
	clk := clock.NewSim(t0, 0)
	bus := &countingBus{Bus: i2csim.New("sim", clk.Sleep)}
	a := air.Clean
	a.PM25 = 12
	pm := sps30sim.New(clk, air.Fixed(a), sps30sim.Opts{Seed: 1})
	bus.Attach(0x69, pm)
	set, err := New([]config.Sensor{{Name: "pm", Type: config.SPS30, Bus: "sim", Address: 0x69, Zone: "booth", PMCalibration: 1, StaleAfter: 3 * time.Second}},
		func(config.Sensor) (i2c.Bus, error) { return bus, nil }, Opts{Clock: clk, Log: slog.New(slog.NewTextHandler(log, nil)), StuckAfter: 30 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	return &rig{clk: clk, bus: bus.Bus, pm: pm, set: set}, bus
}

// An unplugged sensor (every transfer NACKed) for 20 minutes: the old
// escalation pulsed the shared bus and logged "I2C bus cleared" every
// 9 s, 133 lines in 20 minutes. A NACK is no stuck bus: no clear.
func TestUnpluggedSensorDoesNotClearTheBus(t *testing.T) {
	var log strings.Builder
	r, bus := busClearRig(t, &log)
	r.run(10 * time.Second)
	r.bus.Inject(0x69, i2csim.Fault{Kind: i2csim.FaultNACK})
	r.run(20 * time.Minute)
	if s := r.pm25(); s.Quality != sample.Fault {
		t.Fatalf("unplugged: %+v, want a fault", s)
	}
	if n := strings.Count(log.String(), "bus cleared"); bus.clears != 0 || n != 0 {
		t.Errorf("%d bus clears, %d lines about them for a sensor that does not answer: want none", bus.clears, n)
	}
	r.bus.ClearFaults(0x69)
	r.run(15 * time.Second)
	if s := r.pm25(); s.Quality != sample.Good {
		t.Fatalf("plugged back in: %+v, want readings again (the reopen still runs)", s)
	}
}

// A sensor failing otherwise (every read corrupt) still has the bus
// cleared every 9 s, but logged once and then once a minute at most with
// the clears not logged, not 133 lines in 20 minutes.
func TestRepeatedBusClearsAreLoggedOnceAMinute(t *testing.T) {
	var log strings.Builder
	r, bus := busClearRig(t, &log)
	r.run(10 * time.Second)
	r.bus.Inject(0x69, i2csim.Fault{Kind: i2csim.FaultCorrupt})
	r.run(20 * time.Minute)
	n := strings.Count(log.String(), "bus cleared")
	if bus.clears < 100 {
		t.Fatalf("%d bus clears in 20 minutes of failed reads, want one every %d failures", bus.clears, clearAfter)
	}
	if n == 0 || n > 21 {
		t.Errorf("%d lines about %d bus clears in 20 minutes, want 1 to 21 (the first, then one a minute)", n, bus.clears)
	}
	if !strings.Contains(log.String(), "clears_not_logged_since=6") {
		t.Errorf("no line counts the clears it did not log:\n%s", log.String())
	}
}
