package fan_test

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"periph.io/x/conn/v3/physic"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/drivers/fan"
	"github.com/ventd/ventd/testbench/i2csim"
	"github.com/ventd/ventd/testbench/pca9685sim"
)

func simPCA(t testing.TB) (*i2csim.Bus, *pca9685sim.Dev, *clock.Sim) {
	t.Helper()
	clk := clock.NewSim(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), 0)
	bus := i2csim.New("I2C1", clk.Sleep)
	sim := pca9685sim.New(clk)
	bus.Attach(0x40, sim)
	return bus, sim, clk
}

func noViolations(t *testing.T, sim *pca9685sim.Dev) {
	t.Helper()
	if v := sim.Violations(); len(v) > 0 {
		t.Errorf("the chip was misused: %q", v)
	}
}

// near reports whether a 12-bit duty matches want to within one count.
func near(got, want float64) bool { return math.Abs(got-want) <= 1.0/4096 }

func TestPrescale(t *testing.T) {
	for _, tc := range []struct {
		f    physic.Frequency
		want byte
	}{
		{200 * physic.Hertz, 30}, // the data sheet's example: 0x1E
		{50 * physic.Hertz, 121},
		{physic.KiloHertz, 5}, // periph's formula gives 6, i.e. 872 Hz
		{1500 * physic.Hertz, 3},
		{1526 * physic.Hertz, 3},
		{1700 * physic.Hertz, 3}, // rounds to 3, 10% off: the step there is 20%
		{24 * physic.Hertz, 253},
		{23 * physic.Hertz, 255}, // within 5% of the bottom: clamped
	} {
		got, err := fan.Prescale(tc.f)
		if err != nil || got != tc.want {
			t.Errorf("Prescale(%s) = %d, %v; want %d", tc.f, got, err, tc.want)
		}
	}
	for _, f := range []physic.Frequency{25 * physic.KiloHertz, 1800 * physic.Hertz, 20 * physic.Hertz, 0, -physic.Hertz} {
		if _, err := fan.Prescale(f); err == nil {
			t.Errorf("Prescale(%s): no error, want unreachable", f)
		}
	}
	if f := fan.PrescaleFrequency(5); math.Abs(f-1017.25) > 0.01 {
		t.Errorf("PrescaleFrequency(5) = %g, want 1017.25", f)
	}
}

func TestPCA9685FreshChip(t *testing.T) {
	bus, sim, clk := simPCA(t)
	o, err := fan.NewPCA9685(bus, fan.PCA9685Opts{Channel: 3, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	if o.String() != "I2C1/pca9685@0x40/ch3" {
		t.Errorf("String() = %q", o.String())
	}
	if sim.Asleep() || math.Abs(sim.Frequency()-1017.25) > 0.01 {
		t.Errorf("asleep %v at %.2f Hz, want awake at 1017.25 Hz", sim.Asleep(), sim.Frequency())
	}
	for _, d := range []float64{0.6, 0, 1, 0.001, 0.35} {
		if err := o.SetDuty(d); err != nil {
			t.Fatal(err)
		}
		if got := sim.Duty(3); !near(got, d) {
			t.Errorf("SetDuty(%g): chip duty %g", d, got)
		}
	}
	noViolations(t, sim)
}

func TestPCA9685RestartKeepsFansRunning(t *testing.T) {
	bus, sim, clk := simPCA(t)
	o, err := fan.NewPCA9685(bus, fan.PCA9685Opts{Channel: 0, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	if err := o.SetDuty(1); err != nil { // the safe duty, before exit
		t.Fatal(err)
	}
	if err := o.Halt(); err != nil {
		t.Fatal(err)
	}
	if sim.Duty(0) != 1 {
		t.Fatalf("after Halt: duty %g, want 1", sim.Duty(0))
	}
	// ventd starts again, same frequency: nothing to change.
	n := bus.Transfers()
	if _, err := fan.NewPCA9685Chip(bus, fan.PCA9685ChipOpts{Clock: clk}); err != nil {
		t.Fatal(err)
	}
	if sim.Duty(0) != 1 {
		t.Errorf("after restart: duty %g, want 1", sim.Duty(0))
	}
	if got := bus.Transfers() - n; got != 3 {
		t.Errorf("restart took %d transfers, want 3 reads and no writes", got)
	}
	// A new frequency needs sleep, PRE_SCALE and RESTART; the fan resumes.
	if _, err := fan.NewPCA9685Chip(bus, fan.PCA9685ChipOpts{Frequency: 500 * physic.Hertz, Clock: clk}); err != nil {
		t.Fatal(err)
	}
	if sim.Duty(0) != 1 || sim.Reg(pca9685sim.Prescale) != 11 {
		t.Errorf("after a frequency change: duty %g, prescale %d; want 1, 11", sim.Duty(0), sim.Reg(pca9685sim.Prescale))
	}
	noViolations(t, sim)
}

func TestPCA9685SharedChip(t *testing.T) {
	bus, sim, clk := simPCA(t)
	chip, err := fan.NewPCA9685Chip(bus, fan.PCA9685ChipOpts{Frequency: 200 * physic.Hertz, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	duties := map[int]float64{0: 0.25, 7: 0.5, 15: 0.9}
	outs := map[int]*fan.PCA9685Output{}
	for ch := range duties {
		if outs[ch], err = chip.Output(ch, ch == 15); err != nil {
			t.Fatal(err)
		}
	}
	for ch, d := range duties {
		if err := outs[ch].SetDuty(d); err != nil {
			t.Fatal(err)
		}
	}
	for ch, d := range duties {
		want := d
		if ch == 15 {
			want = 1 - d // inverted by the wiring
		}
		if got := sim.Duty(ch); !near(got, want) {
			t.Errorf("channel %d: duty %g, want %g", ch, got, want)
		}
	}
	if _, err := chip.Output(7, false); err == nil || !strings.Contains(err.Error(), "already in use") {
		t.Errorf("second Output(7): %v, want already in use", err)
	}
	if _, err := chip.Output(16, false); err == nil || !strings.Contains(err.Error(), "channels 0 to 15") {
		t.Errorf("Output(16): %v", err)
	}
	if err := outs[7].Halt(); err != nil {
		t.Fatal(err)
	}
	if err := outs[7].SetDuty(1); !errors.Is(err, fan.ErrHalted) {
		t.Errorf("SetDuty after Halt: %v, want ErrHalted", err)
	}
	if _, err := chip.Output(7, false); err != nil {
		t.Errorf("Output(7) after Halt: %v", err)
	}
	if !near(sim.Duty(7), 0.5) {
		t.Errorf("halted channel duty %g, want it left at 0.5", sim.Duty(7))
	}
	if err := outs[0].SetDuty(math.NaN()); !errors.Is(err, fan.ErrDuty) {
		t.Errorf("SetDuty(NaN): %v, want ErrDuty", err)
	}
	noViolations(t, sim)
}

func TestPCA9685BrownOut(t *testing.T) {
	bus, sim, clk := simPCA(t)
	chip, err := fan.NewPCA9685Chip(bus, fan.PCA9685ChipOpts{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := chip.Output(0, false)
	b, _ := chip.Output(1, false)
	if err := a.SetDuty(0.8); err != nil {
		t.Fatal(err)
	}
	if err := b.SetDuty(0.4); err != nil {
		t.Fatal(err)
	}
	if err := a.Halt(); err != nil {
		t.Fatal(err)
	}
	sim.PowerCycle() // the fans' 12 V sagged and took the chip with it
	if err := b.SetDuty(0.5); err != nil {
		t.Fatal(err)
	}
	if !near(sim.Duty(0), 0.8) || !near(sim.Duty(1), 0.5) || math.Abs(sim.Frequency()-1017.25) > 0.01 {
		t.Errorf("after recovery: duties %g, %g at %.1f Hz; want 0.8, 0.5 at 1017.3 Hz", sim.Duty(0), sim.Duty(1), sim.Frequency())
	}
	if chip.Recoveries() != 1 {
		t.Errorf("Recoveries() = %d, want 1", chip.Recoveries())
	}
	noViolations(t, sim)
}

func TestPCA9685Errors(t *testing.T) {
	bus, _, clk := simPCA(t)
	_, err := fan.NewPCA9685(bus, fan.PCA9685Opts{Frequency: fan.DefaultFrequency, Clock: clk})
	if err == nil || !strings.Contains(err.Error(), "unreachable") || !strings.Contains(err.Error(), "kernel PWM") {
		t.Errorf("25 kHz: %v, want unreachable with the alternative", err)
	}
	_, err = fan.NewPCA9685(bus, fan.PCA9685Opts{Addr: 0x41, Clock: clk})
	if !errors.Is(err, i2csim.ErrNACK) || !strings.HasPrefix(err.Error(), "I2C1/pca9685@0x41: ") {
		t.Errorf("no chip at 0x41: %v, want a NACK under the chip's name", err)
	}
	o, err := fan.NewPCA9685(bus, fan.PCA9685Opts{Channel: 2, Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	bus.Disconnect(0x40)
	err = o.SetDuty(1)
	if !errors.Is(err, i2csim.ErrNACK) || !strings.HasPrefix(err.Error(), "fan I2C1/pca9685@0x40/ch2: ") {
		t.Errorf("disconnected: %v, want a NACK under the output's name", err)
	}
}

// A previous ventd woke the chip and died before writing RESTART: the
// channels wait stopped until someone restarts them.
func TestPCA9685ResumesStoppedChannels(t *testing.T) {
	bus, sim, clk := simPCA(t)
	w := func(b ...byte) {
		if err := bus.Tx(0x40, b, nil); err != nil {
			t.Fatal(err)
		}
	}
	w(pca9685sim.Prescale, 5)
	w(pca9685sim.Mode1, pca9685sim.AI)
	clk.Advance(pca9685sim.OscillatorStart)
	w(pca9685sim.LED0, 0, 0x10, 0, 0) // channel 0 full on
	w(pca9685sim.Mode1, pca9685sim.AI|pca9685sim.Sleep)
	w(pca9685sim.Mode1, pca9685sim.AI)
	if sim.Duty(0) != 0 {
		t.Fatalf("channel 0 duty %g, want stopped awaiting RESTART", sim.Duty(0))
	}
	if _, err := fan.NewPCA9685Chip(bus, fan.PCA9685ChipOpts{Clock: clk}); err != nil {
		t.Fatal(err)
	}
	if sim.Duty(0) != 1 {
		t.Errorf("channel 0 duty %g after NewPCA9685Chip, want 1", sim.Duty(0))
	}
	noViolations(t, sim)
}
