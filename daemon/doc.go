// Package daemon is ventd's control loop. Once a control period, on an
// injected clock, it reads every sensor through the sensor layer, decides
// each fan's duty, sets the fans, updates the exposure record and the
// alarms, and publishes what happened as one immutable record.Period.
//
// The loop is the only goroutine that touches sensors and fans, and it
// never waits on an output: the journal, the snapshot behind /api/state,
// MQTT and the status page each receive the records on their own
// goroutine through a record.Hub. Requests that change the room (purge,
// acknowledge, calibrate) reach the loop through a queue and are answered
// by it, so the loop alone changes its state. Hardware comes from a
// Hardware: the Pi's buses and fan outputs, or the simulated room, with
// the same drivers on top.
package daemon
