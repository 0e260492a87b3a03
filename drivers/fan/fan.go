package fan

import (
	"errors"
	"fmt"
	"math"
)

// Output drives one fan.
type Output interface {
	// String names the output, e.g. "pwmchip0/pwm0".
	String() string
	// SetDuty sets the fan to duty: 0 is off, 1 is full. A duty outside
	// [0, 1] is an error.
	SetDuty(duty float64) error
	// Halt releases the hardware and leaves the fan at its last duty: the
	// daemon sets the safe duty first, and the fans must keep running at it
	// after ventd exits.
	Halt() error
}

// Switch is an Output with two speeds, off and full: a fan on a relay.
// SetDuty asks only for a side of its threshold, and a hold may keep it on
// after it was asked to stop, so what it runs at is On's answer.
type Switch interface {
	Output
	// On reports whether the fan is switched on.
	On() bool
}

// Running is the duty the fan out runs at after SetDuty(asked): 0 or 1
// for a Switch, asked for any other.
func Running(out Output, asked float64) float64 {
	sw, ok := out.(Switch)
	switch {
	case !ok:
		return asked
	case sw.On():
		return 1
	}
	return 0
}

// Tachometer reports a fan's speed.
type Tachometer interface {
	RPM() (float64, error)
}

var (
	// ErrDuty is a duty outside [0, 1] (or NaN).
	ErrDuty = errors.New("duty out of range: want 0 (off) to 1 (full)")
	// ErrHalted is a SetDuty after Halt.
	ErrHalted = errors.New("output halted")
	// ErrNoSignal means the tachometer saw no pulse within its window: the
	// fan is stalled, unplugged or its tach wire is loose.
	ErrNoSignal = errors.New("no tach signal")
	// ErrNotRunning means the tachometer's Run is not running (not started
	// yet, or returned), so it has no reading.
	ErrNotRunning = errors.New("tachometer not running: start Run first")
)

// checkDuty rejects a duty the fan cannot take.
func checkDuty(duty float64) error {
	if math.IsNaN(duty) || duty < 0 || duty > 1 {
		return fmt.Errorf("%w: got %g", ErrDuty, duty)
	}
	return nil
}

// level applies the Invert option: an open-collector transistor between
// the Pi and a fan's PWM input turns a high output into a low input.
func level(duty float64, invert bool) float64 {
	if invert {
		return 1 - duty
	}
	return duty
}

// fanError prefixes err with the output's name so a log line says which fan.
func fanError(name string, err error) error {
	return fmt.Errorf("fan %s: %w", name, err)
}

var (
	_ Output     = (*SysfsPWM)(nil)
	_ Output     = (*GPIOPWM)(nil)
	_ Output     = (*PCA9685Output)(nil)
	_ Output     = (*Relay)(nil)
	_ Tachometer = (*Tach)(nil)
)
