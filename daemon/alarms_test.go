package daemon

import (
	"context"
	"io"
	"log/slog"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/snapshot"
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/room"
)

func hasAlarm(s *snapshot.Snapshot, rule alarm.RuleID) (id uint64, acked, ok bool) {
	for _, a := range s.Alarms.Alarms {
		if a.RuleID == rule {
			return a.ID, a.Acked, true
		}
	}
	return 0, false, false
}

func TestAlarmsFanStallAndSensorFault(t *testing.T) {
	h := newHarness(t, t.TempDir(), t0)
	s := h.run(15 * time.Minute)
	if len(s.Alarms.Alarms) != 0 {
		t.Fatalf("alarms in a quiet room: %+v", s.Alarms.Alarms)
	}
	h.rig.Room.SetFanStalled("booth-exhaust", true)
	s = h.run(20 * time.Second)
	if _, _, ok := hasAlarm(s, "fan/booth-exhaust/stall"); ok {
		t.Fatal("stall alarm before its 30 s")
	}
	s = h.run(30 * time.Second)
	if _, _, ok := hasAlarm(s, "fan/booth-exhaust/stall"); !ok {
		t.Fatalf("no stall alarm 50 s into a stall: %+v", s.Alarms)
	}
	h.bus().Disconnect(0x69)
	s = h.run(30 * time.Second)
	if _, _, ok := hasAlarm(s, "sensor/booth-pm/stale"); !ok {
		t.Fatalf("no sensor fault alarm 30 s after a disconnect: %+v", s.Alarms)
	}
	if s.Alarms.Highest.String() != "fault" {
		t.Errorf("highest level %v", s.Alarms.Highest)
	}
}

func TestBoothPressureContainment(t *testing.T) {
	cfg := config.Sim()
	cfg.Sensors = append(cfg.Sensors, config.Sensor{Name: "booth-dp", Type: config.SDP810, Bus: "sim0",
		Address: config.SDP810.DefaultAddress(), Zone: "booth", StaleAfter: 3 * time.Second})
	clk := clock.NewSim(t0, 0)
	rig, err := testbench.NewRig(cfg, clk, nil, testbench.RigOpts{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	d, err := New(Options{Config: cfg, Clock: clk, Hardware: rig, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Sim: true})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, clk: clk, rig: rig, d: d}
	h.run(30 * time.Minute)
	// Doors closed: the fan finds the duty that holds the booth at
	// least 5 Pa negative on average.
	var sum float64
	var n int
	for range 30 * 60 {
		s := h.run(time.Second)
		for _, r := range s.Readings {
			if r.Sensor == "booth-dp" && r.Quantity == "pressure" && r.Quality == sample.Good && r.Unit == "Pa" {
				sum += r.Value
				n++
			}
		}
	}
	if n == 0 || sum/float64(n) > -5 {
		t.Fatalf("mean booth pressure %.2f Pa over %d readings: want at least 5 Pa negative", sum/float64(n), n)
	}
	s := h.d.Snapshot()
	if _, _, ok := hasAlarm(s, "booth/pressure/containment"); ok {
		t.Fatalf("containment alarm with the booth contained: %+v", s.Alarms)
	}
	t.Logf("doors closed: mean %.2f Pa at duty %.2f (%s)", sum/float64(n), s.Fans[0].Duty, s.Fans[0].Reason)
	// A door left open loses containment: the average rises towards 0.
	rig.Room.SetDoor("booth-door", true)
	s = h.run(15 * time.Minute)
	if _, _, ok := hasAlarm(s, "booth/pressure/containment"); !ok {
		t.Fatalf("no containment alarm with the booth door open 15 min: %+v", s.Alarms)
	}
}

func TestMixtureIndex(t *testing.T) {
	h := newHarness(t, t.TempDir(), t0)
	s := h.run(30 * time.Minute)
	var co2 *exposure.Summary
	for _, e := range s.Exposure {
		if e.Zone == "staff" && e.Quantity == "co2" {
			co2 = e.Shift
		}
	}
	if co2 == nil || co2.AdjustedTWALimit != 2500 { // 5000 ppm × 0.5 for a 12 h shift
		t.Fatalf("staff CO2 shift %+v", co2)
	}
	if len(s.Mixture) != 1 || s.Mixture[0].Zone != "staff" || s.Mixture[0].Pollutants != 1 ||
		math.Abs(s.Mixture[0].Index-co2.TWA/2500) > 1e-12 {
		t.Fatalf("mixture %+v, want staff with CO2 alone: %v", s.Mixture, co2.TWA/2500)
	}
}

func TestFanOutputFault(t *testing.T) {
	h := newHarness(t, t.TempDir(), t0)
	h.run(time.Minute)
	// The output stops taking commands (here: released under the daemon).
	h.rig.Room.Fan("booth-exhaust").Halt()
	s := h.run(10 * time.Second)
	if _, _, ok := hasAlarm(s, "fan/booth-exhaust/output"); !ok {
		t.Fatalf("no fault for a fan output that cannot be set: %+v", s.Alarms)
	}
	if s.Fans[0].Error == "" {
		t.Errorf("fan error not shown: %+v", s.Fans[0])
	}
}

// The log line names what happened once: the engine's own message for a
// clearing or an acknowledgement already starts with it.
func TestAlarmLogMessage(t *testing.T) {
	e, err := alarm.NewEngine([]alarm.Rule{{
		ID: "staff/pm25/alarm", Level: alarm.LevelAlarm, Subject: "staff", Quantity: sample.PM25,
		Direction: alarm.Above, Threshold: 125.5, Latching: true,
	}})
	if err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	var evs []alarm.Event
	for i, v := range []float64{200, 200, 10, 10} {
		got, err := e.Evaluate(t0.Add(time.Duration(i)*time.Second), "staff/pm25/alarm", v, true)
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, got...)
	}
	got, err := e.AcknowledgeAll(t0.Add(5*time.Second), "sam", "")
	if err != nil {
		t.Fatal(err)
	}
	evs = append(evs, got...)
	seen := map[alarm.Kind]string{}
	for _, ev := range evs {
		msg := logMessage(ev)
		seen[ev.Kind] = msg
		if !strings.HasPrefix(msg, "alarm "+string(ev.Kind)) {
			t.Errorf("%s: log line %q does not say what happened first", ev.Kind, msg)
		}
		if w := string(ev.Kind); strings.Count(msg, w) > max(1, strings.Count(ev.Message, w)) {
			t.Errorf("%s: log line %q says %q more often than the event does (%q)", ev.Kind, msg, w, ev.Message)
		}
	}
	for _, k := range []alarm.Kind{alarm.Raised, alarm.Latched, alarm.Acknowledged, alarm.Cleared} {
		if _, ok := seen[k]; !ok {
			t.Errorf("no %s event in %v", k, seen)
		}
	}
	if want := "alarm raised: "; !strings.HasPrefix(seen[alarm.Raised], want) {
		t.Errorf("raised: %q, want it to start %q", seen[alarm.Raised], want)
	}
}

// Smoke thicker than the SPS30 is specified for (1000 µg/m³) is heavy
// smoke, not a broken sensor: in a booth the fans go to full and nobody is
// paged to replace a working sensor; in the staff area, the PM alarm goes
// off on the saturated reading instead of falling silent.
func TestSmokeAboveTheSensorsRange(t *testing.T) {
	h := newHarness(t, "", t0)
	h.run(2 * time.Minute)
	h.rig.Room.StartSession("booth", room.Session{PM25MgPerMin: 40, Duration: 3 * time.Minute})
	var over *snapshot.Reading
	for range 180 {
		s := h.run(time.Second)
		if _, _, ok := hasAlarm(s, "sensor/booth-pm/range"); ok {
			t.Fatalf("heavy smoke raised the sensor range fault: %+v", s.Alarms.Alarms)
		}
		for i, r := range s.Readings {
			if r.Sensor == "booth-pm" && r.Quantity == sample.PM25 && r.AboveRange {
				over = &s.Readings[i]
				if f := s.Fans[0]; f.Duty != 1 {
					t.Fatalf("booth over the sensor's range, fan at %v", f.Duty)
				}
			}
		}
	}
	if over == nil || over.Value <= 1000 || over.Quality != sample.OutOfRange {
		t.Fatalf("no booth reading above the sensor's range in a 40 mg/min session: %+v", over)
	}

	// A burst that takes the staff area well over the sensor's range within
	// seconds: the alarm's on-delay can only be met by readings above the
	// range.
	h.rig.Room.StartSession("staff", room.Session{PM25MgPerMin: 2400, Duration: 4 * time.Second})
	var raised, saturated bool
	inRange := 0 // seconds the reading was in range and over the alarm level
	for range 120 {
		s := h.run(time.Second)
		for _, r := range s.Readings {
			if r.Sensor == "staff-pm" && r.Quantity == sample.PM25 {
				saturated = saturated || r.AboveRange
				if r.Quality == sample.Good && r.Value > 125.5 {
					inRange++
				}
			}
		}
		_, _, ok := hasAlarm(s, "staff/pm25/alarm")
		raised = raised || ok
		if _, _, ok := hasAlarm(s, "sensor/staff-pm/range"); ok {
			t.Fatalf("heavy smoke in the staff area raised the sensor range fault: %+v", s.Alarms.Alarms)
		}
	}
	if inRange > 5 {
		t.Fatalf("the staff reading was in range over the alarm level for %d s: the test needs a faster burst", inRange)
	}
	if !saturated || !raised {
		t.Fatalf("staff sensor above its range: %v; staff PM2.5 alarm raised: %v", saturated, raised)
	}
}

// A stalled fan fails safe as a sensor does: once its stall is seen, ventd
// asks the fan for its safe duty (a fan stalled at low speed most often
// turns again driven harder) and says why; 10 min after it turns again the
// law has it back.
func TestStalledFanIsAskedForItsSafeDuty(t *testing.T) {
	h := newHarness(t, "", t0)
	s := h.run(15 * time.Minute)
	if f := s.Fans[0]; f.Mode != control.ModeNormal || f.Duty >= 0.5 {
		t.Fatalf("a quiet room after 15 min: %+v, want the fan slow under the law", f)
	}
	h.rig.Room.SetFanStalled("booth-exhaust", true)
	s = h.run(50 * time.Second)
	if f := s.Fans[0]; f.Mode != control.ModeSafe || f.Duty != 1 || !f.FanFault || !strings.Contains(f.Reason, "not turning though driven") {
		t.Fatalf("50 s into a stall: %+v, want the safe duty, saying why", f)
	}
	if _, _, ok := hasAlarm(s, "fan/booth-exhaust/stall"); !ok {
		t.Fatalf("no stall alarm: %+v", s.Alarms)
	}
	h.rig.Room.SetFanStalled("booth-exhaust", false)
	// A fan that stalled may stall again at a lower speed: it is held at
	// its safe duty 10 min after it turns, then given back to the law.
	s = h.run(9 * time.Minute)
	if f := s.Fans[0]; f.Mode != control.ModeSafe || f.Duty != 1 || !f.FanFault || !strings.Contains(f.Reason, "turning again since") {
		t.Fatalf("9 min after the fan turns again: %+v, want it held at its safe duty, saying why", f)
	}
	s = h.run(2 * time.Minute)
	if f := s.Fans[0]; f.Mode != control.ModeNormal || f.FanFault {
		t.Fatalf("11 min after the fan turns again: %+v, want it back under the law", f)
	}
}

// A fan whose duty cannot be set for 5 s is a fan that does not work, as
// a stalled one is: the law is told, so the booth's fans are asked for
// their safe duty and the record says why (the output alarm alone did not
// change what the law asked).
func TestFanWhoseDutyCannotBeSetIsAFanFault(t *testing.T) {
	h := newHarness(t, "", t0)
	s := h.run(15 * time.Minute)
	if f := s.Fans[0]; f.Mode != control.ModeNormal || f.FanFault {
		t.Fatalf("a quiet room after 15 min: %+v, want the fan under the law", f)
	}
	h.rig.Room.Fan("booth-exhaust").Halt()
	s = h.run(3 * time.Second)
	if f := s.Fans[0]; f.FanFault {
		t.Fatalf("3 s of failed duties: %+v, want no fan fault yet (5 s rides over a hiccup)", f)
	}
	s = h.run(10 * time.Second)
	if f := s.Fans[0]; f.Mode != control.ModeSafe || !f.FanFault || !strings.Contains(f.Reason, "its duty cannot be set") || f.Error == "" {
		t.Fatalf("13 s of failed duties: %+v, want the safe duty asked for, marked a fan fault, saying why", f)
	}
	if _, _, ok := hasAlarm(s, "fan/booth-exhaust/output"); !ok {
		t.Fatalf("no output alarm: %+v", s.Alarms)
	}
}

// Smoke past both of the staff area's PM2.5 levels raises the alarm (10 s
// on-delay) and no warning beside it: the warning's 30 s ran out while the
// alarm stood, and its raise read to a pager as the air getting better.
func TestAWarningWaitsWhileItsAlarmStands(t *testing.T) {
	h := newHarness(t, "", t0)
	log := newTransitionLog(false)
	h.d.Attach("log", log, nil)
	h.run(10 * time.Minute)
	h.rig.Room.StartSession("staff", room.Session{PM25MgPerMin: 200, Duration: 3 * time.Minute})
	h.run(4 * time.Minute)
	if err := h.d.hub.Idle(context.Background()); err != nil {
		t.Fatal(err)
	}
	var raised []string
	log.mu.Lock()
	for _, e := range log.events {
		if e.Kind == alarm.Raised && e.Subject == "staff" && e.Quantity == "pm25" {
			raised = append(raised, string(e.RuleID))
		}
	}
	log.mu.Unlock()
	if len(raised) != 1 || raised[0] != "staff/pm25/alarm" {
		t.Fatalf("staff PM2.5 raised %v; want the alarm alone", raised)
	}
}
