package testbench

import (
	"errors"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/physic"

	"github.com/ventd/ventd/testbench/room"
)

// relayCoil is the GPIO pin of a relay board whose contact switches a
// simulated fan at full speed: a fan on a relay has two speeds, off and
// the one it was built for. It lets ventd's own relay driver (its
// threshold, its hold time) switch the simulated fan, as it would the
// real one.
type relayCoil struct {
	fan       *room.Fan
	name      string
	activeLow bool
}

func (c relayCoil) String() string   { return c.name }
func (c relayCoil) Name() string     { return c.name }
func (c relayCoil) Number() int      { return -1 }
func (c relayCoil) Function() string { return "Out" }
func (c relayCoil) Halt() error      { return nil }

// Out energises the coil at the active level, closing the contact.
func (c relayCoil) Out(l gpio.Level) error {
	if bool(l) != c.activeLow {
		return c.fan.SetDuty(1)
	}
	return c.fan.SetDuty(0)
}

// PWM is refused: a relay's contact cannot follow it.
func (c relayCoil) PWM(gpio.Duty, physic.Frequency) error {
	return errors.New("relay " + c.name + ": no PWM on a relay's coil")
}
