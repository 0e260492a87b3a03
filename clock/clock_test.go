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

// TestSimNowIsStartAdd checks that Now is start.Add(elapsed), == and
// all, for starts in UTC, a fixed zone, Local and a loaded zone, with and
// without a monotonic reading, at the start of year 1 and far from it,
// after sleeps and advances of every size, backwards too.
func TestSimNowIsStartAdd(t *testing.T) {
	starts := []time.Time{
		time.Date(2026, 3, 29, 0, 59, 59, 999_999_999, time.UTC),
		time.Date(2026, 10, 25, 2, 30, 0, 1, time.FixedZone("x", 5*3600+1800)),
		time.Date(2026, 1, 2, 8, 0, 0, 0, time.Local),
		time.Now(),
		time.Now().Round(0),
		{},
		time.Unix(-1<<62, 0),
		time.Unix(1<<62-1, 999_999_999),
		time.Unix(1<<62, 0),
	}
	if l, err := time.LoadLocation("Europe/Berlin"); err == nil {
		starts = append(starts, time.Date(2026, 3, 29, 1, 59, 59, 500_000_000, l))
	}
	steps := []time.Duration{0, 1, 999_999_999, time.Second, 40 * time.Millisecond, 750 * time.Millisecond,
		time.Hour, -1, -time.Second - 1, 1<<62 + 12345, -1 << 62}
	for _, start := range starts {
		c := NewSim(start, 0)
		elapsed := time.Duration(0)
		for _, d := range steps {
			c.Advance(d)
			elapsed += d
			if got, want := c.Now(), start.Add(elapsed); got != want {
				t.Fatalf("start %v, after %v: Now %#v, start.Add %#v", start, elapsed, got, want)
			}
			if d >= 0 {
				c.Sleep(d)
				elapsed += d
				if got, want := c.Now(), start.Add(elapsed); got != want {
					t.Fatalf("start %v, after sleeping to %v: Now %#v, start.Add %#v", start, elapsed, got, want)
				}
			}
		}
	}
}

// BenchmarkSimNow reads a simulated clock, as the daemon, its drivers and
// the simulated sensors do many times a simulated second.
func BenchmarkSimNow(b *testing.B) {
	c := NewSim(time.Date(2026, 3, 29, 7, 0, 0, 0, time.UTC), 0)
	c.Advance(1500 * time.Millisecond)
	var last time.Time
	for b.Loop() {
		last = c.Now()
	}
	if last.IsZero() {
		b.Fatal(last)
	}
}
