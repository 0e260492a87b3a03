package sen5x_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/drivers/sen5x"
	"github.com/ventd/ventd/testbench/air"
	"github.com/ventd/ventd/testbench/i2csim"
	"github.com/ventd/ventd/testbench/sen5xsim"
)

type rig struct {
	clk *clock.Sim
	bus *i2csim.Bus
	sim *sen5xsim.Device
	dev *sen5x.Dev
}

func newRig(t testing.TB, src air.Source, o sen5xsim.Opts) *rig {
	t.Helper()
	clk := clock.NewSim(t0, 0)
	bus := i2csim.New("sim", clk.Sleep)
	sim := sen5xsim.New(clk, src, o)
	bus.Attach(sen5x.DefaultAddr, sim)
	dev, err := sen5x.New(bus, &sen5x.Opts{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	return &rig{clk: clk, bus: bus, sim: sim, dev: dev}
}

func (r *rig) next(t testing.TB) sen5x.Reading {
	t.Helper()
	r.clk.Sleep(time.Second)
	var got sen5x.Reading
	if err := r.dev.Sense(&got); err != nil {
		t.Fatalf("at %v: Sense: %v", r.clk.Now().Sub(t0), err)
	}
	return got
}

func TestIdentity(t *testing.T) {
	r := newRig(t, air.Fixed(air.Clean), sen5xsim.Opts{Product: "SEN54", Serial: "ABCDEF0123456789"})
	if r.dev.Variant() != sen5x.SEN54 || r.dev.Variant().HasNOx() || !r.dev.Variant().HasGas() {
		t.Errorf("Variant = %v", r.dev.Variant())
	}
	if got := r.dev.String(); got != "SEN54{sim 0x69 ABCDEF0123456789}" {
		t.Errorf("String = %q", got)
	}
}

func TestNewAbsent(t *testing.T) {
	clk := clock.NewSim(t0, 0)
	_, err := sen5x.New(i2csim.New("sim", clk.Sleep), &sen5x.Opts{Clock: clk})
	if !errors.Is(err, i2csim.ErrNACK) || !strings.Contains(err.Error(), "no SEN5x answering at 0x69") {
		t.Fatalf("New on an empty bus = %v", err)
	}
}

// TestReadings: the true air comes back within the sensor's resolution;
// what is unknown (a SEN54's NOx, the NOx index in its first 10 s, the
// VOC index in its start-up) is NaN, never 0.
func TestReadings(t *testing.T) {
	for _, product := range []string{"SEN55", "SEN54", "SEN50"} {
		t.Run(product, func(t *testing.T) {
			r := newRig(t, air.Fixed(air.Clean), sen5xsim.Opts{Product: product, Ideal: true})
			if err := r.dev.Start(); err != nil {
				t.Fatal(err)
			}
			first := r.next(t)
			if !math.IsNaN(first.NOxIndex) || !math.IsNaN(first.VOCIndex) {
				t.Errorf("first second: VOC %v NOx %v, want unknown (NaN)", first.VOCIndex, first.NOxIndex)
			}
			var got sen5x.Reading
			for range 120 {
				got = r.next(t)
			}
			if got.MassPM1 != 3 || got.MassPM25 != 5 || got.MassPM4 != 6 || got.MassPM10 != 8 {
				t.Errorf("PM = %v %v %v %v, want 3 5 6 8", got.MassPM1, got.MassPM25, got.MassPM4, got.MassPM10)
			}
			gas, nox := product != "SEN50", product == "SEN55"
			if gas != (got.Humidity == 45 && got.Temperature == 21) || !gas && !math.IsNaN(got.Humidity) {
				t.Errorf("RH %v T %v for a %s", got.Humidity, got.Temperature, product)
			}
			if gas != (got.VOCIndex >= 1 && got.VOCIndex <= 500) || !gas && !math.IsNaN(got.VOCIndex) {
				t.Errorf("VOC index %v for a %s", got.VOCIndex, product)
			}
			if nox != (got.NOxIndex >= 1 && got.NOxIndex <= 500) || !nox && !math.IsNaN(got.NOxIndex) {
				t.Errorf("NOx index %v for a %s", got.NOxIndex, product)
			}
			var again sen5x.Reading
			if err := r.dev.Sense(&again); !errors.Is(err, sen5x.ErrNotReady) {
				t.Errorf("Sense right after a read = %v, want ErrNotReady", err)
			}
		})
	}
}

// TestStartWhileMeasuring: after a daemon restart the sensor is still
// measuring and refuses Start; Start stops and starts it.
func TestStartWhileMeasuring(t *testing.T) {
	r := newRig(t, air.Fixed(air.Clean), sen5xsim.Opts{})
	if err := r.dev.Start(); err != nil {
		t.Fatal(err)
	}
	if err := r.dev.Start(); err != nil {
		t.Fatalf("Start while measuring: %v", err)
	}
	r.next(t)
	if err := r.dev.Halt(); err != nil || r.sim.Measuring() {
		t.Fatalf("Halt = %v, measuring %v", err, r.sim.Measuring())
	}
	if err := r.dev.Halt(); err != nil {
		t.Errorf("Halt when idle = %v, want nil", err)
	}
}

// TestVOCStateAcrossPowerCycle: the learned state read while measuring and
// written back in idle survives a power cycle; without it the sensor
// starts learning again.
func TestVOCStateAcrossPowerCycle(t *testing.T) {
	r := newRig(t, air.Fixed(air.Clean), sen5xsim.Opts{})
	if err := r.dev.Start(); err != nil {
		t.Fatal(err)
	}
	r.clk.Sleep(2 * time.Hour)
	st, err := r.dev.VOCState()
	if err != nil {
		t.Fatal(err)
	}
	if st == [8]byte{} {
		t.Fatal("VOC state after 2 h is all zeros")
	}
	r.sim.PowerCycle()
	r.clk.Sleep(time.Second)
	if err := r.dev.SetVOCState(st); err != nil {
		t.Fatal(err)
	}
	if err := r.dev.Start(); err != nil {
		t.Fatal(err)
	}
	if err := r.dev.SetVOCState(st); err == nil {
		t.Error("SetVOCState while measuring succeeded; the datasheet allows it in idle only")
	}
	r.clk.Sleep(2 * time.Minute)
	got, err := r.dev.VOCState()
	if err != nil {
		t.Fatal(err)
	}
	if got[0] != st[0] || got[1] != st[1] {
		t.Errorf("state after restore %x, saved %x: the learned mean was lost", got, st)
	}
}

func TestFanFailureStatus(t *testing.T) {
	r := newRig(t, air.Fixed(air.Clean), sen5xsim.Opts{})
	if err := r.dev.Start(); err != nil {
		t.Fatal(err)
	}
	r.sim.SetFanFailure(true)
	r.clk.Sleep(10 * time.Second)
	st, err := r.dev.ReadAndClearStatus()
	if err != nil {
		t.Fatal(err)
	}
	if !st.PMFailing() || !strings.Contains(st.String(), "fan failure") {
		t.Errorf("status = %v, want a fan failure", st)
	}
	r.sim.SetFanFailure(false)
	r.clk.Sleep(2 * time.Second)
	if st, err := r.dev.Status(); err != nil || st.Failing() {
		t.Errorf("after clearing with the fan free: %v, %v", st, err)
	}
	if err := r.dev.CleanFan(); err != nil {
		t.Fatal(err)
	}
	if st, _ := r.dev.Status(); st&sen5x.FanCleaning == 0 || st.Failing() || st.String() != "ok" {
		t.Errorf("status while cleaning = %v (%x)", st, uint32(st))
	}
}
