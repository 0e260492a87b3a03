package daemon

import (
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/scenario"
)

// A booth sensor drifting 35 µg/m³ high reports no fault of its own; only
// against the staff sensor, in the quiet air they both read, does it show.
// The warning comes after an hour of such air, names which way, and goes
// once the sensor reads right again.
func TestBoothSensorReadingHighWarns(t *testing.T) {
	sc, err := scenario.Parse([]byte(`
name: booth sensor drifts
duration: 6h
events:
  - {at: 0s, occupants: {zone: staff, count: 2}}
  - {at: 20m, sensor_drift: {sensor: booth-pm, ugm3: 35, over: 10m}}
  - {at: 1h, session: {zone: booth, duration: 3m, pm25_mg_per_min: 2}}
  - {at: 3h, sensor_drift: {sensor: booth-pm, ugm3: 0, over: 1m}}
`), "booth sensor drifts")
	if err != nil {
		t.Fatal(err)
	}
	h := dayHarness(t, config.Sim(), sc, "", t0, testbench.RigOpts{Seed: 7, ScenarioStart: t0}, nil)
	rule := alarm.SensorsApartRule("booth")
	s := h.run(90 * time.Minute)
	if _, _, ok := hasAlarm(s, rule); ok {
		t.Fatalf("sensors-apart warning an hour into the drift, with a session between: %+v", s.Alarms)
	}
	s = h.run(90 * time.Minute)
	var msg string
	for _, a := range s.Alarms.Alarms {
		if a.RuleID == rule {
			msg = a.RaisedMessage
		}
	}
	t.Log(msg)
	if !strings.Contains(msg, "µg/m³ above the staff area's through an hour of quiet air") || !strings.Contains(msg, "one reads wrong") {
		t.Fatalf("3 h into a 35 µg/m³ drift: %q in %+v, want the warning saying the booth reads above", msg, s.Alarms)
	}
	s = h.run(30 * time.Minute)
	for _, a := range s.Alarms.Alarms {
		if a.RuleID == rule && a.Condition {
			t.Fatalf("30 min after the sensor reads right again: %+v, want its condition gone", a)
		}
	}
}
