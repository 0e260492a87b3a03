package fan

import (
	"fmt"
	"time"

	"periph.io/x/conn/v3/gpio"

	"github.com/ventd/ventd/clock"
)

// RelayOpts configures an on/off fan on a relay.
type RelayOpts struct {
	// Threshold is the duty at and above which the fan is on; default 0.5.
	Threshold float64
	// MinHold is the shortest time the relay stays on before switching
	// off (switching on is never delayed: on is the safe direction), to spare
	// its contacts and the motor's start-up current; default 30 s,
	// negative for none.
	MinHold time.Duration
	// ActiveLow: the fan is on when the pin is low (a low-triggered
	// board, or the fan on the normally-closed contact of a high one).
	ActiveLow bool

	Clock clock.Clock // default clock.Real{}
}

var _ Switch = (*Relay)(nil)

// Relay is an on/off fan on a relay driven by a GPIO pin.
//
// A request to switch off within MinHold of the last switch is remembered,
// not applied; the next SetDuty after MinHold applies the latest request. No
// goroutine runs in between: the control loop calls SetDuty often enough.
type Relay struct {
	pin       gpio.PinOut
	threshold float64
	hold      time.Duration
	activeLow bool
	clock     clock.Clock

	switched bool // the pin has been set at least once
	on       bool
	last     time.Time // of the last switch
	want     bool      // latest request
	halted   bool
}

// NewRelay returns a relay output on pin. It does not touch the pin until
// the first SetDuty.
func NewRelay(pin gpio.PinOut, opts RelayOpts) (*Relay, error) {
	if pin == nil {
		return nil, fmt.Errorf("fan: NewRelay: nil pin")
	}
	if opts.Threshold == 0 {
		opts.Threshold = 0.5
	}
	if opts.MinHold == 0 {
		opts.MinHold = 30 * time.Second
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	r := &Relay{pin: pin, threshold: opts.Threshold, hold: max(opts.MinHold, 0), activeLow: opts.ActiveLow, clock: opts.Clock}
	if opts.Threshold < 0 || opts.Threshold > 1 {
		return nil, fanError(r.String(), fmt.Errorf("relay threshold %g out of range: want a duty in (0, 1]", opts.Threshold))
	}
	return r, nil
}

// String returns "relay " and the pin's name.
func (r *Relay) String() string { return "relay " + r.pin.Name() }

// On reports whether the relay is switched on.
func (r *Relay) On() bool { return r.on }

// SetDuty switches the fan on at or above the threshold and off below it.
// Switching on is immediate: on is the safe direction for an extraction fan
// (smoke, a failed sensor), and a chattering relay is stopped by holding it
// on, not by holding it off. Switching off waits until the fan has been on
// for MinHold.
func (r *Relay) SetDuty(duty float64) error {
	if r.halted {
		return fanError(r.String(), ErrHalted)
	}
	if err := checkDuty(duty); err != nil {
		return fanError(r.String(), err)
	}
	r.want = duty >= r.threshold
	if r.switched && r.want == r.on {
		return nil
	}
	if r.switched && !r.want && r.clock.Now().Sub(r.last) < r.hold {
		return nil // remembered in r.want
	}
	return r.apply()
}

func (r *Relay) apply() error {
	l := gpio.Level(r.want != r.activeLow)
	if err := r.pin.Out(l); err != nil {
		return fanError(r.String(), fmt.Errorf("switch %s: %w", onOff(r.want), err))
	}
	r.switched, r.on, r.last = true, r.want, r.clock.Now()
	return nil
}

// Halt applies a change still waiting for MinHold, then stops using the
// pin. The daemon's last request is the safe duty that must hold after it
// exits; one early switch costs the contacts less than a fan left off with
// no daemon to turn it on.
func (r *Relay) Halt() error {
	if r.halted {
		return nil
	}
	r.halted = true
	if r.switched && r.want != r.on {
		return r.apply()
	}
	return nil
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}
