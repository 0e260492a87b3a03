package exposure

import "time"

// bin holds what was measured during one bin of time: the integral of the
// concentration (concentration × nanoseconds) and the measured nanoseconds.
// Gaps add to neither.
type bin struct {
	sum float64
	cov int64
}

// ring is a fixed number of equal time bins ending at the newest one, with
// running totals over all of them. Old bins are overwritten as time moves
// on, which is what keeps memory bounded whatever the sample rate.
type ring struct {
	width int64 // nanoseconds per bin
	bins  []bin
	head  int64 // index (unix time / width) of the newest bin
	// hj is where the newest bin is in bins (head modulo len(bins)), so
	// that finding a bin near it takes no division: a division is most
	// of what adding a sample cost, and it happens for every sample.
	hj      int64
	started bool
	sum     float64 // totals over every bin in the ring
	cov     int64
}

// newRing holds windows of n bins ending at the newest bin or the one
// before it: n+1 bins, so that a window ending exactly on a bin boundary,
// when the newest bin has only just begun, is still whole.
func newRing(width time.Duration, n int) ring {
	return ring{width: int64(width), bins: make([]bin, n+1)}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// index is the bin holding the Unix nanosecond ns. Nearly always that is
// the newest bin or the one after it, found without a division (one a
// sample, for each ring, was much of what adding a sample cost).
func (r *ring) index(ns int64) int64 {
	// ns ≥ lo, so the difference is exact as an unsigned number.
	if lo := r.head * r.width; ns >= lo {
		switch d := uint64(ns - lo); {
		case d < uint64(r.width):
			return r.head
		case d < 2*uint64(r.width):
			return r.head + 1
		}
	}
	return floorDiv(ns, r.width)
}

// start is where bin i starts, in Unix nanoseconds.
func (r *ring) start(i int64) int64 { return i * r.width }

func (r *ring) slot(i int64) *bin {
	n := int64(len(r.bins))
	if d := r.head - i; d >= 0 && d < n { // a bin the ring holds
		j := r.hj - d
		if j < 0 {
			j += n
		}
		return &r.bins[j]
	}
	return &r.bins[r.pos(i)]
}

// pos is where bin i goes in bins.
func (r *ring) pos(i int64) int64 {
	j := i % int64(len(r.bins))
	if j < 0 { // i before the epoch: Go's % keeps the sign
		j += int64(len(r.bins))
	}
	return j
}

// moveTo makes bin i the newest, dropping the bins that leave the ring.
func (r *ring) moveTo(i int64) {
	if !r.started {
		r.head, r.hj, r.started = i, r.pos(i), true
		return
	}
	if i <= r.head {
		return
	}
	n := int64(len(r.bins))
	// lapped is whether a bin of a multiple of n became the newest: a lap
	// of the ring begun.
	lapped := false
	if i-r.head >= n {
		clear(r.bins)
		r.sum, r.cov = 0, 0
		r.head, r.hj, lapped = i, r.pos(i), true
	} else {
		for r.head < i {
			// The next bin takes the place of the oldest, after head.
			r.head++
			if r.hj++; r.hj == n {
				r.hj, lapped = 0, true
			}
			b := &r.bins[r.hj]
			r.sum -= b.sum
			r.cov -= b.cov
			*b = bin{}
		}
	}
	switch {
	case r.cov == 0:
		r.sum = 0 // no rounding residue when the window is empty
	case lapped:
		// Once per lap, sum afresh so that add-and-subtract rounding
		// cannot accumulate over months of running.
		r.sum = 0
		for _, b := range r.bins {
			r.sum += b.sum
		}
	}
}

// add records a measured piece of time that lies within bin i.
func (r *ring) add(i int64, sum float64, cov int64) {
	r.moveTo(i)
	if i <= r.head-int64(len(r.bins)) {
		return // older than the ring; callers never do this
	}
	b := r.slot(i)
	b.sum += sum
	b.cov += cov
	r.sum += sum
	r.cov += cov
}

// window returns the totals over bins lo..hi (inclusive) that the ring
// still holds.
func (r *ring) window(lo, hi int64) (sum float64, cov int64) {
	if !r.started {
		return 0, 0
	}
	first := r.head - int64(len(r.bins)) + 1
	lo, hi = max(lo, first), min(hi, r.head)
	if lo > hi {
		return 0, 0
	}
	if (lo-first)+(r.head-hi) <= 2 { // nearly the whole ring: totals less what is left out
		sum, cov = r.sum, r.cov
		for k := first; k < lo; k++ {
			sum -= r.slot(k).sum
			cov -= r.slot(k).cov
		}
		for k := hi + 1; k <= r.head; k++ {
			sum -= r.slot(k).sum
			cov -= r.slot(k).cov
		}
		if cov == 0 {
			sum = 0
		}
		return sum, cov
	}
	for k := lo; k <= hi; k++ {
		b := r.slot(k)
		sum += b.sum
		cov += b.cov
	}
	return sum, cov
}

// entries is how many bins the ring keeps (for the memory test).
func (r *ring) entries() int { return len(r.bins) }
