package control

import (
	"math"
	"time"
)

// decay estimates the booth's exponential decay rate from the last minute
// of levels: a well-mixed zone falls as C(t) = C₀·e^(−kt), so ln C is a
// line whose slope is −k, and the time to reach a threshold follows.
type decay struct {
	pts []point // ln(level), newest last, one minute long
}

const decayWindow = time.Minute

func (d *decay) add(t time.Time, level float64) {
	if level <= 0 {
		level = 0.1 // ln needs a positive value; below 0.1 µg/m³ is clean anyway
	}
	d.pts = append(d.pts, point{t, math.Log(level)})
	for len(d.pts) > 1 && t.Sub(d.pts[0].t) > decayWindow {
		d.pts = d.pts[1:]
	}
}

// secondsTo returns the time until the level falls below threshold: 0 if
// it is already below, -1 if it is not falling.
func (d *decay) secondsTo(threshold float64) float64 {
	n := len(d.pts)
	if n == 0 {
		return -1
	}
	last := d.pts[n-1]
	if last.v < math.Log(threshold) {
		return 0
	}
	if n < 5 {
		return -1
	}
	slope, ok := leastSquaresSlope(d.pts) // of ln C: −k
	if !ok || slope >= 0 {
		return -1
	}
	return (math.Log(threshold) - last.v) / slope
}

// leastSquaresSlope fits a line through pts and returns its slope in
// units per second; false when the times do not spread (one instant).
func leastSquaresSlope(pts []point) (float64, bool) {
	var sx, sy, sxx, sxy float64
	for _, p := range pts {
		x := p.t.Sub(pts[0].t).Seconds()
		sx += x
		sy += p.v
		sxx += x * x
		sxy += x * p.v
	}
	fn := float64(len(pts))
	den := fn*sxx - sx*sx
	if den == 0 {
		return 0, false
	}
	return (fn*sxy - sx*sy) / den, true
}
