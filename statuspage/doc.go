// Package statuspage is the page staff read at a glance on a wall tablet
// or a phone: is the air OK, is each fan working, is there an alarm, is it
// safe to enter this booth now. It also lets a responder purge a booth and
// acknowledge an alarm, behind the staff PIN.
//
// The page (HTML, CSS, JS, icon) is embedded in the binary and loads
// nothing from elsewhere, so it works with the site's internet down. A
// Page is one of the daemon's record outputs: each period it keeps the
// latest state and the finished minute aggregates, and streams the state
// to every open page by Server-Sent Events (/api/events). Each client
// holds at most the newest state: a slow one skips to it, a stuck one is
// dropped at its write deadline, and neither touches another client or
// the loop. Live streams are bounded per address (streamsPerClient) and in
// all (page.max_clients, never above config.MaxLiveClients, so they leave
// the HTTP server connections for everything else); a stream past either
// bound gets 503 at once. The page falls back to polling /api/state, and
// reconnects by itself when ventd restarts.
//
// Endpoints (register them with Register beside the daemon's API):
//
//	GET  /                 the page
//	GET  /ui/...           its CSS, JS and icon
//	GET  /api/page         what the page needs to know of the config: the
//	                       booths, the staff zones and the outdoor air, apart
//	GET  /api/events       the live state, as text/event-stream
//	GET  /api/trend        the last hour of minute means per zone and pollutant
//	POST /api/purge        {zone, name, pin, reason, cancel}
//	POST /api/acknowledge  {alarm_id, name, pin, note}: one alarm; alarm_id is
//	                       required (0 or none is a 400: MQTT has "ack all")
//
// Both POSTs need the staff PIN (page.pin_hash, bcrypt). Wrong PINs are
// bounded per client and in total, and only wrong PINs count (limits.go):
// a right one costs nothing, and a client whose PIN was right within a day
// keeps its own bound apart from the total, so others' guesses cannot lock
// it out. Malformed requests get 400 before anything is counted, or 413
// over 4 KiB and 408 when the body does not arrive in time. Both POSTs
// refuse cross-origin requests
// (Sec-Fetch-Site, Origin and a SameSite cookie token), and are journaled
// by the daemon with the name given and the client's address. Refusals are
// logged at a bounded rate, naming the address.
package statuspage
