package mqtt

import (
	"hash/maphash"
	"strconv"
	"sync"
	"time"
)

// The delivery check.
//
// With MQTT 3.1.1 a broker has no way to refuse a message: mosquitto
// acknowledges one its ACL does not let ventd write (PUBACK 0), grants a
// subscription its ACL does not let ventd read (SUBACK 1, not 0x80), and
// drops a message over its message_size_limit the same way, with nothing
// in either log. An ACL that still names the site or room by its old name
// after a rename does it to every message. The PUBACK is then no proof
// that a pager got the alarm. So ventd subscribes to its own availability,
// state and events, and checks that each message it publishes there comes
// back: a broker that passes them on to the facilities managers'
// subscribers passes them to ventd too, when its ACL lets ventd read its
// own topics (README's example does: readwrite on <base>/#).

// echoTopic is one of the topics ventd reads back.
type echoTopic int

const (
	echoAvailability echoTopic = iota
	echoState
	echoEvents
	echoTopics // how many
)

// echoKept bounds the messages awaiting their echo on one topic. Past it
// the oldest are no longer checked: echoes that do not come at all show
// on the ones kept, and a burst of events that come back a little late
// must not cost memory without bound.
const echoKept = 1024

// echoRelog is the least time between two warnings about one topic on one
// connection: a broker whose size limit lets some states through and not
// others would otherwise write a line for each.
const echoRelog = time.Hour

// echoSmall is the size up to which a message missing is not blamed on the
// broker's size limit: no site limits messages to a few hundred bytes, and
// the log would send a reader after "message_size_limit under 6 bytes"
// for availability's "online".
const echoSmall = 255

// echoWait is how long a message may take to come back before it counts
// as not delivered. A healthy broker sends it back within milliseconds.
// A connection that stalls is found dead by paho's keep-alive ping within
// keep_alive and the ping's timeout (netWait), and is said as a lost
// connection: waiting that long keeps a stall from being taken for an ACL
// or a size limit. At least ackWait, the time an alarm event may await its
// PUBACK, so a broker that is slow under load is not taken for one that
// drops messages. 40 s with the default keep_alive of 30 s.
func echoWait(keepAlive time.Duration) time.Duration {
	return max(ackWait, keepAlive+netWait)
}

// echoSent is a message awaiting its echo.
type echoSent struct {
	sum  uint64 // of its payload
	size int
	at   time.Time // handed to the connection
}

// echoed is how one topic's messages come back.
type echoed struct {
	topic   string
	pending []echoSent // oldest first
	// refused: the broker refused ventd's subscription (SUBACK 0x80), so
	// this topic's messages cannot be checked; connect says so.
	refused bool
	// down: a message did not come back (within the wait, or a later one
	// came back first), and none has since.
	down bool
	// missSize is the size of the message last found missing, and
	// missLate whether a later one came back (then it was dropped, not
	// slow); warnDue is set until the session has logged it.
	missSize int
	missLate bool
	warnDue  bool
	// warned is when a warning about the topic was last logged on this
	// connection; logged says the present trouble was, so its end is too.
	warned  time.Time
	logged  bool
	resumed bool // came back after a logged trouble; the session logs it
	missed  int  // messages found missing since the last logged line
	back    int  // messages that came back
}

// deliveryCheck follows, for one connection, which of ventd's messages on
// its own topics came back. The subscription's handler (paho's goroutine)
// and limitConn's reader note the echoes; the session notes what it sends
// and, from time to time, what is overdue. Each holds the lock for a few
// comparisons: neither paho nor the session waits on the other.
type deliveryCheck struct {
	wait time.Duration
	seed maphash.Seed
	wake func() // wakes the session: the status may have changed

	mu sync.Mutex
	t  [echoTopics]echoed
	// largestBack is the size of the largest message that came back on
	// this connection: no size limit of the broker's lies under it.
	largestBack int
	anyBack     bool
	// unreported counts messages found missing that the status has not
	// counted yet.
	unreported int
}

func newDeliveryCheck(top Topics, wait time.Duration, wake func()) *deliveryCheck {
	d := &deliveryCheck{wait: wait, seed: maphash.MakeSeed(), wake: wake}
	d.t[echoAvailability].topic = top.Availability()
	d.t[echoState].topic = top.State()
	d.t[echoEvents].topic = top.Events()
	return d
}

// topics returns the topics read back, to subscribe to.
func (d *deliveryCheck) topics() []string {
	out := make([]string, 0, echoTopics)
	for i := range d.t {
		out = append(out, d.t[i].topic)
	}
	return out
}

func (d *deliveryCheck) find(topic string) (echoTopic, bool) {
	for i := range d.t {
		if d.t[i].topic == topic {
			return echoTopic(i), true
		}
	}
	return 0, false
}

// refuse notes that the broker refused the subscription to topic.
func (d *deliveryCheck) refuse(topic string) {
	k, ok := d.find(topic)
	if !ok {
		return
	}
	d.mu.Lock()
	d.t[k].refused, d.t[k].pending = true, nil
	d.mu.Unlock()
}

// sent notes a message about to be published on k's topic. Called before
// the publish: the echo may come back before Publish returns.
func (d *deliveryCheck) sent(k echoTopic, payload []byte, now time.Time) {
	sum := maphash.Bytes(d.seed, payload)
	d.mu.Lock()
	defer d.mu.Unlock()
	t := &d.t[k]
	if t.refused {
		return
	}
	if len(t.pending) == echoKept {
		t.pending = append(t.pending[:0], t.pending[1:]...)
	}
	t.pending = append(t.pending, echoSent{sum: sum, size: len(payload), at: now})
}

// back takes a message that arrived on one of ventd's own topics; it
// reports whether the topic is one (its message ventd's own, not to be
// handled otherwise). A retained one is left aside: the broker sends the
// retained message at subscribe time with the flag set, and it is what an
// earlier connection left, not this one's; a message forwarded as it is
// published comes without it (MQTT 3.1.1, 3.3.1.3). An empty one is left
// aside too: ventd never publishes one there, and a message too large for
// limitConn arrives empty after backSized took it.
func (d *deliveryCheck) back(topic string, payload []byte, retained bool) bool {
	k, ok := d.find(topic)
	if !ok {
		return false
	}
	if retained || len(payload) == 0 {
		return true
	}
	sum := maphash.Bytes(d.seed, payload)
	d.match(k, func(s echoSent) bool { return s.sum == sum && s.size == len(payload) })
	return true
}

// backSized takes a message on one of ventd's own topics that limitConn
// dropped unread for its size (a state past maxIncoming): only its size
// tells it. It reports whether the topic is one of ventd's own.
func (d *deliveryCheck) backSized(topic string, size int, retained bool) bool {
	k, ok := d.find(topic)
	if !ok {
		return false
	}
	if !retained {
		d.match(k, func(s echoSent) bool { return s.size == size })
	}
	return true
}

// match settles the oldest pending message of k that is. The ones before
// it are dropped: a broker passes one client's messages on one topic in
// the order they were sent (MQTT 3.1.1, 4.6).
func (d *deliveryCheck) match(k echoTopic, is func(echoSent) bool) {
	d.mu.Lock()
	t := &d.t[k]
	i := 0
	for i < len(t.pending) && !is(t.pending[i]) {
		i++
	}
	if i == len(t.pending) {
		d.mu.Unlock()
		return // a late echo, or a message of someone else's
	}
	for _, s := range t.pending[:i] {
		d.miss(t, s, true)
	}
	size := t.pending[i].size
	t.pending = append(t.pending[:0], t.pending[i+1:]...)
	t.back++
	wake := !d.anyBack || t.down
	d.anyBack, d.largestBack = true, max(d.largestBack, size)
	if t.down {
		t.down = false
		t.resumed = t.logged
	}
	d.mu.Unlock()
	if wake {
		d.wake()
	}
}

// miss notes a message found missing. Under d.mu.
func (d *deliveryCheck) miss(t *echoed, s echoSent, late bool) {
	t.down, t.missSize, t.missLate = true, s.size, late
	t.missed++
	d.unreported++
	if !t.logged {
		t.warnDue = true
	}
}

// echoNote is a line for the session to log.
type echoNote struct {
	topic string
	// resumed: messages come back again after a logged trouble; else a
	// message of size bytes did not (late: a later one did).
	resumed bool
	size    int
	late    bool
	// sizeLimit: the broker's size limit may be the cause (no message as
	// large came back on this connection).
	sizeLimit bool
	missed    int
}

// check finds the messages overdue at now. It returns what to log, how
// many messages were found missing since the last check, and when the
// next one may become overdue (zero: none pending).
func (d *deliveryCheck) check(now time.Time) (notes []echoNote, missed int, next time.Time) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for i := range d.t {
		t := &d.t[i]
		for len(t.pending) > 0 && now.Sub(t.pending[0].at) >= d.wait {
			d.miss(t, t.pending[0], false)
			t.pending = t.pending[1:]
		}
		if len(t.pending) > 0 {
			if due := t.pending[0].at.Add(d.wait); next.IsZero() || due.Before(next) {
				next = due
			}
		}
		switch {
		case t.warnDue && (t.warned.IsZero() || now.Sub(t.warned) >= echoRelog):
			notes = append(notes, echoNote{topic: t.topic, size: t.missSize, late: t.missLate,
				sizeLimit: t.missSize > max(d.largestBack, echoSmall), missed: t.missed})
			t.warnDue, t.warned, t.missed = false, now, 0
			// A message dropped while later ones came back is over
			// already: nothing to say when the next comes.
			t.logged = t.down
		case t.resumed:
			notes = append(notes, echoNote{topic: t.topic, resumed: true, missed: t.missed})
			t.resumed, t.logged, t.missed = false, false, 0
		}
	}
	missed, d.unreported = d.unreported, 0
	return notes, missed, next
}

// confirmed reports whether delivery is confirmed: a message came back on
// this connection, none is missing since, and every topic can be checked.
func (d *deliveryCheck) confirmed() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.anyBack {
		return false
	}
	for i := range d.t {
		if d.t[i].down || d.t[i].refused {
			return false
		}
	}
	return true
}

// backCount returns how many of k's messages came back (for tests).
func (d *deliveryCheck) backCount(k echoTopic) int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.t[k].back
}

// checkDelivery logs what the delivery check found since it last looked,
// updates the status, and returns a timer for the next message that may
// become overdue (nil: none pending).
func (p *Publisher) checkDelivery(d *deliveryCheck) <-chan time.Time {
	now := time.Now()
	notes, missed, next := d.check(now)
	for _, n := range notes {
		if n.resumed {
			p.log.Info("mqtt: ventd's own messages come back from the broker again", "topic", n.topic, "missing_meanwhile", n.missed)
			continue
		}
		when := "not within " + d.wait.String()
		if n.late {
			when = "dropped: later ones came back"
		}
		p.log.Warn("mqtt: a message ventd published did not come back from the broker: its subscribers may not be getting it ("+echoCost(p.topics, n.topic)+")",
			"topic", n.topic, "bytes", n.size, "came_back", when, "missing", n.missed,
			"hint", p.echoHint(n.topic, n.size, n.sizeLimit))
	}
	p.report(func(s *Status) {
		s.Unconfirmed += missed
		s.Confirmed = d.confirmed()
	})
	if next.IsZero() {
		return nil
	}
	return time.After(next.Sub(now))
}

// echoCost says what a topic's messages not reaching subscribers costs.
func echoCost(top Topics, topic string) string {
	switch topic {
	case top.Events():
		return "alarm events reach no pager"
	case top.State():
		return "Home Assistant and dashboards see no new readings"
	}
	return "the room shows as offline"
}

// echoHint says the possible causes, and what to change for each.
func (p *Publisher) echoHint(topic string, size int, sizeLimit bool) string {
	h := "either the broker drops ventd's messages: its ACL does not let " + p.aclWho() + " write " + topic +
		" (mosquitto acl_file: 'topic readwrite " + p.topics.Base + "/#'; an ACL still naming the site or room as they were before a rename does this)"
	if sizeLimit {
		h += ", or its message_size_limit is under " + strconv.Itoa(size) + " bytes"
	}
	return h + "; or it does not let ventd read its own topics back, in which case grant read on " + p.topics.Base + "/# to let ventd confirm delivery (or, where ventd may only write, turn the check off: mqtt.confirm_delivery: false)"
}

// aclWho names ventd in the broker's ACL: its user, or, logged in without
// one, the anonymous clients (mosquitto: the ACL lines before any "user").
func (p *Publisher) aclWho() string {
	if p.m.Username == "" {
		return "anonymous clients"
	}
	return "user " + strconv.Quote(p.m.Username)
}
