package alarm

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/sample"
)

func TestValidation(t *testing.T) {
	good := pmRule()
	cases := []struct {
		name string
		edit func(*Rule)
		want string // in the error
	}{
		{"empty ID", func(r *Rule) { r.ID = "" }, "ID is empty"},
		{"no level", func(r *Rule) { r.Level = LevelNone }, "Level is none"},
		{"no subject", func(r *Rule) { r.Subject = "" }, "Subject is empty"},
		{"no direction", func(r *Rule) { r.Direction = 0 }, "use Above, Below or WhenTrue"},
		{"NaN threshold", func(r *Rule) { r.Threshold = math.NaN() }, "Threshold is NaN"},
		{"negative hysteresis", func(r *Rule) { r.Hysteresis = -1 }, "Hysteresis is -1"},
		{"negative on-delay", func(r *Rule) { r.OnDelay = -time.Second }, "OnDelay is -1s"},
		{"negative off-delay", func(r *Rule) { r.OffDelay = -time.Second }, "OffDelay is -1s"},
		{"flap without window", func(r *Rule) { r.FlapCount = 3 }, "FlapWindow is 0s"},
		{"negative flap count", func(r *Rule) { r.FlapCount = -1 }, "FlapCount is -1"},
		{"unknown message field", func(r *Rule) { r.Message = "{subjekt} is bad" }, "unknown field {subjekt}"},
		{"unclosed message field", func(r *Rule) { r.Message = "{value" }, "unclosed"},
	}
	for _, c := range cases {
		r := good
		c.edit(&r)
		_, err := NewEngine([]Rule{good2(), r})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error containing %q", c.name, err, c.want)
			continue
		}
		var re *RuleError
		if !errors.As(err, &re) || re.Index != 1 {
			t.Errorf("%s: %v: want a *RuleError for rules[1]", c.name, err)
		}
	}

	// All problems at once, duplicates included.
	bad := good
	bad.OnDelay, bad.Hysteresis = -time.Second, -2
	_, err := NewEngine([]Rule{good, bad, good2()})
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	t.Log(msg)
	for _, want := range []string{"3 problem(s)", "OnDelay is -1s", "Hysteresis is -2", `rules[1] "staff/pm25/warning": ID already used by rules[0]`} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
}

func good2() Rule {
	return Rule{ID: "sensor/s/stale", Level: LevelFault, Subject: "s", Direction: WhenTrue}
}

func TestMessages(t *testing.T) {
	r := pmRule()
	r.OnDelay = 0
	r2 := good2()
	r3 := pmRule()
	r3.ID, r3.OnDelay, r3.Message = "custom", 0, "{rule}: {subject} {quantity} {value}{unit} {direction} {threshold} ({level})"
	e := mustEngine(t, r, r2, r3)
	ev := eval1(t, e, r.ID, 41.26)
	if ev.Message != "warning: pm25 in staff above 35 µg/m³ (now 41.3 µg/m³)" {
		t.Errorf("default value message %q", ev.Message)
	}
	evs, _ := e.SetCondition(t0, r2.ID, true, math.NaN())
	if evs[0].Message != "fault: sensor/s/stale" {
		t.Errorf("default condition message %q", evs[0].Message)
	}
	if ev := eval1(t, e, "custom", 36); ev.Message != "custom: staff pm25 36µg/m³ above 35 (warning)" {
		t.Errorf("custom message %q", ev.Message)
	}
}

func eval1(t *testing.T, e *Engine, id RuleID, v float64) Event {
	t.Helper()
	evs, err := e.Evaluate(t0, id, v, true)
	if err != nil || len(evs) != 1 {
		t.Fatalf("evaluate %s: %v, %v", id, evs, err)
	}
	return evs[0]
}

func TestJSON(t *testing.T) {
	e := mustEngine(t, a2Rule(), good2())
	eval(t, e, 0, "staff/pm25/alarm", 130)
	evs, _ := e.SetCondition(t0, "sensor/s/stale", true, math.NaN())
	b, err := json.Marshal(evs[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"kind":"raised"`, `"level":"fault"`, `"value":null`, `"rule":"sensor/s/stale"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("event JSON %s lacks %s", b, want)
		}
	}
	if strings.Contains(string(b), `"who"`) {
		t.Errorf("event JSON %s: who on a raise", b)
	}
	// Active alarms round-trip, NaN and levels included: that is how a
	// latched alarm survives a restart.
	b, err = json.Marshal(e.Active())
	if err != nil {
		t.Fatal(err)
	}
	var back []Alarm
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if len(back) != 2 || back[0].Level != LevelAlarm || back[0].Peak != 130 || back[1].Peak.Known() || back[1].Value.Known() {
		t.Errorf("round trip %s gave %+v", b, back)
	}
	var l Level
	if err := l.UnmarshalText([]byte("critical")); err == nil {
		t.Error("unknown level: no error")
	}
}

func TestSummary(t *testing.T) {
	r1 := pmRule()
	r1.OnDelay = 0
	r2 := a2Rule()
	r3 := Rule{ID: "sensor/booth-pm/stale", Level: LevelFault, Subject: "booth-pm", Direction: WhenTrue}
	r4 := Rule{ID: "staff/co2/warning", Level: LevelWarning, Subject: "staff", Quantity: sample.CO2, Direction: Above, Threshold: 1000}
	e := mustEngine(t, r1, r2, r3, r4)
	if s := e.Summary(t0); s.Highest != LevelNone || len(s.Alarms) != 0 || len(s.Subjects) != 0 {
		t.Fatalf("empty summary %+v", s)
	}
	eval(t, e, 0, r4.ID, 1200)
	eval(t, e, time.Second, r1.ID, 150)
	eval(t, e, 2*time.Second, r2.ID, 150)
	e.SetCondition(t0.Add(3*time.Second), r3.ID, true, math.NaN())
	e.AcknowledgeRule(t0.Add(4*time.Second), r4.ID, "Sam", "")
	s := e.Summary(t0.Add(5 * time.Second))
	if s.Highest != LevelFault || s.Unacked != 3 || len(s.Alarms) != 4 {
		t.Fatalf("summary %+v", s)
	}
	if s.Subjects["staff"] != LevelAlarm || s.Subjects["booth-pm"] != LevelFault {
		t.Errorf("subjects %v", s.Subjects)
	}
	var order []string
	for _, a := range s.Alarms {
		order = append(order, string(a.RuleID))
	}
	want := []string{string(r3.ID), string(r2.ID), string(r4.ID), string(r1.ID)} // level, then oldest first
	if strings.Join(order, " ") != strings.Join(want, " ") {
		t.Errorf("order %v, want %v", order, want)
	}
	if !s.Alarms[0].Since.Equal(t0.Add(3 * time.Second)) {
		t.Errorf("since %v", s.Alarms[0].Since)
	}
}
