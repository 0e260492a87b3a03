package control

import (
	"math"
	"time"
)

// pi is a proportional-integral term whose output is a demand in 0..1.
// Anti-windup is by conditional integration: while the output is pinned at
// a limit, the integral does not grow further past it, so the demand leaves
// the limit as soon as the error turns, not after the integral unwinds.
type pi struct {
	ti    time.Duration // integral time; 0: proportional only
	integ float64
}

// update returns clamp(p + integral) after integrating e over dt. p is the
// proportional part already scaled to demand, e the error in the same
// scale.
func (c *pi) update(p, e float64, dt time.Duration) float64 {
	if c.ti > 0 && dt > 0 {
		next := c.integ + e*dt.Seconds()/c.ti.Seconds()
		out := p + next
		if !(out > 1 && e > 0) && !(out < 0 && e < 0) {
			c.integ = clamp(next, 0, 1)
		} else if e < 0 {
			c.integ = clamp(next, 0, 1) // unwinding is always allowed
		}
	}
	return clamp(p+c.integ, 0, 1)
}

// trend keeps the last window of a level and fits its slope, so the law
// can act on where the level is heading, not only where it is.
type trend struct {
	window time.Duration
	pts    []point
}

func (tr *trend) add(t time.Time, v float64) {
	if n := len(tr.pts); n > 0 && !t.After(tr.pts[n-1].t) {
		return
	}
	tr.pts = append(tr.pts, point{t, v})
	for len(tr.pts) > 1 && t.Sub(tr.pts[0].t) > tr.window {
		tr.pts = tr.pts[1:]
	}
}

// slope is the least-squares slope in units per second; 0 with fewer
// than three points.
func (tr *trend) slope() float64 {
	n := len(tr.pts)
	if n < 3 {
		return 0
	}
	s, _ := leastSquaresSlope(tr.pts)
	return s
}

// oldest returns the first level in the window.
func (tr *trend) oldest() (point, bool) {
	if len(tr.pts) == 0 {
		return point{}, false
	}
	return tr.pts[0], true
}

// baseline learns a zone's clean-air level. For its first warmup it
// follows the level both ways (a sensor starting up reads low for a few
// seconds); after that it follows the smoothed level down within fall
// and up only slowly (rise), and only while told the air is quiet, so that
// a day of smoke is not learned as the room's normal air (the same trap as
// the VOC index, DESIGN.md).
type baseline struct {
	smooth, fall, rise, warmup time.Duration
	level, base                float64
	age                        time.Duration
	started                    bool
}

// add feeds v at interval dt and returns the excess of the smoothed level
// over the baseline.
func (b *baseline) add(v float64, dt time.Duration, quiet bool) float64 {
	if !b.started {
		b.level, b.base, b.started = v, v, true
		return 0
	}
	b.age += dt
	b.level += (v - b.level) * follow(dt, b.smooth)
	switch {
	case b.age < b.warmup:
		b.base = b.level
	case b.level < b.base:
		b.base += (b.level - b.base) * follow(dt, b.fall)
	case quiet:
		b.base += (b.level - b.base) * follow(dt, b.rise)
	}
	return b.level - b.base
}

// follow is the share of the way a first-order filter with time constant
// tau moves in dt.
func follow(dt, tau time.Duration) float64 {
	if tau <= 0 {
		return 1
	}
	return 1 - math.Exp(-dt.Seconds()/tau.Seconds())
}

// point is one level at one time.
type point struct {
	t time.Time
	v float64
}
