package scenario

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/testbench/room"
)

const busy = `name: busy-morning
duration: 4h
events:
  - at: 10m            # offset from start
    session: {zone: booth, duration: 4m, pm25_mg_per_min: 3}
  - at: 0s
    occupants: {zone: staff, count: 2}
  - {at: 30m, door: {name: booth-door, open: true, for: 2m}}
  - {at: 1h, fan_fault: {fan: booth-exhaust, stall: true, for: 10m}}
  - {at: 2h, sensor_fault: {sensor: booth-pm, kind: disconnect, for: 5m}}
  - {at: 3h, outdoor: {pm25: 40, temperature: -5}}
  - at: 3h10m
    session: {zone: booth, duration: 2m, pm25_mg_per_min: 1, voc_mg_per_min: 0, co2_l_per_s: 0.005}
`

func TestParseGood(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "busy.yaml")
	if err := os.WriteFile(path, []byte(busy), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.Name != "busy-morning" || s.Duration != 4*time.Hour || len(s.Events) != 7 {
		t.Fatalf("got %q, %v, %d events", s.Name, s.Duration, len(s.Events))
	}
	// Sorted by time: the occupants at 0s come first though written second.
	if e := s.Events[0]; e.Occupants == nil || e.Occupants.Count != 2 || e.Line != 6 {
		t.Errorf("first event = %+v, want 2 occupants from line 6", e)
	}
	sess := s.Events[1].Session
	if sess == nil || sess.Zone != "booth" || sess.Duration != 4*time.Minute || sess.PM25MgPerMin != 3 {
		t.Fatalf("session = %+v", sess)
	}
	if typical := room.TypicalSession(3, 4*time.Minute); sess.Session != typical {
		t.Errorf("session without VOC/NOx/CO2 = %+v, want the typical %+v", sess.Session, typical)
	}
	if d := s.Events[2].Door; d == nil || d.Name != "booth-door" || !d.Open || d.For != 2*time.Minute {
		t.Errorf("door = %+v", d)
	}
	if f := s.Events[4].SensorFault; f == nil || f.Kind != FaultDisconnect || f.For != 5*time.Minute {
		t.Errorf("sensor fault = %+v", f)
	}
	if o := s.Events[5].Outdoor; o == nil || *o.PM25 != 40 || *o.Temperature != -5 || o.CO2 != nil {
		t.Errorf("outdoor = %+v", o)
	}
	if v := s.Events[6].Session; v.VOCMgPerMin != 0 || v.CO2LPerS != 0.005 || v.NOxMgPerMin != 0.1 {
		t.Errorf("explicit session rates = %+v", v.Session)
	}
	if err := s.Validate(room.Default(), []string{"booth-pm", "staff-pm"}); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestParseListsEveryMistake(t *testing.T) {
	bad := `name: broken
duration: 4h
colour: blue
events:
  - {at: 10, occupants: {zone: staff, count: 2}}
  - {at: 1m, occupants: {zone: staff, count: two}}
  - {at: 2m, door: {name: booth-door, opn: true}}
  - {at: 3m, door: {name: booth-door, open: true}, occupants: {zone: staff, count: 1}}
  - {at: 4m, sensor_fault: {sensor: booth-pm, kind: melt}}
  - {at: 5m, session: {zone: booth, pm25_mg_per_min: 3}}
  - {at: 5h, door: {name: booth-door, open: yes}}
  - {at: 3h55m, fan_fault: {fan: booth-exhaust, stall: true, for: 10m}}
  - {occupants: {zone: staff, count: 1}}
  - {at: 6m, outdoor: {}}
  - {at: 7m, session: {zone: booth, duration: 2m, pm25_mg_per_min: -1}}
  - just a string
`
	_, err := Parse([]byte(bad), "broken.yaml")
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("Parse error = %v, want an ErrorList", err)
	}
	want := []struct {
		line int
		text string
	}{
		{3, `unknown key "colour"`},
		{5, `events[0].at: "10" is not a duration`},
		{6, `events[1].occupants.count: want a whole number, got "two"`},
		{7, `events[2].door: unknown key "opn"`},
		{7, `events[2].door: missing open`},
		{8, `events[3]: has 2 actions`},
		{9, `sensor_fault at 4m0s: kind "melt"`},
		{10, `events[5].session: missing duration`},
		{11, `events[6].door.open: want true or false, got "yes"`},
		{12, `fan_fault at 3h55m0s: lasts until 4h5m0s, past the end`},
		{13, `events[8]: missing at`},
		{14, `events[9].outdoor: changes nothing`},
		{15, `events[10].session.pm25_mg_per_min: want 0 or more, got -1`},
		{16, `events[11]: want a mapping`},
	}
	for _, w := range want {
		found := false
		for _, e := range list {
			if e.Line == w.line && strings.Contains(e.Msg, w.text) && e.File == "broken.yaml" {
				found = true
			}
		}
		if !found {
			t.Errorf("no error at line %d saying %q", w.line, w.text)
		}
	}
	if len(list) != len(want) {
		t.Errorf("%d errors, want %d:\n%v", len(list), len(want), err)
	}
	if !strings.HasPrefix(err.Error(), "broken.yaml:3: unknown key") {
		t.Errorf("errors not in line order, first is %q", list[0])
	}
}

func TestParseStructure(t *testing.T) {
	for _, c := range []struct{ name, yaml, want string }{
		{"empty", "", "empty scenario"},
		{"not yaml", "events: [", "not.yaml"},
		{"list at top", "- at: 1m", "want a mapping"},
		{"no duration", "events: []", "missing duration"},
		{"zero duration", "duration: 0s\nevents: []", "must run for some time"},
		{"events not a list", "duration: 1h\nevents: {at: 1m}", "events: want a list"},
		{"duplicate key", "duration: 1h\nduration: 2h\nevents: []", `"duration" given twice`},
	} {
		_, err := Parse([]byte(c.yaml), "not.yaml")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error = %v, want it to say %q", c.name, err, c.want)
		}
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing.yaml")); err == nil {
		t.Error("Load of a missing file: no error")
	}
}

func TestValidateNames(t *testing.T) {
	src := `duration: 1h
events:
  - {at: 1m, session: {zone: bothh, duration: 2m, pm25_mg_per_min: 3}}
  - {at: 2m, door: {name: front, open: true}}
  - {at: 3m, fan_fault: {fan: booth-exhaust, stall: true}}
  - {at: 4m, fan_fault: {fan: roof, stall: true}}
  - {at: 5m, sensor_fault: {sensor: booth-co2, kind: nack}}
  - {at: 6m, purge: {zone: booht}}
  - {at: 7m, purge: {}}
`
	s, err := Parse([]byte(src), "names.yaml")
	if err != nil {
		t.Fatal(err)
	}
	err = s.Validate(room.Default(), []string{"booth-pm"})
	for _, w := range []string{
		`names.yaml:3: session at 1m0s: no zone "bothh" (have: booth, staff)`,
		`names.yaml:4: door at 2m0s: no door "front"`,
		`names.yaml:6: fan_fault at 4m0s: no fan "roof"`,
		`names.yaml:7: sensor_fault at 5m0s: no sensor "booth-co2"`,
		`names.yaml:8: purge at 6m0s: no zone "booht" (have: booth, staff)`,
	} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("Validate error lacks %q:\n%v", w, err)
		}
	}
	if strings.Contains(err.Error(), "names.yaml:5:") || strings.Contains(err.Error(), "names.yaml:9:") {
		t.Errorf("Validate complains about a real fan:\n%v", err)
	}
	if err := s.Validate(room.Default(), nil); strings.Contains(err.Error(), "sensor") {
		t.Errorf("nil sensors still checked:\n%v", err)
	}

	// Scenarios built in Go are checked the same way, without lines.
	built := &Scenario{Name: "go", Duration: time.Hour, Events: []Event{
		{At: time.Minute, Door: &Door{Name: "booth-door", Open: true}, Occupants: &Occupants{Zone: "staff"}},
	}}
	if err := built.Validate(room.Default(), nil); err == nil || !strings.Contains(err.Error(), "scenario go: event at 1m0s has 2 actions") {
		t.Errorf("Go-built scenario error = %v", err)
	}
}

func TestParseFanFlow(t *testing.T) {
	s := parse(t, "duration: 1h\nevents:\n  - {at: 5m, fan_fault: {fan: booth-exhaust, flow_percent: 35.5, for: 10m}}\n")
	if f := s.Events[0].FanFault; f == nil || f.FlowPercent == nil || *f.FlowPercent != 35.5 || f.Stall || f.For != 10*time.Minute {
		t.Fatalf("fan_fault = %+v, want 35.5 %% of the air for 10 min", f)
	}
	for _, c := range []struct{ event, want string }{
		{"{fan: booth-exhaust, stall: true, flow_percent: 50}", "stall and flow_percent given together"},
		{"{fan: booth-exhaust}", "missing stall or flow_percent"},
		{"{fan: booth-exhaust, flow_percent: 120}", "flow_percent 120 above 100"},
		{"{fan: booth-exhaust, flow_percent: -5}", "flow_percent: want 0 or more, got -5"},
		{"{fan: booth-exhaust, flow_percent: half}", `flow_percent: want a number, got "half"`},
		{"{flow_percent: 50}", "missing fan"},
	} {
		_, err := Parse([]byte("duration: 1h\nevents:\n  - {at: 5m, fan_fault: "+c.event+"}\n"), "f.yaml")
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "f.yaml:3") {
			t.Errorf("fan_fault %s: error %v; want f.yaml:3 and %q", c.event, err, c.want)
		}
	}
	bad := parse(t, "duration: 1h\nevents:\n  - {at: 5m, fan_fault: {fan: roof, flow_percent: 50}}\n")
	if err := bad.Validate(room.Default(), nil); err == nil || !strings.Contains(err.Error(), `"roof"`) {
		t.Errorf("Validate of an unknown fan = %v; want it named", err)
	}
}

// Two sessions in one zone at once are refused with what to write: the
// room plays one session per zone, so they would be counted as two and
// smoke as one. Sessions in order, in other zones, or back to back pass,
// whatever order the file lists them in.
func TestOverlappingSessionsRefused(t *testing.T) {
	const head = "name: t\nduration: 2h\nevents:\n"
	_, err := Parse([]byte(head+
		"  - {at: 30m, session: {zone: booth, duration: 5m, pm25_mg_per_min: 2}}\n"+
		"  - {at: 10m, session: {zone: booth, duration: 5m, pm25_mg_per_min: 2}}\n"+
		"  - {at: 12m, session: {zone: booth, duration: 2m, pm25_mg_per_min: 2}}\n"), "two.yaml")
	if err == nil || !strings.Contains(err.Error(), "two.yaml:6: session at 12m0s in booth starts before the one at 10m0s ends (15m0s)") ||
		!strings.Contains(err.Error(), "emission rates added") {
		t.Errorf("overlapping sessions: %v", err)
	}
	if _, err := Parse([]byte(head+
		"  - {at: 15m, session: {zone: booth, duration: 5m, pm25_mg_per_min: 2}}\n"+
		"  - {at: 10m, session: {zone: booth, duration: 5m, pm25_mg_per_min: 2}}\n"+
		"  - {at: 11m, session: {zone: staff, duration: 5m, pm25_mg_per_min: 2}}\n"), "ok.yaml"); err != nil {
		t.Errorf("back to back, and in another zone: %v", err)
	}
}

// Figures no room has are refused with their bound, not played: a session
// of 1e300 mg/min saturated every sensor and read as a cleaner day than a
// quiet one.
func TestParseRefusesFiguresNoRoomHas(t *testing.T) {
	data := `name: absurd
duration: 2h
outdoor:
  - {at: 0s, pm25: 8}
  - {at: 1h, pm25: 50000}
events:
  - {at: 5m, session: {zone: booth, duration: 3m, pm25_mg_per_min: 1e300}}
  - {at: 10m, occupants: {zone: staff, count: 1000000000}}
  - {at: 20m, sensor_drift: {sensor: staff-pm, ugm3: 1e12, over: 1h}}
  - {at: 30m, outdoor: {co2: 1e12, for: 5m}}
  - {at: 40m, session: {zone: booth, duration: 3m, pm25_mg_per_min: 5, co2_l_per_s: 0.01}}
`
	_, err := Parse([]byte(data), "absurd.yaml")
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("Parse error = %v, want an ErrorList", err)
	}
	for _, want := range []string{
		"pm25_mg_per_min 1e+300 is more than anything smoked in a booth gives",
		"count 1000000000 is more people than a room holds",
		"ugm3 1e+12",
		"co2 1e+12 is outside what outdoor air reads",
		"absurd.yaml:5: outdoor[1]: pm25 50000 is outside what outdoor air reads",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("no error saying %q in:\n%v", want, err)
		}
	}
	if strings.Contains(err.Error(), "at 40m") {
		t.Errorf("a plausible session refused:\n%v", err)
	}
}

// A scenario's YAML mistakes read as a config's: the line, a hint for a
// tab, a second document refused rather than ignored, a bound on size.
func TestParseYAMLMistakes(t *testing.T) {
	for _, c := range []struct{ name, data, want string }{
		{"tab", "name: x\nduration: 1h\nevents:\n\t- {at: 0s, occupants: {zone: staff, count: 1}}\n", "x.yaml:4: YAML syntax: found character that cannot start any token: a tab; indent with spaces"},
		{"second document", "name: x\nduration: 1h\nevents: []\n---\nname: y\n", "x.yaml:4: a second YAML document"},
		{"not UTF-8", "name: caf\xe9\nduration: 1h\nevents: []\n", "x.yaml:1: byte 0xE9 is not UTF-8"},
		{"too big", "name: x\n#" + strings.Repeat("x", 300<<10) + "\n", "x.yaml: 307210 bytes: a scenario file is at most 256 KiB"},
	} {
		_, err := Parse([]byte(c.data), "x.yaml")
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v; want %q", c.name, err, c.want)
		}
	}
}

// A purge is asked of the daemon the room is wired to: a target without
// one says so, not drops it; one with one gets the zone and cancel.
func TestPlayerPurge(t *testing.T) {
	sc := parse(t, `duration: 1h
events:
  - {at: 1m, purge: {zone: booth}}
  - {at: 2m, purge: {cancel: true}}
`)
	if err := NewPlayer(sc, &recorder{}, t0, nil).Step(t0.Add(time.Hour)); err == nil || !strings.Contains(err.Error(), "line 3: purge at 1m0s: nothing serves purge requests") {
		t.Errorf("a room with no daemon: %v", err)
	}
	p := &purger{}
	if err := NewPlayer(sc, p, t0, nil).Step(t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if want := []string{"booth false", " true"}; !slices.Equal(p.asked, want) {
		t.Errorf("purges asked %q, want %q", p.asked, want)
	}
	if _, err := Parse([]byte("duration: 1h\nevents:\n  - {at: 1m, purge: {zone: booth, now: true}}\n"), "p.yaml"); err == nil || !strings.Contains(err.Error(), `unknown key "now"; want one of cancel, zone`) {
		t.Errorf("purge with an unknown key: %v", err)
	}
}

type purger struct {
	recorder
	asked []string
}

func (p *purger) Purge(zone string, cancel bool) error {
	p.asked = append(p.asked, fmt.Sprint(zone, " ", cancel))
	return nil
}
