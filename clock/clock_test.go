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
