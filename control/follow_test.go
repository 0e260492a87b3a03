package control

import (
	"math/rand/v2"
	"testing"
	"time"
)

// A followRate answers exactly as follow does, whatever the periods and
// time constants it is asked in turn.
func TestFollowRateIsFollow(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	taus := []time.Duration{0, 5 * time.Second, staffSmooth, time.Minute, usualTime}
	var r followRate
	tau := taus[1]
	for i := range 100000 {
		if rng.IntN(500) == 0 {
			tau = taus[rng.IntN(len(taus))]
		}
		dt := time.Second
		switch rng.IntN(10) {
		case 0:
			dt -= time.Millisecond
		case 1:
			dt += time.Millisecond
		case 2:
			dt = time.Duration(rng.IntN(3000)) * time.Millisecond
		}
		if got, want := r.of(dt, tau), follow(dt, tau); got != want {
			t.Fatalf("call %d: of(%v, %v) = %v, follow %v", i, dt, tau, got, want)
		}
	}
}
