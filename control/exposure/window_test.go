package exposure

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// divRing is ring as it was, finding every bin and lap by a division: the
// ring that finds them from its newest bin must hold the same bits.
type divRing struct {
	width   int64
	bins    []bin
	head    int64
	started bool
	sum     float64
	cov     int64
}

func (r *divRing) slot(i int64) *bin {
	j := i % int64(len(r.bins))
	if j < 0 {
		j += int64(len(r.bins))
	}
	return &r.bins[j]
}

func (r *divRing) moveTo(i int64) {
	if !r.started {
		r.head, r.started = i, true
		return
	}
	if i <= r.head {
		return
	}
	n := int64(len(r.bins))
	old := r.head
	if i-r.head >= n {
		clear(r.bins)
		r.sum, r.cov = 0, 0
	} else {
		for k := r.head + 1; k <= i; k++ {
			b := r.slot(k)
			r.sum -= b.sum
			r.cov -= b.cov
			*b = bin{}
		}
	}
	r.head = i
	switch {
	case r.cov == 0:
		r.sum = 0
	case floorDiv(i, n) != floorDiv(old, n):
		r.sum = 0
		for _, b := range r.bins {
			r.sum += b.sum
		}
	}
}

func (r *divRing) add(i int64, sum float64, cov int64) {
	r.moveTo(i)
	if i <= r.head-int64(len(r.bins)) {
		return
	}
	b := r.slot(i)
	b.sum += sum
	b.cov += cov
	r.sum += sum
	r.cov += cov
}

// A ring finds its bins, laps and indexes from where its newest bin is,
// without dividing: whichever way time moves (steps, jumps past the whole
// ring, back, before the epoch), it must hold what division gives, bit
// for bit.
func TestRingFindsWhatDivisionFinds(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const width = int64(time.Second)
	for _, start := range []int64{-1000, -7, 0, 5, 1 << 20} {
		r := newRing(time.Second, 5)
		ref := divRing{width: width, bins: make([]bin, len(r.bins))}
		n := int64(len(r.bins))
		ns := start * width
		for step := range 5000 {
			switch rng.IntN(6) {
			case 0:
				ns += rng.Int64N(3 * n * width)
			case 1:
				ns -= rng.Int64N(2 * width)
			default:
				ns += rng.Int64N(width)
			}
			i := r.index(ns)
			if want := floorDiv(ns, width); i != want {
				t.Fatalf("step %d: index(%d) = %d, want %d", step, ns, i, want)
			}
			v := rng.Float64() * 100
			r.add(i, v, 1)
			ref.add(i, v, 1)
			if r.head != ref.head || math.Float64bits(r.sum) != math.Float64bits(ref.sum) || r.cov != ref.cov {
				t.Fatalf("step %d: head %d sum %v cov %d, want %d %v %d", step, r.head, r.sum, r.cov, ref.head, ref.sum, ref.cov)
			}
			for k := range r.bins {
				if r.bins[k] != ref.bins[k] {
					t.Fatalf("step %d: bin %d is %v, want %v", step, k, r.bins[k], ref.bins[k])
				}
			}
			for k := r.head - n + 1; k <= r.head+2; k++ {
				if r.slot(k) != &r.bins[r.pos(k)] { // pos divides, as slot did
					t.Fatalf("step %d, head %d: slot(%d) is not bin %d", step, r.head, k, r.pos(k))
				}
			}
		}
	}
}
