// Package sensor is ventd's sensor layer: every configured sensor, driven
// through its driver, with what it takes to trust a reading.
//
// A Sensor owns opening its device, the escalation when reads fail (retry
// at once, stop and re-initialise after three failures, clear a stuck bus
// where the host can, then report a fault), its health (stale, corrupt, out
// of range, frozen), the site's calibration factors, learned state that
// must survive a restart (the VOC index baseline, the SPS30's measuring
// time) and maintenance (SPS30 fan cleaning, SCD4x forced recalibration in
// steps that never make the caller wait). Each kind of device plugs in
// through small interfaces, so nothing above this package switches on a
// device type. ventd's loop and `ventctl read` use the same code, so both
// show the same values for the same sensor.
//
// # Adding a sensor type
//
// A new type needs its datasheet facts in config's models table (address,
// period, the quantities it reports, the reading a freeze shows in), a
// periph.io-style driver under drivers/, a device here (the device
// interface, and whichever of the optional abilities in abilities.go it
// has: learned state to keep, a status register that speaks for its
// measuring chain, maintenance to journal), its constructor in New, and a
// simulated device for testbench that speaks its real command set. The
// fan law, alarms, exposure record and outputs ask config what a type
// measures, never which type it is. A device reports a value it does not
// have yet as sample.Warmup and a part of itself that failed as a
// sample.Fault wrapping ErrDeviceStatus: both are unknown air, and the
// second raises the sensor's fault alarm. drivers/sen5x and sen5x.go are a
// complete example, added by following these steps.
package sensor
