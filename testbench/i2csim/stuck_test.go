package i2csim

import (
	"errors"
	"syscall"
	"testing"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/pin"

	"github.com/ventd/ventd/drivers/i2cclear"
)

func TestStuckBusFailsEveryAddressUntilCleared(t *testing.T) {
	b := New("sim", nil)
	b.Attach(0x69, &echo{})
	b.Attach(0x62, &echo{})
	b.Inject(0x69, Fault{Kind: FaultStuckBus, Count: 1, Clocks: 4})
	err := b.Tx(0x69, []byte{1}, nil)
	var se *BusStuckError
	if !errors.As(err, &se) || se.Holder != 0x69 || !errors.Is(err, ErrBusStuck) || !errors.Is(err, syscall.ETIMEDOUT) {
		t.Fatalf("transfer that got the bus stuck: %v", err)
	}
	if err := b.Tx(0x62, []byte{1}, nil); !errors.Is(err, ErrBusStuck) {
		t.Fatalf("another device's transfer on the stuck bus: %v, want ErrBusStuck", err)
	}
	if !b.Stuck() {
		t.Fatal("Stuck() = false while a device holds SDA")
	}
	if err := b.ClearBus(); err != nil {
		t.Fatalf("ClearBus: %v", err)
	}
	if b.Stuck() {
		t.Fatal("still stuck after a bus clear")
	}
	for _, a := range []uint16{0x62, 0x69} {
		if err := b.Tx(a, []byte{2}, nil); err != nil {
			t.Errorf("transfer to 0x%02x after the clear: %v (the pins must be back in their I2C function)", a, err)
		}
	}
}

// TestStuckBusNeedsTheClocksAndAStop drives the lines by hand: the device
// lets go after its remaining bits are clocked out, and the bus is idle
// only after a STOP.
func TestStuckBusNeedsTheClocksAndAStop(t *testing.T) {
	b := New("sim", nil)
	b.Attach(0x59, &echo{})
	b.Inject(0x59, Fault{Kind: FaultStuckBus, Count: 1, Clocks: 2})
	b.Tx(0x59, []byte{1}, nil)
	scl, sda := b.Lines()
	if f := scl.(pin.PinFunc).Func(); f != "I2C_SCL" {
		t.Fatalf("SCL starts as %q, want its I2C function", f)
	}
	sda.In(gpio.PullUp, gpio.NoEdge)
	if sda.Read() != gpio.Low {
		t.Fatal("SDA reads high while the device holds it")
	}
	if err := b.Tx(0x59, nil, make([]byte, 1)); err == nil {
		t.Fatal("a transfer went through with SDA switched to GPIO")
	}
	for i := 0; i < 2; i++ {
		scl.Out(gpio.Low)
		scl.In(gpio.PullUp, gpio.NoEdge)
	}
	if sda.Read() != gpio.High {
		t.Fatal("the device still holds SDA after its two remaining clocks")
	}
	if !b.Stuck() {
		t.Fatal("idle without a STOP")
	}
	if err := sda.Out(gpio.High); err == nil {
		t.Error("driving SDA high was allowed; on an open-drain bus it shorts a device holding it low")
	}
	scl.Out(gpio.Low)
	sda.Out(gpio.Low)
	scl.In(gpio.PullUp, gpio.NoEdge)
	sda.In(gpio.PullUp, gpio.NoEdge) // STOP: SDA rises while SCL is high
	if b.Stuck() {
		t.Fatal("still stuck after the STOP")
	}
	scl.(pin.PinFunc).SetFunc("I2C_SCL")
	sda.(pin.PinFunc).SetFunc("I2C_SDA")
	if err := b.Tx(0x59, []byte{1}, nil); err != nil {
		t.Fatalf("transfer after the clear: %v", err)
	}
}

func TestLockedUpDeviceNeedsAPowerCycle(t *testing.T) {
	b := New("sim", nil)
	b.Attach(0x62, &echo{})
	b.Inject(0x62, Fault{Kind: FaultStuckBus, Count: 1, Clocks: Forever})
	b.Tx(0x62, []byte{1}, nil)
	if err := b.ClearBus(); !errors.Is(err, i2cclear.ErrSDAStuck) {
		t.Fatalf("ClearBus on a locked-up device: %v, want ErrSDAStuck", err)
	}
	if !b.Stuck() {
		t.Fatal("a locked-up device was freed by a bus clear")
	}
	b.ClearFaults(0x62) // its power cycle
	if err := b.Tx(0x62, []byte{1}, nil); err != nil {
		t.Fatalf("after the power cycle: %v", err)
	}
}
