package control

import (
	"math"
	"time"
)

// Every booth draws its air from the staff area, so in quiet air, its
// fans running and no smoke in it, the booth's PM2.5 sensor and the staff
// area's read the same air. The law learns their small difference as the
// sensors' offset (booth.learn). A difference beyond what two working
// sensors can read apart, held through quiet air hour after hour, means
// one of them reads wrong: a staff sensor reading low understates the
// exposure record, and a booth sensor reading high keeps its fans up and
// the booth from ever showing safe to enter. Neither is a fault the
// sensor reports; only the two together show it.

// SensorsApart is how far apart a booth's PM2.5 sensor and the staff
// area's read in quiet air, and for how long they have.
type SensorsApart struct {
	// By is the booth's reading less the staff area's (smoothed, µg/m³)
	// in the latest quiet air; NaN before any.
	By float64
	// For is the quiet air, summed over sessions between, in which they
	// read further apart than two working sensors can (apartLimit),
	// since they last read near each other; 0 while they agree.
	For time.Duration
}

// apartLimit is the most two working SPS30s read apart at staff level
// staff: each within ±10 µg/m³ below 100 µg/m³ and ±10 % above
// (datasheet, "mass concentration accuracy"), so twice that between two.
func apartLimit(staff float64) float64 { return 20 + 0.2*math.Abs(staff) }

// apartAgree is the share of apartLimit within which two sensors agree
// again: a difference that hovers at the limit neither raises and clears
// over and over.
const apartAgree = 0.8

// observe takes dt of quiet air in which the booth read diff above the
// staff area at staff level staff.
func (a *SensorsApart) observe(dt time.Duration, diff, staff float64) {
	a.By = diff
	switch lim := apartLimit(staff); {
	case math.Abs(diff) > lim:
		a.For += dt
	case math.Abs(diff) < apartAgree*lim:
		a.For = 0
	}
}
