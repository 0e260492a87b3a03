// Package scd4x drives the Sensirion SCD40 and SCD41 photoacoustic CO2
// sensors (CO2 in ppm, temperature, relative humidity) at I2C address 0x62.
//
// Datasheet: Sensirion, "Datasheet SCD4x — Miniaturized CO2 and Humidity
// Sensor", version 1.3, September 2022 (chapter 3: command set, execution
// times, signal conversions and the byte examples the tests replay).
// get_ambient_pressure (0xe000 read) comes from later revisions.
//
// # Why not periph.io/x/devices/v3/scd4x
//
// periph v3.7.4 ships an scd4x package. ventd does not use it because:
//
//   - It sleeps with time.Sleep and times out with time.Now, so it cannot
//     run on simulated time: an 8 h shift in a test would take 8 h.
//   - countToOffset returns physic.Temperature(175/65535·count) without the
//     physic.Celsius factor, so a 4 °C offset reads back as about 4 nK.
//   - SetConfiguration checks that the ASC initial and standard periods
//     are multiples of 4 hours with Duration%4, which tests nanoseconds:
//     every whole number of hours passes (45 h too), and the sensor gets a
//     period it does not accept.
//   - It has no forced recalibration (0x362f) and no self test. A booth
//     where people smoke all day never sees 400 ppm fresh air, so automatic
//     self-calibration drifts there and forced recalibration is the only
//     trustworthy calibration.
//   - Sense starts measurement on its own and then blocks up to 11 s, and
//     SenseContinuous starts a goroutine; ventd's control loop must never
//     block on a sensor nor own goroutines it did not ask for.
//   - A CRC error is a plain string, so callers cannot tell corrupt data
//     from "no data yet" with errors.Is.
//
// This driver keeps every word CRC-checked through drivers/sensirion, waits
// each command's execution time on the injected clock, refuses commands the
// datasheet forbids during periodic measurement with ErrMeasuring instead
// of letting the sensor NACK them, and reports a sensor that stopped
// producing data (ErrStale) rather than "not ready" forever.
//
// Execution times are the datasheet's, except wake_up and reinit: the
// datasheet gives 20 ms, Sensirion's own driver (embedded-i2c-scd4x 1.2.0,
// scd4x_i2c.c, at its November 2025 head) waits 30 ms after each, and so
// do this driver and its twin. With 20 ms a sensor left powered down
// could refuse the stop_periodic_measurement that New sends next.
//
// testbench/scd41sim is the simulated twin the tests run against.
package scd4x
