package clock

import (
	"testing"
	"time"
)

func TestSimSleepAdvances(t *testing.T) {
	start := time.Date(2026, 1, 2, 8, 0, 0, 0, time.UTC)
	c := NewSim(start, 0)
	c.Sleep(8 * time.Hour)
	c.Sleep(-time.Second) // a negative sleep is no sleep, never time going back
	if got := c.Now().Sub(start); got != 8*time.Hour {
		t.Fatalf("after sleeping 8h, Now-start = %v", got)
	}
	c.Advance(time.Minute)
	if got := c.Now().Sub(start); got != 8*time.Hour+time.Minute {
		t.Fatalf("after Advance, Now-start = %v", got)
	}
}

func TestSimPacing(t *testing.T) {
	// At speed 1000, 2 s of simulated time takes about 2 ms of wall time:
	// check it waited at all, never how long (no wall-time assertions).
	c := NewSim(time.Unix(0, 0), 1000)
	w := time.Now()
	c.Sleep(2 * time.Second)
	if time.Since(w) <= 0 {
		t.Fatal("paced clock did not wait")
	}
	if c.Speed() != 1000 {
		t.Fatalf("Speed = %v", c.Speed())
	}
}

func TestSimHooksAndHold(t *testing.T) {
	start := time.Unix(0, 0)
	c := NewSim(start, 0)
	var seen []time.Duration
	c.OnAdvance(func(now time.Time) { seen = append(seen, now.Sub(start)) })
	c.Sleep(time.Second)
	c.Advance(2 * time.Second)
	if len(seen) != 2 || seen[0] != time.Second || seen[1] != 3*time.Second {
		t.Fatalf("hooks saw %v, want [1s 3s]", seen)
	}
	c.Hold()
	slept := make(chan struct{})
	go func() { c.Sleep(time.Second); close(slept) }()
	select {
	case <-slept:
		t.Fatal("Sleep ran while the clock was held")
	case <-time.After(20 * time.Millisecond):
	}
	if got := c.Now().Sub(start); got != 3*time.Second {
		t.Fatalf("held clock moved to %v", got)
	}
	c.Release()
	<-slept
	if got := c.Now().Sub(start); got != 4*time.Second {
		t.Fatalf("after Release, Now-start = %v, want 4s", got)
	}
}
