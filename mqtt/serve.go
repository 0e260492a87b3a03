package mqtt

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/ventd/ventd/mqtt/command"
	"github.com/ventd/ventd/record"
)

// inbound is a command as it arrived, with the connection to answer on.
type inbound struct {
	c paho.Client
	m paho.Message
	// seq numbers the commands in the order they arrived, across both
	// queues: a cancel_purge overtaken by a later purge is told by it.
	seq    uint64
	urgent bool // a purge, in the urgent queue
	// id and asked are a command's id and canonical form, when it has an
	// id; first says its copies that come while it waits are counted in
	// commands.waiting rather than queued (see copyOfWaiting).
	id, asked string
	first     bool
	// copy says this is a copy counted while its first waited, run
	// through the first's message (see answerCopies).
	copy bool
}

// commandWait bounds how long a command waits on the control loop, which
// answers within a period.
const commandWait = 30 * time.Second

// repeats is how many answered command ids are remembered, so a repeat
// (QoS 1 delivers at least once) is answered again, not run again.
const repeats = 64

// commandQueue is how many commands may wait for their turn. They run one
// at a time, each waiting for the control loop (a period), so a script's
// burst (purge every booth, then acknowledge) takes a few seconds; past
// this many, a command is answered busy at once and not run.
const commandQueue = 64

// urgentQueue is how many purges may wait for their turn, in a queue of
// their own that goes before the others: a purge ("overdose response")
// must not wait a period for each of up to commandQueue acknowledgements
// an automation in a loop queued first, nor be answered busy because of
// them. Responders may be waiting to enter the booth. Only a flood of
// purges fills it.
const urgentQueue = 64

// maxCopies bounds how many copies of one waiting command (same id, same
// command) are counted to be answered after it, rather than queued.
const maxCopies = 1024

// busyQueue bounds the busy answers waiting to go out. Past it, taking
// commands off the connection waits for them: the broker holds the rest.
const busyQueue = 256

// logEvery is the least time between two log lines about the same kind
// of refused command: a flood writes a line and a count, not a line each.
const logEvery = 10 * time.Second

// emptyAnswer is the answer to an empty message on the command topic.
const emptyAnswer = `empty message on the command topic; nothing done. A command is one JSON object, like ` +
	`{"command": "purge", "zone": "booth", "who": "Sam Lee", "id": "r1"} ` +
	`(if this was clearing a retained message on the command topic: it is cleared, nothing more to do)`

// commands takes the commands arriving on the command topic, runs each in
// turn and answers every one on the reply topic: with its result, or at
// once when it is refused or too many wait.
type commands struct {
	p      *Publisher
	queue  chan inbound // waiting for their turn
	urgent chan inbound // purges, served before queue
	busy   chan inbound // to be answered busy
	seq    atomic.Uint64

	busyLog, emptyLog, refusedLog, bigLog *throttle

	// oversized are the sizes of commands too large to read that
	// limitConn passed on with their payload dropped, oldest first (see
	// dropped).
	oversizedMu sync.Mutex
	oversized   []int

	// waiting counts, by id, the copies of a command that came while its
	// first copy waited for its turn (see copyOfWaiting).
	waitMu  sync.Mutex
	waiting map[string]*copies

	// The serving goroutine's alone.
	answered map[string]answer // by id
	order    []string          // ids in answered, oldest first
	// retainedOn is the connection on which a retained command was
	// refused and not yet seen cleared: the next empty message on it is
	// taken as the clearing (the broker forwards it without the retain
	// flag) and not answered.
	retainedOn paho.Client
	// purged is, by zone ("" every booth), the arrival seq of the latest
	// purge that ran: a cancel_purge that arrived before it but waited in
	// the other queue is not run after it (see overtaken).
	purged map[string]uint64
	// resent remembers the last messages taken with a QoS 1 or 2 packet
	// id on the connection resentOn, to tell a resend (the DUP flag) of a
	// command without an id from a new command (see resend).
	resent   []sent
	resentOn paho.Client
	// blind is, by canonical form, when each "ack all" or cancel_purge
	// sent without an id last ran (see sameWithoutID).
	blind map[string]time.Time
}

// sameWithoutID is how long an "ack all" or a cancel_purge sent without
// an id is not run again when the same command (same who, note, zone)
// comes again. A client that resends a QoS 1 message whose acknowledgement
// it missed (a flaky Wi-Fi link) reaches ventd as a new message: mosquitto
// gives it a new packet id and no DUP flag, as MQTT 3.1.1 requires, so
// only an id tells a copy from a new command. A late copy of "ack all"
// would acknowledge alarms raised since, which nobody saw; a late
// cancel_purge would end a purge started since. Other commands repeat
// harmlessly (a purge again extends it; an alarm acknowledged twice is
// acknowledged). A variable for tests.
var sameWithoutID = 10 * time.Second

// sent is a message as a resend of it would come: the same packet id and
// payload.
type sent struct {
	id      uint16
	payload string
}

// resends is how many messages resend compares with: a broker resends
// what it had not seen acknowledged, the last few.
const resends = 64

// answer is what a command with an id was answered, and what it asked
// (its canonical form), to tell a repeat from another command reusing the
// id.
type answer struct {
	asked string
	reply command.Reply
}

// copies are the copies of a waiting command with an id, counted.
type copies struct {
	asked string // the command, in canonical form
	seq   uint64 // its first copy's, which is waiting
	n     int
}

func (p *Publisher) newCommands() *commands {
	return &commands{p: p, queue: make(chan inbound, commandQueue), urgent: make(chan inbound, urgentQueue),
		busy: make(chan inbound, busyQueue), waiting: map[string]*copies{}, answered: map[string]answer{}, purged: map[string]uint64{},
		busyLog: &throttle{every: logEvery, log: func(n int, last []any) {
			p.log.Warn("mqtt: too many commands waiting; answered busy, not run", append([]any{"refused", n, "waiting_at_most", commandQueue}, last...)...)
		}},
		emptyLog: &throttle{every: logEvery, log: func(n int, last []any) {
			p.log.Warn("mqtt: empty message on the command topic; answered with what a command looks like", append([]any{"count", n}, last...)...)
		}},
		refusedLog: &throttle{every: logEvery, log: func(n int, last []any) {
			p.log.Warn("mqtt: command refused", append([]any{"count", n}, last...)...)
		}},
		bigLog: &throttle{every: logEvery, log: func(n int, last []any) {
			p.log.Warn("mqtt: a message too large to read was dropped unread; ventd stays connected",
				append(append([]any{"count", n, "max_bytes", maxIncoming}, last...),
					"hint", "a client published it to a topic ventd subscribes to: if it is retained, clear it (mosquitto_pub -r -n -t TOPIC); set the broker's message_size_limit to a few hundred kB")...)
		}},
	}
}

// oversizedKept bounds the sizes of dropped commands kept for their
// answers.
const oversizedKept = 16

// dropped takes a message too large to read, which limitConn passes on
// with its payload dropped: a line and a count in the log, and, on the
// command topic, the size for the answer to the empty message paho then
// delivers (see run). A retained one is taken for a clearing, unanswered,
// as it would be each time it comes back; the log names its topic.
func (s *commands) dropped(d dropped) {
	s.bigLog.note("topic", d.topic, "bytes", d.bytes, "retained", d.retained)
	if d.topic != s.p.topics.Command() || d.retained {
		return
	}
	s.oversizedMu.Lock()
	defer s.oversizedMu.Unlock()
	if len(s.oversized) == oversizedKept {
		s.oversized = s.oversized[1:]
	}
	s.oversized = append(s.oversized, d.bytes)
}

// takeOversized returns the size of the oldest dropped command not yet
// answered, or 0. Messages come to run in the order limitConn read them,
// so an empty message is the dropped command's unless a real empty one
// came just before it (or the dropped one was lost with its connection):
// the answers then trade places, each saying nothing was done.
func (s *commands) takeOversized() int {
	s.oversizedMu.Lock()
	defer s.oversizedMu.Unlock()
	if len(s.oversized) == 0 {
		return 0
	}
	n := s.oversized[0]
	s.oversized = s.oversized[1:]
	return n
}

// take is the subscription's handler for the command topic. It never
// waits on the control loop: a command that finds the queue full is
// handed to be answered busy.
func (s *commands) take(ctx context.Context, c paho.Client, m paho.Message) {
	if len(m.Payload()) == 0 && m.Retained() {
		return // a retained message on the command topic being cleared
	}
	in := inbound{c: c, m: m, seq: s.seq.Add(1)}
	q := s.queue
	cmd, err := command.Parse(m.Payload())
	if err == nil && cmd.Name == command.Purge && !m.Retained() {
		// A retained purge is refused at once all the same: it stays in
		// order with the clearing that follows it.
		in.urgent, q = true, s.urgent
	}
	if err == nil && cmd.ID != "" && !m.Retained() {
		in.id, in.asked = cmd.ID, canonical(cmd)
		if s.copyOfWaiting(&in) {
			return
		}
	}
	select {
	case q <- in:
		return
	default:
	}
	n := 1
	if in.first {
		n += s.notWaiting(in)
	}
	for range n {
		select {
		case s.busy <- in:
		case <-ctx.Done():
			return
		}
	}
}

// copyOfWaiting counts in as a copy of the same command (same id, same
// command) still waiting for its turn, and reports whether it did; or
// marks in as the first, whose copies are counted until it has run. A
// client that resends a purge every second while the loop is slow to
// answer would otherwise fill the queue with copies and be answered
// "busy: not run" for a purge that is about to run. Each copy is answered
// once the first has run, as a copy that waited in the queue would be
// (see answerCopies).
func (s *commands) copyOfWaiting(in *inbound) bool {
	s.waitMu.Lock()
	defer s.waitMu.Unlock()
	w := s.waiting[in.id]
	switch {
	case w == nil:
		s.waiting[in.id] = &copies{asked: in.asked, seq: in.seq}
		in.first = true
		return false
	case w.asked == in.asked && w.n < maxCopies:
		w.n++
		return true
	}
	return false // another command reusing the id, queued to be refused; or a flood
}

// notWaiting forgets in, a first copy that found its queue full, and
// returns how many copies came meanwhile: each is answered busy too.
func (s *commands) notWaiting(in inbound) int {
	s.waitMu.Lock()
	defer s.waitMu.Unlock()
	w := s.waiting[in.id]
	if w == nil || w.seq != in.seq {
		return 0
	}
	delete(s.waiting, in.id)
	return w.n
}

// answerCopies runs, after in, each copy of it that came while it
// waited, as each would have run from the queue: answered again as a
// repeat when in ran, run again when in was refused (a refused command
// may be sent again and must then run). The copies go through in's
// message, so a later resend (DUP) of in is still told from a new
// command, and through in's arrival: a copy of a cancel_purge that a
// purge overtook is refused, never run after that purge. Each copy is a
// message of its own, not a resend, even where in was one (the broker
// resending a message taken before, whose answer went out then): its
// sender waits for an answer.
func (s *commands) answerCopies(ctx context.Context, in inbound) {
	in.copy = true
	for {
		s.waitMu.Lock()
		w := s.waiting[in.id]
		if w == nil || w.seq != in.seq {
			s.waitMu.Unlock()
			return
		}
		if w.n == 0 {
			delete(s.waiting, in.id)
			s.waitMu.Unlock()
			return
		}
		w.n--
		s.waitMu.Unlock()
		if r, ok := s.run(ctx, in); ok {
			s.reply(in.c, r)
		}
	}
}

// answerBusy answers each command that found the queue full, at once:
// not run, send it again.
func (s *commands) answerBusy(ctx context.Context) {
	for {
		var in inbound
		select {
		case <-ctx.Done():
			return
		case in = <-s.busy:
		}
		c, _ := command.Parse(in.m.Payload()) // for its id and name, when it has them
		s.busyLog.note("last_id", c.ID, "last_who", c.Who, "last_command", c.Name)
		waiting := commandQueue
		if in.urgent {
			waiting = urgentQueue
		}
		s.reply(in.c, command.Reply{ID: c.ID, Command: c.Name,
			Error: busyError(waiting, in.urgent)})
	}
}

// busyError is the answer to a command that found its queue full.
func busyError(waiting int, purge bool) string {
	if purge {
		return fmt.Sprintf("busy: %d purges waiting; not run: send it again in a few seconds", waiting)
	}
	return fmt.Sprintf("busy: %d commands waiting; not run: send it again in a few seconds", waiting)
}

// serve runs each command in turn and answers it on the reply topic,
// until ctx ends. A waiting purge goes first; the others keep their order.
func (s *commands) serve(ctx context.Context) {
	for {
		var in inbound
		select {
		case in = <-s.urgent:
		default:
			select {
			case <-ctx.Done():
				return
			case in = <-s.urgent:
			case in = <-s.queue:
			}
		}
		r, ok := s.run(ctx, in)
		if ok {
			s.reply(in.c, r)
		}
		if in.first {
			s.answerCopies(ctx, in)
		}
	}
}

func (s *commands) reply(c paho.Client, r command.Reply) {
	b, _ := json.Marshal(r)
	c.Publish(s.p.topics.Reply(), 1, false, b)
}

// run runs one command and returns its answer, or false when there is
// nothing to answer. A command that is not strictly what command.Parse
// takes changes nothing.
func (s *commands) run(ctx context.Context, in inbound) (command.Reply, bool) {
	p, m := s.p, in.m
	if len(m.Payload()) == 0 {
		if n := s.takeOversized(); n > 0 && !m.Retained() {
			err := fmt.Errorf("command of %d bytes, over the %d ventd reads: dropped unread, nothing done; a command is at most %d bytes", n, maxIncoming, command.MaxBytes)
			s.refusedLog.note("topic", m.Topic(), "bytes", n, "err", err)
			return command.Reply{Error: err.Error()}, true
		}
		if in.c == s.retainedOn {
			// The retained command refused on this connection, cleared as
			// its answer asked.
			s.retainedOn = nil
			p.log.Info("mqtt: empty message on the command topic after a retained command; taken as its clearing", "topic", m.Topic())
			return command.Reply{}, false
		}
		s.emptyLog.note("topic", m.Topic())
		return command.Reply{Error: emptyAnswer}, true
	}
	if !in.copy && s.resend(in) {
		// Its first copy was answered already; the broker resends a
		// message whose acknowledgement it did not see.
		s.refusedLog.note("topic", m.Topic(), "packet_id", m.MessageID(), "err", "a resend (DUP) of a message already taken; not run again")
		return command.Reply{}, false
	}
	c, err := command.Parse(m.Payload())
	if m.Retained() {
		// A retained command would run again at every connect.
		err := errors.New("retained command refused: publish commands without the retain flag, and clear this one (an empty retained message on the command topic)")
		s.retainedOn = in.c
		p.log.Warn("mqtt: command refused", "topic", m.Topic(), "id", c.ID, "who", c.Who, "command", c.Name, "err", err)
		return command.Reply{ID: c.ID, Command: c.Name, Error: err.Error()}, true
	}
	if err != nil {
		s.refusedLog.note("topic", m.Topic(), "bytes", len(m.Payload()), "id", c.ID, "who", c.Who, "command", c.Name, "err", err)
		return command.Reply{ID: c.ID, Command: c.Name, Error: err.Error()}, true
	}
	asked := canonical(c)
	if a, ok := s.answered[c.ID]; ok && c.ID != "" {
		if a.asked == asked {
			// Through the refusals' throttle: a client repeating one id
			// in a loop would otherwise write a line for each.
			s.refusedLog.note("topic", m.Topic(), "id", c.ID, "who", c.Who, "command", c.Name, "err", "command repeated (same id, same command); answered again, not run again")
			return a.reply, true
		}
		err := fmt.Errorf("id %q was already used for a command asking something else (%s); not run: give each command its own id", c.ID, a.reply.Command)
		s.refusedLog.note("topic", m.Topic(), "id", c.ID, "who", c.Who, "command", c.Name, "err", err)
		return command.Reply{ID: c.ID, Command: c.Name, Error: err.Error()}, true
	}
	blindKey := ""
	if c.ID == "" && (c.Name == command.CancelPurge || c.Name == command.Ack && c.AlarmID == 0) {
		blindKey = asked
		if at, ok := s.blind[asked]; ok && time.Since(at) < sameWithoutID {
			err := fmt.Errorf("not run: the same %s without an id ran %s ago, and a client's resent copy would %s; give each command an id (then a copy is answered, not run), or send it again after %s",
				c.Name, time.Since(at).Round(time.Second), map[bool]string{true: "acknowledge alarms raised since that nobody saw", false: "end a purge started since"}[c.Name == command.Ack], sameWithoutID)
			s.refusedLog.note("topic", m.Topic(), "who", c.Who, "command", c.Name, "err", err)
			return command.Reply{Command: c.Name, Error: err.Error()}, true
		}
	}
	if c.Name == command.CancelPurge {
		if z, ok := s.overtaken(in.seq, c.Zone); ok {
			err := fmt.Errorf("not run: a purge of %s sent after this cancel_purge ran before it (purges do not wait behind other commands); send the cancel_purge again if the purge should end", zoneWords(z))
			s.refusedLog.note("topic", m.Topic(), "id", c.ID, "who", c.Who, "command", c.Name, "err", err)
			return command.Reply{ID: c.ID, Command: c.Name, Error: err.Error()}, true
		}
	}
	by := record.Actor{Name: c.Who, Via: "mqtt", From: m.Topic()}
	ctx, cancel := context.WithTimeout(ctx, commandWait)
	defer cancel()
	var res string
	switch c.Name {
	case command.Purge:
		res, err = p.room.Purge(ctx, c.Zone, by, c.Reason)
	case command.CancelPurge:
		res, err = p.room.CancelPurge(ctx, c.Zone, by)
	case command.Ack:
		res, err = p.room.Acknowledge(ctx, c.AlarmID, by, c.Note)
	}
	r := command.Reply{ID: c.ID, Command: c.Name, OK: err == nil, Result: res}
	if c.Name == command.Purge && r.OK {
		s.purged[c.Zone] = max(s.purged[c.Zone], in.seq)
	}
	if blindKey != "" && r.OK {
		if s.blind == nil {
			s.blind = map[string]time.Time{}
		}
		for k, at := range s.blind { // bounded: only the last window's
			if time.Since(at) >= sameWithoutID {
				delete(s.blind, k)
			}
		}
		s.blind[blindKey] = time.Now()
	}
	if err != nil {
		r.Error = err.Error()
		if errors.Is(err, context.DeadlineExceeded) {
			r.Error = fmt.Sprintf("the control loop did not answer within %s; it may still run: see ventd's log, or send the command again", commandWait)
		}
	}
	if errors.Is(err, record.ErrOverAllowance) {
		// A client asking in a loop: a line and a count, not a line each.
		s.refusedLog.note("topic", m.Topic(), "id", c.ID, "who", c.Who, "command", c.Name, "err", err)
	} else {
		p.log.Info("mqtt: command", "id", c.ID, "command", c.Name, "zone", c.Zone, "alarm_id", c.AlarmID, "by", by.String(), "ok", r.OK, "result", res, "err", r.Error)
	}
	if c.ID != "" && r.OK {
		// Only a command that ran is remembered: one refused (a mistake
		// in it, found here or by the loop; the loop busy; no answer in
		// time) may be sent again with its id, corrected or as it was,
		// and must then run, not get this answer back.
		if len(s.order) == repeats {
			delete(s.answered, s.order[0])
			s.order = s.order[1:]
		}
		s.answered[c.ID], s.order = answer{asked: asked, reply: r}, append(s.order, c.ID)
	}
	return r, true
}

// overtaken reports whether a purge that arrived after seq, of a zone a
// cancel_purge of zone touches, ran already, and which zone: run now, the
// cancel would end the purge sent after it.
func (s *commands) overtaken(seq uint64, zone string) (string, bool) {
	for z, at := range s.purged {
		if at > seq && (z == zone || z == "" || zone == "") {
			return z, true
		}
	}
	return "", false
}

func zoneWords(z string) string {
	if z == "" {
		return "every booth"
	}
	return strconv.Quote(z)
}

// resend reports whether in is a resend (the DUP flag) of a message taken
// on the same connection: the same packet id and payload. A command
// without an id would otherwise run twice, and a late "ack all" would
// acknowledge the alarms raised since the first. The payload is compared
// too because a broker reuses packet ids once acknowledged. A sender's
// own resend to the broker is not seen here: the broker forwards it
// without the DUP flag (MQTT 3.1.1, 3.3.1.1), which only an id tells.
func (s *commands) resend(in inbound) bool {
	m := in.m
	if m.Qos() == 0 || len(m.Payload()) > command.MaxBytes {
		return false // no packet id; or refused unrun, whatever its copies
	}
	if in.c != s.resentOn {
		s.resent, s.resentOn = s.resent[:0], in.c // packet ids are the connection's
	}
	here := sent{id: m.MessageID(), payload: string(m.Payload())}
	if m.Duplicate() {
		for _, e := range s.resent {
			if e == here {
				return true
			}
		}
	}
	if len(s.resent) == resends {
		s.resent = append(s.resent[:0], s.resent[1:]...)
	}
	s.resent = append(s.resent, here)
	return false
}

// canonical is what a command asks, its id aside: two commands with the
// same id are a repeat only when this is the same.
func canonical(c command.Command) string {
	c.ID = ""
	b, _ := json.Marshal(c)
	return string(b)
}

// throttle logs a kind of trouble that can come in floods at most once
// per interval: the first at once, then, at the end of an interval that
// had more, one line with how many and the last one's details.
type throttle struct {
	every time.Duration
	log   func(n int, last []any)

	mu    sync.Mutex
	last  time.Time // when a line was written
	n     int       // noted since
	attrs []any     // the last noted
	timer *time.Timer
}

// note counts one, with its details, and logs when the interval allows.
func (t *throttle) note(attrs ...any) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n, t.attrs = t.n+1, attrs
	if wait := t.every - time.Since(t.last); wait > 0 {
		if t.timer == nil {
			t.timer = time.AfterFunc(wait, t.flush)
		}
		return
	}
	t.write()
}

func (t *throttle) flush() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.timer = nil
	if t.n > 0 {
		t.write()
	}
}

func (t *throttle) write() {
	t.log(t.n, t.attrs)
	t.n, t.attrs, t.last = 0, nil, time.Now()
}
