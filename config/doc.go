// Package config reads ventd's one configuration file: the room's zones,
// the sensors in them, the fans that exhaust the booths, alarm thresholds
// and timing, the control loop's tuning, the shifts and limits of the
// exposure record, and the journal's retention.
//
// Loading is strict because a mistyped key in a safety device must not be
// silently ignored: an unknown key, a value of the wrong type or an
// invalid value is an error naming the file, the line, the key's path and
// the expected form, and every mistake in the file is reported at once so
// the installer fixes them in one pass:
//
//	config.yaml:12: fans[0].sysfs_pwm.chip: must be 0 or more (got -1)
//
// Optional values left out get the defaults documented on each field;
// a value written out is always validated as written, never replaced.
// example.yaml in this directory is a commented configuration for a real
// Raspberry Pi; sim.yaml is the configuration behind Sim and `ventd -sim`.
package config
