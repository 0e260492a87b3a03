// Package mqtt publishes a room to the site's MQTT broker, for facilities
// managers' tools: Home Assistant, Node-RED, a pager bridge.
//
// A Publisher is one of the daemon's outputs (record.Output). Under
// <prefix>/<site>/<room> it publishes:
//
//	availability   "online" (retained) while connected, "offline" as the last will and on a clean stop
//	state          the room as /api/state shows it, retained, when it changed, at most every state_interval
//	alarm/<rule>   each active alarm, retained; an empty retained message when it ends
//	events         every alarm transition, QoS 1, with its sequence number ("seq")
//	command        purge, cancel_purge and ack, when commands are on; answered on reply
//
// and Home Assistant discovery configs under <discovery_prefix>, one
// device per room, sent again at each connect and when Home Assistant
// announces itself on <discovery_prefix>/status.
//
// Alarm events leave the outbox only when the broker has acknowledged them
// (PUBACK). The journal is the outbox on disk: it holds every transition
// from the moment it happened, and the publisher keeps there how far its
// deliveries got, so a broker down for hours, or a restart, loses none,
// repeats none from ventd's side, and keeps their order. Events wait in
// memory too, so a stalled disk never delays an alarm, and the control loop
// never waits on the network.
//
// A PUBACK is no proof that subscribers get a message: with MQTT 3.1.1 a
// broker acknowledges the messages its ACL or size limit makes it drop.
// ventd reads its own availability, state and events back and says, in
// the log and the Status (Confirmed, Unconfirmed), when they stop coming
// back (echo.go).
package mqtt
