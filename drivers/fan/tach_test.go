package fan

import (
	"context"
	"errors"
	"math"
	"runtime"
	"strings"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"github.com/ventd/ventd/clock"
)

// tachBench is a tachometer on a fake pin whose edges the test sends.
type tachBench struct {
	t     *testing.T
	pin   *gpiotest.Pin
	clk   *clock.Sim
	tach  *Tach
	sent  int
	stop  context.CancelFunc
	done  chan error
	edges chan gpio.Level
}

func newTachBench(t *testing.T, opts TachOpts) *tachBench {
	t.Helper()
	b := &tachBench{t: t, edges: make(chan gpio.Level), clk: simClock()}
	b.pin = &gpiotest.Pin{N: "GPIO6", Num: 6, EdgesChan: b.edges}
	opts.Clock = b.clk
	var err error
	if b.tach, err = NewTach(b.pin, opts); err != nil {
		t.Fatal(err)
	}
	if b.pin.P != gpio.PullUp {
		t.Errorf("pull %s, want up: the tach output only pulls low", b.pin.P)
	}
	return b
}

func (b *tachBench) run() {
	ctx, cancel := context.WithCancel(context.Background())
	b.stop, b.done = cancel, make(chan error, 1)
	go func() { b.done <- b.tach.Run(ctx) }()
	b.t.Cleanup(b.halt)
	b.waitRunning()
}

func (b *tachBench) halt() {
	if b.stop != nil {
		b.stop()
		if err := <-b.done; err != nil {
			b.t.Errorf("Run: %v", err)
		}
		b.stop = nil
	}
}

// pulses sends n falling edges every interval of simulated time, waiting
// for each to be timestamped before time moves on.
func (b *tachBench) pulses(n int, interval time.Duration) {
	for range n {
		b.clk.Advance(interval)
		b.edges <- gpio.Low
		b.sent++
		b.waitFor(func() bool { return b.tach.seen == b.sent })
	}
}

func (b *tachBench) waitRunning() { b.waitFor(func() bool { return b.tach.running }) }

// waitFor polls cond under the tachometer's lock; the wall-clock deadline
// only stops a broken test from hanging.
func (b *tachBench) waitFor(cond func() bool) {
	b.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		b.tach.mu.Lock()
		ok := cond()
		b.tach.mu.Unlock()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			b.t.Fatal("the tachometer did not catch up")
		}
		runtime.Gosched()
	}
}

func TestTachRPM(t *testing.T) {
	b := newTachBench(t, TachOpts{})
	if _, err := b.tach.RPM(); !errors.Is(err, ErrNotRunning) {
		t.Errorf("RPM before Run: %v, want ErrNotRunning", err)
	}
	b.run()
	if _, err := b.tach.RPM(); !errors.Is(err, ErrNoSignal) {
		t.Errorf("RPM with no pulse yet: %v, want ErrNoSignal", err)
	}
	b.pulses(100, 20*time.Millisecond) // 50 Hz at 2 pulses a turn
	rpm, err := b.tach.RPM()
	if err != nil || math.Abs(rpm-1500) > 1e-9 {
		t.Errorf("RPM() = %g, %v; want 1500", rpm, err)
	}
	// Slowing down: the window forgets the old speed.
	b.pulses(60, 40*time.Millisecond)
	if rpm, err = b.tach.RPM(); err != nil || math.Abs(rpm-750) > 1e-9 {
		t.Errorf("RPM() = %g, %v; want 750", rpm, err)
	}
	b.clk.Advance(2*time.Second + time.Millisecond)
	_, err = b.tach.RPM()
	if !errors.Is(err, ErrNoSignal) || !strings.HasPrefix(err.Error(), "tach GPIO6: ") || !strings.Contains(err.Error(), "stalled") {
		t.Errorf("stalled fan: %v, want ErrNoSignal naming the pin", err)
	}
	b.halt()
	if _, err := b.tach.RPM(); !errors.Is(err, ErrNotRunning) {
		t.Errorf("RPM after Run returned: %v, want ErrNotRunning", err)
	}
}

func TestTachOnePulse(t *testing.T) {
	b := newTachBench(t, TachOpts{PulsesPerRev: 1, Window: time.Second})
	b.run()
	b.pulses(1, 0)
	b.clk.Advance(time.Second)
	// One pulse in a full window: one turn a second.
	if rpm, err := b.tach.RPM(); err != nil || rpm != 60 {
		t.Errorf("RPM() = %g, %v; want 60", rpm, err)
	}
}

func TestTachRunTwice(t *testing.T) {
	b := newTachBench(t, TachOpts{})
	b.run()
	if err := b.tach.Run(context.Background()); err == nil || !strings.Contains(err.Error(), "already running") {
		t.Errorf("second Run: %v", err)
	}
}

func TestTachBadOpts(t *testing.T) {
	pin := &gpiotest.Pin{N: "GPIO6", EdgesChan: make(chan gpio.Level)}
	if _, err := NewTach(pin, TachOpts{PulsesPerRev: -1}); err == nil {
		t.Error("negative pulses per revolution accepted")
	}
	// gpiotest refuses edge detection without an edge channel, as a pin
	// without interrupt support would.
	_, err := NewTach(&gpiotest.Pin{N: "GPIO7"}, TachOpts{})
	if err == nil || !strings.HasPrefix(err.Error(), "tach GPIO7: set up input") {
		t.Errorf("pin without edges: %v", err)
	}
}
