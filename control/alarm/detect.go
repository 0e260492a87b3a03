package alarm

import (
	"fmt"
	"math"
	"time"
)

// StuckDetector spots a sensor that keeps returning the same value: a frozen
// firmware or a stuck register reads as plausible air and would otherwise
// pass every range and CRC check. Feed its result to a WhenTrue rule.
type StuckDetector struct {
	epsilon float64
	after   time.Duration

	ref   float64   // the value that started the current run
	since time.Time // when the run started
	run   bool
}

// NewStuckDetector returns a detector that reports stuck once every value
// has stayed within epsilon of the first value of the run for at least
// after. Compare with the run's first value, not the previous one, so a
// slow real drift in steps smaller than epsilon still counts as change.
// Choose after well beyond the quietest real air: a SCD41 varies by a few
// ppm every 5 s reading, while PM2.5 in very clean air can sit at one value
// for minutes.
func NewStuckDetector(epsilon float64, after time.Duration) (*StuckDetector, error) {
	if !finite(epsilon) || epsilon < 0 {
		return nil, fmt.Errorf("alarm: stuck detector: epsilon is %v; use an amount ≥ 0 in the quantity's unit (0: identical readings)", epsilon)
	}
	if after <= 0 {
		return nil, fmt.Errorf("alarm: stuck detector: after is %v; use a duration > 0 such as 10m", after)
	}
	return &StuckDetector{epsilon: epsilon, after: after}, nil
}

// Update takes one valid reading and reports whether the sensor is stuck.
// A NaN or a clock that stepped back starts a new run.
func (d *StuckDetector) Update(now time.Time, v float64) bool {
	if !finite(v) {
		d.Reset()
		return false
	}
	if !d.run || math.Abs(v-d.ref) > d.epsilon || now.Before(d.since) {
		d.ref, d.since, d.run = v, now, true
		return false
	}
	return now.Sub(d.since) >= d.after
}

// Reset forgets the current run, say after the sensor was re-initialised.
func (d *StuckDetector) Reset() { d.run = false }

// Run returns the current run of unchanged values: the value that started
// it and when; ok is false when there is none.
func (d *StuckDetector) Run() (ref float64, since time.Time, ok bool) {
	return d.ref, d.since, d.run
}

// Resume continues a run saved with Run before a restart: the next Update
// with a value within epsilon of ref extends it, from since, rather than
// starting a new one (a daemon's restart does not power its sensors off,
// so a reading that stood still before it and after is one run).
func (d *StuckDetector) Resume(ref float64, since time.Time) {
	if finite(ref) {
		d.ref, d.since, d.run = ref, since, true
	}
}

// Since returns when the current run of unchanged values started: once
// the detector reports stuck, the time the reading froze.
func (d *StuckDetector) Since() time.Time { return d.since }

// StallDetector spots a fan that is told to run but does not turn: a seized
// bearing, a cut tach wire or a dead fan all leave the booth without
// extraction. Feed its result to a WhenTrue rule.
type StallDetector struct {
	minDuty, minRPM float64
	after           time.Duration

	since time.Time // start of the current stall run
	run   bool
}

// NewStallDetector returns a detector that reports a stall once the duty has
// been at least minDuty and the tach below minRPM for at least after. Duties
// are in whatever unit the caller feeds (control uses fractions 0..1). after
// must cover spin-up from standstill, a few seconds for most fans, or every
// start would be a stall. Below minDuty many fans stop by design, so no
// stall is reported there.
func NewStallDetector(minDuty, minRPM float64, after time.Duration) (*StallDetector, error) {
	if !finite(minDuty) || minDuty <= 0 {
		return nil, fmt.Errorf("alarm: stall detector: minDuty is %v; use the lowest duty at which the fan reliably turns (> 0)", minDuty)
	}
	if !finite(minRPM) || minRPM <= 0 {
		return nil, fmt.Errorf("alarm: stall detector: minRPM is %v; use an RPM > 0 well below the fan's speed at minDuty", minRPM)
	}
	if after <= 0 {
		return nil, fmt.Errorf("alarm: stall detector: after is %v; use a duration > 0 covering spin-up, such as 10s", after)
	}
	return &StallDetector{minDuty: minDuty, minRPM: minRPM, after: after}, nil
}

// Update takes the commanded duty and the measured RPM and reports whether
// the fan is stalled. An unknown RPM (NaN) counts as too slow: extraction
// that cannot be confirmed is not extraction (DESIGN.md safety rules).
func (d *StallDetector) Update(now time.Time, duty, rpm float64) bool {
	stalling := duty >= d.minDuty && !(rpm >= d.minRPM)
	if !stalling {
		d.run = false
		return false
	}
	if !d.run || now.Before(d.since) {
		d.since, d.run = now, true
	}
	return now.Sub(d.since) >= d.after
}

// Reset forgets the current run.
func (d *StallDetector) Reset() { d.run = false }
