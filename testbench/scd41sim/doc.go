// Package scd41sim is a simulated Sensirion SCD41 CO2 sensor that speaks the
// datasheet's I2C command set byte for byte (CRC-checked arguments and
// answers, execution times, state rules), so drivers/scd4x runs unchanged
// against it on an i2csim bus and simulated time.
//
// The measurement model, from "Datasheet SCD4x" version 1.3:
//
//   - periodic measurement every 5 s (low power: 30 s), single shot in 5 s;
//   - CO2 through a first-order lag (τ63 = 60 s) from the true air of an
//     air.Source, so a step in the room shows up over minutes;
//   - a per-unit calibration error within the specified accuracy
//     ±(50 ppm + 2.5 % of reading), drawn from Opts.Seed, which forced
//     recalibration removes and automatic self-calibration (ASC) pulls
//     toward 400 ppm at the end of each ASC period (44 h, then 156 h);
//   - Gaussian noise of σ 5 ppm (about ±10 ppm), off with Opts.Quiet;
//   - pressure dependence: the cell sees CO2 molecules, not ppm, so the
//     reading scales with the true pressure at Opts.Altitude and is
//     compensated with the set ambient pressure or sensor altitude;
//   - self-heating (Opts.SelfHeating, default 4 °C) that the temperature
//     offset removes from temperature and, through the saturation vapour
//     pressure, from relative humidity.
//
// Commands the datasheet forbids during periodic measurement are NACKed, as
// are reads before a command's execution time has passed and reads of an
// empty measurement buffer. SetStuck freezes the output, as a failing
// sensor that still talks does.
package scd41sim
