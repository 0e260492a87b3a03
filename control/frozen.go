package control

import (
	"fmt"
	"math"
	"time"
)

// A frozen booth sensor repeats its last reading: the booth may fill with
// smoke while the law sees clean air. The sensor layer calls a reading
// frozen once it has not changed for its stuck time (30 min by default;
// for an SPS30, 5 min at most, on the argument below, its still 0 exempt
// as here). The room law can tell sooner, in two ways (for an SPS30 the
// second is about as soon as the sensor layer).
//
// Every booth draws its air from the staff area, so smoke that reaches
// the staff area moves any working booth sensor too. A booth sensor whose
// reading has not changed at all for frozenWindow while the staff level
// rose by more than frozenRise beyond the staff sensor's noise cannot be
// seeing its booth's air.
//
// That needs a staff sensor that moves. When none does (the staff sensor
// is lost, or frozen too), a booth reading that has stood exactly still
// for frozenStill is frozen on its own account. An SPS30 reports an IEEE
// float every second, fine enough to carry its noise (0.2 µg/m³ and 0.8 %
// of the level, 1σ, in testbench/sps30sim), which moves the reading every
// second: a working sensor does not repeat a value 300 times running. A
// SEN5x's 0.1 µg/m³ steps are finer than that noise too, but it smooths
// its output and no real unit was tried on this, so the sensor layer,
// which watches every sensor all the time, keeps the configured stuck
// time for it (config.SensorType.StillAtMost); this rule acts only while
// no staff sensor moves, when the other choice is a booth nobody sees, and
// a SEN5x that did hold a value 5 min would cost its booth's fans their
// safe duty until the value moved.
//
// A reading of exactly 0 is exempt. In particle-free air (a booth on
// filtered make-up air at night) a unit whose offset is a little negative
// reads 0, clamped at the bottom of its range, every second for hours: a
// still 0 says nothing about the sensor (its status register, which the
// sensor layer reads, does), and taken for a freeze it would run the fans
// at their safe duty all night. A sensor frozen at 0 is left to the staff
// check and the sensor layer.
//
// frozenStill is minutes, not seconds: far longer than a working sensor
// ever holds a value (a fan cleaning holds the last one about 10 s), and
// far shorter than the configured stuck time's 30 min, behind which a
// session or two (2–5 min each) passed at the booth's minimum duty. The
// sensor layer holds an SPS30, staff or booth, to the same 5 min
// (config.SensorType.StillAtMost); this check still covers the other
// types.
//
// In either case the booth is treated as unknown air (its fans go to
// their safe duty) until the reading moves again.
//
// The staff level may still be falling when the reading freezes (the staff
// area clearing an earlier session), and a new session's smoke then rises
// from the lowest it fell to, not from where it stood. Measured only
// from where it stood, a SEN55 frozen at 14.4 µg/m³ held its booth at its
// minimum duty through 135 s of a session, until the staff area stood
// 2.9 µg/m³ above its low (ventbench unseen3/sen55-sensors). So the rise counts from that low
// instead, on the staff level smoothed over frozenSmooth: the lowest of
// minutes of one-second readings lies several noise widths below their
// mean, a smoothed level's only a fraction of one, and the smoothing
// takes the noise of the reading at either end out of the rise too.
const (
	frozenWindow = 30 * time.Second
	frozenRise   = 0.2 // µg/m³
	frozenStill  = 5 * time.Minute
	frozenSmooth = 10 * time.Second
)

// stillness is how long one booth sensor's reading has stood exactly
// still, and how the staff level went meanwhile.
type stillness struct {
	value float64
	since time.Time
	// smooth is the staff level smoothed over frozenSmooth, as of at, and
	// low the least it has been since the reading stood still; both NaN
	// while no staff level is known (when it comes back, the rise counts
	// from then).
	smooth, low float64
	at          time.Time
	// caught is why the reading was found frozen; it holds until the
	// reading moves: the staff level falling back, or a staff sensor
	// starting to move, does not thaw it.
	caught string
	// smoothing keeps smooth's factors for the few gaps between
	// readings (a second, mostly).
	smoothing expKept
}

// observe records a new reading v at time at, with the staff level now
// (NaN when no staff sensor is trusted).
func (s *stillness) observe(at time.Time, v, staff float64) {
	switch {
	case math.IsNaN(staff):
		s.smooth, s.low, s.at = math.NaN(), math.NaN(), time.Time{}
	case s.at.IsZero():
		s.smooth, s.at = staff, at
	default:
		s.smooth += (staff - s.smooth) * -s.smoothing.expm1(-at.Sub(s.at).Seconds()/frozenSmooth.Seconds())
		s.at = at
	}
	switch {
	case s.since.IsZero() || v != s.value:
		*s = stillness{value: v, since: at, smooth: s.smooth, low: s.smooth, at: s.at, smoothing: s.smoothing}
	case math.IsNaN(s.low) || s.smooth < s.low:
		s.low = s.smooth
	}
}

// frozen says why the reading cannot be the booth's air ("" when it can
// be): it stood still for frozenWindow while the staff level, smoothed,
// rose by more than frozenRise beyond its noise from its low since, now
// or earlier; or, with no staff
// sensor moving (vouched false), it stood still at a value other than 0
// for frozenStill.
func (s *stillness) frozen(now time.Time, staff float64, vouched bool) string {
	if s.caught != "" {
		return s.caught
	}
	if s.since.IsZero() {
		return ""
	}
	still := now.Sub(s.since)
	if !vouched && still >= frozenStill && s.value != 0 {
		s.caught = fmt.Sprintf("reading stuck at exactly %.1f µg/m³ since %s with no staff sensor moving to compare it with (a working sensor's reading changes every second)",
			s.value, s.since.Format("15:04:05 MST"))
		return s.caught
	}
	if math.IsNaN(staff) || math.IsNaN(s.low) || still < frozenWindow {
		return ""
	}
	rose := s.smooth - s.low
	if rose <= frozenRise+staffNoise(s.low) {
		return ""
	}
	s.caught = fmt.Sprintf("reading stuck at %.1f µg/m³ since %s while the staff area rose by %.1f µg/m³: it cannot be seeing the booth's air",
		s.value, s.since.Format("15:04:05 MST"), rose)
	return s.caught
}

// moving is when the staff sensors' readings last changed: for each
// trusted staff PM sensor, its last value, and the latest time any of
// them changed. A sensor seen for the first time has not moved yet (one
// that froze before ventd started must not vouch for a booth).
type moving struct {
	last  map[string]float64
	moved time.Time
}

// see records staff sensor name's trusted reading v, measured at at.
func (m *moving) see(name string, at time.Time, v float64) {
	if m.last == nil {
		m.last = map[string]float64{}
	}
	prev, ok := m.last[name]
	if ok && prev == v {
		return
	}
	m.last[name] = v
	if ok && at.After(m.moved) {
		m.moved = at
	}
}

// vouches reports whether a staff sensor moved within frozenStill of now:
// it sees the staff area's air, and smoke there would show in its rise.
func (m *moving) vouches(now time.Time) bool {
	return !m.moved.IsZero() && now.Sub(m.moved) < frozenStill
}
