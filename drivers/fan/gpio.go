package fan

import (
	"fmt"
	"math"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/physic"
)

// GPIOPWMOpts configures a fan on a periph PWM-capable pin.
type GPIOPWMOpts struct {
	Frequency physic.Frequency // default DefaultFrequency
	Invert    bool             // the wiring inverts the signal (open-collector transistor)
}

// GPIOPWM is a fan on a pin that periph drives with PWM (on a Pi, the
// BCM283x PWM block: it needs root and DMA, so prefer NewSysfsPWM there).
type GPIOPWM struct {
	pin    gpio.PinOut
	freq   physic.Frequency
	invert bool
	halted bool
}

// NewGPIOPWM returns a fan output on pin. It does not touch the pin until
// the first SetDuty.
func NewGPIOPWM(pin gpio.PinOut, opts GPIOPWMOpts) (*GPIOPWM, error) {
	if opts.Frequency == 0 {
		opts.Frequency = DefaultFrequency
	}
	if pin == nil {
		return nil, fmt.Errorf("fan: NewGPIOPWM: nil pin")
	}
	if opts.Frequency < 0 {
		return nil, fanError(pin.Name(), fmt.Errorf("invalid frequency %s: want a positive frequency such as 25kHz", opts.Frequency))
	}
	return &GPIOPWM{pin: pin, freq: opts.Frequency, invert: opts.Invert}, nil
}

// String returns the pin's name.
func (g *GPIOPWM) String() string { return g.pin.Name() }

// SetDuty sets the pin's PWM duty.
func (g *GPIOPWM) SetDuty(duty float64) error {
	if g.halted {
		return fanError(g.String(), ErrHalted)
	}
	if err := checkDuty(duty); err != nil {
		return fanError(g.String(), err)
	}
	d := gpio.Duty(math.Round(level(duty, g.invert) * float64(gpio.DutyMax)))
	if err := g.pin.PWM(d, g.freq); err != nil {
		return fanError(g.String(), fmt.Errorf("set PWM %s at %s: %w", d, g.freq, err))
	}
	return nil
}

// Halt stops using the pin without calling its Halt: on a BCM283x that
// stops the PWM clock, and the fan must keep its safe duty after ventd
// exits.
func (g *GPIOPWM) Halt() error {
	g.halted = true
	return nil
}
