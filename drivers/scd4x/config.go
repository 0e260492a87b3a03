package scd4x

import (
	"fmt"
	"time"
)

// Settings, calibration and maintenance commands. All but the ambient
// pressure ones need an idle sensor (datasheet table 9); the settings live
// in RAM until PersistSettings.

// write sends a command with arguments after checking the sensor state.
func (d *Dev) write(op string, idleOnly bool, cmd uint16, exec time.Duration, args ...uint16) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.need(op, idleOnly); err != nil {
		return err
	}
	if err := d.c.Write(cmd, exec, args...); err != nil {
		return fmt.Errorf("scd4x: %s: %w", op, err)
	}
	return nil
}

// read sends a command and returns its one answer word.
func (d *Dev) read(op string, idleOnly bool, cmd uint16, exec time.Duration, args ...uint16) (uint16, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if err := d.need(op, idleOnly); err != nil {
		return 0, err
	}
	w, err := d.c.Read(cmd, exec, 1, args...)
	if err != nil {
		return 0, fmt.Errorf("scd4x: %s: %w", op, err)
	}
	return w[0], nil
}

// SetTemperatureOffset sets how much the sensor's own heat raises its
// temperature reading, 0 to 20 °C (4 °C from the factory). It corrects both
// the temperature and the relative humidity the sensor reports.
func (d *Dev) SetTemperatureOffset(celsius float64) error {
	w, err := offsetWord(celsius)
	if err != nil {
		return fmt.Errorf("scd4x: set temperature offset: %w", err)
	}
	return d.write("set temperature offset", true, cmdSetTempOffset, execShort, w)
}

// TemperatureOffset reads the temperature offset in °C.
func (d *Dev) TemperatureOffset() (float64, error) {
	w, err := d.read("get temperature offset", true, cmdGetTempOffset, execShort)
	return offsetCelsius(w), err
}

// SetAltitude sets the installation altitude, 0 to 3000 m above sea level,
// which the sensor turns into a pressure for its CO2 compensation.
func (d *Dev) SetAltitude(metres int) error {
	w, err := altitudeWord(metres)
	if err != nil {
		return fmt.Errorf("scd4x: set sensor altitude: %w", err)
	}
	return d.write("set sensor altitude", true, cmdSetAltitude, execShort, w)
}

// Altitude reads the installation altitude in metres.
func (d *Dev) Altitude() (int, error) {
	w, err := d.read("get sensor altitude", true, cmdGetAltitude, execShort)
	return int(w), err
}

// SetAmbientPressure sets the air pressure in Pa (70 000 to 120 000) for
// CO2 compensation; it overrides the altitude. Unlike the other settings
// it is allowed during periodic measurement, so a barometer can feed it.
func (d *Dev) SetAmbientPressure(pa float64) error {
	w, err := pressureWord(pa)
	if err != nil {
		return fmt.Errorf("scd4x: set ambient pressure: %w", err)
	}
	return d.write("set ambient pressure", false, cmdAmbientPressure, execShort, w)
}

// AmbientPressure reads the pressure in Pa the sensor compensates for.
func (d *Dev) AmbientPressure() (float64, error) {
	w, err := d.read("get ambient pressure", false, cmdAmbientPressure, execShort)
	return pressurePa(w), err
}

// SetASC turns automatic self-calibration on or off. ASC assumes the sensor
// sees 400 ppm fresh air at least once a week; in a room that never does,
// turn it off and use ForcedRecalibration.
func (d *Dev) SetASC(on bool) error {
	var w uint16
	if on {
		w = 1
	}
	return d.write("set automatic self-calibration", true, cmdSetASC, execShort, w)
}

// ASC reports whether automatic self-calibration is on.
func (d *Dev) ASC() (bool, error) {
	w, err := d.read("get automatic self-calibration", true, cmdGetASC, execShort)
	return w != 0, err
}

// ForcedRecalibration tells the sensor the CO2 it sits in is referencePPM
// and returns the correction it applied in ppm (negative: it read high).
// Per datasheet 3.7.1 run periodic measurement for more than 3 minutes in
// steady air at the reference first, then Stop, then call this. The
// correction is kept by the sensor across power cycles.
func (d *Dev) ForcedRecalibration(referencePPM int) (int, error) {
	const op = "forced recalibration"
	ref, err := frcWord(referencePPM)
	if err != nil {
		return 0, fmt.Errorf("scd4x: %s: %w", op, err)
	}
	w, err := d.read(op, true, cmdForcedRecal, execForcedRecal, ref)
	if err != nil {
		return 0, err
	}
	if w == frcFailed {
		return 0, fmt.Errorf("scd4x: %s to %d ppm: %w (sensor answered 0xffff): run periodic measurement for more than 3 minutes in steady air at the reference, Stop, then retry", op, referencePPM, ErrFRCFailed)
	}
	return frcCorrection(w), nil
}

// PersistSettings stores temperature offset, altitude and ASC state in the
// sensor's EEPROM (rated for 2000 writes: call it after a change, not on
// every start).
func (d *Dev) PersistSettings() error {
	return d.write("persist settings", true, cmdPersistSettings, execPersist)
}

// SelfTest runs the sensor's 10 s self test.
func (d *Dev) SelfTest() error {
	w, err := d.read("perform self test", true, cmdSelfTest, execSelfTest)
	if err != nil {
		return err
	}
	if w != 0 {
		return fmt.Errorf("scd4x: perform self test: %w (result 0x%04x): replace the sensor", ErrSelfTest, w)
	}
	return nil
}

// FactoryReset restores factory settings and erases the calibration
// history (FRC and ASC) in EEPROM.
func (d *Dev) FactoryReset() error {
	return d.write("perform factory reset", true, cmdFactoryReset, execFactoryReset)
}

// Reinit reloads the settings stored in EEPROM, dropping unsaved changes.
func (d *Dev) Reinit() error {
	return d.write("reinit", true, cmdReinit, execReinit)
}
