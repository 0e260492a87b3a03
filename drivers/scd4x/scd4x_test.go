package scd4x_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/drivers/scd4x"
	"github.com/ventd/ventd/testbench/air"
	"github.com/ventd/ventd/testbench/i2csim"
	"github.com/ventd/ventd/testbench/scd41sim"
)

var t0 = time.Date(2025, 3, 1, 8, 0, 0, 0, time.UTC)

type rig struct {
	clk *clock.Sim
	bus *i2csim.Bus
	sim *scd41sim.Device
	dev *scd4x.Dev
}

func newRig(tb testing.TB, a air.State, o scd41sim.Opts) *rig {
	tb.Helper()
	clk := clock.NewSim(t0, 0)
	bus := i2csim.New("sim", clk.Sleep)
	sim := scd41sim.New(clk, air.Fixed(a), o)
	bus.Attach(scd41sim.Addr, sim)
	dev, err := scd4x.New(bus, &scd4x.Opts{Clock: clk})
	if err != nil {
		tb.Fatal(err)
	}
	return &rig{clk, bus, sim, dev}
}

// next waits for the next 5 s measurement and reads it.
func (r *rig) next(tb testing.TB) scd4x.Reading {
	tb.Helper()
	r.clk.Sleep(5 * time.Second)
	var rd scd4x.Reading
	if err := r.dev.Sense(&rd); err != nil {
		tb.Fatal(err)
	}
	return rd
}

func room(co2, temp, rh float64) air.State {
	a := air.Clean
	a.CO2, a.Temperature, a.Humidity = co2, temp, rh
	return a
}

func TestSenseUnits(t *testing.T) {
	r := newRig(t, room(800, 22, 40), scd41sim.Opts{Seed: 1, Quiet: true})
	if err := r.dev.Start(); err != nil {
		t.Fatal(err)
	}
	got := r.next(t)
	wantCO2 := 800 + r.sim.CalibrationError(800)
	if math.Abs(got.CO2-wantCO2) > 1 || math.Abs(got.Temperature-22) > 0.01 || math.Abs(got.Humidity-40) > 0.01 {
		t.Fatalf("reading %+v, want %.0f ppm, 22 °C, 40 %%RH", got, wantCO2)
	}
	if s, err := r.dev.Serial(); err == nil || s != 0 {
		t.Errorf("Serial during measurement = %d, %v; want ErrMeasuring", s, err)
	}
}

func TestNotReadyAndStale(t *testing.T) {
	r := newRig(t, air.Clean, scd41sim.Opts{})
	var rd scd4x.Reading
	if err := r.dev.Sense(&rd); err == nil || errors.Is(err, scd4x.ErrNotReady) || !strings.Contains(err.Error(), "call Start") {
		t.Fatalf("Sense before Start: %v; want a fault that says to call Start", err)
	}
	if err := r.dev.Start(); err != nil {
		t.Fatal(err)
	}
	if err := r.dev.Sense(&rd); !errors.Is(err, scd4x.ErrNotReady) {
		t.Fatalf("Sense right after Start: %v, want ErrNotReady", err)
	}
	r.next(t)
	if err := r.dev.Sense(&rd); !errors.Is(err, scd4x.ErrNotReady) {
		t.Fatalf("second Sense in one interval: %v, want ErrNotReady", err)
	}
	// The sensor browns out and comes back idle: "not ready" would be a
	// lie that lasts for ever, so the driver calls it stale.
	r.sim.PowerCycle()
	r.clk.Sleep(20 * time.Second)
	if err := r.dev.Sense(&rd); !errors.Is(err, scd4x.ErrStale) || errors.Is(err, scd4x.ErrNotReady) {
		t.Fatalf("Sense after a sensor reset: %v, want ErrStale", err)
	}
	if err := r.dev.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := r.dev.Start(); err != nil {
		t.Fatal(err)
	}
	r.next(t)
}

func TestLowPower(t *testing.T) {
	r := newRig(t, air.Clean, scd41sim.Opts{})
	if err := r.dev.StartLowPower(); err != nil {
		t.Fatal(err)
	}
	if err := r.dev.Start(); !errors.Is(err, scd4x.ErrMeasuring) {
		t.Fatalf("Start during low power measurement: %v", err)
	}
	var rd scd4x.Reading
	r.clk.Sleep(25 * time.Second)
	if err := r.dev.Sense(&rd); !errors.Is(err, scd4x.ErrNotReady) {
		t.Fatalf("low power at 25 s: %v, want ErrNotReady", err)
	}
	r.clk.Sleep(5 * time.Second)
	if err := r.dev.Sense(&rd); err != nil || rd.CO2 < 300 {
		t.Fatalf("low power at 30 s: %+v, %v", rd, err)
	}
}

func TestCRC(t *testing.T) {
	r := newRig(t, air.Clean, scd41sim.Opts{})
	if err := r.dev.Start(); err != nil {
		t.Fatal(err)
	}
	r.clk.Sleep(5 * time.Second)
	// Corrupt the measurement itself: let the data-ready command and its
	// answer through (a slow fault with no delay), then corrupt the next read.
	r.bus.Inject(scd41sim.Addr, i2csim.Fault{Kind: i2csim.FaultSlow, Count: 2})
	r.bus.Inject(scd41sim.Addr, i2csim.Fault{Kind: i2csim.FaultCorrupt, Count: 1})
	rd := scd4x.Reading{CO2: -1}
	err := r.dev.Sense(&rd)
	if !errors.Is(err, scd4x.ErrCRC) || !strings.Contains(err.Error(), "read measurement") || rd.CO2 != -1 {
		t.Fatalf("corrupt measurement: %v, reading %+v", err, rd)
	}
	r.bus.Inject(scd41sim.Addr, i2csim.Fault{Kind: i2csim.FaultCorrupt, Count: 1})
	if _, err := r.dev.DataReady(); !errors.Is(err, scd4x.ErrCRC) {
		t.Fatalf("corrupt data ready: %v", err)
	}
	r.next(t)
}

func TestNACKDisconnectRecovery(t *testing.T) {
	r := newRig(t, air.Clean, scd41sim.Opts{})
	if err := r.dev.Start(); err != nil {
		t.Fatal(err)
	}
	r.clk.Sleep(5 * time.Second)
	r.bus.Inject(scd41sim.Addr, i2csim.Fault{Kind: i2csim.FaultNACK, Count: 1})
	var rd scd4x.Reading
	if err := r.dev.Sense(&rd); !errors.Is(err, i2csim.ErrNACK) || !strings.HasPrefix(err.Error(), "scd4x: ") {
		t.Fatalf("NACK: %v", err)
	}
	if err := r.dev.Sense(&rd); err != nil {
		t.Fatalf("after one NACK: %v", err)
	}
	r.bus.Disconnect(scd41sim.Addr)
	r.clk.Sleep(5 * time.Second)
	if err := r.dev.Sense(&rd); !errors.Is(err, i2csim.ErrNACK) {
		t.Fatalf("disconnected: %v", err)
	}
	r.bus.Reconnect(scd41sim.Addr)
	if err := r.dev.Sense(&rd); err != nil {
		t.Fatalf("reconnected: %v", err)
	}
}

func TestWrongStateRejected(t *testing.T) {
	r := newRig(t, room(600, 21, 50), scd41sim.Opts{})
	if err := r.dev.Start(); err != nil {
		t.Fatal(err)
	}
	before := r.bus.Transfers()
	calls := map[string]func() error{
		"SetTemperatureOffset": func() error { return r.dev.SetTemperatureOffset(4) },
		"SetAltitude":          func() error { return r.dev.SetAltitude(100) },
		"SetASC":               func() error { return r.dev.SetASC(false) },
		"ForcedRecalibration":  func() error { _, err := r.dev.ForcedRecalibration(420); return err },
		"PersistSettings":      r.dev.PersistSettings,
		"SelfTest":             r.dev.SelfTest,
		"FactoryReset":         r.dev.FactoryReset,
		"Reinit":               r.dev.Reinit,
		"MeasureSingleShot":    r.dev.MeasureSingleShot,
		"PowerDown":            r.dev.PowerDown,
	}
	for name, call := range calls {
		err := call()
		if !errors.Is(err, scd4x.ErrMeasuring) || !strings.Contains(err.Error(), "stop periodic measurement first") {
			t.Errorf("%s during periodic measurement: %v", name, err)
		}
	}
	if n := r.bus.Transfers(); n != before {
		t.Errorf("refused commands still made %d bus transfers", n-before)
	}
	// Ambient pressure is the one setting allowed while measuring.
	if err := r.dev.SetAmbientPressure(95000); err != nil {
		t.Fatal(err)
	}
	if p, err := r.dev.AmbientPressure(); err != nil || p != 95000 {
		t.Fatalf("AmbientPressure = %v, %v", p, err)
	}
	if err := r.dev.SetAmbientPressure(950); err == nil || !strings.Contains(err.Error(), "pass pascals") {
		t.Fatalf("pressure in hPa: %v", err)
	}
	if err := r.dev.Halt(); err != nil {
		t.Fatal(err)
	}
	if err := r.dev.SetTemperatureOffset(4); err != nil {
		t.Fatalf("after Halt: %v", err)
	}
}

func TestNoSensor(t *testing.T) {
	bus := i2csim.New("i2c-1", nil)
	_, err := scd4x.New(bus, &scd4x.Opts{Clock: clock.NewSim(t0, 0)})
	if !errors.Is(err, i2csim.ErrNACK) || !strings.Contains(err.Error(), "0x62") {
		t.Fatalf("New on an empty bus: %v", err)
	}
}

// New must bring a sensor a previous run left measuring or asleep back to idle.
func TestNewRecoversState(t *testing.T) {
	r := newRig(t, air.Clean, scd41sim.Opts{})
	if err := r.dev.Start(); err != nil {
		t.Fatal(err)
	}
	d2, err := scd4x.New(r.bus, &scd4x.Opts{Clock: r.clk})
	if err != nil {
		t.Fatalf("New on a measuring sensor: %v", err)
	}
	if err := d2.PowerDown(); err != nil {
		t.Fatal(err)
	}
	if _, err := d2.Serial(); !errors.Is(err, scd4x.ErrAsleep) {
		t.Fatalf("Serial while powered down: %v", err)
	}
	d3, err := scd4x.New(r.bus, &scd4x.Opts{Clock: r.clk})
	if err != nil {
		t.Fatalf("New on a sleeping sensor: %v", err)
	}
	if s, err := d3.Serial(); err != nil || s != r.sim.Serial() {
		t.Fatalf("Serial = %d, %v; want %d", s, err, r.sim.Serial())
	}
	if err := d2.WakeUp(); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkSense(b *testing.B) {
	r := newRig(b, air.Clean, scd41sim.Opts{})
	if err := r.dev.Start(); err != nil {
		b.Fatal(err)
	}
	var rd scd4x.Reading
	b.ReportAllocs()
	for b.Loop() {
		r.clk.Advance(5 * time.Second)
		if err := r.dev.Sense(&rd); err != nil {
			b.Fatal(err)
		}
	}
}
