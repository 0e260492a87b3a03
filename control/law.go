package control

import (
	"time"

	"github.com/ventd/ventd/sample"
)

// Law decides one fan's duty each control period. Fan is ventd's law;
// ventbench swaps in the baselines (full, min, on/off, fixed) through the
// same interface, so they run the same control path.
type Law interface {
	// Update decides the duty at now from the latest samples.
	Update(now time.Time, in Input) Decision
	// Purge runs the fan at maximum until the booths are safe to enter;
	// CancelPurge ends it early.
	Purge()
	CancelPurge()
	Purging() bool
	// SecondsToEntry estimates when the booths are below the entry
	// threshold: 0 now, -1 unknown.
	SecondsToEntry() float64
}

// Input is what a law sees each period: the latest PM2.5 sample of every
// sensor in the booths the fan serves and in the staff zones beside them.
// A missing sensor appears as a sample with a bad quality, never as
// absence, so a law cannot mistake a dead sensor for clean air.
type Input struct {
	Booth []sample.Sample
	Staff []sample.Sample
	// Pressure is the booths' differential pressure against the staff
	// area (Pa), from the pressure sensors the booths have, if any.
	Pressure []sample.Sample
}

var _ Law = (*Fan)(nil)
