package testbench

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/testbench/scenario"
)

func siteConfig(t *testing.T) *config.Config {
	t.Helper()
	cfg, err := config.Load("rooms/site-names.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// The built-in day, written for the simulated room, plays in a site's room
// with other names: its sessions alternate between the site's booths, the
// door staff open after a session is that session's booth's, and its staff
// occupants are the site's staff area's.
func TestFitScenarioSpreadsTheDayOverTheSiteBooths(t *testing.T) {
	cfg := siteConfig(t)
	day := scenario.Default()
	before := day.Events[1].Session.Zone
	fitted, notes := FitScenario(day, config.Sim(), cfg)
	if day.Events[1].Session.Zone != before {
		t.Fatal("FitScenario changed the scenario it was given")
	}
	var sessions []string
	lastSession := ""
	for _, e := range fitted.Events {
		switch {
		case e.Session != nil:
			sessions = append(sessions, e.Session.Zone)
			lastSession = e.Session.Zone
		case e.Door != nil:
			if e.Door.Name != lastSession+"-door" {
				t.Errorf("at %v door %q opened; the latest session was in %q", e.At, e.Door.Name, lastSession)
			}
		case e.Occupants != nil && e.Occupants.Zone != "floor":
			t.Errorf("at %v occupants in %q, want floor", e.At, e.Occupants.Zone)
		}
	}
	for i, z := range sessions {
		if want := []string{"east", "west"}[i%2]; z != want {
			t.Fatalf("sessions go to %v; want east and west in turn", sessions)
		}
	}
	if len(sessions) != countSessions(day) {
		t.Errorf("%d sessions after fitting, %d before", len(sessions), countSessions(day))
	}
	for _, want := range []string{`sessions in "booth" go to east, west in turn`, `"staff" is "floor" here`} {
		if !slices.Contains(notes, want) {
			t.Errorf("notes %q lack %q", notes, want)
		}
	}
	// The rig takes it: every name is one the site's room has.
	if _, err := NewRig(cfg, clock.NewSim(time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC), 0), fitted, RigOpts{}); err != nil {
		t.Fatalf("the fitted day in the site's room: %v", err)
	}
	if _, err := NewRig(cfg, clock.NewSim(time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC), 0), day, RigOpts{}); err == nil {
		t.Error("the day as written played in a room without its names; the check this fit answers is gone")
	}
}

// Faults follow the sensor of the same type in the booth the faults' booth
// maps to, and clear on the sensor they started on; an event whose part
// the site lacks is left out and said.
func TestFitScenarioFaults(t *testing.T) {
	cfg := siteConfig(t)
	sc, err := scenario.Parse([]byte(`name: faults
duration: 2h
events:
  - {at: 0s, session: {zone: booth, duration: 2m, pm25_mg_per_min: 2}}
  - {at: 5m, sensor_fault: {sensor: booth-pm, kind: stuck, for: 40m}}
  - {at: 10m, session: {zone: booth, duration: 2m, pm25_mg_per_min: 2}}
  - {at: 20m, sensor_fault: {sensor: booth-pm, kind: nack, clear: true}}
  - {at: 30m, sensor_drift: {sensor: staff-pm, ugm3: -4, percent: -15, over: 1h}}
  - {at: 40m, sensor_fault: {sensor: booth-voc, kind: disconnect, for: 5m}}
  - {at: 50m, fan_fault: {fan: booth-exhaust, stall: true, for: 10m}}
`), "faults.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fitted, notes := FitScenario(sc, config.Sim(), cfg)
	var got []string
	for _, e := range fitted.Events {
		switch {
		case e.SensorFault != nil:
			got = append(got, e.SensorFault.Sensor)
		case e.Drift != nil:
			got = append(got, "drift "+e.Drift.Sensor)
		case e.FanFault != nil:
			got = append(got, "fan "+e.FanFault.Fan)
		}
	}
	if want := []string{"east-pm", "east-pm", "drift floor-pm", "fan roof"}; !slices.Equal(got, want) {
		t.Errorf("faults in the site's room: %q, want %q", got, want)
	}
	if !slices.ContainsFunc(notes, func(n string) bool { return strings.Contains(n, `left out: faults of sensor "booth-voc"`) }) {
		t.Errorf("notes %q do not say the VOC sensor's fault was left out", notes)
	}
	if _, err := NewRig(cfg, clock.NewSim(time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC), 0), fitted, RigOpts{}); err != nil {
		t.Fatalf("the fitted faults in the site's room: %v", err)
	}
}

// A scenario written for the room it plays in comes back as it is.
func TestFitScenarioKeepsWhatFits(t *testing.T) {
	day := scenario.Default()
	if fitted, notes := FitScenario(day, config.Sim(), config.Sim()); fitted != day || notes != nil {
		t.Errorf("the built-in day in the built-in room was changed (notes %q)", notes)
	}
}

func countSessions(s *scenario.Scenario) int {
	n := 0
	for _, e := range s.Events {
		if e.Session != nil {
			n++
		}
	}
	return n
}
