package room

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestNowIsStartAdd checks that the lock-free Now, start plus the sum of
// the steps, is == to the time the room keeps, start plus each step in
// turn, for starts with and without a monotonic reading and in another
// location, over steps of every length the room takes (a fan spinning up
// cuts them short; sessions end mid-step).
func TestNowIsStartAdd(t *testing.T) {
	starts := map[string]time.Time{
		"wall":       time.Date(2026, 3, 1, 8, 0, 0, 123456789, time.UTC),
		"monotonic":  time.Now(),
		"location":   time.Date(2026, 3, 1, 8, 0, 0, 999999999, time.FixedZone("x", 3600)),
		"before1970": time.Date(1960, 1, 1, 0, 0, 0, 1, time.UTC),
	}
	for name, start := range starts {
		t.Run(name, func(t *testing.T) {
			r, err := New(Default(), start)
			if err != nil {
				t.Fatal(err)
			}
			rng := rand.New(rand.NewPCG(1, 2))
			booth := r.Fan(r.Config().Fans[0].Name)
			at := start
			for i := range 2000 {
				if i%50 == 0 {
					if err := booth.SetDuty(rng.Float64()); err != nil {
						t.Fatal(err)
					}
				}
				at = at.Add(time.Duration(rng.Int64N(int64(3 * time.Second))))
				r.AdvanceTo(at)
				r.mu.Lock()
				want := r.now
				r.mu.Unlock()
				if got := r.Now(); got != want {
					t.Fatalf("step %d: Now() = %#v, want %#v", i, got, want)
				}
			}
		})
	}
}
