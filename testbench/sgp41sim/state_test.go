package sgp41sim_test

import (
	"math"
	"testing"
	"time"

	"github.com/ventd/ventd/drivers/sensirion"
	"github.com/ventd/ventd/testbench/air"
	"github.com/ventd/ventd/testbench/sgp41sim"
)

func selfTest(t *testing.T, r *rig) uint16 {
	t.Helper()
	return r.cmd(t, []byte{0x28, 0x0e}, 320*time.Millisecond, 1)[0]
}

func TestConditioningAndDamage(t *testing.T) {
	r := newRig(air.Fixed(air.Clean), sgp41sim.Opts{})
	r.condition(t)
	measure(t, r, 0x8000, 0x6666)
	if r.dev.NOxDamaged() || selfTest(t, r) != 0 {
		t.Fatal("datasheet conditioning damaged the sensor")
	}
	// A conditioning run that nobody ends passes 10 s on its own.
	r.cmd(t, append([]byte{0x26, 0x12}, defaults...), 50*time.Millisecond, 1)
	r.clk.Sleep(9 * time.Second)
	if r.dev.NOxDamaged() {
		t.Fatal("damaged at 9 s")
	}
	r.clk.Sleep(2 * time.Second)
	if !r.dev.NOxDamaged() {
		t.Fatal("11 s of conditioning left the NOx pixel intact")
	}
	if got := selfTest(t, r); got != 0x0002 {
		t.Fatalf("self-test = 0x%04x, want the NOx bit", got)
	}
	// Damage outlives a power cycle.
	r.dev.PowerCycle()
	if got := selfTest(t, r); got != 0x0002 {
		t.Fatalf("after power cycle: self-test = 0x%04x", got)
	}
	r.dev.SetSelfTestFailure(true, false)
	if got := selfTest(t, r); got != 0x0003 {
		t.Fatalf("self-test = 0x%04x, want both bits", got)
	}
}

func TestNOxNeedsConditioning(t *testing.T) {
	cond := newRig(air.Fixed(air.Clean), sgp41sim.Opts{Noise: -1})
	cond.condition(t)
	bare := newRig(air.Fixed(air.Clean), sgp41sim.Opts{Noise: -1})
	_, nc := measure(t, cond, 0x8000, 0x6666)
	_, nb := measure(t, bare, 0x8000, 0x6666)
	if int(nb)-int(nc) < 1500 {
		t.Fatalf("unconditioned NOx %d, conditioned %d: want an offset", nb, nc)
	}
	for range 10 * 60 {
		bare.clk.Sleep(time.Second)
		_, nb = measure(t, bare, 0x8000, 0x6666)
	}
	if int(nb)-int(nc) > 10 {
		t.Fatalf("after 10 min the unconditioned NOx %d still differs from %d", nb, nc)
	}
}

func TestHeaterOffState(t *testing.T) {
	r := newRig(air.Fixed(air.Clean), sgp41sim.Opts{})
	if r.dev.HeaterOn() {
		t.Fatal("heater on at power-up")
	}
	// A self-test in idle returns to idle.
	selfTest(t, r)
	if r.dev.HeaterOn() {
		t.Fatal("self-test left the heater on")
	}
	measure(t, r, 0x8000, 0x6666)
	if !r.dev.HeaterOn() {
		t.Fatal("measuring left the heater off")
	}
	selfTest(t, r)
	if !r.dev.HeaterOn() {
		t.Fatal("a self-test while measuring switched the heater off")
	}
	r.cmd(t, []byte{0x36, 0x15}, time.Millisecond, 0)
	if r.dev.HeaterOn() {
		t.Fatal("heater on after turn_heater_off")
	}
}

func TestStuck(t *testing.T) {
	var a air.State = air.Clean
	r := newRig(air.Func(func(time.Time) air.State { return a }), sgp41sim.Opts{})
	r.condition(t)
	v1, n1 := measure(t, r, 0x8000, 0x6666)
	r.dev.SetStuck(true)
	a.VOC, a.NOx = 3000, 80
	for range 30 {
		r.clk.Sleep(time.Second)
		if v, n := measure(t, r, 0x8000, 0x6666); v != v1 || n != n1 {
			t.Fatalf("stuck sensor moved: %d/%d → %d/%d", v1, n1, v, n)
		}
	}
	r.dev.SetStuck(false)
	r.clk.Sleep(10 * time.Second)
	if v, _ := measure(t, r, 0x8000, 0x6666); int(v1)-int(v) < 350 {
		t.Fatalf("released sensor reads %d, was %d before 3000 ppb", v, v1)
	}
}

func TestCompensationMismatch(t *testing.T) {
	humid := air.Clean
	humid.Humidity, humid.Temperature = 70, 24
	read := func(rh, tc float64) float64 {
		r := newRig(air.Fixed(humid), sgp41sim.Opts{Noise: -1})
		rhT := uint16(math.Round(rh * 65535 / 100))
		tT := uint16(math.Round((tc + 45) * 65535 / 175))
		w := r.cmd(t, sensirion.Command(0x2619, rhT, tT), 50*time.Millisecond, 2)
		return float64(w[0])
	}
	matched := read(70, 24)
	uncomp := read(50, 25)
	// Humid air read as 50 %RH lowers the signal, a little: far less than
	// a smoking session's thousands of ticks.
	if d := matched - uncomp; d < 20 || d > 200 {
		t.Fatalf("matched %v, uncompensated %v: want a small shift", matched, uncomp)
	}
}
