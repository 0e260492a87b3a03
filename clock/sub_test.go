package clock

import (
	"math/rand/v2"
	"testing"
	"time"
)

// Sub subtracts as time.Time.Sub does: wall-clock times of any location,
// times with a monotonic reading, one of each, and times too far apart
// for a Duration, where Sub saturates (one of each too).
func TestSubAsSub(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	base := time.Date(2026, 3, 29, 0, 59, 59, 999_999_999, time.UTC)
	berlin := time.FixedZone("CEST", 2*3600)
	mono := time.Now()
	for range 10000 {
		a := base.Add(time.Duration(rng.Int64N(int64(200 * 365 * 24 * time.Hour))))
		b := a.Add(time.Duration(rng.Int64N(int64(48*time.Hour))) - 24*time.Hour).In(berlin)
		m := mono.Add(time.Duration(rng.Int64N(int64(time.Hour))))
		far := []time.Time{{}, time.Unix(1<<40, 0), time.Unix(-1<<40, 999)}
		for _, c := range [][2]time.Time{{a, b}, {b, a}, {m, mono}, {mono, m}, {m, a}, {a, m}, {a, a}, {a, far[0]}, {far[0], a}, {far[1], a}, {a, far[2]}, {far[1], far[2]}, {far[2], far[1]}, {m, far[0]}, {far[1], m}, {m, far[2]}} {
			if got, want := Sub(c[0], c[1]), c[0].Sub(c[1]); got != want {
				t.Fatalf("Sub(%v, %v) = %v, time.Time.Sub %v", c[0], c[1], got, want)
			}
		}
	}
}

// BenchmarkSub subtracts two simulated times, as the control loop and the
// simulated sensors do many times a simulated second.
func BenchmarkSub(b *testing.B) {
	t := time.Date(2026, 3, 29, 7, 0, 0, 0, time.UTC)
	u := t.Add(-1500 * time.Millisecond)
	var d time.Duration
	for b.Loop() {
		d += Sub(t, u)
	}
	if d < 0 {
		b.Fatal(d)
	}
}
