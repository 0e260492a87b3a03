package scd4x_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/drivers/scd4x"
	"github.com/ventd/ventd/testbench/scd41sim"
)

// mean reads n measurements and averages their CO2.
func (r *rig) mean(tb testing.TB, n int) float64 {
	var sum float64
	for range n {
		sum += r.next(tb).CO2
	}
	return sum / float64(n)
}

func TestForcedRecalibration(t *testing.T) {
	const ref = 600
	r := newRig(t, room(ref, 21, 45), scd41sim.Opts{Seed: 4})
	if e := r.sim.CalibrationError(ref); math.Abs(e) < 20 {
		t.Fatalf("seed gives a calibration error of only %.1f ppm: pick a seed that shows FRC working", e)
	}
	if err := r.dev.SetASC(false); err != nil {
		t.Fatal(err)
	}
	if _, err := r.dev.ForcedRecalibration(ref); !errors.Is(err, scd4x.ErrFRCFailed) || !strings.Contains(err.Error(), "3 minutes") {
		t.Fatalf("FRC without measuring first: %v", err)
	}
	if err := r.dev.Start(); err != nil {
		t.Fatal(err)
	}
	before := r.mean(t, 48) // 4 minutes, past the datasheet's 3
	if math.Abs(before-ref) < 15 {
		t.Fatalf("before FRC the sensor reads %.1f ppm, already near %d", before, ref)
	}
	if _, err := r.dev.ForcedRecalibration(ref); !errors.Is(err, scd4x.ErrMeasuring) {
		t.Fatalf("FRC while measuring: %v", err)
	}
	if err := r.dev.Stop(); err != nil {
		t.Fatal(err)
	}
	corr, err := r.dev.ForcedRecalibration(ref)
	if err != nil {
		t.Fatal(err)
	}
	if want := -r.sim.CalibrationError(ref); math.Abs(float64(corr)-want) > 1 {
		t.Errorf("FRC correction %d ppm, want %.0f", corr, want)
	}
	if err := r.dev.Start(); err != nil {
		t.Fatal(err)
	}
	if after := r.mean(t, 24); math.Abs(after-ref) > 3 {
		t.Fatalf("after FRC the sensor reads %.1f ppm, want %d ± 3 (before: %.1f)", after, ref, before)
	}
	if _, err := r.dev.ForcedRecalibration(-5); err == nil || !strings.Contains(err.Error(), "0 to 40000 ppm") {
		t.Fatalf("negative reference: %v", err)
	}
}

func TestASCRoundTrip(t *testing.T) {
	r := newRig(t, room(420, 21, 45), scd41sim.Opts{})
	if on, err := r.dev.ASC(); err != nil || !on {
		t.Fatalf("factory ASC = %v, %v; want on", on, err)
	}
	for _, want := range []bool{false, true, false} {
		if err := r.dev.SetASC(want); err != nil {
			t.Fatal(err)
		}
		if on, err := r.dev.ASC(); err != nil || on != want {
			t.Fatalf("ASC after SetASC(%v) = %v, %v", want, on, err)
		}
	}
	// Off survives a power cycle only once persisted.
	r.sim.PowerCycle()
	r.clk.Sleep(30 * time.Millisecond)
	if on, _ := r.dev.ASC(); !on {
		t.Fatal("unsaved ASC off survived a power cycle")
	}
	if err := r.dev.SetASC(false); err != nil {
		t.Fatal(err)
	}
	if err := r.dev.PersistSettings(); err != nil {
		t.Fatal(err)
	}
	r.sim.PowerCycle()
	r.clk.Sleep(30 * time.Millisecond)
	if on, err := r.dev.ASC(); err != nil || on {
		t.Fatalf("persisted ASC off reads %v, %v after a power cycle", on, err)
	}
	if err := r.dev.FactoryReset(); err != nil {
		t.Fatal(err)
	}
	if on, _ := r.dev.ASC(); !on {
		t.Fatal("ASC off after factory reset")
	}
}

func TestTemperatureOffset(t *testing.T) {
	// The sensor runs 4 °C above the air; an offset of 6 °C makes it read
	// 2 °C low, and RH correspondingly high.
	r := newRig(t, room(500, 22, 40), scd41sim.Opts{Quiet: true})
	if c, err := r.dev.TemperatureOffset(); err != nil || math.Abs(c-4) > 0.01 {
		t.Fatalf("factory offset = %v, %v; want 4 °C", c, err)
	}
	if err := r.dev.SetTemperatureOffset(6); err != nil {
		t.Fatal(err)
	}
	if c, err := r.dev.TemperatureOffset(); err != nil || math.Abs(c-6) > 175.0/65535 {
		t.Fatalf("offset = %v, %v; want 6 °C", c, err)
	}
	if err := r.dev.SetTemperatureOffset(-2); err == nil || !strings.Contains(err.Error(), "0 to 20 °C") {
		t.Fatalf("negative offset: %v", err)
	}
	if err := r.dev.Start(); err != nil {
		t.Fatal(err)
	}
	rd := r.next(t)
	if math.Abs(rd.Temperature-20) > 0.01 || rd.Humidity < 44 || rd.Humidity > 46 {
		t.Fatalf("with 2 °C too much offset: %.2f °C %.1f %%RH, want 20 °C and about 45 %%RH", rd.Temperature, rd.Humidity)
	}
	if err := r.dev.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := r.dev.Reinit(); err != nil {
		t.Fatal(err)
	}
	if c, _ := r.dev.TemperatureOffset(); math.Abs(c-4) > 0.01 {
		t.Fatalf("offset after Reinit = %v, want the stored 4 °C", c)
	}
}

func TestAltitude(t *testing.T) {
	r := newRig(t, room(1000, 21, 45), scd41sim.Opts{Quiet: true, Altitude: 1500, Seed: 2})
	want := 1000 + r.sim.CalibrationError(1000)
	if err := r.dev.Start(); err != nil {
		t.Fatal(err)
	}
	if low := r.next(t).CO2; low > want-100 {
		t.Fatalf("at 1500 m without compensation: %v ppm, want well below %.0f", low, want)
	}
	if err := r.dev.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := r.dev.SetAltitude(1500); err != nil {
		t.Fatal(err)
	}
	if m, err := r.dev.Altitude(); err != nil || m != 1500 {
		t.Fatalf("Altitude = %d, %v", m, err)
	}
	if err := r.dev.SetAltitude(9000); err == nil || !strings.Contains(err.Error(), "0 to 3000 m") {
		t.Fatalf("altitude 9000 m: %v", err)
	}
	if err := r.dev.Start(); err != nil {
		t.Fatal(err)
	}
	if got := r.next(t).CO2; math.Abs(got-want) > 2 {
		t.Fatalf("compensated for 1500 m: %v ppm, want %.0f", got, want)
	}
}

func TestSingleShotSelfTestStuck(t *testing.T) {
	r := newRig(t, room(700, 21, 45), scd41sim.Opts{Quiet: true})
	if err := r.dev.SelfTest(); err != nil {
		t.Fatal(err)
	}
	if err := r.dev.MeasureSingleShot(); err != nil {
		t.Fatal(err)
	}
	var rd scd4x.Reading
	if err := r.dev.Sense(&rd); err != nil || rd.CO2 < 600 {
		t.Fatalf("single shot: %+v, %v", rd, err)
	}
	r.sim.SetStuck(true)
	if err := r.dev.SelfTest(); !errors.Is(err, scd4x.ErrSelfTest) {
		t.Fatalf("self test of a stuck sensor: %v", err)
	}

	scd40 := newRig(t, room(700, 21, 45), scd41sim.Opts{SCD40: true})
	if err := scd40.dev.MeasureSingleShot(); err == nil || !strings.Contains(err.Error(), "SCD41 only") {
		t.Fatalf("single shot on an SCD40: %v", err)
	}
}

func TestForcedRecalibrationInSteps(t *testing.T) {
	const ref = 600
	r := newRig(t, room(ref, 21, 45), scd41sim.Opts{Seed: 4})
	if err := r.dev.Start(); err != nil {
		t.Fatal(err)
	}
	r.mean(t, 48) // 4 minutes, past the datasheet's 3
	if err := r.dev.BeginStop(); err != nil {
		t.Fatal(err)
	}
	r.clk.Sleep(scd4x.StopWait)
	if err := r.dev.BeginForcedRecalibration(ref); err != nil {
		t.Fatal(err)
	}
	r.clk.Sleep(scd4x.RecalibrationWait)
	corr, err := r.dev.ForcedRecalibrationResult(ref)
	if err != nil {
		t.Fatal(err)
	}
	if want := -r.sim.CalibrationError(ref); math.Abs(float64(corr)-want) > 1 {
		t.Errorf("FRC correction %d ppm, want %.0f", corr, want)
	}
	if err := r.dev.Start(); err != nil {
		t.Fatalf("start after recalibration: %v", err)
	}
	if after := r.mean(t, 24); math.Abs(after-ref) > 3 {
		t.Fatalf("after FRC the sensor reads %.1f ppm, want %d ± 3", after, ref)
	}
}
