package alarm

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/sample"
)

func TestDefaultRules(t *testing.T) {
	s := DefaultSetup()
	s.StaffZones = []string{"staff"}
	s.PressureBooths = []string{"booth-1"}
	s.Sensors = []string{"booth-pm", "staff-co2"}
	s.Fans = []string{"booth-exhaust"}
	rules := DefaultRules(s)
	e := mustEngine(t, rules...) // the defaults must pass validation
	byID := map[RuleID]Rule{}
	for _, r := range rules {
		byID[r.ID] = r
	}
	want := []string{
		"staff/pm25/warning", "staff/pm25/alarm", "staff/co2/warning", "staff/co2/alarm",
		"staff/co2/stel", "staff/co2/twa", "staff/voc_index/warning", "staff/voc_index/alarm",
		"booth-1/pressure/containment",
		"sensor/booth-pm/stale", "sensor/booth-pm/crc", "sensor/booth-pm/range", "sensor/booth-pm/stuck",
		"sensor/staff-co2/stale", "fan/booth-exhaust/stall",
	}
	for _, id := range want {
		if _, ok := byID[RuleID(id)]; !ok {
			t.Errorf("no rule %q", id)
		}
	}
	if _, ok := byID["staff/pm25/stel"]; ok {
		t.Error("PM2.5 STEL rule without a limit")
	}
	checks := []struct {
		id        string
		level     Level
		threshold float64
		latching  bool
		on        time.Duration
	}{
		{"staff/pm25/warning", LevelWarning, 35, false, 30 * time.Second},
		{"staff/pm25/alarm", LevelAlarm, 125.5, true, 10 * time.Second},
		{"staff/co2/warning", LevelWarning, 1000, false, 30 * time.Second},
		{"staff/co2/alarm", LevelAlarm, 5000, true, 10 * time.Second},
		{"staff/voc_index/warning", LevelWarning, 200, false, 30 * time.Second},
		{"staff/voc_index/alarm", LevelAlarm, 400, true, 10 * time.Second},
		{"staff/co2/stel", LevelAlarm, 30000, true, 0},
		{"staff/co2/twa", LevelAlarm, 5000, true, 0},
		{"booth-1/pressure/containment", LevelFault, -5, false, time.Minute},
		{"sensor/booth-pm/stale", LevelFault, 0, false, 5 * time.Second},
	}
	for _, c := range checks {
		r := byID[RuleID(c.id)]
		if r.Level != c.level || r.Threshold != c.threshold || r.Latching != c.latching || r.OnDelay != c.on {
			t.Errorf("%s: %+v", c.id, r)
		}
		if r.FlapCount != 3 || r.FlapWindow != time.Hour {
			t.Errorf("%s: flap cap %d/%v, want 3/1h", c.id, r.FlapCount, r.FlapWindow)
		}
	}
	if h := byID["staff/pm25/warning"].Hysteresis; h != 3.5 {
		t.Errorf("PM2.5 warning hysteresis %v, want 3.5 (10%%)", h)
	}
	// A default message reads well.
	evs := run(t, e, "staff/co2/alarm", t0, 11*time.Second, func(time.Duration) float64 { return 5400 })
	if len(evs) != 1 || evs[0].Message != "CO2 in staff reached the alarm level 5000 ppm (now 5400 ppm): "+alarmAdvice {
		t.Errorf("events %+v", evs)
	}
	// A warning raises when its run has lasted the on-delay, which may
	// end with the value back inside the hysteresis band: the message
	// says the level crossed and the value now, and never "34.6, above
	// 35" (seen on a wildfire day's staff warning).
	evs = run(t, e, "staff/pm25/warning", t0, 31*time.Second, func(d time.Duration) float64 {
		if d < 25*time.Second {
			return 37
		}
		return 34.6
	})
	if len(evs) != 1 || evs[0].Kind != Raised || evs[0].Message != "PM2.5 in staff reached the warning level 35 µg/m³ (now 34.6 µg/m³): check that the booth doors are shut and the fans run" {
		t.Errorf("warning raised inside the band: %+v", evs)
	}
	evs = run(t, e, "booth-1/pressure/containment", t0, 61*time.Second, func(time.Duration) float64 { return -2 })
	if len(evs) != 1 || evs[0].Quantity != sample.Pressure || evs[0].Message != "booth-1: booth pressure not below -5 Pa on average (now -2 Pa; clears below -6 Pa): smoke may escape; check the door and the exhaust" {
		t.Errorf("pressure events %+v", evs)
	}

	// A site without limits gets no rule for them.
	s.Exposure = map[sample.Quantity]ExposureLimits{}
	s.VOCIndex = Band{}
	for _, r := range DefaultRules(s) {
		if r.Quantity == sample.VOCIndex || r.ID == "staff/co2/stel" {
			t.Errorf("rule %s for a zeroed threshold", r.ID)
		}
	}
}

// A booth's low measured airflow is a self-clearing warning whose message
// says the share, the level and what to check.
func TestAirflowRule(t *testing.T) {
	s := DefaultSetup()
	s.AirflowBooths, s.AirflowPercent = []string{"booth-1"}, 60
	e := mustEngine(t, DefaultRules(s)...)
	in := e.Input(AirflowRule("booth-1"))
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	if evs, _ := in.Evaluate(now, 45, false); len(evs) != 0 {
		t.Fatalf("raised before enough clearings were measured: %+v", evs)
	}
	evs, err := in.Evaluate(now, 45.2, true)
	if err != nil || len(evs) != 1 || evs[0].Kind != Raised || evs[0].Level != LevelWarning ||
		evs[0].Message != "booth-1: measured airflow fell below 60 % of its fans' rated air (the median of its last three clearings 45.2 %; the warning clears after an hour 10 points above the line): check the filter, the fan, the duct and the door (if the room was built so, lower alarms.booth_airflow_percent)" {
		t.Fatalf("45.2 %% of rated: %+v, %v", evs, err)
	}
	// The measurement wanders by several points between clearings: a
	// booth at the line reads a little above it, then below, for hours.
	at := now
	for i, v := range []float64{66.8, 59.5, 65.2, 59.9, 69.5, 58} {
		at = at.Add(40 * time.Minute)
		if evs, _ := in.Evaluate(at, v, true); len(evs) != 0 {
			t.Fatalf("reading %d, %.1f %% (within the 10-point hysteresis): %+v; want the one warning held", i, v, evs)
		}
	}
	at = at.Add(time.Minute)
	if evs, _ := in.Evaluate(at, 71, true); len(evs) != 0 {
		t.Errorf("71 %% of rated at once: %+v; want it held an hour", evs)
	}
	if evs, _ := in.Evaluate(at.Add(59*time.Minute), 72, true); len(evs) != 0 {
		t.Errorf("above the line for 59 min: %+v; want it held an hour", evs)
	}
	evs, _ = in.Evaluate(at.Add(time.Hour), 71, true)
	if len(evs) != 1 || evs[0].Kind != Cleared {
		t.Fatalf("71 %% of rated for an hour: %+v; want the warning cleared", evs)
	}
	if want := "cleared: booth-1: measured airflow back to 71 % of its fans' rated air (warning level 60 %)"; evs[0].Message != want {
		t.Errorf("cleared message %q, want %q", evs[0].Message, want)
	}
}

// Every value rule's cleared message names what came back, with its unit:
// the pager reads it without the raise beside it.
var unitless = regexp.MustCompile(`[0-9] index\b`)

func TestDefaultRulesSayWhatIsBack(t *testing.T) {
	s := DefaultSetup()
	s.StaffZones, s.PressureBooths = []string{"staff"}, []string{"booth-1"}
	s.AirflowBooths, s.AirflowPercent = []string{"booth-1"}, 60
	s.Exposure = map[sample.Quantity]ExposureLimits{sample.PM25: {STEL: 30, TWA: 12}, sample.CO2: {STEL: 30000, TWA: 5000}}
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	n := 0
	for _, r := range DefaultRules(s) {
		if r.Direction == WhenTrue {
			continue
		}
		e := mustEngine(t, r)
		in := e.Input(r.ID)
		step := (10 + math.Abs(r.Threshold)) / 2 // beyond any hysteresis
		bad, good := r.Threshold+step, r.Threshold-step
		if r.Direction == Below {
			bad, good = good, bad
		}
		var msgs []string
		for i := range 20 {
			v := bad
			if i >= 10 {
				v = good
			}
			evs, err := in.Evaluate(now.Add(time.Duration(i)*time.Hour), v, true)
			if err != nil {
				t.Fatal(err)
			}
			for _, ev := range evs {
				if ev.Kind == Cleared || ev.Kind == Latched {
					msgs = append(msgs, ev.Message)
				}
				// A unitless index prints bare: "VOC Index in staff above
				// the warning level 200 (now 250)".
				if unitless.MatchString(ev.Message) || strings.ContainsRune(ev.Message, 0) {
					t.Errorf("%s %v: %q", r.ID, ev.Kind, ev.Message)
				}
			}
		}
		if len(msgs) == 0 {
			t.Errorf("%s never cleared or latched", r.ID)
			continue
		}
		n++
		for _, m := range msgs {
			if !strings.Contains(m, "back to") || strings.Contains(m, "  ") || strings.Contains(m, " )") || strings.HasPrefix(strings.TrimPrefix(strings.TrimPrefix(m, "cleared: "), "latched until acknowledged: "), " ") {
				t.Errorf("%s: %q", r.ID, m)
			}
		}
	}
	if n < 10 {
		t.Errorf("only %d value rules checked", n)
	}
}

// Every booth a fan exhausts gets the rule at the configured share; 0
// turns it off.
func TestConfigSetupAirflow(t *testing.T) {
	cfg := config.Sim()
	if s := ConfigSetup(cfg, Room{}); !slices.Equal(s.AirflowBooths, []string{"booth"}) || s.AirflowPercent != 60 {
		t.Errorf("default: booths %q at %g %%", s.AirflowBooths, s.AirflowPercent)
	}
	cfg.Alarms.BoothAirflowPercent = 0
	if s := ConfigSetup(cfg, Room{}); len(s.AirflowBooths) != 0 {
		t.Errorf("booth_airflow_percent 0: rules for %q", s.AirflowBooths)
	}
}

// outdoorYAML is a room with the air it takes in measured: an outdoor
// zone with an SPS30 and an SCD41 (CO2 has alarm levels and limits, so a
// rule on the wrong zone would show for it too).
const outdoorYAML = `site: S
room: R
zones:
  - {name: booth, kind: booth, volume_m3: 4}
  - {name: staff, kind: staff, volume_m3: 60}
  - {name: outside, kind: outdoor}
sensors:
  - {name: booth-pm, type: sps30, bus: "1", zone: booth}
  - {name: staff-pm, type: sps30, bus: "3", zone: staff}
  - {name: outdoor-pm, type: sps30, bus: "4", zone: outside}
  - {name: outdoor-co2, type: scd41, bus: "4", zone: outside}
fans:
  - {name: booth-exhaust, zones: [booth], backend: sim, max_flow_m3h: 300, rated_power_w: 45}
`

// An outdoor zone gets no staff rule (value, STEL, TWA) and no booth rule
// (containment, airflow): nobody works there and no fan clears it. Its
// sensors get their fault rules as every sensor does.
func TestConfigSetupOutdoorZone(t *testing.T) {
	cfg, err := config.Parse([]byte(outdoorYAML), "room.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := ConfigSetup(cfg, Room{})
	if !slices.Equal(s.StaffZones, []string{"staff"}) || !slices.Equal(s.AirflowBooths, []string{"booth"}) || len(s.PressureBooths) != 0 {
		t.Errorf("staff zones %q, airflow booths %q, pressure booths %q: want staff, booth and none", s.StaffZones, s.AirflowBooths, s.PressureBooths)
	}
	rules := DefaultRules(s)
	mustEngine(t, rules...)
	ids := map[RuleID]bool{}
	for _, r := range rules {
		ids[r.ID] = true
		if r.Subject == "outside" {
			t.Errorf("rule %s is about the outdoor zone", r.ID)
		}
	}
	for _, sensor := range []string{"outdoor-pm", "outdoor-co2"} {
		for _, f := range []SensorFault{FaultStale, FaultCRC, FaultRange, FaultStuck} {
			if !ids[SensorRule(sensor, f)] {
				t.Errorf("no %s fault rule for %s", f, sensor)
			}
		}
	}
	if !ids[ZoneRule("staff", sample.PM25, CheckAlarm)] {
		t.Error("no staff PM2.5 alarm: the test's room is not what it means to be")
	}
}

// A containment rule is a booth's alone, even for a configuration built in
// code that skipped the check refusing a pressure sensor elsewhere.
func TestConfigSetupPressureOnlyInBooths(t *testing.T) {
	cfg, err := config.Parse([]byte(outdoorYAML), "room.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dp := config.Sensor{Name: "dp", Type: config.SDP810, Bus: "1", Address: config.SDP810.DefaultAddress(), StaleAfter: 3 * time.Second}
	for _, zone := range []string{"booth", "staff", "outside"} {
		dp.Zone = zone
		cfg.Sensors = append(cfg.Sensors, dp)
		dp.Name += "x"
	}
	if s := ConfigSetup(cfg, Room{}); !slices.Equal(s.PressureBooths, []string{"booth"}) {
		t.Errorf("pressure rules for %q, want the booth alone", s.PressureBooths)
	}
}

// A sensor's fault messages say where it is wired: the faults of one hung
// bus (a stale fault for each sensor on it) then name their common cause.
func TestSensorFaultsNameTheirBus(t *testing.T) {
	cfg := config.Sim()
	cfg.Sensors[0].Mux = &config.Mux{Address: 0x71, Channel: 2}
	s := ConfigSetup(cfg, Room{})
	for i, sn := range cfg.Sensors {
		want := fmt.Sprintf("sensor {subject} (I2C bus %s at %s", sn.Bus, sn.Address)
		if i == 0 {
			want += " behind mux 0x71 channel 2"
		}
		want += "): no new reading"
		var got string
		for _, r := range DefaultRules(s) {
			if r.ID == SensorRule(sn.Name, FaultStale) {
				got = r.Message
			}
		}
		if !strings.HasPrefix(got, want) {
			t.Errorf("stale fault of %s: %q, want it to start %q", sn.Name, got, want)
		}
	}
}

// A lost sensor's stale fault says what the fans really do: a booth
// sensor's fans go to their safe duty; a staff PM2.5 sensor's raise every
// fan to the staff-blind duty while no staff PM2.5 sensor reads; a staff
// CO₂ sensor's change no fan (the control reads PM2.5 alone). The staff
// sensors' text once said "safe duty" for both, which neither does.
func TestStaleFaultSaysWhatTheFansDo(t *testing.T) {
	staffPM := `  - {name: staff-pm, type: sps30, bus: "3", zone: staff}
`
	cfg, err := config.Parse([]byte(strings.Replace(outdoorYAML, staffPM, staffPM+`  - {name: staff-co2, type: scd41, bus: "3", zone: staff}
`, 1)), "room.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Control.StaffBlindDutyPercent = 50
	stale := map[string]string{}
	for _, r := range DefaultRules(ConfigSetup(cfg, Room{})) {
		if r.ID == SensorRule(r.Subject, FaultStale) {
			stale[r.Subject] = r.Message
		}
	}
	for _, c := range []struct{ sensor, want, not string }{
		{"booth-pm", "the fans run at their safe duty", "staff_blind"},
		{"staff-pm", "every fan runs at least 50 % (control.staff_blind_duty_percent)", "safe duty"},
		{"staff-co2", "no fan changes", "safe duty"},
	} {
		if m := stale[c.sensor]; !strings.Contains(m, c.want) || strings.Contains(m, c.not) {
			t.Errorf("%s stale: %q, want %q and not %q", c.sensor, m, c.want, c.not)
		}
	}
}

// A frozen-reading fault says how the freeze was found (the detail the
// daemon gives: the stuck time, or the room law's finding), what the fans
// do meanwhile, as the stale fault does, and what to do. It once said "the
// reading has not changed for too long" whoever found it, and "its air
// counts as unknown" for a staff sensor whose loss raises every fan to the
// staff-blind duty.
func TestFrozenFaultSaysHowAndWhatTheFansDo(t *testing.T) {
	cfg, err := config.Parse([]byte(outdoorYAML), "room.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Control.StaffBlindDutyPercent = 50
	e := mustEngine(t, DefaultRules(ConfigSetup(cfg, Room{}))...)
	now := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	for _, c := range []struct{ sensor, detail, want string }{
		{"booth-pm", "reading stuck at exactly 7.2 µg/m³ since 07:55:00 with no staff sensor moving to compare it with", "the fans run at their safe duty"},
		{"staff-pm", "reading unchanged since 07:30:00", "every fan runs at least 50 %"},
	} {
		h := e.Hold()
		evs, err := h.SetConditionDetail(e.Input(SensorRule(c.sensor, FaultStuck)), now, true, 0, c.detail)
		h.Release()
		if err != nil || len(evs) != 1 || evs[0].Kind != Raised {
			t.Fatalf("%s frozen: %+v, %v; want raised at once", c.sensor, evs, err)
		}
		m := evs[0].Message
		for _, want := range []string{c.sensor, c.detail + ", so the sensor looks frozen", c.want, "power it off and on, or replace it"} {
			if !strings.Contains(m, want) {
				t.Errorf("%s frozen: %q lacks %q", c.sensor, m, want)
			}
		}
	}
}

// A tachometer that cannot be opened is its own fault, naming the pin and
// the error given with the condition, not the output's "cannot set its
// duty": the fan is driven, and the fix is the tachometer's.
func TestFanTachRuleNamesPinAndError(t *testing.T) {
	s := DefaultSetup()
	s.Fans, s.Outputs, s.TachPins = []string{"booth-exhaust"}, []string{"booth-exhaust"}, map[string]string{"booth-exhaust": "GPIO6"}
	eng, err := NewEngine(DefaultRules(s))
	if err != nil {
		t.Fatal(err)
	}
	h := eng.Hold()
	evs, err := h.SetConditionDetail(eng.Input(FanTachRule("booth-exhaust")), time.Unix(0, 0), true, math.NaN(), "set up input with falling-edge detection: not supported")
	h.Release()
	if err != nil || len(evs) != 1 {
		t.Fatalf("events %+v, err %v: want the fault raised at once", evs, err)
	}
	msg := evs[0].Message
	for _, want := range []string{"fan booth-exhaust: its tachometer on GPIO6 cannot be opened (set up input with falling-edge detection: not supported)", "the fan is driven"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q: want %q", msg, want)
		}
	}
	if strings.Contains(msg, "PWM/relay") {
		t.Errorf("message %q blames the output's wiring", msg)
	}
}

// A cleared fault says what is back: its own text after "cleared:" read to
// a pager like the fault again ("cleared: sensor booth-pm: no new reading;
// …"). Every condition that clears by itself has its Back.
func TestConditionRulesSayWhatIsBack(t *testing.T) {
	s := DefaultSetup()
	s.StaffZones, s.Sensors, s.Fans, s.Outputs, s.Journal = []string{"staff"}, []string{"booth-pm"}, []string{"booth-exhaust"}, []string{"booth-exhaust"}, true
	s.SensorPlaces = map[string]string{"booth-pm": "I2C bus 1 at 0x69"}
	s.ApartBooths, s.ApartStaff = []string{"booth-1"}, "staff"
	n := 0
	for _, r := range DefaultRules(s) {
		if r.Direction != WhenTrue || r.Latching {
			continue
		}
		n++
		if r.Back == "" {
			t.Errorf("%s: no Back; its cleared page would read %q", r.ID, "cleared: "+r.Message)
		}
	}
	if n < 10 {
		t.Errorf("only %d condition rules checked", n)
	}
	// The stale sensor's page, raised and cleared.
	e := mustEngine(t, DefaultRules(s)...)
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	id := SensorRule("booth-pm", FaultStale)
	var got []string
	for i, stale := range []bool{true, true, false, false, false} {
		evs, err := e.SetCondition(now.Add(time.Duration(i)*time.Minute), id, stale, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			got = append(got, string(ev.Kind)+": "+ev.Message)
		}
	}
	want := "cleared: cleared: sensor booth-pm (I2C bus 1 at 0x69): reads again, and its readings count as the air again"
	if len(got) != 2 || got[1] != want {
		t.Errorf("stale sensor's events %q; want raised, then %q", got, want)
	}
}
