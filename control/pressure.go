package control

import (
	"math"
	"time"

	"github.com/ventd/ventd/sample"
)

// pressureHold keeps the booth at negative pressure when a pressure sensor
// proves it: smoke stays in a booth only while air flows in through its
// openings, and how much flow that takes depends on the booth's leaks and
// doors, which no config can know. So the fan's floor is found by
// measurement: an integral on the booth's pressure error raises the floor
// above MinDuty until the one-minute mean pressure reaches the target,
// and lets it sink when the booth is more negative than it needs to be.
type pressureHold struct {
	floor float64   // duty, 0 until the first pressure reading
	mean  float64   // one-minute exponential mean, Pa
	seen  time.Time // last reading used
}

// pressureMean is the averaging time: LEED judges containment on the
// average, and a door opening for a moment should not send the fan up.
const pressureMean = time.Minute

// update returns the duty floor for this period.
func (h *pressureHold) update(now time.Time, in []sample.Sample, dt time.Duration, f FanSpec, t Tuning) float64 {
	if h.floor == 0 {
		h.floor = f.MinDuty
	}
	// The least negative booth decides: every booth must be contained.
	v := math.NaN()
	for _, s := range in {
		if s.Valid(now, t.MaxAge) && (math.IsNaN(v) || s.Value > v) {
			v = s.Value
		}
	}
	if math.IsNaN(v) || t.PressureGain <= 0 {
		return h.floor // no proof either way: hold
	}
	if h.seen.IsZero() {
		h.mean = v
	} else {
		h.mean += (v - h.mean) * minOf(dt.Seconds()/pressureMean.Seconds(), 1)
	}
	h.seen = now
	h.floor = clamp(h.floor+t.PressureGain*(h.mean-f.PressureTarget)*dt.Minutes(), f.MinDuty, f.MaxDuty)
	return h.floor
}
