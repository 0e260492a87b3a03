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
	if !strings.Contains(msg, "its PM2.5 sensor booth-pm has read") || !strings.Contains(msg, "µg/m³ above the staff area's staff-pm through an hour of quiet air") || !strings.Contains(msg, "one reads wrong") {
		t.Fatalf("3 h into a 35 µg/m³ drift: %q in %+v, want the warning saying the booth reads above", msg, s.Alarms)
	}
	s = h.run(30 * time.Minute)
	for _, a := range s.Alarms.Alarms {
		if a.RuleID == rule && a.Condition {
			t.Fatalf("30 min after the sensor reads right again: %+v, want its condition gone", a)
		}
	}
}

// One staff sensor reading high puts every booth below it: one warning
// naming the staff sensor, not one per booth blaming each booth's.
func TestStaffSensorReadingHighWarnsOnce(t *testing.T) {
	cfg, err := config.Load("../testbench/rooms/booths-2.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.Parse([]byte(`
name: staff sensor drifts
duration: 4h
events:
  - {at: 0s, occupants: {zone: staff, count: 2}}
  - {at: 10m, sensor_drift: {sensor: staff-pm, ugm3: 40, over: 10m}}
`), "staff sensor drifts")
	if err != nil {
		t.Fatal(err)
	}
	h := dayHarness(t, cfg, sc, "", t0, testbench.RigOpts{Seed: 7, ScenarioStart: t0}, nil)
	s := h.run(2 * time.Hour)
	var got []string
	for _, a := range s.Alarms.Alarms {
		if strings.HasSuffix(string(a.RuleID), "/sensors/apart") {
			got = append(got, string(a.RuleID)+": "+a.RaisedMessage)
		}
	}
	if len(got) != 1 || !strings.HasPrefix(got[0], "staff/sensors/apart: staff: its PM2.5 sensor staff-pm has read") || !strings.Contains(got[0], "above every booth's (all 2)") {
		t.Fatalf("2 h into the staff sensor reading 40 µg/m³ high: %q, want one warning naming staff-pm", got)
	}
	t.Log(got[0])
}

// A booth sensor reading 40 µg/m³ high never sees its smoke clear to the
// clean air: its clearings read slow, and before, the low-airflow warning
// sent the manager to a filter that was fine, hours before the sensors
// were found apart.
func TestBoothSensorReadingHighIsNoLowAirflow(t *testing.T) {
	sc, err := scenario.Parse([]byte(`
name: booth sensor high, busy
duration: 4h
events:
  - {at: 0s, occupants: {zone: staff, count: 2}}
  - {at: 5m, sensor_drift: {sensor: booth-pm, ugm3: 40, over: 2m}}
  - {at: 15m, session: {zone: booth, duration: 3m, pm25_mg_per_min: 2}}
  - {at: 30m, session: {zone: booth, duration: 3m, pm25_mg_per_min: 2}}
  - {at: 45m, session: {zone: booth, duration: 3m, pm25_mg_per_min: 2}}
  - {at: 1h, session: {zone: booth, duration: 3m, pm25_mg_per_min: 2}}
  - {at: 1h15m, session: {zone: booth, duration: 3m, pm25_mg_per_min: 2}}
  - {at: 1h30m, session: {zone: booth, duration: 3m, pm25_mg_per_min: 2}}
`), "booth sensor high, busy")
	if err != nil {
		t.Fatal(err)
	}
	h := dayHarness(t, config.Sim(), sc, "", t0, testbench.RigOpts{Seed: 7, ScenarioStart: t0}, nil)
	for range 4 * 60 {
		s := h.run(time.Minute)
		if _, _, ok := hasAlarm(s, alarm.AirflowRule("booth")); ok {
			t.Fatalf("%s into a booth sensor reading 40 µg/m³ high: low-airflow warning %+v", h.clk.Now().Sub(t0), s.Alarms.Alarms)
		}
	}
}
