package fan

import (
	"context"
	"fmt"
	"sync"
	"time"

	"periph.io/x/conn/v3/gpio"

	"github.com/ventd/ventd/clock"
)

// edgePoll bounds how long Run takes to notice its context is done. It is
// a wall-clock timeout on the pin, not a sleep.
const edgePoll = 100 * time.Millisecond

// maxEdges bounds the memory a noisy input can take; the speed is computed
// from the first and last edges kept, so dropping old ones stays exact.
const maxEdges = 8192

// TachOpts configures a fan tachometer input.
type TachOpts struct {
	PulsesPerRev int           // default 2, as most PC and EC fans give
	Window       time.Duration // the speed is measured over this; default 2 s
	Clock        clock.Clock   // default clock.Real{}; timestamps the pulses
}

// Tach measures a fan's speed from the falling edges of its open-collector
// tach output. Its Run must be running for RPM to answer.
type Tach struct {
	pin    gpio.PinIn
	ppr    int
	window time.Duration
	clock  clock.Clock

	mu      sync.Mutex
	running bool
	started time.Time
	edges   []time.Time // within the last window, oldest first
	seen    int         // edges recorded since Run started
}

// NewTach sets pin up as an input with its pull-up (the tach output only
// pulls low) and falling-edge detection. Start Run to count.
func NewTach(pin gpio.PinIn, opts TachOpts) (*Tach, error) {
	if pin == nil {
		return nil, fmt.Errorf("tach: NewTach: nil pin")
	}
	if opts.PulsesPerRev == 0 {
		opts.PulsesPerRev = 2
	}
	if opts.Window == 0 {
		opts.Window = 2 * time.Second
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real{}
	}
	t := &Tach{pin: pin, ppr: opts.PulsesPerRev, window: opts.Window, clock: opts.Clock}
	if opts.PulsesPerRev < 0 {
		return nil, t.errorf("pulses per revolution %d: want a positive count (most fans give 2)", opts.PulsesPerRev)
	}
	if opts.Window < 0 {
		return nil, t.errorf("window %s: want a positive duration such as 2s", opts.Window)
	}
	if err := pin.In(gpio.PullUp, gpio.FallingEdge); err != nil {
		return nil, t.errorf("set up input with falling-edge detection: %w", err)
	}
	return t, nil
}

// String names the tachometer's pin.
func (t *Tach) String() string { return t.pin.Name() }

// Run counts pulses until ctx is done, then returns nil. Start it in its own
// goroutine; RPM answers while it runs.
func (t *Tach) Run(ctx context.Context) error {
	t.mu.Lock()
	if t.running {
		t.mu.Unlock()
		return t.errorf("Run is already running")
	}
	t.running, t.started, t.edges, t.seen = true, t.clock.Now(), t.edges[:0], 0
	t.mu.Unlock()
	defer func() {
		t.mu.Lock()
		t.running = false
		t.mu.Unlock()
	}()
	for ctx.Err() == nil {
		if t.pin.WaitForEdge(edgePoll) {
			t.record(t.clock.Now())
		}
	}
	return nil
}

func (t *Tach) record(now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.prune(now)
	if len(t.edges) == maxEdges {
		t.edges = t.edges[1:]
	}
	t.edges = append(t.edges, now)
	t.seen++
}

// prune drops edges older than the window. The caller holds t.mu.
func (t *Tach) prune(now time.Time) {
	cut := now.Add(-t.window)
	i := 0
	for i < len(t.edges) && t.edges[i].Before(cut) {
		i++
	}
	t.edges = t.edges[i:]
}

// RPM returns the fan's speed over the last window. With no pulse in the
// window it returns an error wrapping ErrNoSignal (a stalled fan); before
// Run starts or after it returns, ErrNotRunning.
func (t *Tach) RPM() (float64, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.running {
		return 0, t.errorf("%w", ErrNotRunning)
	}
	now := t.clock.Now()
	t.prune(now)
	n := len(t.edges)
	if n == 0 {
		return 0, t.errorf("%w in the last %s: the fan is stalled, unplugged, or its tach wire is loose", ErrNoSignal, t.window)
	}
	// Over two or more edges, time the intervals between them: exact for
	// a steady fan, where counting edges in the window is off by up to one.
	if span := t.edges[n-1].Sub(t.edges[0]); n >= 2 && span > 0 {
		return float64(n-1) / span.Seconds() / float64(t.ppr) * 60, nil
	}
	span := min(now.Sub(t.started), t.window)
	if span <= 0 {
		span = t.window
	}
	return float64(n) / span.Seconds() / float64(t.ppr) * 60, nil
}

func (t *Tach) errorf(format string, a ...any) error {
	return fmt.Errorf("tach %s: %w", t.pin.Name(), fmt.Errorf(format, a...))
}
