package gasindex

import (
	"errors"
	"fmt"
	"math"
)

// ErrState is wrapped by every error SetState returns.
var ErrState = errors.New("gasindex: invalid state")

// State is what an Algorithm has learned, to save across a restart so the
// index does not spend another 12 hours re-learning. It marshals to JSON.
//
// Mean and Std are the two values of the reference's get_states/set_states
// (state0, state1). Resume is the rest of the algorithm's state; with it,
// SetState continues exactly where State was taken. Without it, SetState
// applies the reference's set_states, which only Sensirion's VOC algorithm
// supports.
//
// A State carries no time: the caller records when it saved one and, after
// an outage long enough for the air to have changed (Sensirion says more
// than 10 minutes for the reference's set_states), decides between restoring
// anyway, dropping Resume, or starting afresh.
type State struct {
	Kind Kind `json:"kind"`
	// Mean is the learned raw signal level in ticks above the signal's
	// minimum (20000 VOC, 10000 NOx).
	Mean float32 `json:"mean"`
	// Std is the learned spread of the raw signal, in ticks.
	Std    float32 `json:"std"`
	Resume *Resume `json:"resume,omitempty"`
}

// Resume is the part of State beyond the reference's two values. Field names
// follow the reference's variables so a reader can check them against it.
type Resume struct {
	Uptime                float32 `json:"uptime_s"`                // blackout counter
	Sraw                  float32 `json:"sraw"`                    // last valid sample minus minimum
	Index                 float32 `json:"index"`                   // last unrounded index
	EstimatorInitialized  bool    `json:"estimator_initialized"`   //
	EstimatorMean         float32 `json:"estimator_mean"`          // Mean = EstimatorMean + SrawOffset
	SrawOffset            float32 `json:"sraw_offset"`             //
	UptimeGamma           float32 `json:"uptime_gamma_s"`          // learning time so far, capped
	UptimeGating          float32 `json:"uptime_gating_s"`         //
	GatingDurationMinutes float32 `json:"gating_duration_minutes"` //
	LowpassInitialized    bool    `json:"lowpass_initialized"`     //
	LowpassX1             float32 `json:"lowpass_x1"`              // fast filter
	LowpassX2             float32 `json:"lowpass_x2"`              // slow filter
	LowpassX3             float32 `json:"lowpass_x3"`              // adaptive output
}

// State returns everything a has learned; see State (the type).
func (a *Algorithm) State() State {
	e := &a.est
	return State{
		Kind: a.kind,
		Mean: e.getMean(),
		Std:  e.std,
		Resume: &Resume{
			Uptime:                a.uptime,
			Sraw:                  a.sraw,
			Index:                 a.index,
			EstimatorInitialized:  e.initialized,
			EstimatorMean:         e.mean,
			SrawOffset:            e.srawOffset,
			UptimeGamma:           e.uptimeGamma,
			UptimeGating:          e.uptimeGating,
			GatingDurationMinutes: e.gatingMinutes,
			LowpassInitialized:    a.lp.initialized,
			LowpassX1:             a.lp.x1,
			LowpassX2:             a.lp.x2,
			LowpassX3:             a.lp.x3,
		},
	}
}

// SetState restores a state saved by State. Set the tuning first: SetTuning
// restarts learning.
//
// With Resume, every value is restored and the next Process returns what the
// uninterrupted algorithm would have; this works for VOC and NOx alike.
//
// Without Resume (for example a state0/state1 pair saved by Sensirion's own
// library), SetState follows the reference's set_states: the estimator takes
// Mean and Std, counts as three hours into learning so the start-up phase is
// skipped, and the index continues from there; the blackout and the filter
// are untouched, as when the reference calls it right after init. Unlike the
// reference it also clears the estimator's offset, which the reference
// leaves stale when set_states is called on a running instance. NOx is
// refused on this path, as the reference supports it for VOC only: the NOx
// start-up phase lasts 4.75 h, so "three hours in" would restart fast
// learning and throw the restored mean away within the hour.
//
// A state that fails validation leaves a unchanged.
func (a *Algorithm) SetState(s State) error {
	if err := a.checkState(s); err != nil {
		return err
	}
	e := &a.est
	if r := s.Resume; r != nil {
		a.uptime, a.sraw, a.index = r.Uptime, r.Sraw, r.Index
		e.initialized, e.mean, e.srawOffset, e.std = r.EstimatorInitialized, r.EstimatorMean, r.SrawOffset, s.Std
		e.uptimeGamma, e.uptimeGating, e.gatingMinutes = r.UptimeGamma, r.UptimeGating, r.GatingDurationMinutes
		a.lp.initialized, a.lp.x1, a.lp.x2, a.lp.x3 = r.LowpassInitialized, r.LowpassX1, r.LowpassX2, r.LowpassX3
	} else {
		e.mean, e.srawOffset, e.std = s.Mean, 0, s.Std
		e.uptimeGamma = persistenceUptimeGamma
		e.initialized = true
		a.sraw = s.Mean
	}
	a.moxStd, a.moxMean = e.std, e.getMean()
	return nil
}

func (a *Algorithm) checkState(s State) error {
	if s.Kind != a.kind {
		return fmt.Errorf("%w: saved for %s, this algorithm is %s; restore each algorithm from its own saved state", ErrState, s.Kind, a.kind)
	}
	finite := func(name string, v float32) error {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("%w: %s is %v; the saved state is corrupt, start without it", ErrState, name, v)
		}
		return nil
	}
	if err := finite("std", s.Std); err != nil {
		return err
	}
	if err := finite("mean", s.Mean); err != nil {
		return err
	}
	if s.Std <= 0 {
		return fmt.Errorf("%w: std = %v, want > 0; the saved state is corrupt, start without it", ErrState, s.Std)
	}
	r := s.Resume
	if r == nil {
		if a.kind == NOx {
			return fmt.Errorf("%w: a NOx state needs its resume data (Sensirion's set_states supports VOC only); save it with State", ErrState)
		}
		if s.Mean <= 0 || s.Mean > 32767 {
			return fmt.Errorf("%w: mean = %v, want 0 < mean <= 32767 ticks above the minimum; nothing was learned yet, start without it", ErrState, s.Mean)
		}
		return nil
	}
	for _, f := range []struct {
		name string
		v    float32
	}{
		{"resume.uptime_s", r.Uptime}, {"resume.sraw", r.Sraw}, {"resume.index", r.Index},
		{"resume.estimator_mean", r.EstimatorMean}, {"resume.sraw_offset", r.SrawOffset},
		{"resume.uptime_gamma_s", r.UptimeGamma}, {"resume.uptime_gating_s", r.UptimeGating},
		{"resume.gating_duration_minutes", r.GatingDurationMinutes},
		{"resume.lowpass_x1", r.LowpassX1}, {"resume.lowpass_x2", r.LowpassX2}, {"resume.lowpass_x3", r.LowpassX3},
	} {
		if err := finite(f.name, f.v); err != nil {
			return err
		}
		if f.v < 0 && f.name != "resume.estimator_mean" {
			return fmt.Errorf("%w: %s = %v, want >= 0; the saved state is corrupt, start without it", ErrState, f.name, f.v)
		}
	}
	if r.EstimatorMean+r.SrawOffset != s.Mean {
		return fmt.Errorf("%w: mean %v does not equal resume.estimator_mean + resume.sraw_offset (%v); if mean was edited, drop resume to apply mean and std alone", ErrState, s.Mean, r.EstimatorMean+r.SrawOffset)
	}
	return nil
}
