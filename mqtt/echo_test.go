package mqtt

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/testbench/mosquitto"
)

// settled reports whether no message awaits its echo (for tests).
func (d *deliveryCheck) settled() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	for i := range d.t {
		if len(d.t[i].pending) > 0 {
			return false
		}
	}
	return true
}

// The delivery check on its own, on a clock of the test's: a topic whose
// messages stop coming back is said once, however many go missing, and
// once when they come back; a message the broker dropped while a later one
// came back is said too; the size limit is blamed only where it can be.
func TestDeliveryCheckSaysOnceAndWhenMessagesComeBack(t *testing.T) {
	top := NewTopics("ventd", "homeassistant", "OPS", "Room 1")
	woke := 0
	const wait = 40 * time.Second
	d := newDeliveryCheck(top, wait, func() { woke++ })
	now := t0
	d.sent(echoAvailability, online, now)
	d.back(top.Availability(), online, true) // the retained one, from before this connection
	if d.confirmed() || woke != 0 {
		t.Fatalf("a retained message taken for this connection's echo (confirmed %v, woke %d)", d.confirmed(), woke)
	}
	d.back(top.Availability(), online, false)
	if !d.confirmed() || woke != 1 {
		t.Fatalf("availability came back: confirmed %v, woke %d; want true, 1", d.confirmed(), woke)
	}

	// 100 states that never come back.
	state := func(i int) []byte { return []byte(strings.Repeat("s", 11500) + strconv.Itoa(i)) }
	for i := range 100 {
		d.sent(echoState, state(i), now.Add(time.Duration(i)*time.Second))
	}
	if notes, missed, next := d.check(now.Add(wait - time.Second)); len(notes) != 0 || missed != 0 || !next.Equal(now.Add(wait)) {
		t.Errorf("before the wait: notes %+v, missed %d, next %s", notes, missed, next)
	}
	notes, missed, _ := d.check(now.Add(200 * time.Second))
	if len(notes) != 1 || notes[0].topic != top.State() || notes[0].resumed || notes[0].late || !notes[0].sizeLimit || notes[0].size != len(state(99)) || missed != 100 {
		t.Fatalf("100 states missing: notes %+v, missed %d; want one line for the state, 100 missing", notes, missed)
	}
	if d.confirmed() {
		t.Error("confirmed with the states missing")
	}
	d.sent(echoState, state(100), now.Add(300*time.Second))
	if notes, missed, _ := d.check(now.Add(400 * time.Second)); len(notes) != 0 || missed != 1 {
		t.Errorf("another state missing: notes %+v (said already), missed %d", notes, missed)
	}

	// They come back: said once.
	d.sent(echoState, state(101), now.Add(500*time.Second))
	d.back(top.State(), state(101), false)
	if notes, missed, _ = d.check(now.Add(501 * time.Second)); len(notes) != 1 || !notes[0].resumed || notes[0].missed != 1 || missed != 0 || !d.confirmed() || woke != 2 {
		t.Fatalf("states back: notes %+v, missed %d, confirmed %v, woke %d", notes, missed, d.confirmed(), woke)
	}
	if notes, _, _ := d.check(now.Add(502 * time.Second)); len(notes) != 0 {
		t.Errorf("said again: %+v", notes)
	}

	// An hour on, a state the broker dropped while the next came back
	// (a size limit between their sizes): said, and over at once.
	later := now.Add(2 * time.Hour)
	d.sent(echoState, state(102), later)
	d.sent(echoState, state(103), later)
	d.back(top.State(), state(103), false)
	notes, missed, _ = d.check(later)
	if len(notes) != 1 || !notes[0].late || notes[0].resumed || missed != 1 || !d.confirmed() {
		t.Fatalf("a dropped state: notes %+v, missed %d, confirmed %v", notes, missed, d.confirmed())
	}
	if notes, _, _ := d.check(later.Add(wait)); len(notes) != 0 {
		t.Errorf("a dropped state said twice: %+v", notes)
	}

	// A small message missing is not blamed on a size limit; a state that
	// limitConn dropped unread for its size is told by its size alone.
	d.sent(echoAvailability, online, later)
	if notes, _, _ := d.check(later.Add(wait)); len(notes) != 1 || notes[0].sizeLimit {
		t.Errorf("availability missing: %+v; want a line that does not blame a size limit", notes)
	}
	big := bytes.Repeat([]byte("b"), maxIncoming+1)
	d.sent(echoState, big, later)
	if !d.backSized(top.State(), len(big), false) || d.backCount(echoState) != 3 {
		t.Errorf("a state past maxIncoming: back %d, want 3", d.backCount(echoState))
	}
	if d.backSized(top.HAStatus(), 10, false) || d.back(top.Command(), []byte("x"), false) {
		t.Error("a message of someone else's topic taken for ventd's own")
	}
}

// watchEcho runs o's room with a delivery check waiting wait.
func watchEcho(o *roomOpts, wait time.Duration) {
	o.pub = func(p *Publisher) { p.echoWait = wait }
}

// A broker that passes ventd's messages on: delivery is confirmed, and
// nothing is said.
func TestDeliveryConfirmedWhenMessagesComeBack(t *testing.T) {
	b := mosquitto.Start(t, mosquitto.Options{})
	o := roomOpts{broker: b.URL, scenario: sessionWithDoor}
	// Generous: a loaded machine must not make a test of silence fail.
	watchEcho(&o, 20*time.Second)
	r := startRoom(t, o)
	r.until("the staff PM2.5 warning", transition(staffWarning, alarm.Raised))
	r.eventOf(staffWarning, alarm.Raised)
	r.waitStatus("the raise delivered and confirmed", func(s Status) bool {
		d := r.pub.echo.Load()
		return s.Confirmed && s.Waiting == 0 && d.backCount(echoAvailability) > 0 && d.backCount(echoState) > 0 &&
			d.backCount(echoEvents) > 0 && d.settled()
	})
	if s := r.pub.Status(); s.Unconfirmed != 0 || !s.Confirmed {
		t.Errorf("status %+v: want confirmed, none unconfirmed", s)
	}
	if l := r.log.String(); strings.Contains(l, "did not come back") || strings.Contains(l, "read its own messages back") {
		t.Errorf("the log speaks of trouble:\n%s", grep(l, "mqtt: "))
	}
}

// echoLines returns the log's warnings that topic's messages did not come
// back.
func echoLines(log, topic string) []string {
	var out []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, "level=WARN") && strings.Contains(l, "did not come back") && strings.Contains(l, " topic="+topic+" ") {
			out = append(out, l)
		}
	}
	return out
}

func grep(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// With MQTT 3.1.1 mosquitto acknowledges the messages its ACL does not let
// ventd write, and grants the subscriptions it does not let ventd read,
// then drops the messages: ventd logged "connected" and /metrics showed
// every alarm event delivered while none reached a pager. An ACL naming
// the room as it was before a rename does this. Now the log says it, once
// per topic, with both possible causes and what to change, and the status
// says delivery is not confirmed. A write-only ACL (messages pass, ventd
// cannot read them back) looks the same from ventd: the hint says both.
func TestAnACLThatDropsVentdsMessagesIsSaid(t *testing.T) {
	base := "ventd/simulated-ops/simulated-room"
	for _, tc := range []struct {
		name, acl string
		events    bool // run until an event: the pager's case
		passes    bool // the watcher gets ventd's messages
	}{
		{name: "old room", acl: "topic readwrite ventd/simulated-ops/old-room/#\n", events: true},
		{name: "write only", acl: "topic write " + base + "/#\n", passes: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := mosquitto.Start(t, mosquitto.Options{Passwords: map[string]string{"ventd-room": "right", "watcher": "w"},
				ACL: "user ventd-room\n" + tc.acl + "topic readwrite homeassistant/#\nuser watcher\ntopic read #\n"})
			pw := filepath.Join(t.TempDir(), "pw")
			if err := os.WriteFile(pw, []byte("right\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			watcher := subscribe(t, b.URL, clientOpts{user: "watcher", pass: "w"}, base+"/#")
			o := roomOpts{broker: b.URL, mqtt: func(m *config.MQTT) { m.Username, m.PasswordFile = "ventd-room", pw }}
			if tc.events {
				o.scenario = sessionWithDoor
			}
			watchEcho(&o, 200*time.Millisecond)
			r := startRoom(t, o)
			top := r.pub.Topics()
			want := []string{top.Availability(), top.State()}
			if tc.events {
				r.until("the staff PM2.5 warning", transition(staffWarning, alarm.Raised))
				want = append(want, top.Events())
			} else {
				r.runFor(20 * time.Second)
			}
			r.waitStatus("a warning for each topic", func(Status) bool {
				for _, topic := range want {
					if len(echoLines(r.log.String(), topic)) == 0 {
						return false
					}
				}
				return true
			})
			// More states go missing: counted, not said again. (The
			// room's clock runs far ahead of the wall: a state goes out
			// at most every 100 ms of wall time, so one at a time.)
			for range 3 {
				before := r.pub.Status().Unconfirmed
				r.runFor(15 * time.Second)
				r.waitStatus("another state missing", func(s Status) bool { return s.Unconfirmed > before })
			}
			s := r.pub.Status()
			if !s.Connected || s.Confirmed || s.Waiting != 0 {
				t.Errorf("status %+v: want connected, delivery not confirmed (the PUBACKs came)", s)
			}
			log := r.log.String()
			for _, topic := range want {
				lines := echoLines(log, topic)
				if len(lines) != 1 {
					t.Errorf("%d warnings for %s, want 1:\n%s", len(lines), topic, strings.Join(lines, "\n"))
					continue
				}
				l := lines[0]
				for _, w := range []string{`user \"ventd-room\" write ` + topic, "topic readwrite " + base + "/#",
					"does not let ventd read its own topics back, in which case grant read on " + base + "/# to let ventd confirm delivery"} {
					if !strings.Contains(l, w) {
						t.Errorf("the warning for %s does not say %q:\n%s", topic, w, l)
					}
				}
				// Nothing came back: a size limit may explain the state,
				// not availability's six bytes.
				switch blamed := strings.Contains(l, "message_size_limit"); {
				case topic == top.Availability() && blamed:
					t.Errorf("the warning for %s blames the size limit:\n%s", topic, l)
				case topic == top.State() && !blamed:
					t.Errorf("the warning for %s does not name the size limit:\n%s", topic, l)
				}
			}
			if l := echoLines(log, top.Events()); tc.events && len(l) > 0 && !strings.Contains(l[0], "alarm events reach no pager") {
				t.Errorf("the events' warning does not say what it costs:\n%s", l[0])
			}
			if tc.passes {
				// They may still be on their way: the room's clock runs
				// far ahead of the wall.
				watcher.waitFor("any of ventd's messages", func(m []msg) bool { return len(m) > 0 })
			} else if got := watcher.got(); len(got) > 0 {
				t.Errorf("the watcher got %d of ventd's messages; the ACL should pass none", len(got))
			}
		})
	}
}

// A site whose ACL lets ventd only write turns the delivery check off:
// nothing is subscribed or waited for, nothing is warned of, and the
// status says the check is off rather than "not confirmed", which would
// keep VentdMQTTDeliveryUnconfirmed firing for good.
func TestDeliveryCheckOff(t *testing.T) {
	base := "ventd/simulated-ops/simulated-room"
	b := mosquitto.Start(t, mosquitto.Options{Passwords: map[string]string{"ventd-room": "right", "watcher": "w"},
		ACL: "user ventd-room\ntopic write " + base + "/#\ntopic readwrite homeassistant/#\nuser watcher\ntopic read #\n"})
	pw := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pw, []byte("right\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	watcher := subscribe(t, b.URL, clientOpts{user: "watcher", pass: "w"}, base+"/#")
	o := roomOpts{broker: b.URL, scenario: sessionWithDoor, mqtt: func(m *config.MQTT) {
		m.Username, m.PasswordFile, m.ConfirmDelivery = "ventd-room", pw, false
	}}
	watchEcho(&o, 200*time.Millisecond)
	r := startRoom(t, o)
	top := r.pub.Topics()
	r.until("the staff PM2.5 warning", transition(staffWarning, alarm.Raised))
	r.waitStatus("the event delivered", func(s Status) bool { return s.Waiting == 0 && s.Delivered > 0 })
	r.runFor(20 * time.Second)
	s := r.pub.Status()
	if !s.Connected || !s.Unchecked || s.Unconfirmed != 0 {
		t.Errorf("status %+v: want connected, the check off, nothing counted missing", s)
	}
	for _, topic := range []string{top.Availability(), top.State(), top.Events()} {
		if l := echoLines(r.log.String(), topic); len(l) > 0 {
			t.Errorf("warned of %s with the check off:\n%s", topic, strings.Join(l, "\n"))
		}
	}
	if strings.Contains(r.log.String(), "does not let ventd read its own messages back") {
		t.Errorf("the refused read-back was warned of with the check off:\n%s", r.log)
	}
	// The room's clock runs far ahead of the wall: the messages may
	// still be on their way to the watcher.
	watcher.waitFor("any of ventd's messages", func(m []msg) bool { return len(m) > 0 })
}

var sizeLimitRE = regexp.MustCompile(`message_size_limit is under (\d+) bytes`)

// mosquitto 2.0 drops a message over its message_size_limit in silence,
// and acknowledges it at QoS 1: every state was dropped (Home Assistant
// showed every entity unknown) with nothing in either log. The log now
// names the state, its size and the limit.
func TestAStateOverTheBrokersSizeLimitIsSaid(t *testing.T) {
	const limit = 8000
	b := mosquitto.Start(t, mosquitto.Options{MessageSizeLimit: limit})
	o := roomOpts{broker: b.URL}
	watchEcho(&o, 200*time.Millisecond)
	r := startRoom(t, o)
	top := r.pub.Topics()
	r.runFor(20 * time.Second)
	r.waitStatus("a warning for the state", func(Status) bool { return len(echoLines(r.log.String(), top.State())) > 0 })
	l := echoLines(r.log.String(), top.State())[0]
	m := sizeLimitRE.FindStringSubmatch(l)
	if m == nil {
		t.Fatalf("the warning does not name the size limit:\n%s", l)
	}
	if n, _ := strconv.Atoi(m[1]); n <= limit || !strings.Contains(l, "bytes="+m[1]+" ") {
		t.Errorf("the warning names %s bytes, want the state's size (over %d):\n%s", m[1], limit, l)
	}
	if d := r.pub.echo.Load(); d.backCount(echoAvailability) == 0 {
		t.Error("availability did not come back")
	}
	if s := r.pub.Status(); s.Confirmed || s.Unconfirmed == 0 {
		t.Errorf("status %+v: want not confirmed", s)
	}
}

// BenchmarkDeliveryCheckState measures what the delivery check adds to one
// state of the sim room's size: noting it before the publish (session) and
// matching its echo (paho's goroutine).
func BenchmarkDeliveryCheckState(b *testing.B) {
	top := NewTopics("ventd", "homeassistant", "OPS", "Room 1")
	d := newDeliveryCheck(top, time.Minute, func() {})
	state := bytes.Repeat([]byte("s"), 11879)
	now := time.Now()
	b.SetBytes(int64(len(state)))
	b.ReportAllocs()
	for b.Loop() {
		d.sent(echoState, state, now)
		d.back(top.State(), state, false)
	}
}
