package mqtt

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"github.com/ventd/ventd/record"
)

// conn is one connection's bookkeeping.
type conn struct {
	c    paho.Client
	toks []paho.Token // of the outbox's flight, in order
	// headSince is when the oldest token in toks became the oldest.
	headSince time.Time
	// sentAlarms is what this connection published on each alarm topic;
	// clearing the alarm topics it emptied.
	sentAlarms map[string][]byte
	clearing   map[string]bool
	cleared    chan clearResult
	end        chan struct{} // closed when the session ends
	lastState  time.Time
	stateOwed  bool
	// echo checks that the messages come back (see deliveryCheck).
	echo *deliveryCheck
}

type clearResult struct {
	topic string
	err   error
}

// session publishes on c until the connection is lost or ctx ends.
func (p *Publisher) session(ctx context.Context, c paho.Client, lost <-chan error) error {
	s := &conn{c: c, sentAlarms: map[string][]byte{}, clearing: map[string]bool{},
		cleared: make(chan clearResult), end: make(chan struct{})}
	defer func() {
		close(s.end)
		p.ob.requeue()
	}()
	s.echo = p.echo.Load()
	p.sendOnline(s)
	p.mu.Lock()
	p.rediscover = true
	p.mu.Unlock()
	var closing <-chan time.Time
	done := ctx.Done()
	for {
		t := p.take()
		if t.dropped > 0 {
			p.log.Warn("mqtt: too many alarm events waiting in memory; the newest are read back from the journal in their turn", "dropped", t.dropped)
		}
		// Alarm events first: should the broker refuse a message that
		// follows (a state over its size limit), the events it took
		// before it still reached the pagers.
		p.sendEvents(s)
		if t.rediscover {
			p.sendDiscovery(s, t.latest)
			p.sendOnline(s)
			t.alarmsNew, t.stateNew = true, true
		}
		p.takeLeftAlarms(t)
		if t.alarmsNew {
			p.sendAlarms(s, t.alarms)
		}
		s.stateOwed = s.stateOwed || t.stateNew
		stateTimer := p.sendState(s)
		p.askJournal()
		echoTimer := p.checkDelivery(s.echo) // and reports the status
		if closing != nil && p.ob.waiting() == 0 {
			return p.goOffline(c)
		}

		var head <-chan struct{}
		var ackTimer <-chan time.Time
		if len(s.toks) > 0 {
			head = s.toks[0].Done()
			ackTimer = time.After(ackWait - time.Since(s.headSince))
		}
		var readTimer <-chan time.Time
		if p.rd.timer != nil {
			readTimer = p.rd.timer.C
		}
		select {
		case <-done:
			done, closing = nil, time.After(closeWait)
		case <-closing:
			p.log.Warn("mqtt: stopping with alarm events not yet acknowledged; they go out at the next start", "waiting", p.ob.waiting())
			return p.goOffline(c)
		case <-p.wake:
		case <-stateTimer:
		case <-echoTimer:
		case err := <-lost:
			return err
		case <-head:
			if err := p.settleFlight(s); err != nil {
				c.Disconnect(0)
				return err
			}
		case <-ackTimer:
			c.Disconnect(0)
			return fmt.Errorf("the broker acknowledged no alarm event for %s", ackWait)
		case ans := <-p.rd.ans:
			p.fillGap(ans)
		case <-readTimer:
			p.journalSlow()
		case r := <-s.cleared:
			p.clearDone(r)
		}
	}
}

// sendEvents hands the broker as many events as the window allows.
func (p *Publisher) sendEvents(s *conn) {
	for len(s.toks) < window {
		e, ok := p.ob.next()
		if !ok {
			return
		}
		if len(s.toks) == 0 {
			s.headSince = time.Now()
		}
		s.echo.sent(echoEvents, e.payload, time.Now())
		s.toks = append(s.toks, s.c.Publish(p.topics.Events(), 1, false, e.payload))
		p.ob.sent(e)
	}
}

// settleFlight takes the PUBACKs that have come, oldest first.
func (p *Publisher) settleFlight(s *conn) error {
	for len(s.toks) > 0 {
		select {
		case <-s.toks[0].Done():
		default:
			return nil
		}
		if err := s.toks[0].Error(); err != nil {
			return fmt.Errorf("alarm event not acknowledged: %w", err)
		}
		s.toks = s.toks[1:]
		s.headSince = time.Now()
		if p.ob.acked() {
			p.store.set(metaDelivered, strconv.FormatUint(p.ob.floor, 10))
		}
	}
	return nil
}

// online is the availability message while connected.
var online = []byte("online")

// sendOnline announces the room online (retained).
func (p *Publisher) sendOnline(s *conn) {
	s.echo.sent(echoAvailability, online, time.Now())
	s.c.Publish(p.topics.Availability(), 1, true, online)
}

// sendAlarms brings the retained alarm topics to the active alarms: each
// active alarm's message where it changed, an empty retained message
// where an alarm ended, or ended while ventd was away (the topics the
// last run left, kept in the journal).
func (p *Publisher) sendAlarms(s *conn, want map[string][]byte) {
	changed := false
	for _, topic := range slices.Sorted(maps.Keys(want)) {
		if bytes.Equal(s.sentAlarms[topic], want[topic]) {
			continue
		}
		s.c.Publish(topic, 1, true, want[topic])
		s.sentAlarms[topic] = want[topic]
		delete(s.clearing, topic)
		if !p.staleAlarms[topic] {
			p.staleAlarms[topic], changed = true, true
		}
	}
	for _, topic := range slices.Sorted(maps.Keys(p.staleAlarms)) {
		if _, active := want[topic]; active || s.clearing[topic] {
			continue
		}
		delete(s.sentAlarms, topic)
		s.clearing[topic] = true
		tok := s.c.Publish(topic, 1, true, []byte{})
		go func() {
			tok.WaitTimeout(netWait)
			select {
			case s.cleared <- clearResult{topic: topic, err: tok.Error()}:
			case <-s.end:
			}
		}()
	}
	if changed {
		p.store.set(metaAlarms, joinList(p.staleAlarms))
	}
}

// takeLeftAlarms marks the retained alarms the broker held at connect for
// sendAlarms to clear, but those ventd has now, and says how many.
// They are not journaled: the broker gives them again at the next connect
// should a clearing not reach it.
func (p *Publisher) takeLeftAlarms(t taken) {
	n := 0
	for _, topic := range t.leftAlarms {
		if _, active := t.alarms[topic]; !active && !p.staleAlarms[topic] {
			p.staleAlarms[topic] = true
			n++
		}
	}
	if n > 0 || t.leftOver > 0 {
		p.log.Warn("mqtt: the broker holds retained alarms ventd has not (an earlier install, or a state directory wiped): clearing them",
			"count", n, "over_the_bound", t.leftOver, "first", t.leftAlarms[0])
	}
}

// clearDone forgets an alarm topic once the broker took its clearing.
func (p *Publisher) clearDone(r clearResult) {
	if r.err != nil || !p.staleAlarms[r.topic] {
		return
	}
	p.mu.Lock()
	_, active := p.alarms[r.topic]
	p.mu.Unlock()
	if !active {
		delete(p.staleAlarms, r.topic)
		p.store.set(metaAlarms, joinList(p.staleAlarms))
	}
}

// sendState publishes the retained state when it is owed and the wall
// clock allows; otherwise it returns a timer for when it will.
func (p *Publisher) sendState(s *conn) <-chan time.Time {
	if !s.stateOwed {
		return nil
	}
	if wait := stateGap - time.Since(s.lastState); wait > 0 {
		return time.After(wait)
	}
	snap := p.view.Load()
	if snap == nil {
		return nil
	}
	b, err := json.Marshal(snap)
	if err != nil {
		p.log.Error("mqtt: state does not marshal", "err", err)
		s.stateOwed = false
		return nil
	}
	s.echo.sent(echoState, b, time.Now())
	s.c.Publish(p.topics.State(), 0, true, b)
	s.lastState, s.stateOwed = time.Now(), false
	return nil
}

// sendDiscovery announces every entity to Home Assistant and removes the
// ones the last run announced that are gone.
func (p *Publisher) sendDiscovery(s *conn, latest *record.Period) {
	if !p.m.Discovery || latest == nil {
		return
	}
	es := discovery(p.topics, p.cfg, latest, p.info)
	now := discoveryTopics(p.topics, es)
	for _, e := range es {
		b, err := json.Marshal(e.config)
		if err != nil {
			p.log.Error("mqtt: discovery config does not marshal", "entity", e.object, "err", err)
			continue
		}
		s.c.Publish(p.topics.Discovery(e.component, e.object), 1, true, b)
	}
	if gone := removed(p.oldDiscovery, now); len(gone) > 0 {
		for _, t := range gone {
			s.c.Publish(t, 1, true, []byte{})
		}
		p.log.Info("mqtt: removed Home Assistant entities no longer in the configuration", "count", len(gone))
	}
	p.oldDiscovery = slices.Sorted(maps.Keys(now))
	p.store.set(metaDiscovery, joinList(now))
}
