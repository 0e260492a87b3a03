// Package scenario schedules what happens in a simulated room over
// simulated time: people smoking in the booths, staff coming and going,
// doors, fan stalls, sensor faults and changes in the outdoor air.
//
// A scenario is a YAML file:
//
//	name: busy-morning
//	duration: 4h                  # Go duration syntax throughout
//	events:
//	  - at: 0s                    # offset from the start
//	    occupants: {zone: staff, count: 2}
//	  - at: 10m
//	    session: {zone: booth, duration: 4m, pm25_mg_per_min: 3}
//	  - {at: 30m, door: {name: booth-door, open: true, for: 2m}}
//	  - {at: 1h, fan_fault: {fan: booth-exhaust, stall: true, for: 10m}}
//	  - {at: 2h, sensor_fault: {sensor: booth-pm, kind: disconnect, for: 5m}}
//	  - {at: 3h, outdoor: {pm25: 40, for: 30m}}
//
// Each event has an offset and exactly one action:
//
//	session       zone, duration, pm25_mg_per_min; optional voc_mg_per_min,
//	              nox_mg_per_min and co2_l_per_s (default: room.TypicalSession)
//	occupants     zone, count
//	door          name, open
//	fan_fault     fan, stall
//	sensor_fault  sensor, kind (disconnect, nack, corrupt, stuck, fan_failure),
//	              clear: true to end a fault
//	outdoor       any of pm1, pm25, pm4, pm10, co2, voc, nox, temperature,
//	              humidity; a new pm25 alone scales the other PM sizes
//
// Every action but session takes `for:`, which undoes it after that long
// (the door closes again, the count goes back, the fault clears). Parsing
// is strict: unknown keys, wrong types, missing fields and events that run
// past the end are all reported at once, each with its file and line.
// Validate checks the names against the room the scenario will play in.
//
// A Player applies the events to a Target (the room, wrapped by the daemon
// to add sensor faults) as the caller steps simulated time; with Loop it
// starts over at the end, for a simulation that runs for days.
package scenario
