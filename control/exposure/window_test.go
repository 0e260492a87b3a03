package exposure

import (
	"math/rand/v2"
	"testing"
	"time"
)

// A ring finds its bins from where its newest bin is, without dividing:
// every bin it holds must be the one the division gives, whichever way
// time moved (a step, a jump past the whole ring, before the epoch).
func TestRingSlotIsTheDivisionsBin(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, start := range []int64{-1000, -7, 0, 5, 1 << 40} {
		r := newRing(time.Second, 5)
		n := int64(len(r.bins))
		i := start
		for range 2000 {
			switch rng.IntN(4) {
			case 0:
				i += int64(rng.IntN(int(3 * n)))
			default:
				i++
			}
			r.add(i, 1, 1)
			for k := r.head - n + 1; k <= r.head+2; k++ {
				if got, want := r.slot(k), &r.bins[r.pos(k)]; got != want {
					t.Fatalf("start %d, head %d: slot(%d) is not bin %d", start, r.head, k, r.pos(k))
				}
			}
		}
	}
}
