// Package control turns measurements into fan demands: pure logic over
// samples and the time they carry, with no I/O and no clock of its own, so
// tests drive it sample by sample and a simulated shift runs in
// microseconds.
//
// The safe direction for an extraction fan is up: missing, stale, corrupt or
// out-of-range data sends the fan to its safe duty (full by default), the
// opposite of a heating controller that turns outputs off when in doubt.
package control
