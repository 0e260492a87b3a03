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
//	  - {at: 2h, fan_fault: {fan: booth-exhaust, flow_percent: 40}}
//	  - {at: 2h, sensor_fault: {sensor: booth-pm, kind: disconnect, for: 5m}}
//	  - {at: 3h, outdoor: {pm25: 40, for: 30m}}
//	  - {at: 1h, sensor_drift: {sensor: staff-pm, ugm3: 8, percent: 15, over: 6h}}
//	  - {at: 3h10m, purge: {zone: booth}}
//
// Each event has an offset and exactly one action:
//
//	session       zone, duration, pm25_mg_per_min; optional voc_mg_per_min,
//	              nox_mg_per_min and co2_l_per_s (default: room.TypicalSession)
//	occupants     zone, count
//	door          name, open
//	fan_fault     fan, and stall (the wheel jams) or flow_percent (it
//	              turns but moves that share of its rated air: a clogged
//	              filter, a crushed duct; 100 mends it)
//	sensor_fault  sensor, kind (disconnect, nack, corrupt, stuck, fan_failure),
//	              clear: true to end a fault
//	sensor_drift  sensor, over; ugm3 (offset) and percent (gain error) that
//	              the sensor's error grows to, linearly over `over`, and
//	              then keeps (an ageing sensor nobody recalibrated)
//	outdoor       any of pm1, pm25, pm4, pm10, co2, voc, nox, temperature,
//	              humidity; a new pm25 alone scales the other PM sizes
//	purge         staff asking for a purge: zone (a booth; none: every
//	              booth), cancel: true to end one; served by the daemon the
//	              room is wired to, as a request from the status page
//
// Two optional sections describe the day and the room around the events:
//
//	outdoor:                      # outdoor PM2.5 over the day, linear
//	  - {at: 0s, pm25: 8}         # between points, flat outside them
//	  - {at: 4h, pm25: 150}       # (a wildfire plume arriving)
//	room:
//	  config: rooms/large.yaml    # a ventd config (zones, sensors, fans),
//	                              # relative to this file; default: the
//	                              # built-in simulated room
//	  staff_ach: 2                # staff zones' general ventilation (4)
//	  booth_leakage_m3h: 30       # each booth's leakage (10)
//	  door_exchange_m3h: 300      # an open booth door's exchange (150)
//
// The outdoor profile becomes outdoor events once a minute; a scenario
// with a profile may not also set outdoor PM with events.
//
// Every action but session and sensor_drift takes `for:`, which undoes it after that long
// (the door closes again, the count goes back, the fault clears). Parsing
// is strict: unknown keys, wrong types, missing fields and events that run
// past the end are all reported at once, each with its file and line.
// Validate checks the names against the room the scenario will play in.
//
// A Player applies the events to a Target (the room, wrapped by the daemon
// to add sensor faults) as the caller steps simulated time; with Loop it
// starts over at the end, for a simulation that runs for days.
package scenario
