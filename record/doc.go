// Package record is what happened in one control period, and how it
// reaches every output.
//
// Each control period the loop yields one immutable Period: the readings
// with their quality, each fan's decision, the exposure figures, the active
// alarms, and the events of the period (alarm transitions, finished minute
// aggregates, gaps, actions served, calibrations, finished shifts). A Hub
// hands every Period to every attached Output on the output's own
// goroutine, in order. Publish never waits: an output that falls behind
// gets its backlog merged (the newest state, every event kept), so a slow
// broker, a stuck browser or a stalled disk cannot delay the fan, and
// every output still sees every alarm transition once, in order.
//
// Alarm transitions carry their sequence number (alarm.Event.ID):
// consecutive, rising across restarts (the journal keeps where it got to),
// so a consumer can tell a gap from a duplicate.
package record
