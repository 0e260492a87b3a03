package control

import (
	"math"
	"time"

	"github.com/ventd/ventd/clock"
)

// lineWindow is a window that keeps the sums of a least-squares line
// through its points as they come and go. A booth asks every quiet
// period whether its level has held steady over the last minute; fitting
// the line afresh, a pass over the minute's points each second, was a
// fifth of the law's time.
type lineWindow struct {
	window
	sums lineSums
}

// add appends p and drops points older than span before it.
func (w *lineWindow) add(p point, span time.Duration) {
	for _, q := range w.expire(p.t, span) {
		w.sums.remove(q)
	}
	if w.push(p) {
		// Summed afresh each time the array is compacted, once per
		// span's worth of points: the rounding of taking away what was
		// added does not pile up, and the times stay near the base.
		w.sums = sumsOf(w.pts())
		return
	}
	w.sums.add(p)
}

// reset empties the window and its sums, keeping its array.
func (w *lineWindow) reset() {
	w.window.reset()
	w.sums = lineSums{}
}

// slopeBelow reports whether the line through the window's points
// changes by less than lim a second either way, exactly as
// leastSquaresSlope over them says: from the sums, or, where their
// rounding could tip it, from the points themselves.
func (w *lineWindow) slopeBelow(lim float64) bool {
	if below, sure := w.sums.slopeBelow(lim); sure {
		return below
	}
	slope, ok := leastSquaresSlope(w.pts())
	return ok && math.Abs(slope) < lim
}

// lineSums are what a least-squares line is fitted from: the count and
// the sums of x, y, x² and xy, with x each point's time in seconds from
// base.
type lineSums struct {
	base             clock.Base
	n                int
	sx, sy, sxx, sxy float64
}

func sumsOf(pts []point) lineSums {
	var s lineSums
	for _, p := range pts {
		s.add(p)
	}
	return s
}

func (s *lineSums) add(p point) {
	if s.n == 0 { // a new base, and no rounding left from the points before
		*s = lineSums{base: clock.NewBase(p.t)}
	}
	x := s.base.From(p.t).Seconds()
	s.n++
	s.sx += x
	s.sy += p.v
	s.sxx += x * x
	s.sxy += x * p.v
}

func (s *lineSums) remove(p point) {
	x := s.base.From(p.t).Seconds()
	s.n--
	s.sx -= x
	s.sy -= p.v
	s.sxx -= x * x
	s.sxy -= x * p.v
}

// slopeBelow reports whether the line's slope is below lim (> 0) in size;
// sure is false where the sums cannot tell it apart from the direct fit's
// answer: the slope within a millionth of the terms' size of lim (their
// rounding, a few dozen additions since they were summed afresh, is of
// the order of 1e-16 of it), or the times not spread.
func (s *lineSums) slopeBelow(lim float64) (below, sure bool) {
	fn := float64(s.n)
	num := fn*s.sxy - s.sx*s.sy
	den := fn*s.sxx - s.sx*s.sx
	numTol := 1e-6 * (fn*math.Abs(s.sxy) + math.Abs(s.sx*s.sy))
	denTol := 1e-6 * (fn*s.sxx + s.sx*s.sx)
	if !(den > denTol) {
		return false, false
	}
	// |slope| < lim is |num| < lim·den, den being positive.
	d := math.Abs(num) - lim*den
	if !(math.Abs(d) > numTol+lim*denTol) { // also NaN: a sum gone bad
		return false, false
	}
	return d < 0, true
}
