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
package sensor
