package record

import (
	"context"
	"slices"
	"sync"
	"time"
)

// Output is anything that wants every period's record: the journal, the
// snapshot behind /api/state, MQTT, the status page. Receive runs on the
// output's own goroutine, one record at a time, in order; it may take as
// long as it needs (a stalled disk, a broker reconnecting) without
// delaying the loop. Meanwhile the records it has not taken are merged.
type Output interface {
	Receive(p *Period)
}

// OutputFunc adapts a function to Output.
type OutputFunc func(p *Period)

// Receive calls f(p).
func (f OutputFunc) Receive(p *Period) { f(p) }

// Backlog is how many records an output may have waiting before the
// newest ones are merged: a minute of periods, so a browser that pauses
// for a moment still sees each period, and one stuck for an hour costs
// one merged record that keeps every event.
const Backlog = 64

// maxMergedMinutes bounds the minute aggregates one merged record keeps
// for an output stuck for days (a day of a large room's series); older
// ones are dropped and counted. Transitions, actions and the rest are
// small and always kept.
const maxMergedMinutes = 24 * 60 * 40

// AttachOpts tune one output's delivery.
type AttachOpts struct {
	// Backlog overrides the package's Backlog; negative means never merge
	// (for test benches that need every period's state and accept the
	// memory).
	Backlog int
}

// Hub hands every published record to every attached output. The zero
// value is not usable; call NewHub.
type Hub struct {
	mu      sync.Mutex
	subs    []*sub
	closed  bool
	working sync.WaitGroup
	// base is where the hub's clock runs from. The hub measures only
	// lengths of real time (how long an output waited, when it was last
	// woken): time.Since(base) reads the monotonic clock alone, where
	// time.Now reads the wall clock as well, and a simulation publishes
	// thousands of records a second.
	base time.Time
}

// NewHub returns a hub with no outputs.
func NewHub() *Hub { return &Hub{base: time.Now()} }

// sub is one attached output and its queue.
type sub struct {
	name    string
	out     Output
	backlog int

	mu    sync.Mutex
	queue []*Period
	array []*Period // queue's array from its start, kept for the next records
	// tip is the newest record merged into the last one queued when it
	// carries no events (state alone), and tipCovers the periods such
	// records stand for: the merge is made once, when the last record is
	// delivered or another follows it, instead of a copy per period for
	// an output that stays behind (settle).
	tip       *Period
	tipCovers int
	// own is the last record queued when this output made it by merging:
	// nobody else has it until Receive, and later records' events are
	// appended to its lists (Period.absorb) rather than copied with the
	// rest into a new record each time.
	own *Period

	base    time.Time     // the hub's
	oldest  time.Duration // when queue[0] was published (since base)
	wake    chan struct{} // one token: records are waiting
	closing bool
	stats   Stats
	busy    bool // Receive is running
	// idle, made by a waiting Idle, is closed when the queue is empty
	// and Receive returned; nil while nobody waits.
	idle chan struct{}

	// Wake-ups are coalesced: a record with events wakes the output at
	// once, state alone at most every wakeEvery of real time (a timer
	// makes sure the last one is delivered). A simulation runs thousands
	// of periods a second, and waking every output for each would cost
	// more than the periods themselves.
	woke   time.Duration // since base
	timing bool          // a wake-up timer is pending
}

// wakeEvery is how long state-only records may wait for their output.
const wakeEvery = 5 * time.Millisecond

// Stats describe one output's delivery, for health and metrics.
type Stats struct {
	Name      string
	Delivered uint64 // records handed to Receive
	Merged    uint64 // records merged into another because the output was behind
	Dropped   uint64 // minute aggregates dropped from a merged record (output stuck for days)
	Waiting   int    // records queued now
	// Since is when the oldest waiting record was published (zero when
	// none waits): how far behind the output is.
	Since time.Time
}

// Attach starts delivering to out, from the next published record, on a
// goroutine of its own until Close.
func (h *Hub) Attach(name string, out Output, opts *AttachOpts) {
	// Woken long ago: the first record wakes the output at once.
	s := &sub{name: name, out: out, backlog: Backlog, wake: make(chan struct{}, 1), base: h.base, woke: -wakeEvery}
	if opts != nil && opts.Backlog != 0 {
		s.backlog = opts.Backlog
	}
	s.stats.Name = name
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.subs = append(h.subs, s)
	h.working.Add(1)
	go s.run(&h.working)
}

// Publish queues p for every output. It never waits on an output.
func (h *Hub) Publish(p *Period) {
	h.mu.Lock()
	subs, closed := h.subs, h.closed
	h.mu.Unlock()
	if closed {
		return
	}
	now := time.Since(h.base) // one reading of the clock for every output
	for _, s := range subs {
		s.push(p, now)
	}
}

// Stats returns every output's delivery figures.
func (h *Hub) Stats() []Stats {
	h.mu.Lock()
	subs := h.subs
	h.mu.Unlock()
	out := make([]Stats, 0, len(subs))
	for _, s := range subs {
		s.mu.Lock()
		st := s.stats
		st.Waiting = len(s.queue)
		if len(s.queue) > 0 {
			st.Since = s.firstTime()
		}
		s.mu.Unlock()
		out = append(out, st)
	}
	return out
}

// Lag reports how far behind the output named is: behind, in the records'
// time, from the oldest record it has not yet taken to now; waited, in
// real time, since that record was published. Both are zero when it has
// taken every record. A journal on a stalled disk shows here while its
// write is still blocked and has not failed; under a fast simulation
// behind grows with a busy disk while waited stays short.
func (h *Hub) Lag(name string, now time.Time) (behind, waited time.Duration) {
	h.mu.Lock()
	subs := h.subs
	h.mu.Unlock()
	for _, s := range subs {
		if s.name != name {
			continue
		}
		s.mu.Lock()
		if len(s.queue) > 0 {
			behind, waited = now.Sub(s.firstTime()), time.Since(s.base)-s.oldest
		}
		s.mu.Unlock()
		return behind, waited
	}
	return 0, 0
}

// Idle waits until the outputs named (every output when none is named)
// have received everything published so far, or ctx ends. Tests use it to
// look at outputs after stepping the loop.
func (h *Hub) Idle(ctx context.Context, names ...string) error {
	h.mu.Lock()
	subs := h.subs
	h.mu.Unlock()
	for _, s := range subs {
		if len(names) > 0 && !slices.Contains(names, s.name) {
			continue
		}
		s.mu.Lock()
		if len(s.queue) == 0 && !s.busy {
			s.mu.Unlock()
			continue
		}
		if s.idle == nil {
			s.idle = make(chan struct{})
		}
		idle := s.idle
		s.mu.Unlock()
		s.signal()
		select {
		case <-idle:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// Close stops the outputs once they have received what is queued, waiting
// at most wait; an output still busy after that is left to finish on its
// own and Close reports false.
func (h *Hub) Close(wait time.Duration) bool {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		return true
	}
	h.closed = true
	subs := h.subs
	h.mu.Unlock()
	for _, s := range subs {
		s.mu.Lock()
		s.closing = true
		s.mu.Unlock()
		s.signal()
	}
	done := make(chan struct{})
	go func() { h.working.Wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(wait):
		return false
	}
}

func (s *sub) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *sub) push(p *Period, now time.Duration) {
	s.mu.Lock()
	if s.backlog >= 0 && len(s.queue) >= s.backlog {
		if p.HasEvents() {
			s.settle()
			s.stats.Dropped += uint64(s.mergeLast(p))
		} else {
			s.tip = p
			s.tipCovers += p.covers()
		}
		s.stats.Merged++
	} else {
		s.settle()
		if len(s.queue) == cap(s.queue) {
			s.queue = append(s.queue, p)
			s.array = s.queue[:0] // a new array
		} else {
			s.queue = append(s.queue, p)
		}
		if len(s.queue) == 1 {
			s.oldest = now
		}
	}
	wake := p.HasEvents() || now-s.woke >= wakeEvery
	if wake {
		s.woke = now
	} else if !s.timing {
		s.timing = true
		time.AfterFunc(wakeEvery, func() {
			s.mu.Lock()
			s.timing = false
			s.mu.Unlock()
			s.signal()
		})
	}
	s.mu.Unlock()
	if wake {
		s.signal()
	}
}

func (s *sub) run(wg *sync.WaitGroup) {
	defer wg.Done()
	for {
		s.mu.Lock()
		for len(s.queue) == 0 && !s.closing {
			s.mu.Unlock()
			<-s.wake
			s.mu.Lock()
		}
		if len(s.queue) == 0 && s.closing {
			s.mu.Unlock()
			return
		}
		if len(s.queue) == 1 {
			s.settle()
		}
		p := s.queue[0]
		s.queue[0] = nil
		if p == s.own {
			s.own = nil
		}
		s.queue = s.queue[1:]
		// The next one waited since it was published; near enough, since
		// it came after p: now, which undercounts only a backlog. With
		// none queued the next push says when.
		if len(s.queue) > 0 {
			s.oldest = time.Since(s.base)
		}
		s.busy = true
		s.mu.Unlock()

		s.out.Receive(p)

		s.mu.Lock()
		s.busy = false
		s.stats.Delivered++
		if len(s.queue) == 0 {
			// Start again at the front of the array instead of growing a
			// new one, unless it is a long queue's (an output that never
			// merges): that one is let go.
			s.queue = s.array[:0]
			if cap(s.array) > 2*Backlog {
				s.queue, s.array = nil, nil
			}
			if s.idle != nil {
				close(s.idle)
				s.idle = nil
			}
		}
		s.mu.Unlock()
	}
}

// settle merges the tip into the last record queued. Its events are the
// last record's (a tip has none), its state and time the tip's.
func (s *sub) settle() {
	if s.tip == nil {
		return
	}
	covers := s.queue[len(s.queue)-1].covers() + s.tipCovers
	s.mergeLast(s.tip)
	s.own.Covers = covers
	s.tip, s.tipCovers = nil, 0
}

// mergeLast merges p into the last record queued, which becomes (or
// stays) the output's own, and returns how many minute aggregates were
// dropped (see Merge).
func (s *sub) mergeLast(p *Period) (dropped int) {
	last := len(s.queue) - 1
	if s.queue[last] != s.own {
		s.own = mine(s.queue[last])
		s.queue[last] = s.own
	}
	return s.own.absorb(p)
}

// firstTime is the time of the oldest record queued (the tip's when it is
// merged into that one). There must be one.
func (s *sub) firstTime() time.Time {
	if len(s.queue) == 1 && s.tip != nil {
		return s.tip.Time
	}
	return s.queue[0].Time
}
