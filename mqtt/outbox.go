package mqtt

import (
	"math"
	"slices"
)

// outbox orders the alarm events for the broker and knows which the broker
// has acknowledged. Events come from two places: live, from each period's
// record (held in memory, so a stalled disk never holds them up), and from
// the journal, for what an earlier run or a long outage left undelivered.
// Sequence numbers are consecutive, so a missing one is a gap to look up
// in the journal before anything after it goes out.
//
// It does no I/O: the publisher asks it what to send next, what to read
// from the journal, and tells it what was sent, acknowledged or lost.
type outbox struct {
	// floor: every event up to it is acknowledged by the broker (or was
	// never in the journal to deliver). The journal keeps it.
	floor uint64
	// done holds the acknowledged and the lost above floor.
	done  map[uint64]bool
	queue []event // waiting, by sequence number
	// flight are the events handed to the broker and not yet
	// acknowledged, in the order sent.
	flight []event
	// limit bounds queue: past it the newest are dropped from memory and
	// read back from the journal when their turn comes.
	limit int
	// unread is set while the journal may hold events after the highest
	// one seen (at start, and after events were dropped from memory).
	unread bool
	// overGap lets events after an unresolved gap go out, while the
	// journal is too slow to say what belongs in it.
	overGap bool
	// high is the highest sequence number seen.
	high uint64
}

func newOutbox(floor uint64, limit int) *outbox {
	return &outbox{floor: floor, done: map[uint64]bool{}, limit: limit, unread: true, high: floor}
}

// add queues events from a record or the journal; ones already delivered,
// queued or in flight are left out.
func (o *outbox) add(evs ...event) (dropped int) {
	for _, e := range evs {
		if e.seq <= o.floor || o.done[e.seq] || o.inFlight(e.seq) {
			continue
		}
		i, found := slices.BinarySearchFunc(o.queue, e.seq, func(q event, s uint64) int { return cmpU(q.seq, s) })
		if found {
			continue
		}
		o.queue = slices.Insert(o.queue, i, e)
		o.high = max(o.high, e.seq)
	}
	if n := len(o.queue) - o.limit; n > 0 && o.limit > 0 {
		// Keep the ones due first; the journal has the rest (it writes
		// each transition at once) and gives them back in their turn.
		o.queue = o.queue[:o.limit:o.limit]
		o.unread = true
		return n
	}
	return 0
}

func cmpU(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func (o *outbox) inFlight(seq uint64) bool {
	for _, f := range o.flight {
		if f.seq == seq {
			return true
		}
	}
	return false
}

// expected is the lowest sequence number neither settled nor in flight:
// the one that must go out next.
func (o *outbox) expected() uint64 {
	s := o.floor + 1
	for o.done[s] || o.inFlight(s) {
		s++
	}
	return s
}

// next returns the event to send now, if one may go.
func (o *outbox) next() (event, bool) {
	if len(o.queue) == 0 {
		return event{}, false
	}
	if o.queue[0].seq != o.expected() && !o.overGap {
		return event{}, false
	}
	return o.queue[0], true
}

// gap returns the sequence numbers to read from the journal, [from, to)
// (to is math.MaxUint64 for "everything after"), and whether there are any.
func (o *outbox) gap() (from, to uint64, ok bool) {
	exp := o.expected()
	switch {
	case len(o.queue) > 0 && o.queue[0].seq > exp:
		return exp, o.queue[0].seq, true
	case len(o.queue) == 0 && o.unread:
		return exp, math.MaxUint64, true
	}
	return 0, 0, false
}

// fill takes the journal's answer for [from, to): the events it holds
// there, at most a page of them; full says the page was full, so more may
// follow. Sequence numbers the journal does not have are lost (they never
// reached it); fill returns how many and where they start.
func (o *outbox) fill(from, to uint64, evs []event, full bool) (lost int, lostFrom uint64) {
	o.overGap = false
	o.add(evs...)
	upTo := to // the end of what this answer settles
	switch {
	case full && len(evs) > 0:
		upTo = min(to, evs[len(evs)-1].seq+1)
	case to == math.MaxUint64:
		o.unread = false
		upTo = from
		if len(evs) > 0 {
			upTo = evs[len(evs)-1].seq + 1
		}
	}
	// The numbers the outbox or the answer holds in the range, in order;
	// the runs between them are lost. A run from the floor moves the floor
	// in one step: the sequence can start tens of millions above it (the
	// minutes since 1970, when the journal could not be read), and a mark
	// for each number took 1.2 GB and 35 s, during which nothing went out.
	held := make([]uint64, 0, len(evs)+len(o.flight)+len(o.queue)+len(o.done))
	for _, e := range evs {
		held = append(held, e.seq)
	}
	for _, e := range o.flight {
		held = append(held, e.seq)
	}
	for _, e := range o.queue {
		held = append(held, e.seq)
	}
	for s := range o.done {
		held = append(held, s)
	}
	slices.Sort(held)
	skip := func(a, b uint64) { // [a, b) is lost
		if a >= b {
			return
		}
		if lost == 0 {
			lostFrom = a
		}
		lost += int(b - a)
		if o.settle(); a == o.floor+1 {
			o.floor = b - 1
			return
		}
		for s := a; s < b; s++ {
			o.done[s] = true
		}
	}
	next := from
	for _, s := range held {
		if s < next || s >= upTo {
			continue
		}
		skip(next, s)
		next = s + 1
	}
	skip(next, upTo)
	o.settle()
	return lost, lostFrom
}

// sent moves the next event into flight.
func (o *outbox) sent(e event) {
	if len(o.queue) > 0 && o.queue[0].seq == e.seq {
		o.queue = o.queue[1:]
	}
	o.flight = append(o.flight, e)
}

// acked settles the oldest event in flight; it reports whether the floor
// moved.
func (o *outbox) acked() bool {
	if len(o.flight) == 0 {
		return false
	}
	o.done[o.flight[0].seq] = true
	o.flight = o.flight[1:]
	return o.settle()
}

// requeue puts what was in flight back in the queue: the connection broke
// before the broker acknowledged it.
func (o *outbox) requeue() {
	fl := o.flight
	o.flight = nil
	o.add(fl...)
}

func (o *outbox) settle() bool {
	moved := false
	for o.done[o.floor+1] {
		delete(o.done, o.floor+1)
		o.floor++
		moved = true
	}
	return moved
}

// waiting counts the events not yet acknowledged that the outbox holds.
func (o *outbox) waiting() int { return len(o.queue) + len(o.flight) }
