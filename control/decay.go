package control

import (
	"math"
	"time"

	"github.com/ventd/ventd/clock"
)

// Decay is what the law has measured of one booth's ventilation: how fast
// its smoke clears, as air changes per hour. A well-mixed booth with no
// source clears as e^(−k·t); k is the air changes per hour of its exhaust
// plus its leakage and the particles' deposition. ventd measures k each
// time a booth clears after a session and fits it against the fans' duty
// at the time, so it can say what the ventilation is at the present duty.
// A clogged filter, a failing fan or a door propped open shows as ACH
// falling below NominalACH long before the staff's exposure rises.
type Decay struct {
	// ACH is the measured air changes per hour at the present duty; NaN
	// until the first clearing was measured.
	ACH float64
	// NominalACH is what the config promises at the present duty: the
	// fans' max_flow_m3h × duty over the booth's volume_m3.
	NominalACH float64
	// Share is ACH / NominalACH, the part of its fans' rated air the
	// booth gets, known at any duty (even at none); NaN until measured.
	Share float64
	// Observations counts the clearing intervals measured (one per 15 s
	// of clean decay); Last is when the latest was.
	Observations int
	Last         time.Time
}

// decayModel learns how the booth's measured decay rate compares with the
// nominal air changes at the duty it was measured at: k = η·x, with η the
// share of its datasheet flow the booth really gets (leakage and deposition
// add a little; a clogged filter or a failing fan take away). It is one
// number a facilities engineer can read ("the booth gets 55 % of its fan's
// rated air") and it extrapolates to any duty, where a fit of slope and
// intercept from clearings measured mostly at full speed would not.
type decayModel struct {
	eta  float64
	n    int
	last time.Time
}

// decayLearn is the weight of each new measurement: about the last two
// sessions' clearings count.
const decayLearn = 0.1

func newDecayModel() decayModel { return decayModel{} }

// observe adds one measured decay rate k (per hour) at nominal air changes
// x (per hour).
func (m *decayModel) observe(t time.Time, x, k float64) {
	if !(x > 0) {
		return
	}
	obs := k / x
	if m.n == 0 {
		m.eta = obs
	} else {
		m.eta += decayLearn * (obs - m.eta)
	}
	m.n++
	m.last = t
}

// share is the learned η; NaN before the first observation.
func (m *decayModel) share() float64 {
	if m.n == 0 {
		return math.NaN()
	}
	return m.eta
}

// ach is the measured decay rate at nominal air changes x; NaN before the
// first observation.
func (m *decayModel) ach(x float64) float64 {
	if m.n == 0 {
		return math.NaN()
	}
	return m.eta * x
}

// logTrend estimates a level's exponential decay from its fall: a
// well-mixed zone falls as C(t) = C₀·e^(−kt), so ln C is a line whose
// slope is −k, and the time to reach a threshold follows. Only the fall
// since the last minute's peak is fitted: a window that reached back into
// the session's plateau would read the first seconds of clearing as a
// fall of hours. It serves the entry estimate before the booth's decay
// has been measured, and the baselines, which measure nothing.
type logTrend struct {
	w window // ln(level), newest last, one minute long
	// raw is how many of w's newest points still hold the level, not
	// yet its log: most periods nobody asks for the trend (a booth
	// below the entry level, or one whose decay is measured), and the
	// logs are taken when it is asked, each once.
	raw int
	// answer is secondsTo's for threshold asked, kept until the next
	// add: each fan of the booth and its status ask every period.
	asked, answer float64
	kept          bool
}

const (
	logTrendWindow = time.Minute
	// minFall is the least fall a trend is read from: a few of the
	// sensor's samples past its own lag.
	minFall = 10 * time.Second
	// minDrop (of ln C) is the least fall, 20 %, a trend is read from: a
	// fall just begun, still rounded by the sensor's lag, reads as far
	// slower than it is.
	minDrop = 0.223
	// fallSkip is the start of a fall left out of the fit, fallFit the
	// most of it fitted.
	fallSkip = 5 * time.Second
	fallFit  = 30 * time.Second
)

func (d *logTrend) add(t time.Time, level float64) {
	if level <= 0 {
		level = 0.1 // ln needs a positive value; below 0.1 µg/m³ is clean anyway
	}
	d.w.add(point{t, level}, logTrendWindow)
	d.raw = min(d.raw+1, len(d.w.pts()))
	d.kept = false
}

// logged returns the window's points, ln(level) each.
func (d *logTrend) logged() []point {
	pts := d.w.pts()
	for i := len(pts) - d.raw; i < len(pts); i++ {
		pts[i].v = math.Log(pts[i].v)
	}
	d.raw = 0
	return pts
}

// secondsTo returns the time until the level falls below threshold: 0 if
// it is already below, -1 until it has fallen for minFall and by minDrop
// (or, a slow fall, for 40 s).
// Early in a fall it errs long, the safe side for an entry estimate.
func (d *logTrend) secondsTo(threshold float64) float64 {
	if !d.kept || threshold != d.asked {
		d.asked, d.answer, d.kept = threshold, d.fit(threshold), true
	}
	return d.answer
}

// fit is secondsTo, from the window.
func (d *logTrend) fit(threshold float64) float64 {
	pts := d.logged()
	n := len(pts)
	if n == 0 {
		return -1
	}
	last := pts[n-1]
	if last.v < math.Log(threshold) {
		return 0
	}
	peak := 0
	for i, p := range pts {
		if p.v >= pts[peak].v {
			peak = i
		}
	}
	// The fall's first seconds are rounded by the sensor's lag and the
	// air's mixing; its last half minute is the rate now.
	from := pts[peak].t.Add(fallSkip)
	if f := last.t.Add(-fallFit); f.After(from) {
		from = f
	}
	i := peak
	for i < n && pts[i].t.Before(from) {
		i++
	}
	fall := pts[i:]
	young := pts[peak].v-last.v < minDrop && last.t.Sub(pts[peak].t) < fallFit+minFall
	if len(fall) < 5 || last.t.Sub(fall[0].t) < minFall || young {
		return -1
	}
	slope, ok := leastSquaresSlope(fall) // of ln C: −k
	if !ok || slope >= 0 {
		return -1
	}
	return (math.Log(threshold) - last.v) / slope
}

// leastSquaresSlope fits a line through pts and returns its slope in
// units per second; false when the times do not spread (one instant).
func leastSquaresSlope(pts []point) (float64, bool) {
	var sx, sy, sxx, sxy float64
	if len(pts) == 0 {
		return 0, false
	}
	first := clock.NewBase(pts[0].t)
	for _, p := range pts {
		x := first.From(p.t).Seconds()
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

// RestoreDecay sets what zone's booth had measured of its ventilation
// before a restart: its share of the fans' rated air (Decay.Share), how
// many clearings it was measured from and when last. A booth that has
// measured since keeps its own. False when zone is no booth of the room
// or the figures are not a measurement.
func (r *Room) RestoreDecay(zone string, share float64, observations int, last time.Time) bool {
	if !(share > 0) || math.IsInf(share, 0) || observations < 1 {
		return false
	}
	for _, b := range r.booths {
		if b.spec.Zone == zone && b.model.n == 0 {
			b.model = decayModel{eta: share, n: observations, last: last}
			return true
		}
	}
	return false
}
