package i2csim

import (
	"errors"
	"fmt"
	"syscall"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"
	"periph.io/x/conn/v3/pin"

	"github.com/ventd/ventd/drivers/i2cclear"
)

// A device can leave the whole bus stuck: cut off in the middle of a byte
// it was sending, it holds SDA low and waits for clock pulses that never
// come, and every transfer on the bus, to any address, fails until a bus
// clear (nine SCL pulses and a STOP, drivers/i2cclear) shifts its
// remaining bits out. FaultStuckBus injects that; Lines gives the bus's
// two lines as GPIO pins, as a Pi's I2C pins become when switched from
// their I2C function, and ClearBus clears the bus through them with
// i2cclear's own code.

// ErrBusStuck is what every BusStuckError matches with errors.Is.
var ErrBusStuck = errors.New("I2C bus stuck: SDA held low")

// BusStuckError is a transfer that could not start because a device holds
// SDA low. It also matches syscall.ETIMEDOUT, what Linux's i2c-bcm2835
// returns when it cannot get the bus.
type BusStuckError struct {
	Holder uint16 // the device holding SDA
}

func (e *BusStuckError) Error() string {
	return fmt.Sprintf("i2c: bus stuck: the device at 0x%02x holds SDA low (transfer timed out); clear the bus (nine SCL pulses and a STOP)", e.Holder)
}

// Unwrap matches ErrBusStuck and syscall.ETIMEDOUT.
func (e *BusStuckError) Unwrap() []error { return []error{ErrBusStuck, syscall.ETIMEDOUT} }

// stuck is the bus's line state, under the bus lock.
type stuck struct {
	held     bool   // a device pulls SDA low
	holder   uint16 // which
	clocks   int    // SCL pulses until it lets go
	needStop bool   // let go; devices wait for a STOP to be idle
	// The master's side, when the lines are GPIOs: driving low, and
	// whether the pin is switched from its I2C function.
	sclLow, sdaLow bool
	sclGPIO        bool
	sdaGPIO        bool
}

// stickBus starts a hold by the device at addr; the caller holds b.mu.
func (b *Bus) stickBus(addr uint16, f *Fault) {
	b.lines.held, b.lines.holder, b.lines.needStop = true, addr, false
	b.lines.clocks = f.Clocks
	if b.lines.clocks == 0 {
		b.lines.clocks = i2cclear.Pulses
	}
}

// busError is why a transfer cannot start, nil when it can; the caller
// holds b.mu.
func (b *Bus) busError() error {
	switch {
	case b.lines.sclGPIO || b.lines.sdaGPIO:
		return fmt.Errorf("i2c %s: SCL or SDA is switched to GPIO (a bus clear in progress, or its pins were never switched back)", b.name)
	case b.lines.held || b.lines.needStop:
		return &BusStuckError{Holder: b.lines.holder}
	}
	return nil
}

// Stuck reports whether a device holds the bus.
func (b *Bus) Stuck() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.lines.held || b.lines.needStop
}

// ClearBus clears the bus as a Pi does it (i2cclear.ClearPins on Lines):
// nine SCL pulses at most and a STOP. A device stuck Forever stays stuck,
// and ClearBus says so (i2cclear.ErrSDAStuck).
func (b *Bus) ClearBus() error {
	scl, sda := b.Lines()
	_, err := i2cclear.ClearPins(scl, sda, &i2cclear.Opts{Sleep: b.sleep})
	return err
}

// Lines returns the bus's SCL and SDA as pins. They start in their I2C
// function; driving or releasing one switches it to GPIO (as periph's
// In and Out do on a Pi), and transfers fail until SetFunc gives it its
// I2C function back. The lines are open-drain: a pin can pull its line
// low or release it, and reads low while anything pulls it low.
func (b *Bus) Lines() (scl, sda gpio.PinIO) {
	return &line{Pin: &gpiotest.Pin{N: b.name + "_SCL", Fn: "I2C_SCL"}, bus: b, scl: true},
		&line{Pin: &gpiotest.Pin{N: b.name + "_SDA", Fn: "I2C_SDA"}, bus: b}
}

// line is one bus line as a GPIO pin; gpiotest.Pin gives it a name and
// the methods the clear does not use.
type line struct {
	*gpiotest.Pin
	bus *Bus
	scl bool
}

// alt is the I2C function of a line.
func (l *line) alt() pin.Func {
	if l.scl {
		return "I2C_SCL"
	}
	return "I2C_SDA"
}

// Func implements pin.PinFunc.
func (l *line) Func() pin.Func {
	b := l.bus
	b.mu.Lock()
	defer b.mu.Unlock()
	gpioMode, low := b.lines.sdaGPIO, b.lines.sdaLow
	if l.scl {
		gpioMode, low = b.lines.sclGPIO, b.lines.sclLow
	}
	switch {
	case !gpioMode:
		return l.alt()
	case low:
		return gpio.OUT_LOW
	}
	return gpio.IN
}

// SupportedFuncs implements pin.PinFunc.
func (l *line) SupportedFuncs() []pin.Func { return []pin.Func{gpio.IN, gpio.OUT, l.alt()} }

// SetFunc implements pin.PinFunc: back to I2C, or to GPIO in or out.
func (l *line) SetFunc(f pin.Func) error {
	switch f {
	case l.alt():
		b := l.bus
		b.mu.Lock()
		defer b.mu.Unlock()
		if l.scl {
			b.lines.sclGPIO, b.lines.sclLow = false, false
		} else {
			b.lines.sdaGPIO, b.lines.sdaLow = false, false
		}
		return nil
	case gpio.IN, gpio.IN_HIGH, gpio.FLOAT:
		return l.In(gpio.PullUp, gpio.NoEdge)
	case gpio.OUT_LOW:
		return l.Out(gpio.Low)
	}
	return fmt.Errorf("i2csim: %s: function %q not supported", l, f)
}

// In releases the line: the pull-up raises it unless something pulls it
// low.
func (l *line) In(pull gpio.Pull, edge gpio.Edge) error {
	if edge != gpio.NoEdge {
		return fmt.Errorf("i2csim: %s: edge detection not simulated", l)
	}
	l.set(false)
	return nil
}

// Out pulls the line low. Driving it high is refused: on an open-drain
// bus it would short a device pulling the line low.
func (l *line) Out(v gpio.Level) error {
	if v == gpio.High {
		return fmt.Errorf("i2csim: %s: driving an I2C line high fights any device pulling it low; release it (In) instead", l)
	}
	l.set(true)
	return nil
}

// Read implements gpio.PinIn: the wired-AND of everything on the line.
func (l *line) Read() gpio.Level {
	b := l.bus
	b.mu.Lock()
	defer b.mu.Unlock()
	if l.scl {
		return gpio.Level(!b.lines.sclLow)
	}
	return gpio.Level(!b.lines.sdaLow && !b.lines.held)
}

// set drives (low) or releases the line and lets the stuck device react:
// each rising SCL edge shifts one of its bits out; SDA rising while SCL is
// high is a STOP.
func (l *line) set(low bool) {
	b := l.bus
	b.mu.Lock()
	defer b.mu.Unlock()
	s := &b.lines
	if l.scl {
		rising := s.sclLow && !low
		s.sclGPIO, s.sclLow = true, low
		if rising && s.held && s.clocks != Forever {
			if s.clocks--; s.clocks == 0 {
				s.held, s.needStop = false, true
			}
		}
		return
	}
	rising := s.sdaLow && !low
	s.sdaGPIO, s.sdaLow = true, low
	if rising && !s.sclLow && !s.held {
		s.needStop = false
	}
}
