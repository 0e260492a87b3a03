package control

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"
)

// The running sums answer whether the level is steady as the direct fit
// does, over a booth's minute of readings sliding through hours of random
// air: steady, drifting at about the threshold, jumping between quiet and
// smoke, with gaps and late samples; and they decide almost all of it on
// their own.
func TestLineWindowSlopeBelowMatchesDirectFit(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	for run := range 20 {
		var w lineWindow
		now, level, trend := start, 5+rng.Float64()*20, 0.0
		asked, sure := 0, 0
		for i := range 20000 {
			switch r := rng.Float64(); {
			case r < 0.002: // a new trend: about the threshold, either way
				trend = (rng.Float64()*2 - 1) * 2 * steadySlope
			case r < 0.003: // smoke, or its clearing
				level = math.Max(level+(rng.Float64()*2-1)*300, 0)
			case r < 0.004:
				w.reset()
			}
			step := time.Second
			switch r := rng.Float64(); {
			case r < 0.02:
				step = time.Duration(rng.IntN(90)) * time.Second // a gap
			case r < 0.05:
				step = time.Duration(rng.IntN(2000)) * time.Millisecond // jitter
			case r < 0.06:
				step = -time.Duration(rng.IntN(1500)) * time.Millisecond // a late sample
			}
			now = now.Add(step)
			level = math.Max(level+trend*step.Seconds(), 0)
			w.add(point{now, level + rng.NormFloat64()*(0.2+0.008*level)}, histWindow)
			if len(w.pts()) <= 10 {
				continue
			}
			slope, ok := leastSquaresSlope(w.pts())
			want := ok && math.Abs(slope) < steadySlope
			if got := w.slopeBelow(steadySlope); got != want {
				t.Fatalf("run %d, point %d: slopeBelow %v, the direct fit's slope %v (ok %v)", run, i, got, slope, ok)
			}
			asked++
			if _, s := w.sums.slopeBelow(steadySlope); s {
				sure++
			}
		}
		if sure < asked*99/100 {
			t.Errorf("run %d: the sums decided %d of %d, want nearly all", run, sure, asked)
		}
	}
}

// Points leaving the window leave its sums: the running sums are those of
// the points it holds.
func TestLineWindowSumsFollowThePoints(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var w lineWindow
	now := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	for i := range 5000 {
		now = now.Add(time.Duration(200+rng.IntN(1800)) * time.Millisecond)
		w.add(point{now, rng.Float64() * 50}, histWindow)
		want := w.sums
		want.n, want.sx, want.sy, want.sxx, want.sxy = 0, 0, 0, 0, 0
		for _, p := range w.pts() {
			x := want.base.From(p.t).Seconds()
			want.n, want.sx, want.sy, want.sxx, want.sxy = want.n+1, want.sx+x, want.sy+p.v, want.sxx+x*x, want.sxy+x*p.v
		}
		got := w.sums
		if got.n != want.n {
			t.Fatalf("point %d: %d points summed, the window holds %d", i, got.n, want.n)
		}
		for _, c := range [...][2]float64{{got.sx, want.sx}, {got.sy, want.sy}, {got.sxx, want.sxx}, {got.sxy, want.sxy}} {
			if math.Abs(c[0]-c[1]) > 1e-9*math.Max(math.Abs(c[1]), 1) {
				t.Fatalf("point %d: running sum %v, summed afresh %v", i, c[0], c[1])
			}
		}
	}
}
