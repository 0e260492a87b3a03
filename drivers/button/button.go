// Package button reads a push button on a GPIO: the purge button a
// responder presses to clear a booth before entering. The button connects
// the pin to ground; the pin's pull-up holds it high until pressed.
//
// Contacts bounce for a few milliseconds, and cables in a busy room pick up
// interference, so a press counts only when the pin is still low after a
// debounce time, and presses closer together than a hold-off count once.
package button

import (
	"context"
	"fmt"
	"time"

	"periph.io/x/conn/v3/gpio"

	"github.com/ventd/ventd/clock"
)

// Opts configures a Button.
type Opts struct {
	// Debounce is how long the pin must stay low for a press; default 50 ms.
	Debounce time.Duration
	// HoldOff ignores further presses for this long; default 2 s.
	HoldOff time.Duration
	Clock   clock.Clock // default clock.Real{}
}

// Button is a push button to ground on a GPIO with its pull-up.
type Button struct {
	pin  gpio.PinIn
	opts Opts
	last time.Time
}

// edgePoll bounds how long Run waits for an edge before it looks at ctx.
const edgePoll = 100 * time.Millisecond

// New sets pin up as an input with its pull-up and falling-edge detection.
// Start Run to watch it.
func New(pin gpio.PinIn, opts Opts) (*Button, error) {
	if pin == nil {
		return nil, fmt.Errorf("button: New: nil pin")
	}
	if opts.Debounce == 0 {
		opts.Debounce = 50 * time.Millisecond
	}
	if opts.HoldOff == 0 {
		opts.HoldOff = 2 * time.Second
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	if opts.Debounce < 0 || opts.HoldOff < 0 {
		return nil, fmt.Errorf("button %s: debounce %v and hold-off %v must not be negative", pin.Name(), opts.Debounce, opts.HoldOff)
	}
	if err := pin.In(gpio.PullUp, gpio.FallingEdge); err != nil {
		return nil, fmt.Errorf("button %s: set up input with pull-up and falling-edge detection: %w", pin.Name(), err)
	}
	return &Button{pin: pin, opts: opts}, nil
}

// String names the button's pin.
func (b *Button) String() string { return "button " + b.pin.Name() }

// Run calls pressed for each press until ctx is done, then returns nil.
// Start it in its own goroutine; pressed must not block for long.
func (b *Button) Run(ctx context.Context, pressed func()) error {
	for ctx.Err() == nil {
		if !b.pin.WaitForEdge(edgePoll) {
			continue
		}
		b.opts.Clock.Sleep(b.opts.Debounce)
		if b.pin.Read() != gpio.Low {
			continue // a bounce or a spike, not a press
		}
		now := b.opts.Clock.Now()
		if !b.last.IsZero() && now.Sub(b.last) < b.opts.HoldOff {
			continue
		}
		b.last = now
		pressed()
	}
	return nil
}
