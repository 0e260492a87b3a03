package gasindex

import (
	"errors"
	"fmt"
)

// ErrTuning is wrapped by every tuning validation error.
var ErrTuning = errors.New("gasindex: invalid tuning")

// Tuning holds the parameters of the reference's set_tuning_parameters.
// Sensirion recommends the defaults (DefaultTuning) for almost every use.
type Tuning struct {
	// IndexOffset is the index reported for the usual (learned) air.
	// 1..250; default 100 for VOC, 1 for NOx.
	IndexOffset int `json:"index_offset"`
	// LearningTimeOffsetHours is the time constant for learning the mean;
	// past events are forgotten after about twice this. 1..1000 h; default 12.
	LearningTimeOffsetHours int `json:"learning_time_offset_hours"`
	// LearningTimeGainHours is the time constant for learning the spread.
	// 1..1000 h; default 12. Has no effect on NOx.
	LearningTimeGainHours int `json:"learning_time_gain_hours"`
	// GatingMaxDurationMinutes bounds how long a high index may keep the
	// estimator from learning; 0 disables gating. 0..3000 min; default 180
	// for VOC, 720 for NOx.
	GatingMaxDurationMinutes int `json:"gating_max_duration_minutes"`
	// StdInitial is the spread assumed before any is learned: lower values
	// make early events stand out more but vary more between sensors.
	// 10..5000; default 50. Has no effect on NOx.
	StdInitial int `json:"std_initial"`
	// GainFactor scales the normalised signal before the sigmoid.
	// 1..1000; default 230.
	GainFactor int `json:"gain_factor"`
}

// DefaultTuning is the reference's tuning for kind k.
func DefaultTuning(k Kind) Tuning {
	t := Tuning{
		IndexOffset:              100,
		LearningTimeOffsetHours:  12,
		LearningTimeGainHours:    12,
		GatingMaxDurationMinutes: 180,
		StdInitial:               50,
		GainFactor:               230,
	}
	if k == NOx {
		t.IndexOffset = 1
		t.GatingMaxDurationMinutes = 720
	}
	return t
}

// Validate checks every field against the reference's documented range and
// reports all fields that are out of range, each naming its valid range.
func (t Tuning) Validate() error {
	var errs []error
	check := func(name string, v, lo, hi int, def string) {
		if v < lo || v > hi {
			errs = append(errs, fmt.Errorf("%w: %s = %d is outside %d..%d (default %s)", ErrTuning, name, v, lo, hi, def))
		}
	}
	check("index_offset", t.IndexOffset, 1, 250, "100 for VOC, 1 for NOx")
	check("learning_time_offset_hours", t.LearningTimeOffsetHours, 1, 1000, "12")
	check("learning_time_gain_hours", t.LearningTimeGainHours, 1, 1000, "12")
	check("gating_max_duration_minutes", t.GatingMaxDurationMinutes, 0, 3000, "180 for VOC, 720 for NOx")
	check("std_initial", t.StdInitial, 10, 5000, "50")
	check("gain_factor", t.GainFactor, 1, 1000, "230")
	return errors.Join(errs...)
}

// Tuning returns the tuning in use.
func (a *Algorithm) Tuning() Tuning {
	return Tuning{
		IndexOffset:              int(a.indexOffset),
		LearningTimeOffsetHours:  int(a.tauMeanHours),
		LearningTimeGainHours:    int(a.tauVarianceHours),
		GatingMaxDurationMinutes: int(a.gatingMaxMinutes),
		StdInitial:               int(a.stdInitial),
		GainFactor:               int(a.indexGain),
	}
}

// SetTuning validates t and applies it. As in the reference, applying a
// tuning restarts learning (the estimator and the low-pass filter start
// afresh; the blackout does not repeat), so set the tuning first and then
// restore a saved state with SetState. An invalid tuning changes nothing.
func (a *Algorithm) SetTuning(t Tuning) error {
	if err := t.Validate(); err != nil {
		return err
	}
	a.setTuning(t)
	a.initInstances()
	return nil
}

func (a *Algorithm) setTuning(t Tuning) {
	a.indexOffset = float32(t.IndexOffset)
	a.tauMeanHours = float32(t.LearningTimeOffsetHours)
	a.tauVarianceHours = float32(t.LearningTimeGainHours)
	a.gatingMaxMinutes = float32(t.GatingMaxDurationMinutes)
	a.stdInitial = float32(t.StdInitial)
	a.indexGain = float32(t.GainFactor)
}
