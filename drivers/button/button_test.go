package button

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"github.com/ventd/ventd/clock"
)

func TestPressDebounceAndHoldOff(t *testing.T) {
	pin := &gpiotest.Pin{N: "GPIO5", Num: 5, L: gpio.High, EdgesChan: make(chan gpio.Level, 16)}
	clk := clock.NewSim(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), 0)
	b, err := New(pin, Opts{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	if pin.P != gpio.PullUp {
		t.Fatalf("pull %v, want the pull-up", pin.P)
	}
	var presses atomic.Int32
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx, func() { presses.Add(1) }) }()

	// The fake pin takes the level sent with the edge: High is a spike
	// already gone when the debounce time is over, Low a held press.
	edge := func(level gpio.Level) { pin.EdgesChan <- level }
	waitFor := func(n int32) {
		for i := 0; presses.Load() != n; i++ {
			if i > 500 {
				t.Fatalf("presses = %d, want %d", presses.Load(), n)
			}
			time.Sleep(2 * time.Millisecond)
		}
	}
	// A spike: the edge comes, but the pin is high again after debounce.
	edge(gpio.High)
	time.Sleep(20 * time.Millisecond)
	if presses.Load() != 0 {
		t.Fatal("a spike counted as a press")
	}
	edge(gpio.Low) // a real press
	waitFor(1)
	edge(gpio.Low) // a second press within the hold-off: ignored
	time.Sleep(20 * time.Millisecond)
	if presses.Load() != 1 {
		t.Fatalf("a press within the hold-off counted: %d", presses.Load())
	}
	clk.Advance(3 * time.Second)
	edge(gpio.Low)
	waitFor(2)
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := New(nil, Opts{}); err == nil {
		t.Error("nil pin accepted")
	}
}
