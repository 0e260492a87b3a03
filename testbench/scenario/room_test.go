package scenario

import (
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/testbench/room"
)

func TestOutdoorProfileBecomesEvents(t *testing.T) {
	s := parse(t, `duration: 3h
outdoor:
  - {at: 1h, pm25: 10}
  - {at: 2h, pm25: 130}
events:
  - {at: 0s, occupants: {zone: staff, count: 1}}
`)
	rec := &recorder{}
	p := NewPlayer(s, rec, t0, nil)
	if err := p.Step(t0.Add(3 * time.Hour)); err != nil {
		t.Fatal(err)
	}
	var outdoor []string
	for _, c := range rec.calls {
		if strings.Contains(c, "outdoor") {
			outdoor = append(outdoor, c)
		}
	}
	// Flat at 10 until 1 h (one event at 0), a minute-by-minute ramp of
	// 2 µg/m³ a minute to 130 at 2 h, flat after.
	if len(outdoor) != 61 {
		t.Fatalf("%d outdoor changes, want 61:\n%s", len(outdoor), strings.Join(outdoor, "\n"))
	}
	for i, want := range map[int][2]string{0: {"0s ", "pm25 10"}, 1: {"1h1m0s ", "pm25 12"}, 30: {"1h30m0s ", "pm25 70"}, 60: {"2h0m0s ", "pm25 130"}} {
		if !strings.HasPrefix(outdoor[i], want[0]) || !strings.HasSuffix(outdoor[i], want[1]) {
			t.Errorf("change %d = %q, want %q", i, outdoor[i], want)
		}
	}
}

func TestRoomSectionAndDrift(t *testing.T) {
	s := parse(t, `duration: 8h
room: {config: rooms/large.yaml, staff_ach: 2, booth_leakage_m3h: 30}
events:
  - {at: 1h, sensor_drift: {sensor: staff-pm, ugm3: 6, percent: 20, over: 4h}}
`)
	if s.Room == nil || s.Room.Config != "rooms/large.yaml" || *s.Room.StaffACH != 2 || s.Room.DoorExchangeM3h != nil {
		t.Fatalf("room = %+v", s.Room)
	}
	rc := room.Default()
	s.Room.Apply(&rc)
	if rc.Zones[1].GeneralVentilationM3h != 120 || rc.Zones[0].LeakageM3h != 30 || rc.Doors[0].OpenExchangeM3h != 150 {
		t.Errorf("applied: %+v %+v", rc.Zones, rc.Doors)
	}
	dr := s.Events[0].Drift
	if dr == nil || s.Events[0].Length() != 4*time.Hour {
		t.Fatalf("drift event %+v", s.Events[0])
	}
	for _, c := range []struct {
		after     time.Duration
		off, gain float64
	}{{0, 0, 1}, {2 * time.Hour, 3, 1.1}, {4 * time.Hour, 6, 1.2}, {10 * time.Hour, 6, 1.2}} {
		if off, gain := dr.At(c.after); off != c.off || gain != c.gain {
			t.Errorf("drift after %v: %g, %g; want %g, %g", c.after, off, gain, c.off, c.gain)
		}
	}
	rec := &recorder{}
	if err := NewPlayer(s, rec, t0, nil).Step(t0.Add(8 * time.Hour)); err != nil {
		t.Fatal(err)
	}
	if len(rec.calls) != 1 || rec.calls[0] != "1h0m0s drift staff-pm 6 20 over 4h0m0s" {
		t.Errorf("calls %q", rec.calls)
	}
}

func TestProfileAndDriftMistakes(t *testing.T) {
	_, err := Parse([]byte(`duration: 2h
outdoor:
  - {at: 1h, pm25: 10}
  - {at: 30m, pm25: 20}
  - {at: 3h, pm25: -1}
room: {configs: x}
events:
  - {at: 1m, outdoor: {pm25: 40}}
  - {at: 2m, sensor_drift: {sensor: staff-pm, ugm3: 5}}
  - {at: 3m, sensor_drift: {sensor: staff-pm, percent: -120, over: 1h}}
`), "bad.yaml")
	for _, w := range []string{
		"bad.yaml:4: outdoor[1]: at 30m0s is not after the point before (1h0m0s)",
		"bad.yaml:5: outdoor[2].pm25: want 0 or more, got -1",
		`bad.yaml:6: room: unknown key "configs"`,
		"bad.yaml:9: events[1].sensor_drift: missing over",
		"bad.yaml:10: sensor_drift at 3m0s: percent -120",
	} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q:\n%v", w, err)
		}
	}
	_, err = Parse([]byte("duration: 2h\noutdoor: [{at: 0s, pm25: 10}]\nevents:\n  - {at: 1m, outdoor: {pm25: 40}}\n"), "both.yaml")
	if err == nil || !strings.Contains(err.Error(), "both.yaml:4: outdoor event sets PM while the outdoor profile also does") {
		t.Errorf("profile and PM events together: %v", err)
	}
}
