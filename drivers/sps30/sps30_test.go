package sps30_test

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/drivers/sensirion"
	"github.com/ventd/ventd/drivers/sps30"
	"github.com/ventd/ventd/testbench/air"
	"github.com/ventd/ventd/testbench/i2csim"
	"github.com/ventd/ventd/testbench/sps30sim"
)

var t0 = time.Date(2025, 1, 6, 8, 0, 0, 0, time.UTC)

// rig is the driver on a simulated bus with a simulated SPS30.
type rig struct {
	clk *clock.Sim
	bus *i2csim.Bus
	sim *sps30sim.Device
	dev *sps30.Dev
}

func newRig(t testing.TB, src air.Source, o sps30sim.Opts) *rig {
	t.Helper()
	clk := clock.NewSim(t0, 0)
	bus := i2csim.New("sim", clk.Sleep)
	sim := sps30sim.New(clk, src, o)
	bus.Attach(sps30.DefaultAddr, sim)
	dev, err := sps30.New(bus, &sps30.Opts{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	return &rig{clk: clk, bus: bus, sim: sim, dev: dev}
}

// next waits a second and reads the new measurement.
func (r *rig) next(t testing.TB) sps30.Reading {
	t.Helper()
	r.clk.Sleep(time.Second)
	var got sps30.Reading
	if err := r.dev.Sense(&got); err != nil {
		t.Fatalf("at %v: Sense: %v", r.clk.Now().Sub(t0), err)
	}
	return got
}

// settle starts measuring and reads until the response lag has passed.
func (r *rig) settle(t testing.TB) sps30.Reading {
	t.Helper()
	if err := r.dev.Start(); err != nil {
		t.Fatal(err)
	}
	var got sps30.Reading
	for range 20 {
		got = r.next(t)
	}
	return got
}

// tolerance is the datasheet mass accuracy at true concentration v.
func tolerance(v float64) float64 {
	if v <= 100 {
		return 10
	}
	return 0.1 * v
}

func checkMass(t *testing.T, got sps30.Reading, want air.State) {
	t.Helper()
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"PM1.0", got.MassPM1, want.PM1},
		{"PM2.5", got.MassPM25, want.PM25},
		{"PM4.0", got.MassPM4, want.PM4},
		{"PM10", got.MassPM10, want.PM10},
	} {
		if math.Abs(c.got-c.want) > tolerance(c.want) {
			t.Errorf("%s = %.2f µg/m³, true %.2f ± %.1f", c.name, c.got, c.want, tolerance(c.want))
		}
	}
}

func TestIdentity(t *testing.T) {
	r := newRig(t, air.Fixed(air.Clean), sps30sim.Opts{Serial: "TESTSERIAL0001"})
	if s, err := r.dev.Serial(); err != nil || s != "TESTSERIAL0001" {
		t.Errorf("Serial = %q, %v", s, err)
	}
	if p, err := r.dev.ProductType(); err != nil || p != "00080000" {
		t.Errorf("ProductType = %q, %v", p, err)
	}
	if v, err := r.dev.FirmwareVersion(); err != nil || v.String() != "2.2" {
		t.Errorf("FirmwareVersion = %v, %v", v, err)
	}
	if s := r.dev.String(); s != "SPS30{sim 0x69 TESTSERIAL0001}" {
		t.Errorf("String = %q", s)
	}
}

func TestNewAbsent(t *testing.T) {
	clk := clock.NewSim(t0, 0)
	_, err := sps30.New(i2csim.New("sim", clk.Sleep), &sps30.Opts{Clock: clk})
	if !errors.Is(err, i2csim.ErrNACK) || !strings.Contains(err.Error(), "no SPS30 answering at 0x69") {
		t.Fatalf("New on an empty bus = %v", err)
	}
}

// TestAccuracy compares readings with the true air across units (seeds)
// and concentrations, within the datasheet accuracy, and checks the
// derived number concentrations and size for plausible units.
func TestAccuracy(t *testing.T) {
	levels := []air.State{
		{PM1: 3, PM25: 5, PM4: 6, PM10: 8},
		{PM1: 28, PM25: 35, PM4: 38, PM10: 41},
		{PM1: 90, PM25: 125.5, PM4: 130, PM10: 140},
		{PM1: 600, PM25: 800, PM4: 850, PM10: 900},
	}
	for _, lv := range levels {
		for seed := range uint64(8) {
			t.Run(fmt.Sprintf("PM2.5=%g/seed=%d", lv.PM25, seed), func(t *testing.T) {
				r := newRig(t, air.Fixed(lv), sps30sim.Opts{Seed: seed})
				got := r.settle(t)
				checkMass(t, got, lv)
				n := []float64{got.NumPM05, got.NumPM1, got.NumPM25, got.NumPM4, got.NumPM10}
				for i := 1; i < len(n); i++ {
					if n[i] < n[i-1] {
						t.Errorf("number concentrations not cumulative: %v", n)
					}
				}
				// Submicron smoke: a few to a few tens of particles per
				// cm³ for each µg/m³. A unit slip (per m³, per litre) is
				// off by orders of magnitude.
				if ratio := got.NumPM1 / got.MassPM1; ratio < 2 || ratio > 30 {
					t.Errorf("NumPM1/MassPM1 = %.1f #/cm³ per µg/m³, want 2..30", ratio)
				}
				if got.TypicalSize < 0.3 || got.TypicalSize > 10 {
					t.Errorf("TypicalSize = %.2f µm, want 0.3..10", got.TypicalSize)
				}
			})
		}
	}
}

// TestResponseLag checks that a step in the air shows with a lag of a few
// seconds, not at once and not never.
func TestResponseLag(t *testing.T) {
	var mu sync.Mutex
	state := air.State{PM1: 8, PM25: 10, PM4: 11, PM10: 12}
	src := air.Func(func(time.Time) air.State { mu.Lock(); defer mu.Unlock(); return state })
	r := newRig(t, src, sps30sim.Opts{Seed: 3})
	r.settle(t)
	mu.Lock()
	state = air.State{PM1: 300, PM25: 400, PM4: 420, PM10: 430}
	mu.Unlock()
	if first := r.next(t); first.MassPM25 > 300 {
		t.Errorf("1 s after the step PM2.5 = %.1f, want a lagging value below 300", first.MassPM25)
	}
	var got sps30.Reading
	for range 15 {
		got = r.next(t)
	}
	checkMass(t, got, state)
}

func TestNotReady(t *testing.T) {
	r := newRig(t, air.Fixed(air.Clean), sps30sim.Opts{})
	if err := r.dev.Start(); err != nil {
		t.Fatal(err)
	}
	keep := sps30.Reading{MassPM25: -1}
	got := keep
	err := r.dev.Sense(&got)
	if !errors.Is(err, sps30.ErrNotReady) || !errors.Is(err, sensirion.ErrNotReady) {
		t.Fatalf("Sense right after Start = %v, want ErrNotReady", err)
	}
	if got != keep {
		t.Errorf("Sense changed the reading to %+v on ErrNotReady", got)
	}
	if ok, err := r.dev.DataReady(); ok || err != nil {
		t.Errorf("DataReady = %v, %v", ok, err)
	}
	r.clk.Sleep(time.Second)
	if ok, err := r.dev.DataReady(); !ok || err != nil {
		t.Errorf("DataReady after 1 s = %v, %v", ok, err)
	}
	if err := r.dev.Sense(&got); err != nil {
		t.Fatal(err)
	}
	if err := r.dev.Sense(&got); !errors.Is(err, sps30.ErrNotReady) {
		t.Errorf("second Sense in the same second = %v, want ErrNotReady", err)
	}
}

func TestWrongMode(t *testing.T) {
	r := newRig(t, air.Fixed(air.Clean), sps30sim.Opts{})
	var got sps30.Reading
	if err := r.dev.Sense(&got); !errors.Is(err, i2csim.ErrNACK) || !strings.HasPrefix(err.Error(), "sps30: read data-ready flag:") {
		t.Errorf("Sense while idle = %v, want a NACK", err)
	}
	if err := r.dev.CleanFan(); !errors.Is(err, i2csim.ErrNACK) {
		t.Errorf("CleanFan while idle = %v, want a NACK", err)
	}
	if err := r.dev.Stop(); !errors.Is(err, i2csim.ErrNACK) {
		t.Errorf("Stop while idle = %v, want a NACK", err)
	}
}

func TestCRC(t *testing.T) {
	r := newRig(t, air.Fixed(air.Clean), sps30sim.Opts{})
	r.settle(t)
	keep := sps30.Reading{MassPM25: -1}

	// The data-ready flag's word corrupted.
	r.clk.Sleep(time.Second)
	r.bus.Inject(sps30.DefaultAddr, i2csim.Fault{Kind: i2csim.FaultCorrupt, Count: 1})
	got := keep
	err := r.dev.Sense(&got)
	var ce *sensirion.CRCError
	if !errors.Is(err, sps30.ErrCRC) || !errors.As(err, &ce) || !strings.HasPrefix(err.Error(), "sps30: read data-ready flag:") {
		t.Errorf("Sense with a corrupt data-ready flag = %v, want a CRC error", err)
	}
	if got != keep {
		t.Errorf("Sense wrote %+v despite the CRC error", got)
	}

	// The measured values corrupted: pass the data-ready write and read.
	r.clk.Sleep(time.Second)
	r.bus.Inject(sps30.DefaultAddr, i2csim.Fault{Kind: i2csim.FaultSlow, Count: 2})
	r.bus.Inject(sps30.DefaultAddr, i2csim.Fault{Kind: i2csim.FaultCorrupt, Count: 1})
	err = r.dev.Sense(&got)
	if !errors.Is(err, sensirion.ErrCRC) || !strings.HasPrefix(err.Error(), "sps30: read measured values:") {
		t.Errorf("Sense with corrupt values = %v, want a CRC error", err)
	}
	if got != keep {
		t.Errorf("Sense wrote %+v despite the CRC error", got)
	}
	checkMass(t, r.next(t), air.Clean)
}

func TestNACKDisconnectRecover(t *testing.T) {
	r := newRig(t, air.Fixed(air.Clean), sps30sim.Opts{})
	r.settle(t)
	r.clk.Sleep(time.Second)
	r.bus.Inject(sps30.DefaultAddr, i2csim.Fault{Kind: i2csim.FaultNACK, Count: 1})
	var got sps30.Reading
	if err := r.dev.Sense(&got); !errors.Is(err, i2csim.ErrNACK) {
		t.Errorf("Sense with a NACK = %v", err)
	}
	checkMass(t, r.next(t), air.Clean)

	r.bus.Disconnect(sps30.DefaultAddr)
	for range 3 {
		r.clk.Sleep(time.Second)
		err := r.dev.Sense(&got)
		if !errors.Is(err, i2csim.ErrNACK) || !strings.Contains(err.Error(), "0x69") {
			t.Fatalf("Sense while disconnected = %v", err)
		}
	}
	r.bus.Reconnect(sps30.DefaultAddr)
	checkMass(t, r.next(t), air.Clean)
}

func TestFanFailure(t *testing.T) {
	smoky := air.State{PM1: 40, PM25: 60, PM4: 65, PM10: 70}
	r := newRig(t, air.Fixed(smoky), sps30sim.Opts{Seed: 5})
	r.settle(t)
	if s, err := r.dev.Status(); err != nil || !s.OK() || s.String() != "ok" {
		t.Fatalf("Status of a healthy sensor = %v, %v", s, err)
	}
	r.sim.SetFanFailure(true)
	var got sps30.Reading
	for range 20 {
		got = r.next(t)
	}
	s, err := r.dev.Status()
	if err != nil {
		t.Fatal(err)
	}
	if s&sps30.FanFailure == 0 || s&sps30.FanSpeedWarning == 0 || s&sps30.LaserFailure != 0 {
		t.Errorf("Status with a blocked fan = %#x (%v)", uint32(s), s)
	}
	if p := s.Problems(); len(p) != 2 || !strings.HasPrefix(p[0], "fan failure") {
		t.Errorf("Problems = %q", p)
	}
	// No airflow: the reading sinks to (about) zero, far from the true air.
	if got.MassPM25 > 2 {
		t.Errorf("PM2.5 with the fan stopped = %.1f, want near 0", got.MassPM25)
	}

	r.sim.SetFanFailure(false)
	r.next(t)
	if s, _ := r.dev.Status(); s != sps30.FanFailure {
		t.Errorf("Status after the fan recovers = %v, want the fan bit latched alone", s)
	}
	if err := r.dev.ClearStatus(); err != nil {
		t.Fatal(err)
	}
	if s, _ := r.dev.Status(); !s.OK() {
		t.Errorf("Status after ClearStatus = %v", s)
	}
}

func TestLaserFailure(t *testing.T) {
	r := newRig(t, air.Fixed(air.Clean), sps30sim.Opts{})
	r.settle(t)
	r.sim.SetLaserFailure(true)
	var got sps30.Reading
	for range 3 {
		got = r.next(t)
	}
	if s, _ := r.dev.Status(); s != sps30.LaserFailure || !strings.Contains(s.String(), "laser") {
		t.Errorf("Status = %v", s)
	}
	if got != (sps30.Reading{}) {
		t.Errorf("reading without laser = %+v, want zeros", got)
	}
	r.sim.SetLaserFailure(false)
	r.next(t)
	if s, _ := r.dev.Status(); !s.OK() {
		t.Errorf("laser bit did not clear itself: %v", s)
	}
}

func TestStuck(t *testing.T) {
	var mu sync.Mutex
	state := air.State{PM1: 10, PM25: 15, PM4: 16, PM10: 17}
	src := air.Func(func(time.Time) air.State { mu.Lock(); defer mu.Unlock(); return state })
	r := newRig(t, src, sps30sim.Opts{Seed: 9})
	before := r.settle(t)
	r.sim.SetStuck(true)
	mu.Lock()
	state = air.State{PM1: 200, PM25: 300, PM4: 310, PM10: 320}
	mu.Unlock()
	for range 20 {
		if got := r.next(t); got != before {
			t.Fatalf("stuck sensor read %+v, want the held %+v", got, before)
		}
	}
	r.sim.SetStuck(false)
	for range 15 {
		r.next(t)
	}
	checkMass(t, r.next(t), state)
}

// BenchmarkSense is one full read (data-ready flag and measured values,
// four transfers, CRC checks and conversion) on the simulated bus.
func BenchmarkSense(b *testing.B) {
	r := newRig(b, air.Fixed(air.Clean), sps30sim.Opts{})
	// A long run passes a week of simulated time, when the default
	// auto-cleaning would hold the readings for 10 s.
	if err := r.dev.SetAutoCleanInterval(0); err != nil {
		b.Fatal(err)
	}
	if err := r.dev.Start(); err != nil {
		b.Fatal(err)
	}
	var got sps30.Reading
	b.ReportAllocs()
	for b.Loop() {
		r.clk.Advance(time.Second)
		if err := r.dev.Sense(&got); err != nil {
			b.Fatal(err)
		}
	}
}
