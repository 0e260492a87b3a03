package control

import (
	"fmt"
	"math"
	"time"
)

// A frozen booth sensor repeats its last reading: the booth may fill with
// smoke while the law sees clean air. The sensor layer calls a reading
// frozen once it has not changed for its stuck time (30 min by default),
// since in steady clean air a reading may sit still a while. The room law
// can tell sooner: every booth draws its air from the staff area, so
// smoke that reaches the staff area moves any working booth sensor too.
// A booth sensor whose reading has not changed at all for frozenWindow
// while the staff level rose by more than frozenRise beyond the staff
// sensor's noise cannot be seeing its booth's air, and the booth is
// treated as unknown air (its fans go to their safe duty) until the
// reading moves again.
const (
	frozenWindow = 30 * time.Second
	frozenRise   = 0.2 // µg/m³
)

// stillness is how long one booth sensor's reading has stood exactly
// still, and where the staff level stood when it began.
type stillness struct {
	value float64
	since time.Time
	staff float64 // staff level then, NaN if unknown
	// caught is why the reading was found frozen; it holds until the
	// reading moves: the staff level falling back does not thaw it.
	caught string
}

// observe records a new reading v at time at, with the staff level now
// (NaN when no staff sensor is trusted).
func (s *stillness) observe(at time.Time, v, staff float64) {
	if s.since.IsZero() || v != s.value {
		*s = stillness{value: v, since: at, staff: staff}
		return
	}
	if math.IsNaN(s.staff) {
		s.staff = staff // the staff area came back: measure from now
	}
}

// frozen says why the reading cannot be the booth's air ("" when it can
// be): it stood still for frozenWindow while the staff level rose by
// more than frozenRise beyond its noise, now or since.
func (s *stillness) frozen(now time.Time, staff float64) string {
	if s.caught != "" {
		return s.caught
	}
	if s.since.IsZero() || math.IsNaN(staff) || math.IsNaN(s.staff) {
		return ""
	}
	still := now.Sub(s.since)
	rose := staff - s.staff
	if still < frozenWindow || rose <= frozenRise+staffNoise(staff) {
		return ""
	}
	s.caught = fmt.Sprintf("reading stuck at %.1f µg/m³ since %s while the staff area rose by %.1f µg/m³: it cannot be seeing the booth's air",
		s.value, s.since.Format("15:04:05"), rose)
	return s.caught
}
