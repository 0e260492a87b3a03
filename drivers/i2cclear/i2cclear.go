package i2cclear

import (
	"errors"
	"fmt"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/pin"
)

// Sentinel errors, matched with errors.Is.
var (
	// ErrSCLStuck means a device holds SCL low (it stretches the clock
	// forever): no clock pulse can be sent; power-cycle the bus's devices.
	ErrSCLStuck = errors.New("SCL held low by a device: the bus cannot be clocked; power-cycle the sensors on this bus")
	// ErrSDAStuck means SDA is still low after nine clock pulses and a
	// STOP: the device holding it is locked up; power-cycle it.
	ErrSDAStuck = errors.New("SDA still held low after nine clock pulses: power-cycle the sensors on this bus")
	// ErrNoPinControl means the host cannot switch the pins between
	// their I2C function and GPIO, so it cannot clear the bus.
	ErrNoPinControl = errors.New("this host cannot switch the I2C pins to GPIO and back")
)

// Pulses is how many clock pulses the specification allows a device to
// release SDA in: the rest of a byte and its acknowledge bit.
const Pulses = 9

// Opts tune a clear. The zero value (or nil) is the usual clear.
type Opts struct {
	// Sleep waits out each half period: the injected clock's Sleep; nil
	// means time.Sleep (the wall clock, as on a Pi).
	Sleep func(time.Duration)
	// HalfPeriod is how long each line level is held; 0 means 5 µs, a
	// 100 kHz clock, the standard mode every device accepts. A slower
	// clock is harmless: I2C has no minimum clock rate.
	HalfPeriod time.Duration
}

// Clear frees the bus on scl and sda, pins already switched to GPIO: it
// releases both lines (the bus's pull-ups raise them), clocks SCL until
// the device holding SDA lets it go, at most nine times, then sends a
// STOP. It returns how many pulses that took (0: SDA was not held).
//
// A line is only ever driven low or released, never driven high, as on an
// open-drain bus: driving SDA high against a device pulling it low would
// short the two.
func Clear(scl, sda gpio.PinIO, opts *Opts) (int, error) {
	var o Opts
	if opts != nil {
		o = *opts
	}
	if o.Sleep == nil {
		o.Sleep = time.Sleep
	}
	if o.HalfPeriod <= 0 {
		o.HalfPeriod = 5 * time.Microsecond
	}
	wait := func() { o.Sleep(o.HalfPeriod) }
	if err := release(sda); err != nil {
		return 0, fmt.Errorf("i2cclear: releasing SDA (%s): %w", sda, err)
	}
	if err := release(scl); err != nil {
		return 0, fmt.Errorf("i2cclear: releasing SCL (%s): %w", scl, err)
	}
	wait()
	if scl.Read() == gpio.Low {
		return 0, fmt.Errorf("i2cclear: %s: %w", scl, ErrSCLStuck)
	}
	pulses := 0
	for pulses < Pulses && sda.Read() == gpio.Low {
		if err := scl.Out(gpio.Low); err != nil {
			return pulses, fmt.Errorf("i2cclear: clocking SCL (%s): %w", scl, err)
		}
		wait()
		if err := release(scl); err != nil {
			return pulses, fmt.Errorf("i2cclear: clocking SCL (%s): %w", scl, err)
		}
		wait()
		pulses++
		if scl.Read() == gpio.Low {
			return pulses, fmt.Errorf("i2cclear: %s after %d pulses: %w", scl, pulses, ErrSCLStuck)
		}
	}
	// STOP: SDA rises while SCL is high. SDA goes low first, with SCL low
	// so that this is no START.
	steps := []struct {
		p    gpio.PinIO
		low  bool
		what string
	}{{scl, true, "SCL low"}, {sda, true, "SDA low"}, {scl, false, "SCL released"}, {sda, false, "SDA released (STOP)"}}
	for _, s := range steps {
		var err error
		if s.low {
			err = s.p.Out(gpio.Low)
		} else {
			err = release(s.p)
		}
		if err != nil {
			return pulses, fmt.Errorf("i2cclear: STOP, %s: %w", s.what, err)
		}
		wait()
	}
	if sda.Read() == gpio.Low {
		return pulses, fmt.Errorf("i2cclear: %s: %w", sda, ErrSDAStuck)
	}
	return pulses, nil
}

// release lets a line float up to the bus's pull-up. The pin's own weak
// pull-up helps a bus whose pull-up resistors are weak or missing.
func release(p gpio.PinIO) error { return p.In(gpio.PullUp, gpio.NoEdge) }

// ClearPins switches scl and sda from their I2C function to GPIO, clears
// the bus with Clear and switches them back, whatever happened. A pin
// whose function cannot be read or set (the host does not allow it) gives
// ErrNoPinControl and the bus is left as it was.
func ClearPins(scl, sda gpio.PinIO, opts *Opts) (int, error) {
	fs, ok1 := scl.(pin.PinFunc)
	fd, ok2 := sda.(pin.PinFunc)
	if !ok1 || !ok2 {
		return 0, fmt.Errorf("i2cclear: %s, %s: %w (no pin function control)", scl, sda, ErrNoPinControl)
	}
	was := [2]pin.Func{fs.Func(), fd.Func()}
	for i, f := range was {
		if f == pin.FuncNone || f == "" {
			return 0, fmt.Errorf("i2cclear: %s: function unknown: %w", []gpio.PinIO{scl, sda}[i], ErrNoPinControl)
		}
	}
	n, err := Clear(scl, sda, opts)
	// SDA first: once the controller has SCL back, it must find SDA
	// its own too, not a GPIO.
	if rerr := fd.SetFunc(was[1]); rerr != nil {
		err = errors.Join(err, fmt.Errorf("i2cclear: restoring %s to %s: %w: %w", sda, was[1], ErrNoPinControl, rerr))
	}
	if rerr := fs.SetFunc(was[0]); rerr != nil {
		err = errors.Join(err, fmt.Errorf("i2cclear: restoring %s to %s: %w: %w", scl, was[0], ErrNoPinControl, rerr))
	}
	return n, err
}

// Pins are one bus's clock and data pins, for the bus-clear step of an
// escalation that knows only "clear this bus".
type Pins struct {
	SCL, SDA gpio.PinIO
	Opts     *Opts
}

// ClearBus clears the bus with ClearPins.
func (p Pins) ClearBus() error {
	_, err := ClearPins(p.SCL, p.SDA, p.Opts)
	return err
}

// piPins are the Raspberry Pi's I2C buses on the header with their
// overlays' default pins (BCM numbering), as /boot/firmware/overlays/README
// lists them for a Pi 4: dtparam=i2c_arm=on for bus 1, dtoverlay=i2cN for
// the others.
var piPins = map[int][2]string{
	1: {"GPIO3", "GPIO2"},
	3: {"GPIO5", "GPIO4"},
	4: {"GPIO7", "GPIO6"},
	5: {"GPIO13", "GPIO12"},
	6: {"GPIO23", "GPIO22"},
}

// PiPins names the SCL and SDA pins of a Raspberry Pi I2C bus (1, or 3 to 6
// on a Pi 4 with their overlays' default pins). Buses moved with an
// overlay's pins_ parameter are on other pins.
func PiPins(bus int) (scl, sda string, err error) {
	p, ok := piPins[bus]
	if !ok {
		return "", "", fmt.Errorf("i2cclear: no header pins known for I2C bus %d (known: 1, 3, 4, 5, 6)", bus)
	}
	return p[0], p[1], nil
}
