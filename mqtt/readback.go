package mqtt

import (
	"strconv"
	"time"
)

// journalRetry is how long after a failed journal read the sender tries
// again.
const journalRetry = 5 * time.Second

// journalRead is the sender's read of undelivered events from the journal:
// at most one at a time, kept across reconnects.
type journalRead struct {
	ans      <-chan readAns // the read in flight; nil when none
	from, to uint64         // the gap it fills
	// timer fires journalWait after a read started (the journal is slow:
	// newer events go first meanwhile), or journalRetry after one failed.
	timer   *time.Timer
	retryAt time.Time
}

// askJournal starts a journal read when the outbox has a gap and none is
// in flight.
func (p *Publisher) askJournal() {
	if p.rd.ans != nil || time.Now().Before(p.rd.retryAt) {
		return
	}
	from, to, ok := p.ob.gap()
	if !ok {
		return
	}
	p.rd.ans, p.rd.from, p.rd.to = p.store.read(from-1), from, to
	p.rd.setTimer(journalWait)
}

func (r *journalRead) setTimer(d time.Duration) {
	if r.timer != nil {
		r.timer.Stop()
	}
	r.timer = time.NewTimer(d)
}

// journalSlow lets the events after the gap go while the journal has not
// answered; its answer, when it comes, sends the gap's events late. After
// a failed read it is the time to try again.
func (p *Publisher) journalSlow() {
	p.rd.timer = nil
	if p.rd.ans != nil && !p.ob.overGap {
		p.ob.overGap = true
		p.log.Warn("mqtt: the journal is slow to give back undelivered events; sending the newer ones first, the older follow when it answers",
			"from_seq", p.rd.from)
	}
}

// fillGap takes the journal's answer.
func (p *Publisher) fillGap(ans readAns) {
	p.rd.ans = nil
	if p.rd.timer != nil {
		p.rd.timer.Stop()
		p.rd.timer = nil
	}
	if ans.err != nil {
		p.log.Warn("mqtt: cannot read undelivered alarm events from the journal; sending the newer ones, trying again", "err", ans.err, "retry_in", journalRetry)
		p.ob.overGap = true
		p.rd.retryAt = time.Now().Add(journalRetry)
		p.rd.setTimer(journalRetry)
		return
	}
	evs := make([]event, 0, len(ans.events))
	for _, e := range ans.events {
		evs = append(evs, journalEvent(e, p.cfg.Site, p.cfg.Room))
	}
	if lost, from := p.ob.fill(p.rd.from, p.rd.to, evs, len(ans.events) == pageSize); lost > 0 {
		// After a stop that was not clean (a power cut, kill -9) the
		// daemon skips 1000 numbers on purpose, so no number repeats one
		// a consumer may have seen; at most an event or two sent in the
		// instant before it are really missing. Said so, not as 1000
		// lost alarms.
		why := "ventd skips 1000 numbers after a stop that was not clean (a power cut); any other gap is events that never reached the journal"
		if lost > 100_000 {
			why = "the sequence jumped: with no journal to read at start, ventd numbers its alarms from the minutes since 1970, so none repeats a number it gave before"
		}
		p.log.Warn("mqtt: alarm event numbers not in the journal are skipped; consumers see the gap in the sequence",
			"from_seq", from, "count", lost, "why", why)
		p.store.set(metaDelivered, strconv.FormatUint(p.ob.floor, 10))
	}
}
