package i2cclear_test

import (
	"errors"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/drivers/i2cclear"
	"github.com/ventd/ventd/testbench/i2csim"
)

// sim is an unpaced simulated clock for the half periods.
func sim() *i2cclear.Opts {
	return &i2cclear.Opts{Sleep: clock.NewSim(time.Time{}, 0).Sleep}
}

// device is a test device that answers nothing in particular.
type device struct{}

func (device) Write([]byte) error { return nil }
func (device) Read([]byte) error  { return nil }

// stuckBus is a simulated bus where the device at 0x69 holds SDA until
// clocks pulses.
func stuckBus(t *testing.T, clocks int) *i2csim.Bus {
	t.Helper()
	b := i2csim.New("sim", nil)
	b.Attach(0x69, device{})
	b.Inject(0x69, i2csim.Fault{Kind: i2csim.FaultStuckBus, Count: 1, Clocks: clocks})
	if err := b.Tx(0x69, nil, make([]byte, 3)); !errors.Is(err, i2csim.ErrBusStuck) {
		t.Fatalf("injected stuck bus: %v", err)
	}
	return b
}

func TestClearTakesTheClocksTheDeviceNeeds(t *testing.T) {
	for _, clocks := range []int{1, 3, 9} {
		b := stuckBus(t, clocks)
		scl, sda := b.Lines()
		n, err := i2cclear.Clear(scl, sda, sim())
		if err != nil || n != clocks {
			t.Errorf("device needing %d clocks: %d pulses, %v", clocks, n, err)
		}
		if b.Stuck() {
			t.Errorf("device needing %d clocks: bus still stuck (no STOP?)", clocks)
		}
	}
}

func TestClearLockedUpDevice(t *testing.T) {
	b := stuckBus(t, i2csim.Forever)
	scl, sda := b.Lines()
	n, err := i2cclear.Clear(scl, sda, sim())
	if !errors.Is(err, i2cclear.ErrSDAStuck) || n != i2cclear.Pulses {
		t.Fatalf("locked-up device: %d pulses, %v; want nine and ErrSDAStuck", n, err)
	}
}

// TestClearIdleBus: on gpiotest pins nothing holds SDA, so no pulse is
// sent, and the STOP leaves both lines released, never driven high.
func TestClearIdleBus(t *testing.T) {
	scl := &gpiotest.Pin{N: "GPIO3", Num: 3}
	sda := &gpiotest.Pin{N: "GPIO2", Num: 2}
	n, err := i2cclear.Clear(scl, sda, sim())
	if err != nil || n != 0 {
		t.Fatalf("idle bus: %d pulses, %v", n, err)
	}
	for _, p := range []*gpiotest.Pin{scl, sda} {
		if p.Read() != gpio.High || p.Pull() != gpio.PullUp {
			t.Errorf("%s left at %v with pull %v, want released to its pull-up", p, p.Read(), p.Pull())
		}
	}
}

// heldLow is a gpiotest pin some device keeps low.
type heldLow struct{ *gpiotest.Pin }

func (heldLow) Read() gpio.Level { return gpio.Low }

func TestClearSCLHeld(t *testing.T) {
	scl := heldLow{&gpiotest.Pin{N: "GPIO3", Num: 3}}
	sda := &gpiotest.Pin{N: "GPIO2", Num: 2}
	if _, err := i2cclear.Clear(scl, sda, sim()); !errors.Is(err, i2cclear.ErrSCLStuck) {
		t.Fatalf("SCL held low: %v, want ErrSCLStuck", err)
	}
}

func TestClearPinsRestoresTheI2CFunction(t *testing.T) {
	b := stuckBus(t, 5)
	scl, sda := b.Lines()
	n, err := i2cclear.ClearPins(scl, sda, sim())
	if err != nil || n != 5 {
		t.Fatalf("ClearPins: %d pulses, %v", n, err)
	}
	if err := b.Tx(0x69, []byte{1}, nil); err != nil {
		t.Fatalf("transfer after ClearPins: %v (the pins must be back on I2C)", err)
	}
	b.Inject(0x69, i2csim.Fault{Kind: i2csim.FaultStuckBus, Count: 1})
	b.Tx(0x69, nil, nil)
	if err := (i2cclear.Pins{SCL: scl, SDA: sda, Opts: sim()}).ClearBus(); err != nil || b.Stuck() {
		t.Fatalf("Pins.ClearBus: %v, stuck %v", err, b.Stuck())
	}
}

// TestClearPinsWithoutPinControl: gpiotest pins, like a Pi 5's through
// the GPIO character device, cannot be switched back to I2C.
func TestClearPinsWithoutPinControl(t *testing.T) {
	unknown := &gpiotest.Pin{N: "GPIO3", Num: 3}
	if _, err := i2cclear.ClearPins(unknown, &gpiotest.Pin{N: "GPIO2", Num: 2}, sim()); !errors.Is(err, i2cclear.ErrNoPinControl) {
		t.Fatalf("pins of unknown function: %v, want ErrNoPinControl", err)
	}
	scl := &gpiotest.Pin{N: "GPIO3", Num: 3, Fn: "I2C1_SCL"}
	sda := &gpiotest.Pin{N: "GPIO2", Num: 2, Fn: "I2C1_SDA"}
	if _, err := i2cclear.ClearPins(scl, sda, sim()); !errors.Is(err, i2cclear.ErrNoPinControl) {
		t.Fatalf("pins that cannot be switched back: %v, want ErrNoPinControl", err)
	}
}

func TestPiPins(t *testing.T) {
	if scl, sda, err := i2cclear.PiPins(1); err != nil || scl != "GPIO3" || sda != "GPIO2" {
		t.Errorf("bus 1: %s %s %v", scl, sda, err)
	}
	if _, _, err := i2cclear.PiPins(2); err == nil {
		t.Error("bus 2 (the HAT EEPROM's, not for sensors) has no pins here")
	}
}
