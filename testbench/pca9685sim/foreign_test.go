package pca9685sim_test

import (
	"math"
	"testing"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/physic"
	periphpca9685 "periph.io/x/devices/v3/pca9685"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/testbench/i2csim"
	"github.com/ventd/ventd/testbench/pca9685sim"
)

// The simulated PCA9685 runs a driver written by someone else: periph's
// own pca9685 package (v3.7.4), which knows nothing of ventd, with its
// own register sequence and its own waits on the wall clock (about
// 0.4 s). The answers are checked against the NXP data sheet (Rev. 4,
// section 7.3).
func TestPeriphsOwnDriverRunsTheTwin(t *testing.T) {
	bus := i2csim.New("sim", nil)
	sim := pca9685sim.New(clock.Real{})
	bus.Attach(periphpca9685.I2CAddr, sim)
	dev, err := periphpca9685.NewI2C(bus, periphpca9685.I2CAddr)
	if err != nil {
		t.Fatalf("periph's pca9685.NewI2C on the twin: %v", err)
	}
	// init: ALL_LED written before auto-increment is on, so its four
	// bytes all land in ALL_LED_ON_L (7.3.1: without AI the pointer stays
	// put) and every channel keeps its power-on full-off bit; MODE2 OUTDRV;
	// MODE1 ALLCALL|AI, awake; PRE_SCALE for 50 Hz by periph's rounding,
	// round(25 MHz / 4096 / 50) = 122, one more than the data sheet's
	// round(25 MHz / (4096·50)) - 1 = 121.
	if m := sim.Reg(pca9685sim.Mode1); m != pca9685sim.AI|0x01 {
		t.Errorf("MODE1 0x%02x after init, want 0x21 (AI, ALLCALL; awake, RESTART clear)", m)
	}
	if m := sim.Reg(pca9685sim.Mode2); m != 0x04 {
		t.Errorf("MODE2 0x%02x, want 0x04 (OUTDRV)", m)
	}
	if p := sim.Reg(pca9685sim.Prescale); p != 122 {
		t.Errorf("PRE_SCALE %d, want 122 (periph's rounding for 50 Hz)", p)
	}
	if f := sim.Frequency(); math.Abs(f-49.62) > 0.01 {
		t.Errorf("PWM frequency %.3f Hz, want 49.62 (25 MHz / (4096·123))", f)
	}
	for ch := range 16 {
		if h := sim.Reg(byte(pca9685sim.LED0 + 4*ch + 3)); h != 0x10 || sim.Duty(ch) != 0 {
			t.Errorf("channel %d after init: LEDn_OFF_H 0x%02x, duty %v: want the power-on full off 0x10, 0", ch, h, sim.Duty(ch))
		}
	}

	// SetPwm: ON and OFF counts, auto-increment on.
	if err := dev.SetPwm(3, 0, 2048); err != nil {
		t.Fatal(err)
	}
	if err := dev.SetPwm(4, 1024, 3072); err != nil {
		t.Fatal(err)
	}
	if d3, d4 := sim.Duty(3), sim.Duty(4); d3 != 0.5 || d4 != 0.5 {
		t.Errorf("duty %v and %v, want 0.5 (OFF 2048 from ON 0; OFF 3072 from ON 1024)", d3, d4)
	}
	if err := dev.SetFullOn(5); err != nil {
		t.Fatal(err)
	}
	if d := sim.Duty(5); d != 1 {
		t.Errorf("full on: duty %v, want 1", d)
	}
	if err := dev.SetFullOff(5); err != nil {
		t.Fatal(err)
	}
	if d := sim.Duty(5); d != 0 {
		t.Errorf("full off: duty %v, want 0 (full off wins over full on)", d)
	}
	// SetAllPwm: ALL_LED writes every channel's registers.
	if err := dev.SetAllPwm(0, 1024); err != nil {
		t.Fatal(err)
	}
	for ch := range 16 {
		if d := sim.Duty(ch); d != 0.25 {
			t.Errorf("after ALL_LED: channel %d duty %v, want 0.25", ch, d)
		}
	}
	var all [4]byte
	if err := bus.Tx(periphpca9685.I2CAddr, []byte{pca9685sim.AllLED}, all[:]); err != nil || all != [4]byte{} {
		t.Errorf("ALL_LED registers read % x, %v: want zeros (write-only, read as 0)", all, err)
	}

	// A frequency change while the channels run: SLEEP (RESTART set at
	// the end of the cycle), PRE_SCALE, wake, 100 ms, RESTART: the
	// channels resume with their duty.
	if err := dev.SetPwmFreq(200 * physic.Hertz); err != nil {
		t.Fatal(err)
	}
	if p := sim.Reg(pca9685sim.Prescale); p != 31 {
		t.Errorf("PRE_SCALE %d for 200 Hz, want 31 (periph's rounding)", p)
	}
	if m := sim.Reg(pca9685sim.Mode1); m&(pca9685sim.Restart|pca9685sim.Sleep) != 0 {
		t.Errorf("MODE1 0x%02x after the restart, want SLEEP and RESTART clear", m)
	}
	if d := sim.Duty(7); d != 0.25 {
		t.Errorf("duty %v after the restart, want 0.25 again", d)
	}

	// periph's gpio pin: half duty scaled to 12 bits; at 25 kHz its
	// PRE_SCALE rounds to 0 and the chip forces the minimum, 3 (7.3.5).
	pin, err := dev.CreatePin(9)
	if err != nil {
		t.Fatal(err)
	}
	if err := pin.PWM(gpio.DutyHalf, 25*physic.KiloHertz); err != nil {
		t.Fatal(err)
	}
	if p := sim.Reg(pca9685sim.Prescale); p != 3 {
		t.Errorf("PRE_SCALE %d after writing 0, want 3 (the hardware minimum)", p)
	}
	if f := sim.Frequency(); math.Abs(f-1525.88) > 0.01 {
		t.Errorf("frequency %.2f Hz, want 1525.88, the chip's highest", f)
	}
	if d := sim.Duty(9); d != 0.5 {
		t.Errorf("pin 9 duty %v, want 0.5", d)
	}
	if v := sim.Violations(); len(v) != 0 {
		t.Errorf("periph's driver misused the chip: %q", v)
	}
}
