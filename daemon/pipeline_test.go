package daemon

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/ventd/ventd/control"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/testbench/room"
)

// transitionLog is an output that keeps every alarm transition it
// receives; gate, while open, holds its first Receive (a broker down, a
// stuck browser, a stalled disk).
type transitionLog struct {
	mu      sync.Mutex
	events  []alarm.Event
	periods int
	gate    chan struct{}
	blocked chan struct{} // closed once Receive is held
}

func newTransitionLog(blocked bool) *transitionLog {
	l := &transitionLog{}
	if blocked {
		l.gate, l.blocked = make(chan struct{}), make(chan struct{})
	}
	return l
}

func (l *transitionLog) Receive(p *record.Period) {
	if l.gate != nil {
		select {
		case <-l.blocked:
		default:
			close(l.blocked)
		}
		<-l.gate
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.events = append(l.events, p.Transitions...)
	l.periods += p.Covers
}

func (l *transitionLog) ids() []uint64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []uint64
	for _, e := range l.events {
		out = append(out, e.ID)
	}
	return out
}

// smokeAndAck raises staff alarms with a session, clears the air and
// acknowledges, so the period records carry raises, latches, clears and
// acknowledgements.
func smokeAndAck(t *testing.T, h *harness) {
	t.Helper()
	h.rig.Room.StartSession("staff", room.TypicalSession(20, 8*time.Minute))
	h.run(10 * time.Minute)
	h.rig.Room.StopSession("staff")
	h.run(40 * time.Minute)
	h.call(func() {
		if _, err := h.d.Acknowledge(context.Background(), 0, tester, "aired out"); err != nil {
			t.Errorf("ack: %v", err)
		}
	})
	h.run(2 * time.Minute)
}

func TestEveryOutputGetsEveryTransitionOnceInOrder(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir, t0)
	slow, fast := newTransitionLog(true), newTransitionLog(false)
	h.d.Attach("slow", slow, nil)
	h.d.Attach("fast", fast, nil)
	h.run(5 * time.Minute)
	<-slow.blocked
	// The slow output is held in its first Receive for all of the next
	// hour of control periods: every period still runs (run returns), and
	// the loop never waits for it.
	before := h.d.number
	smokeAndAck(t, h)
	if ran := h.d.number - before; ran < 50*60 {
		t.Fatalf("only %d control periods ran while an output was blocked", ran)
	}
	if st := h.d.Outputs(); len(st) == 0 {
		t.Fatal("no output stats")
	}
	close(slow.gate)
	if err := h.d.hub.Idle(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := fast.ids()
	if len(want) < 4 {
		t.Fatalf("only %d transitions in an hour with a staff smoke alarm: %v", len(want), want)
	}
	for i := 1; i < len(want); i++ {
		if want[i] != want[i-1]+1 {
			t.Fatalf("sequence numbers %v: not consecutive", want)
		}
	}
	if got := slow.ids(); !equalIDs(got, want) {
		t.Fatalf("the blocked output got %v, the fast one %v: want the same, once, in order", got, want)
	}
	if slow.periods != fast.periods {
		t.Errorf("the blocked output's records stand for %d periods, the fast one's for %d", slow.periods, fast.periods)
	}
	h.d.shutdown()

	// A restart carries on the sequence where the journal left it.
	h2 := newHarness(t, dir, h.clk.Now().Add(time.Minute))
	after := newTransitionLog(false)
	h2.d.Attach("after", after, nil)
	h2.run(5 * time.Minute)
	smokeAndAck(t, h2)
	if err := h2.d.hub.Idle(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := after.ids()
	if len(got) == 0 || got[0] != want[len(want)-1]+1 {
		t.Fatalf("after the restart the sequence starts at %v; the last before was %d", got, want[len(want)-1])
	}
	for i := 1; i < len(got); i++ {
		if got[i] != got[i-1]+1 {
			t.Fatalf("after the restart: %v not consecutive", got)
		}
	}
	h2.d.shutdown()
}

func equalIDs(a, b []uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// After a crash the sequence jumps ahead, so a transition numbered and
// sent just before the crash (but not yet journaled) never shares its
// number with a later one: a consumer sees a gap, never a false duplicate.
func TestSequenceJumpsAfterACrash(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir, t0)
	h.run(5 * time.Minute)
	smokeAndAck(t, h)
	if err := h.d.hub.Idle(context.Background()); err != nil {
		t.Fatal(err)
	}
	last := h.d.alarms.eng.NextID() - 1
	// No shutdown: the daemon is gone as after kill -9.
	h2 := newHarness(t, dir, h.clk.Now().Add(time.Minute))
	after := newTransitionLog(false)
	h2.d.Attach("after", after, nil)
	h2.run(5 * time.Minute)
	smokeAndAck(t, h2)
	if err := h2.d.hub.Idle(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := after.ids()
	if len(got) == 0 || got[0] != last+1+crashSkip {
		t.Fatalf("after a crash the sequence starts at %v; the last journaled was %d: want %d", got, last, last+1+crashSkip)
	}
	h2.d.shutdown()
}

// A deliberate stop (a restart, an update) hands the outputs a last record
// that says so, with the sensors as they were: the status page and the
// pager show "ventd stopped", not a sensor fault on every sensor, for
// each systemctl restart. No record before it says stopping.
func TestTheLastRecordSaysStopping(t *testing.T) {
	h := newHarness(t, t.TempDir(), t0)
	var mu sync.Mutex
	var periods []*record.Period
	h.d.Attach("watch", record.OutputFunc(func(p *record.Period) {
		mu.Lock()
		periods = append(periods, p)
		mu.Unlock()
	}), nil)
	h.run(2 * time.Minute)
	h.d.shutdown()
	mu.Lock()
	defer mu.Unlock()
	if len(periods) < 2 {
		t.Fatalf("%d records", len(periods))
	}
	for _, p := range periods[:len(periods)-1] {
		if p.Health.Stopping {
			t.Fatalf("record %d of %d says stopping", p.Number, len(periods))
		}
	}
	last := periods[len(periods)-1]
	if !last.Health.Stopping {
		t.Errorf("the last record does not say stopping: %+v", last.Health)
	}
	for _, s := range last.Sensors {
		if !s.Up {
			t.Errorf("the last record has sensor %s down: a stop would read as a sensor fault", s.Name)
		}
	}
	for _, f := range last.Fans {
		if f.Mode != control.ModeSafe || f.Reason != "ventd stopped" {
			t.Errorf("fan %s in the last record: %s, %q; want safe, ventd stopped", f.Name, f.Mode, f.Reason)
		}
	}
}
