package clock

import (
	"math/rand"
	"testing"
	"time"
)

func TestSubMatchesTimeSubAtRandom(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	locs := []*time.Location{time.UTC, time.FixedZone("x", 5*3600+1800), time.FixedZone("y", -7*3600)}
	if l, err := time.LoadLocation("America/Vancouver"); err == nil {
		locs = append(locs, l)
	}
	edge := []int64{0, 1, maxSubSeconds - 1, maxSubSeconds, maxSubSeconds + 1, maxSubSeconds + 2, 1 << 40, 1 << 62}
	for i := 0; i < 200000; i++ {
		var a, b int64
		switch i % 3 {
		case 0:
			a, b = rng.Int63n(1<<34)-1<<33, rng.Int63n(1<<34)-1<<33
		case 1:
			d := edge[rng.Intn(len(edge))]
			a = rng.Int63n(1<<33) - 1<<32
			if rng.Intn(2) == 0 {
				b = a - d
			} else {
				b = a + d
			}
		case 2:
			a, b = rng.Int63()>>1-1<<61, rng.Int63()>>1-1<<61
		}
		t1 := time.Unix(a, rng.Int63n(1e9)).In(locs[rng.Intn(len(locs))])
		t2 := time.Unix(b, rng.Int63n(1e9)).In(locs[rng.Intn(len(locs))])
		if got, want := Sub(t1, t2), t1.Sub(t2); got != want {
			t.Fatalf("Sub(%v, %v) = %v, want %v", t1, t2, got, want)
		}
		if got, want := NewBase(t2).From(t1), t1.Sub(t2); got != want {
			t.Fatalf("NewBase(%v).From(%v) = %v, want %v", t2, t1, got, want)
		}
	}
	now := time.Now()
	later := now.Add(time.Hour)
	for _, p := range [][2]time.Time{{now, later}, {now.Round(0), later}, {now, later.Round(0)}, {now.Add(-1 << 62), now}} {
		if got, want := Sub(p[0], p[1]), p[0].Sub(p[1]); got != want {
			t.Errorf("Sub(%v, %v) = %v, want %v", p[0], p[1], got, want)
		}
		if got, want := NewBase(p[1]).From(p[0]), p[0].Sub(p[1]); got != want {
			t.Errorf("NewBase(%v).From(%v) = %v, want %v", p[1], p[0], got, want)
		}
	}
	zero := time.Time{}
	if got, want := Sub(now.Round(0), zero), now.Round(0).Sub(zero); got != want {
		t.Errorf("Sub(now, zero) = %v, want %v", got, want)
	}
	if got, want := NewBase(zero).From(now.Round(0)), now.Round(0).Sub(zero); got != want {
		t.Errorf("NewBase(zero).From(now) = %v, want %v", got, want)
	}
	if got, want := Sub(zero, time.Unix(1<<62, 0)), zero.Sub(time.Unix(1<<62, 0)); got != want {
		t.Errorf("far: %v want %v", got, want)
	}
}
