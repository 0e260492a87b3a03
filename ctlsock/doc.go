// Package ctlsock is ventd's local control socket: HTTP with JSON bodies
// over a unix socket, so a technician with a shell on the Pi can purge,
// acknowledge alarms and recalibrate CO2 through the running daemon
// (ventctl purge, ack, calibrate).
//
// The socket's file mode (0660) is its access control: only root and
// members of ventd's group can connect. That keeps these controls off the
// network, where they would be unauthenticated; the status page's
// PIN-protected buttons are the networked way.
//
// The protocol, all POST with a JSON object body, answered with JSON:
//
//	POST /v1/purge      {"zone": "booth", "cancel": false, "who": "alice"}
//	POST /v1/ack        {"alarm_id": 12, "all": false, "who": "alice", "note": "..."}
//	POST /v1/calibrate  {"sensor": "staff-co2", "reference_ppm": 420, "who": "alice", "note": "..."}
//	GET  /v1/ping
//
// A malformed request is answered 400 with {"error": "..."} saying what is
// wrong and how to fix it; an action the daemon refuses, 422 with the
// daemon's own message; a daemon too busy to queue it, 503.
package ctlsock
