package pca9685sim

import (
	"errors"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/testbench/i2csim"
)

const addr = 0x40

func setup(t *testing.T) (*i2csim.Bus, *Dev, *clock.Sim) {
	t.Helper()
	clk := clock.NewSim(time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), 0)
	bus := i2csim.New("I2C1", clk.Sleep)
	d := New(clk)
	bus.Attach(addr, d)
	return bus, d, clk
}

func write(t *testing.T, bus *i2csim.Bus, w ...byte) {
	t.Helper()
	if err := bus.Tx(addr, w, nil); err != nil {
		t.Fatalf("write % x: %v", w, err)
	}
}

func read(t *testing.T, bus *i2csim.Bus, r byte, n int) []byte {
	t.Helper()
	b := make([]byte, n)
	if err := bus.Tx(addr, []byte{r}, b); err != nil {
		t.Fatalf("read 0x%02x: %v", r, err)
	}
	return b
}

func TestPowerOn(t *testing.T) {
	bus, d, _ := setup(t)
	if got := read(t, bus, Mode1, 1)[0]; got != 0x11 {
		t.Errorf("MODE1 = 0x%02x, want 0x11 (SLEEP, ALLCALL)", got)
	}
	if got := read(t, bus, Prescale, 1)[0]; got != 0x1E {
		t.Errorf("PRE_SCALE = 0x%02x, want 0x1E", got)
	}
	if f := d.Frequency(); f < 195 || f > 205 { // the data sheet calls 196.9 Hz "200 Hz"
		t.Errorf("frequency %.1f Hz, want about 200 Hz", f)
	}
	for ch := 0; ch < 16; ch++ {
		if d.Duty(ch) != 0 {
			t.Errorf("channel %d duty %g at power-on, want 0", ch, d.Duty(ch))
		}
	}
}

func TestPrescaleOnlyInSleep(t *testing.T) {
	bus, d, clk := setup(t)
	write(t, bus, Prescale, 5)
	if d.Reg(Prescale) != 5 {
		t.Fatalf("PRE_SCALE = %d after a write in sleep, want 5", d.Reg(Prescale))
	}
	write(t, bus, Mode1, AI)
	clk.Advance(OscillatorStart)
	write(t, bus, Prescale, 100)
	if d.Reg(Prescale) != 5 {
		t.Errorf("PRE_SCALE = %d after a write while awake, want it blocked at 5", d.Reg(Prescale))
	}
	if len(d.Violations()) != 1 {
		t.Errorf("violations %q, want the blocked write", d.Violations())
	}
	write(t, bus, Mode1, AI|Sleep)
	write(t, bus, Prescale, 1)
	if d.Reg(Prescale) != 3 {
		t.Errorf("PRE_SCALE = %d after writing 1, want the hardware minimum 3", d.Reg(Prescale))
	}
}

func TestAutoIncrement(t *testing.T) {
	bus, d, _ := setup(t)
	// Without AI every byte lands on the same register.
	write(t, bus, LED0, 1, 2, 3)
	if got := read(t, bus, LED0, 2); got[0] != 3 || got[1] != 3 {
		t.Errorf("without AI: LED0_ON_L read % x, want the last byte, twice", got)
	}
	write(t, bus, Mode1, AI)
	write(t, bus, LED0+4*15, 0x00, 0x00, 0x00, 0x08, AI|0x01)
	if d.Reg(LED0+4*15+3) != 0x08 {
		t.Errorf("LED15_OFF_H = 0x%02x, want 0x08", d.Reg(LED0+4*15+3))
	}
	if d.Reg(Mode1) != AI|0x01 {
		t.Errorf("MODE1 = 0x%02x: auto-increment past LED15_OFF_H must roll over to MODE1", d.Reg(Mode1))
	}
	if d.Duty(15) != 0.5 {
		t.Errorf("channel 15 duty %g, want 0.5", d.Duty(15))
	}
}

func TestReservedNotAcknowledged(t *testing.T) {
	bus, _, _ := setup(t)
	err := bus.Tx(addr, []byte{0x50, 1}, nil)
	if !errors.Is(err, i2csim.ErrNACK) {
		t.Errorf("write to reserved 0x50: %v, want a NACK", err)
	}
}

func TestAllLED(t *testing.T) {
	bus, d, _ := setup(t)
	write(t, bus, Mode1, AI)
	write(t, bus, AllLED, 0, 0x10, 0, 0)
	for ch := 0; ch < 16; ch++ {
		if d.Duty(ch) != 1 {
			t.Fatalf("channel %d duty %g after ALL_LED full on, want 1", ch, d.Duty(ch))
		}
	}
	if got := read(t, bus, AllLED, 2); got[1] != 0 {
		t.Errorf("ALL_LED_ON_H read 0x%02x, want 0 (write-only)", got[1])
	}
}

func TestSleepAndRestart(t *testing.T) {
	bus, d, clk := setup(t)
	write(t, bus, Mode1, AI)
	write(t, bus, LED0, 0, 0, 0x00, 0x04) // 25%
	if d.Duty(0) != 0.25 {
		t.Fatalf("duty %g, want 0.25", d.Duty(0))
	}
	write(t, bus, Mode1, AI|Sleep)
	if d.Duty(0) != 0 || d.Reg(Mode1)&Restart == 0 {
		t.Fatalf("asleep: duty %g, MODE1 0x%02x; want 0 and RESTART set", d.Duty(0), d.Reg(Mode1))
	}
	write(t, bus, Mode1, AI)
	if d.Duty(0) != 0 {
		t.Errorf("awake before RESTART: duty %g, want 0", d.Duty(0))
	}
	clk.Advance(OscillatorStart)
	write(t, bus, Mode1, AI|Restart)
	if d.Duty(0) != 0.25 || d.Reg(Mode1)&Restart != 0 {
		t.Errorf("after RESTART: duty %g, MODE1 0x%02x; want 0.25 and RESTART clear", d.Duty(0), d.Reg(Mode1))
	}
	if v := d.Violations(); len(v) != 0 {
		t.Errorf("violations %q", v)
	}
}

func TestRestartTooEarly(t *testing.T) {
	bus, d, _ := setup(t)
	write(t, bus, Mode1, AI)
	write(t, bus, LED0, 0, 0x10, 0, 0)
	write(t, bus, Mode1, AI|Sleep)
	write(t, bus, Mode1, AI)
	write(t, bus, Mode1, AI|Restart)
	if len(d.Violations()) != 1 {
		t.Errorf("violations %q, want RESTART before the oscillator settled", d.Violations())
	}
}

func TestInvert(t *testing.T) {
	bus, d, _ := setup(t)
	write(t, bus, Mode1, AI)
	write(t, bus, Mode2, Invrt|0x04)
	write(t, bus, LED0+4, 0, 0x02, 0, 0x06) // ON 512, OFF 1536: 25%
	if d.Duty(1) != 0.75 {
		t.Errorf("inverted duty %g, want 0.75", d.Duty(1))
	}
}

func TestPowerCycle(t *testing.T) {
	bus, d, _ := setup(t)
	write(t, bus, Mode1, AI)
	write(t, bus, LED0, 0, 0x10, 0, 0)
	d.PowerCycle()
	if d.Duty(0) != 0 || !d.Asleep() {
		t.Errorf("after power cycle: duty %g, asleep %v; want 0, true", d.Duty(0), d.Asleep())
	}
}
