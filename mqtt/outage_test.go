package mqtt

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/testbench/mosquitto"
)

// The broker is down for the whole of an alarm's raise and clear and a
// restart of the daemon; when it is back, a pager bridge (a persistent
// session) gets both events, in order, once, with consecutive numbers.
func TestOutageAcrossARestartLosesAndRepeatsNothing(t *testing.T) {
	b := mosquitto.Start(t, mosquitto.Options{Persistent: true})
	dir := t.TempDir()
	r := startRoom(t, roomOpts{broker: b.URL, dir: dir, scenario: sessionWithDoor})
	top := r.pub.Topics()
	pager := subscribe(t, b.URL, clientOpts{id: "pager", persistent: true}, top.Events())
	r.runFor(10 * time.Second)
	r.waitStatus("connected", func(s Status) bool { return s.Connected })

	b.Stop()
	r.waitStatus("the broker gone", func(s Status) bool { return !s.Connected })
	r.until("the staff PM2.5 warning", transition(staffWarning, alarm.Raised))
	r.until("the warning's clear", transition(staffWarning, alarm.Cleared))
	raised, cleared := r.eventOf(staffWarning, alarm.Raised), r.eventOf(staffWarning, alarm.Cleared)
	if st := r.pub.Status(); st.Delivered >= raised.ID || st.Connected {
		t.Fatalf("with the broker down: %+v", st)
	}
	// What a dashboard alerts on (ventd_mqtt_events_waiting) counts them
	// while the broker is away, not 0.
	r.waitStatus("both events counted waiting", func(s Status) bool { return s.Waiting >= 2 })
	end := r.clk.Now()
	r.stop()

	// The daemon starts again (a minute later, broker still down), then
	// the broker comes back.
	r = startRoom(t, roomOpts{broker: b.URL, dir: dir, start: end.Add(time.Minute)})
	r.runFor(10 * time.Second)
	b.Start()
	r.waitStatus("both events delivered", func(s Status) bool { return s.Delivered >= cleared.ID })

	// One more alarm after the backlog: when the pager has it, it has had
	// everything before it from this connection (MQTT keeps one
	// publisher's order), so a repeat would have shown by then.
	if err := r.rig.SensorFault("staff-co2", "disconnect", true); err != nil {
		t.Fatal(err)
	}
	stale := alarm.SensorRule("staff-co2", alarm.FaultStale)
	r.until("the staff-co2 stale fault", transition(stale, alarm.Raised))
	next := r.eventOf(stale, alarm.Raised)
	ms := pager.waitFor("the fault after the backlog", hasEvent(next.ID))
	got := events(ms, top.Events())
	want := []uint64{raised.ID, cleared.ID}
	for s := cleared.ID + 1; s <= next.ID; s++ {
		want = append(want, s) // anything the restart raised, then the fault
	}
	if !slices.Equal(got, want) || cleared.ID != raised.ID+1 {
		t.Errorf("the pager got events %v, want %v (raise %d, clear %d)", got, want, raised.ID, cleared.ID)
	}
	if ev := eventIn(t, ms, cleared.ID); ev.Kind != "cleared" || ev.Rule != string(staffWarning) || !ev.Time.Equal(stamp(cleared.Time)) {
		t.Errorf("the clear from the journal reads %+v", ev)
	}
}

// A slow journal (or none) never holds up the events in memory, and the
// outbox's bookkeeping is exact across acknowledgements, losses and
// reconnects.
func TestOutboxOrdersAndSettles(t *testing.T) {
	ev := func(seq uint64) event { return event{seq: seq, payload: []byte{byte(seq)}} }
	o := newOutbox(10, 100)
	// At start the journal may hold undelivered events: read first.
	if _, ok := o.next(); ok {
		t.Fatal("an event to send before any arrived")
	}
	if from, to, ok := o.gap(); !ok || from != 11 || to != ^uint64(0) {
		t.Fatalf("start gap %d %d %v", from, to, ok)
	}
	o.add(ev(14), ev(15)) // live events arrive meanwhile
	if _, ok := o.next(); ok {
		t.Fatal("a live event went before the journal's")
	}
	if from, to, ok := o.gap(); !ok || from != 11 || to != 14 {
		t.Fatalf("gap %d %d %v, want 11..14", from, to, ok)
	}
	// The journal has 11 and 13; 12 never reached it (a crash).
	if lost, at := o.fill(11, 14, []event{ev(11), ev(13), ev(14)}, false); lost != 1 || at != 12 {
		t.Fatalf("lost %d at %d, want 1 at 12", lost, at)
	}
	sent := drain(o)
	if !slices.Equal(sent, []uint64{11, 13, 14, 15}) || o.waiting() != 4 {
		t.Fatalf("sent %v, waiting %d", sent, o.waiting())
	}
	o.acked() // 11
	if o.floor != 12 {
		t.Errorf("floor %d after 11 acked and 12 lost, want 12", o.floor)
	}
	o.requeue() // the connection broke: 13..15 go again, in order
	o.add(ev(13), ev(16))
	sent = drain(o)
	if !slices.Equal(sent, []uint64{13, 14, 15, 16}) {
		t.Fatalf("after the reconnect sent %v", sent)
	}
	for range 4 {
		o.acked()
	}
	if o.floor != 16 || o.waiting() != 0 || len(o.done) != 0 {
		t.Errorf("floor %d, waiting %d, done %v", o.floor, o.waiting(), o.done)
	}
	// The journal may hold more after 16 until it says it does not.
	if from, to, ok := o.gap(); !ok || from != 17 || to != ^uint64(0) {
		t.Errorf("gap %d %d %v, want a last read after 16", from, to, ok)
	}
	if lost, _ := o.fill(17, ^uint64(0), nil, false); lost != 0 {
		t.Errorf("an empty journal lost %d", lost)
	}
	if _, _, ok := o.gap(); ok {
		t.Error("the journal was read to its end, yet a gap")
	}
	// Over the memory bound, the newest wait in the journal.
	small := newOutbox(0, 3)
	small.unread = false
	if dropped := small.add(ev(1), ev(2), ev(3), ev(4), ev(5)); dropped != 2 {
		t.Errorf("dropped %d of 5 with room for 3", dropped)
	}
	for want := uint64(1); want <= 3; want++ {
		e, ok := small.next()
		if !ok || e.seq != want {
			t.Fatalf("next %v %v, want %d", e, ok, want)
		}
		small.sent(e)
		small.acked()
	}
	if from, to, ok := small.gap(); !ok || from != 4 || to != ^uint64(0) {
		t.Errorf("gap %d %d %v after dropping 4 and 5", from, to, ok)
	}
	small.fill(4, ^uint64(0), []event{ev(4), ev(5)}, false)
	// A journal page over the bound is kept whole: it is what goes next.
	if small.add(ev(6), ev(7), ev(8)); small.waiting() != 3 {
		t.Errorf("waiting %d", small.waiting())
	}
	// A slow journal: the sender lets the newer events go first.
	gappy := newOutbox(0, 10)
	gappy.add(ev(3))
	gappy.overGap = true
	if e, ok := gappy.next(); !ok || e.seq != 3 {
		t.Errorf("over the gap: %v %v", e, ok)
	}
}

// While the broker is away the sender takes nothing: Receive keeps at most
// memLimit events in memory, the first due, and the journal the rest.
func TestReceiveBoundsMemoryWhileDisconnected(t *testing.T) {
	cfg := config.Sim()
	m := config.DefaultMQTT()
	m.Broker = "mqtt://127.0.0.1:1"
	cfg.MQTT = &m
	p, err := New(Options{Config: cfg, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= memLimit+100; i++ {
		p.Receive(&record.Period{Number: uint64(i), Time: t0.Add(time.Duration(i) * time.Second),
			Transitions: []alarm.Event{{ID: uint64(i), AlarmID: uint64(i), RuleID: staffWarning, Kind: alarm.Raised, Level: alarm.LevelWarning}}})
	}
	if len(p.live) != memLimit || p.liveDropped != 100 {
		t.Fatalf("%d events held, %d dropped", len(p.live), p.liveDropped)
	}
	if tk := p.take(); tk.dropped != 100 || !p.ob.unread {
		t.Errorf("take: %d dropped, unread %v", tk.dropped, p.ob.unread)
	}
	if e, ok := p.ob.next(); !ok || e.seq != 1 {
		t.Errorf("first due: %v %v", e.seq, ok)
	}
}

// drain sends everything the outbox lets go now and returns the order.
func drain(o *outbox) []uint64 {
	var sent []uint64
	for {
		e, ok := o.next()
		if !ok {
			return sent
		}
		o.sent(e)
		sent = append(sent, e.seq)
	}
}

// A journal that cannot be written (another writer holds its lock, as a
// stalled SD card would) never holds up an alarm: the events in memory go
// out while the outbox's own writes wait.
func TestLockedJournalDoesNotHoldUpAlarms(t *testing.T) {
	b := mosquitto.Start(t, mosquitto.Options{})
	r := startRoom(t, roomOpts{broker: b.URL, scenario: sessionWithDoor})
	top := r.pub.Topics()
	sub := subscribe(t, b.URL, clientOpts{}, top.Events())
	r.runFor(10 * time.Second)
	r.waitStatus("connected", func(s Status) bool { return s.Connected })

	// Another writer may hold the lock for a moment: wait for it, as
	// ventd's own connections do.
	db, err := sql.Open("sqlite", "file:"+filepath.Join(r.dir, "journal.db")+"?_pragma=busy_timeout(30000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	lock, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := lock.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	r.until("the staff PM2.5 warning", transition(staffWarning, alarm.Raised))
	raised := r.eventOf(staffWarning, alarm.Raised)
	sub.waitFor("the raise while the journal is locked", hasEvent(raised.ID))
	if _, err := lock.ExecContext(context.Background(), "ROLLBACK"); err != nil {
		t.Fatal(err)
	}
	lock.Close()
	r.until("the warning's clear", transition(staffWarning, alarm.Cleared))
	cleared := r.eventOf(staffWarning, alarm.Cleared)
	sub.waitFor("the clear", hasEvent(cleared.ID))
	r.waitStatus("the delivered position past the clear", func(s Status) bool { return s.Delivered >= cleared.ID })
}

// A broker that takes ventd's connection and drops it at once, each time
// (here: ventd's state message is over its packet size limit; a second
// client with the same id does the same), must neither be hammered with
// reconnects nor keep the alarm events from the pagers: before, ventd
// reconnected at once every time (947 connections in 25 s) and published
// the events after the state, so none got through.
func TestABrokerThatDropsEachConnection(t *testing.T) {
	b := mosquitto.Start(t, mosquitto.Options{MaxPacketSize: 4096})
	r := startRoom(t, roomOpts{broker: b.URL, scenario: sessionWithDoor})
	pager := subscribe(t, b.URL, clientOpts{id: "pager", persistent: true}, r.pub.Topics().Events())
	r.until("the staff PM2.5 warning", transition(staffWarning, alarm.Raised))
	raised := r.eventOf(staffWarning, alarm.Raised)
	pager.waitFor("the warning's event at the pager", hasEvent(raised.ID))
	before, start := r.pub.Status().Connects, time.Now()
	time.Sleep(3 * time.Second)
	n := r.pub.Status().Connects - before
	// From a 50 ms first wait doubling to the 1 s maximum: about 5 in 3 s.
	if n > 10 {
		t.Errorf("%d connections in %s to a broker that drops each one: no backoff", n, time.Since(start).Round(time.Millisecond))
	}
	if !strings.Contains(r.log.String(), "dropped the connection soon after accepting it") || !strings.Contains(r.log.String(), "size limit") {
		t.Errorf("the log does not say what is wrong:\n%s", r.log)
	}
	t.Logf("%d connections in 3 s", n)
}

// With no journal at start the daemon numbers its first alarm from the
// minutes since 1970, tens of millions above the outbox's floor of 0: fill
// marked each number lost one by one, 1.2 GB and 35 s in which nothing was
// published. A lost run from the floor now moves the floor at once.
func TestOutboxSkipsAHugeGapAtOnce(t *testing.T) {
	ev := func(seq uint64) event { return event{seq: seq, payload: []byte{byte(seq)}} }
	const first = 29_935_904
	o := newOutbox(0, 100)
	if _, _, ok := o.gap(); !ok {
		t.Fatal("no first read of the journal")
	}
	o.fill(1, ^uint64(0), nil, false) // no journal: nothing in it
	o.add(ev(first))
	from, to, ok := o.gap()
	if !ok || from != 1 || to != first {
		t.Fatalf("gap %d..%d %v, want 1..%d", from, to, ok, first)
	}
	lost, at := o.fill(from, to, nil, false)
	if lost != first-1 || at != 1 || o.floor != first-1 || len(o.done) != 0 {
		t.Fatalf("lost %d at %d, floor %d, %d marked: want %d lost at 1, the floor just below the event, none marked",
			lost, at, o.floor, len(o.done), first-1)
	}
	if sent := drain(o); !slices.Equal(sent, []uint64{first}) {
		t.Errorf("sent %v, want the event", sent)
	}
	// A gap above an event still in flight is marked number by number,
	// as before, and settles when the event is acknowledged.
	o.add(ev(first + 5))
	if lost, at := o.fill(first+1, first+5, nil, false); lost != 4 || at != first+1 || o.floor != first-1 {
		t.Fatalf("lost %d at %d, floor %d", lost, at, o.floor)
	}
	o.acked()
	if o.floor != first+4 {
		t.Errorf("floor %d after the event in flight was acknowledged, want %d", o.floor, first+4)
	}
}

// The wait before reconnecting goes back to the first step after a
// connection that stayed up, whatever ended it: kept at reconnect_max
// from an outage long before, it made one later loss cost that long.
// After a connection the broker dropped soon, it stays, so a broker that
// drops each one is not hammered.
func TestBackoffResetsAfterAConnectionThatStayedUp(t *testing.T) {
	const first, most = time.Second, time.Minute
	for _, c := range []struct {
		wait, lasted, want time.Duration
	}{
		{most, stableSession, first},
		{most, time.Hour, first},
		{8 * time.Second, stableSession + time.Millisecond, first},
		{most, stableSession - time.Millisecond, most},
		{4 * time.Second, 0, 4 * time.Second},
	} {
		if got := backoff(c.wait, first, c.lasted); got != c.want {
			t.Errorf("after a wait of %s and a connection of %s: %s, want %s", c.wait, c.lasted, got, c.want)
		}
	}
}
