package scd4x

import "fmt"

// The forced recalibration sequence (datasheet 3.7.1) takes about a second
// of waiting: 500 ms after stop_periodic_measurement, 400 ms after
// perform_forced_recalibration. A control loop must not sleep through it,
// so these split it into steps that send a command and return at once; the
// caller waits the step's Wait before the next step, doing other work.

// StopWait is how long after BeginStop the sensor is idle and takes
// BeginForcedRecalibration.
const StopWait = execStop

// RecalibrationWait is how long after BeginForcedRecalibration the result
// can be read.
const RecalibrationWait = execForcedRecal

// BeginStop sends stop_periodic_measurement without waiting: the sensor
// takes configuration commands StopWait later.
func (d *Dev) BeginStop() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.c.Write(cmdStopPeriodic, 0); err != nil {
		return fmt.Errorf("scd4x: stop periodic measurement: %w", err)
	}
	d.mode = idle
	return nil
}

// BeginForcedRecalibration sends perform_forced_recalibration with the
// reference without waiting; read the result with
// ForcedRecalibrationResult RecalibrationWait later. The sensor must have
// been stopped StopWait before.
func (d *Dev) BeginForcedRecalibration(referencePPM int) error {
	const op = "forced recalibration"
	ref, err := frcWord(referencePPM)
	if err != nil {
		return fmt.Errorf("scd4x: %s: %w", op, err)
	}
	return d.write(op, true, cmdForcedRecal, 0, ref)
}

// ForcedRecalibrationResult reads the correction the sensor applied, in
// ppm, after BeginForcedRecalibration.
func (d *Dev) ForcedRecalibrationResult(referencePPM int) (int, error) {
	const op = "forced recalibration"
	d.mu.Lock()
	defer d.mu.Unlock()
	w, err := d.c.ReadWords(cmdForcedRecal, 1)
	if err != nil {
		return 0, fmt.Errorf("scd4x: %s: %w", op, err)
	}
	if w[0] == frcFailed {
		return 0, fmt.Errorf("scd4x: %s to %d ppm: %w (sensor answered 0xffff): run periodic measurement for more than 3 minutes in steady air at the reference, then retry", op, referencePPM, ErrFRCFailed)
	}
	return frcCorrection(w[0]), nil
}
