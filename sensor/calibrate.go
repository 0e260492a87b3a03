package sensor

import (
	"fmt"
	"time"

	"github.com/ventd/ventd/record"
)

// A forced recalibration tells a CO2 sensor that the air it sits in has
// the reference's CO2. It runs in steps inside Update, each only sending a
// command, so the loop never waits the second it takes; the sensor's
// readings count as unknown meanwhile (a CO2 gap: CO2 never steers the
// fans). One at a time per sensor.

// calibration is a recalibration under way.
type calibration struct {
	reference int
	by        record.Actor
	note      string
	steps     []calStep
	next      time.Time // when the next step may run
	done      func(correction int, err error)
}

// Recalibrate starts a forced recalibration to referencePPM. done is
// called from Update (the loop's goroutine) when it has finished, with the
// correction the sensor applied or why it failed; the calibration is then
// also in TakeCalibrations. It returns at once; ErrBusy when one is
// already under way.
func (s *Sensor) Recalibrate(now time.Time, referencePPM int, by record.Actor, note string, done func(correction int, err error)) error {
	r, ok := s.dev.(recalibrator)
	switch {
	case !ok:
		return fmt.Errorf("%s is an %s; only SCD4x CO2 sensors take a forced recalibration", s.cfg.Name, s.cfg.Type)
	case s.calib != nil:
		return fmt.Errorf("%s: %w: a recalibration to %d ppm is under way; try again in a few seconds", s.cfg.Name, ErrBusy, s.calib.reference)
	case !s.open || s.failures > 0:
		reason := "not running"
		if s.lastErr != nil {
			reason = s.lastErr.Error()
		}
		return fmt.Errorf("%s cannot be recalibrated now (%s); fix it first", s.cfg.Name, reason)
	}
	s.calib = &calibration{reference: referencePPM, by: by, note: note, steps: r.recalibrateSteps(referencePPM), next: now, done: done}
	s.log.Info("forced recalibration started", "reference_ppm", referencePPM, "by", by.String())
	return nil
}

// stepCalibration runs the next step when it is due.
func (s *Sensor) stepCalibration(now time.Time) {
	c := s.calib
	if now.Before(c.next) {
		return
	}
	step := c.steps[0]
	c.steps = c.steps[1:]
	corr, err := step.run()
	if err == nil && len(c.steps) > 0 {
		c.next = now.Add(step.wait)
		return
	}
	s.calib = nil
	if err != nil {
		// The sensor may be left stopped: re-initialise it.
		s.dev.halt()
		s.open = false
		s.log.Warn("forced recalibration failed", "err", err)
		c.done(0, fmt.Errorf("forced recalibration of %s: %w", s.cfg.Name, err))
		return
	}
	s.journal = append(s.journal, record.Calibration{Time: now, Sensor: s.cfg.Name, Serial: s.dev.serial(), Kind: "frc",
		Reference: float64(c.reference), Correction: float64(corr), By: c.by, Note: c.note})
	s.log.Info("CO2 sensor recalibrated", "reference_ppm", c.reference, "correction_ppm", corr, "by", c.by.String())
	c.done(corr, nil)
}

// Recalibrating reports whether a recalibration is under way.
func (s *Sensor) Recalibrating() bool { return s.calib != nil }
