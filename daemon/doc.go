// Package daemon is ventd's main loop: it reads every sensor, decides each
// fan's duty, sets the fans, and publishes one snapshot of the room for the
// outputs, once a control period, on an injected clock.
//
// The loop is the only goroutine that touches sensors and fans. Outputs
// (HTTP, metrics, later MQTT and the journal) read the published snapshot
// and never hold the loop up: a slow broker or a stuck browser cannot delay
// the fan. Hardware comes from a Hardware: the Pi's buses and fan outputs,
// or the testbench's simulated room, with the same drivers on top.
package daemon
