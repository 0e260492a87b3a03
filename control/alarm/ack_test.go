package alarm

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/sample"
)

// a2Rule is a latching high alarm without delays, to keep timings plain.
func a2Rule() Rule {
	return Rule{
		ID: "staff/pm25/alarm", Level: LevelAlarm, Subject: "staff", Quantity: sample.PM25,
		Direction: Above, Threshold: 125.5, Hysteresis: 12.5, Latching: true,
	}
}

func eval(t *testing.T, e *Engine, at time.Duration, id RuleID, v float64) []Event {
	t.Helper()
	evs, err := e.Evaluate(t0.Add(at), id, v, true)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func TestLatchingStaysUntilAcknowledged(t *testing.T) {
	e := mustEngine(t, a2Rule())
	id := RuleID("staff/pm25/alarm")
	evs := eval(t, e, 0, id, 200)
	if len(evs) != 1 || evs[0].Kind != Raised {
		t.Fatalf("events %v, want raised", kinds(evs))
	}
	alarmID := evs[0].AlarmID
	evs = eval(t, e, time.Minute, id, 20)
	if len(evs) != 1 || evs[0].Kind != Latched {
		t.Fatalf("events %v, want latched", kinds(evs))
	}
	for at := 2 * time.Minute; at < time.Hour; at += time.Minute {
		if evs := eval(t, e, at, id, 20); len(evs) != 0 {
			t.Fatalf("latched alarm changed at %v: %v", at, kinds(evs))
		}
	}
	act := e.Active()
	if len(act) != 1 || act[0].Condition || act[0].Acked || act[0].Peak != 200 {
		t.Fatalf("active %+v, want one latched unacknowledged alarm with peak 200", act)
	}
	ackAt := t0.Add(time.Hour)
	evs, err := e.Acknowledge(ackAt, alarmID, "Sam", "checked the booth door")
	if err != nil {
		t.Fatal(err)
	}
	if got := kinds(evs); len(got) != 2 || got[0] != Acknowledged || got[1] != Cleared {
		t.Fatalf("events %v, want acknowledged, cleared", got)
	}
	if a := evs[0]; a.Who != "Sam" || a.Note != "checked the booth door" || !a.Time.Equal(ackAt) || a.AlarmID != alarmID {
		t.Errorf("ack event %+v: want who, note, time and alarm id recorded", a)
	}
	if len(e.Active()) != 0 {
		t.Error("still active after acknowledgement")
	}
}

func TestAcknowledgeWhileAbove(t *testing.T) {
	e := mustEngine(t, a2Rule())
	id := RuleID("staff/pm25/alarm")
	alarmID := eval(t, e, 0, id, 200)[0].AlarmID
	evs, err := e.AcknowledgeRule(t0.Add(time.Second), id, "Ana", "")
	if err != nil || len(evs) != 1 || evs[0].Kind != Acknowledged {
		t.Fatalf("ack: %v, %v", kinds(evs), err)
	}
	for at := 2 * time.Second; at < 10*time.Minute; at += time.Second {
		if evs := eval(t, e, at, id, 200); len(evs) != 0 {
			t.Fatalf("acknowledged alarm changed while above: %v", kinds(evs))
		}
	}
	s := e.Summary(t0.Add(10 * time.Minute))
	if len(s.Alarms) != 1 || !s.Alarms[0].Acked || s.Alarms[0].AckedBy != "Ana" || s.Unacked != 0 {
		t.Fatalf("summary %+v, want one acknowledged alarm", s)
	}
	evs = eval(t, e, 10*time.Minute, id, 100)
	if len(evs) != 1 || evs[0].Kind != Cleared || evs[0].AlarmID != alarmID {
		t.Fatalf("events %v, want the alarm cleared when the value falls", kinds(evs))
	}
}

func TestAcknowledgeErrors(t *testing.T) {
	e := mustEngine(t, a2Rule(), pmRule())
	id := RuleID("staff/pm25/alarm")
	alarmID := eval(t, e, 0, id, 200)[0].AlarmID
	if _, err := e.Acknowledge(t0, alarmID, "", ""); err == nil {
		t.Error("empty who: no error")
	}
	if _, err := e.Acknowledge(t0, alarmID, "Sam", ""); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		ack  func() ([]Event, error)
		want error
	}{
		{"already acknowledged", func() ([]Event, error) { return e.Acknowledge(t0, alarmID, "Ana", "") }, ErrAlreadyAcked},
		{"never issued", func() ([]Event, error) { return e.Acknowledge(t0, 999, "Ana", "") }, ErrUnknownAlarm},
		{"zero id", func() ([]Event, error) { return e.Acknowledge(t0, 0, "Ana", "") }, ErrUnknownAlarm},
		{"unknown rule", func() ([]Event, error) { return e.AcknowledgeRule(t0, "nope", "Ana", "") }, ErrUnknownRule},
		{"rule not active", func() ([]Event, error) { return e.AcknowledgeRule(t0, "staff/pm25/warning", "Ana", "") }, ErrNotActive},
	}
	for _, c := range cases {
		evs, err := c.ack()
		if !errors.Is(err, c.want) || evs != nil {
			t.Errorf("%s: %v, %v; want %v", c.name, evs, err, c.want)
		}
		t.Logf("%s: %v", c.name, err)
	}
	// A mistyped id is told which ids can be acknowledged.
	if _, err := e.Acknowledge(t0, 999, "Ana", ""); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("the active alarms are %d (staff/pm25/alarm)", alarmID)) {
		t.Errorf("never issued: %v; want the active ids named", err)
	}
	eval(t, e, time.Minute, id, 20) // clears: it was acknowledged
	if _, err := e.Acknowledge(t0, alarmID, "Ana", ""); !errors.Is(err, ErrNotActive) {
		t.Errorf("cleared alarm: %v, want ErrNotActive", err)
	}
	if _, err := e.Acknowledge(t0, 999, "Ana", ""); err == nil || !strings.Contains(err.Error(), "no alarm is active now") {
		t.Errorf("never issued, none active: %v", err)
	}
}

func TestAcknowledgeAll(t *testing.T) {
	e := mustEngine(t, a2Rule(), Rule{ID: "sensor/s1/stale", Level: LevelFault, Subject: "s1", Direction: WhenTrue})
	eval(t, e, 0, "staff/pm25/alarm", 200)
	if _, err := e.SetCondition(t0, "sensor/s1/stale", true, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := e.AcknowledgeAll(t0, "", ""); err == nil {
		t.Error("empty who: no error")
	}
	evs, err := e.AcknowledgeAll(t0.Add(time.Second), "Sam", "shift handover")
	if err != nil || count(evs, Acknowledged) != 2 {
		t.Fatalf("%v, %v; want two acknowledgements", kinds(evs), err)
	}
	if evs, err := e.AcknowledgeAll(t0.Add(2*time.Second), "Sam", ""); err != nil || len(evs) != 0 {
		t.Errorf("second AcknowledgeAll: %v, %v; want nothing", kinds(evs), err)
	}
}

func TestRestoreLatched(t *testing.T) {
	rules := []Rule{a2Rule(), pmRule()}
	e := mustEngine(t, rules...)
	id := RuleID("staff/pm25/alarm")
	alarmID := eval(t, e, 0, id, 300)[0].AlarmID
	eval(t, e, time.Minute, id, 20) // latched
	saved, next := e.Active(), e.NextID()

	// Restart.
	e2 := mustEngine(t, rules...)
	if err := e2.Restore(saved); err != nil {
		t.Fatal(err)
	}
	if err := e2.SetNextID(next); err != nil {
		t.Fatal(err)
	}
	if err := e2.SetNextID(next - 1); err == nil {
		t.Error("SetNextID moving back: no error")
	}
	act := e2.Active()
	if len(act) != 1 || act[0].ID != alarmID || act[0].Condition || !act[0].Since.Equal(t0) || act[0].Peak != 300 {
		t.Fatalf("restored %+v, want the latched alarm %d", act, alarmID)
	}
	// Still latched through clean air after the restart.
	for at := 2 * time.Minute; at < 5*time.Minute; at += time.Second {
		if evs := eval(t, e2, at, id, 20); len(evs) != 0 {
			t.Fatalf("restored latched alarm changed: %v", kinds(evs))
		}
	}
	evs, err := e2.Acknowledge(t0.Add(5*time.Minute), alarmID, "Sam", "")
	if err != nil || count(evs, Cleared) != 1 {
		t.Fatalf("ack after restore: %v, %v", kinds(evs), err)
	}
	if evs[0].ID < next {
		t.Errorf("event id %d after restart, want ≥ %d", evs[0].ID, next)
	}
	// A new raise gets a new, larger id.
	if evs := eval(t, e2, 6*time.Minute, id, 300); len(evs) != 1 || evs[0].AlarmID <= alarmID {
		t.Errorf("re-raise after restart: %+v, want a new id above %d", evs, alarmID)
	}

	// Bad saves are reported; the good ones still restored.
	e3 := mustEngine(t, rules...)
	bad := append([]Alarm{{ID: 50, RuleID: "gone/rule"}, {ID: 0, RuleID: id}}, saved...)
	err = e3.Restore(bad)
	if !errors.Is(err, ErrUnknownRule) || len(e3.Active()) != 1 {
		t.Errorf("restore with bad entries: %v, %d active; want ErrUnknownRule and one restored", err, len(e3.Active()))
	}
	t.Log(err)
	if e3.NextID() != alarmID+1 {
		t.Errorf("NextID after restore %d, want %d", e3.NextID(), alarmID+1)
	}
}

// A latched alarm whose condition comes back before anyone acknowledges
// it says so, as the same alarm: the last word on the pager must not stay
// "latched" (back below the level) while the air is over it again.
func TestLatchedAlarmReturning(t *testing.T) {
	e := mustEngine(t, a2Rule())
	id := RuleID("staff/pm25/alarm")
	alarmID := eval(t, e, 0, id, 200)[0].AlarmID
	if evs := eval(t, e, time.Minute, id, 20); len(evs) != 1 || evs[0].Kind != Latched {
		t.Fatalf("events %v, want latched", kinds(evs))
	}
	evs := eval(t, e, 2*time.Minute, id, 180)
	if len(evs) != 1 || evs[0].Kind != Returned || evs[0].AlarmID != alarmID {
		t.Fatalf("events %v, want the same alarm returned", kinds(evs))
	}
	if m := evs[0].Message; m != "again, not yet acknowledged: "+e.Active()[0].Message {
		t.Errorf("message %q", m)
	}
	// Still over: nothing more; back below: latched again.
	if evs := eval(t, e, 3*time.Minute, id, 190); len(evs) != 0 {
		t.Errorf("events %v while it stays over", kinds(evs))
	}
	if evs := eval(t, e, 4*time.Minute, id, 20); len(evs) != 1 || evs[0].Kind != Latched {
		t.Errorf("events %v, want latched again", kinds(evs))
	}
	// Once acknowledged while over, the alarm is silent until it clears.
	if _, err := e.Acknowledge(t0.Add(5*time.Minute), alarmID, "Sam", ""); err != nil {
		t.Fatal(err)
	}
	if len(e.Active()) != 0 {
		t.Fatal("acknowledged while clear: want it cleared")
	}
}
