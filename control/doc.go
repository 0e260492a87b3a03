// Package control turns measurements into fan duties: pure logic over
// samples and the time they carry, with no I/O and no clock of its own, so
// tests drive it sample by sample and a simulated shift runs in
// milliseconds.
//
// Room is ventd's law: one controller for every booth and fan of a room,
// with the staff area's air as the objective the fans share (see Room and
// the README's "Tuning"). ParamsFor is the one place where the config's
// `control:` keys (and the fans, zones and thresholds the law needs)
// become its settings. The baselines ventbench measures Room against
// (Fixed, OnOff, Proportional) run one fan each, through PerFan.
//
// The safe direction for an extraction fan is up: missing, stale, corrupt
// or out-of-range booth data sends the booth's fans to their safe duty
// (full by default), the opposite of a heating controller that turns
// outputs off when in doubt.
package control
