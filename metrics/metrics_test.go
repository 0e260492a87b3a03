package metrics

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/prometheus/client_golang/prometheus/testutil/promlint"

	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/snapshot"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func fixture() *snapshot.Snapshot {
	rpm := 1200.0
	return &snapshot.Snapshot{
		Site: "S", Room: "R", Time: t0,
		Readings: []snapshot.Reading{
			{Sensor: "staff-pm", Zone: "staff", Quantity: "pm25", Value: 12.5, Quality: sample.Good, Time: t0.Add(-time.Second), AgeSeconds: 1},
			// A faulty reading's value is not exported: the series shows
			// the gap instead of a number that no longer describes the air.
			{Sensor: "booth-pm", Zone: "booth", Quantity: "pm25", Value: 999, Quality: sample.Fault, Time: t0.Add(-30 * time.Second), AgeSeconds: 30},
			{Sensor: "booth-dp", Zone: "booth", Quantity: "pressure", Value: -7.25, Quality: sample.Good, Time: t0, AgeSeconds: 0},
			{Sensor: "staff-co2", Zone: "staff", Quantity: "humidity", Value: 41, Quality: sample.Good, Time: t0, AgeSeconds: 0},
		},
		Sensors: []snapshot.Sensor{{SensorID: &snapshot.SensorID{Name: "booth-pm", Type: "sps30", Zone: "booth", Bus: "1", Address: "0x69"}, Errors: map[string]uint64{"crc": 2}}},
		Fans:    []snapshot.Fan{{Name: "booth-exhaust", Duty: 0.5, Mode: "boost", RPM: &rpm, SecondsToEntry: -1}},
		Booths: []snapshot.Booth{
			{Zone: "booth", NominalACH: 37.5, Measured: &record.MeasuredACH{ACH: 21, Share: 0.56, Observations: 12, Last: t0.Add(-90 * time.Second)}},
			{Zone: "booth2", NominalACH: 37.5, SecondsToEntry: -1}, // not measured yet
		},
		Exposure: []exposure.Snapshot{{
			Series: &exposure.Series{Quantity: "pm25", Zone: "staff"}, Value: 12.5, STEL: exposure.Unknown, TWA8h: 3.5, Mean8h: 10, Coverage8h: 50,
			Totals: exposure.Totals{Dose: 45000, Measured: exposure.Duration(time.Hour), OverAlarm: exposure.Duration(90 * time.Second)},
			Shift: &exposure.Summary{TWA: 4.25, Coverage: 99, STELPeak: exposure.Conc(20), Start: t0.Add(-2 * time.Hour), End: t0.Add(10 * time.Hour),
				ReductionFactor: 0.5, Limits: exposure.Limits{Alarm: 125.5}},
		}, {
			Series: &exposure.Series{Quantity: "co2", Zone: "staff"}, Value: exposure.Unknown, STEL: 900, TWA8h: 800,
			Totals: exposure.Totals{Dose: 3.24e6, Measured: exposure.Duration(time.Hour)},
		}},
		Alarms: alarm.Summary{Highest: alarm.LevelAlarm, Unacked: 1, Alarms: []alarm.Alarm{
			{ID: 7, RuleID: "staff/pm25/alarm", Level: alarm.LevelAlarm, Subject: "staff"},
		}},
		Health: snapshot.Health{Started: t0.Add(-time.Hour), JournalOK: true},
	}
}

func register(t *testing.T, src Source, now func() time.Time) (*prometheus.Registry, *Metrics) {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	m, err := Register(reg, Room{Site: "S", Room: "R", RatedPowerW: map[string]float64{"booth-exhaust": 50}, Now: now}, src)
	if err != nil {
		t.Fatal(err)
	}
	return reg, m
}

func TestCollectors(t *testing.T) {
	snap := fixture()
	reg, _ := register(t, func() *snapshot.Snapshot { return snap }, func() time.Time { return t0.Add(4 * time.Second) })
	want := `
# HELP ventd_pm25_ugm3 PM2.5 mass concentration in µg/m³, site calibration applied.
# TYPE ventd_pm25_ugm3 gauge
ventd_pm25_ugm3{room="R",sensor="staff-pm",site="S",zone="staff"} 12.5
# HELP ventd_differential_pressure_pascals Differential pressure of the sensor's zone (a booth) against the staff area, in Pa; negative means air flows into the booth. LEED asks at least 5 Pa negative on average (alarms.booth_pressure_pa).
# TYPE ventd_differential_pressure_pascals gauge
ventd_differential_pressure_pascals{room="R",sensor="booth-dp",site="S",zone="booth"} -7.25
# HELP ventd_relative_humidity_ratio Relative humidity, 0 to 1.
# TYPE ventd_relative_humidity_ratio gauge
ventd_relative_humidity_ratio{room="R",sensor="staff-co2",site="S",zone="staff"} 0.41
# HELP ventd_exposure_shift_twa_ugm3 Current shift's TWA so far by the OSHA formula E = Σ CᵢTᵢ / 8 h, in µg/m³.
# TYPE ventd_exposure_shift_twa_ugm3 gauge
ventd_exposure_shift_twa_ugm3{pollutant="pm25",room="R",site="S",zone="staff"} 4.25
# HELP ventd_exposure_twa_8h_ppm Rolling 8 h TWA by the OSHA formula Σ CᵢTᵢ / 8 h, in ppm; unmeasured time adds nothing.
# TYPE ventd_exposure_twa_8h_ppm gauge
ventd_exposure_twa_8h_ppm{pollutant="co2",room="R",site="S",zone="staff"} 800
# HELP ventd_exposure_dose_ugm3_seconds_total Dose since ventd started (the journal export: since midnight UTC): ∫ concentration dt over the measured time, in µg/m³ × seconds. increase() over a shift / 28800 is the shift's OSHA TWA.
# TYPE ventd_exposure_dose_ugm3_seconds_total counter
ventd_exposure_dose_ugm3_seconds_total{pollutant="pm25",room="R",site="S",zone="staff"} 45000
# HELP ventd_exposure_over_alarm_seconds_total Time with the value above the alarm level, or every sensor above a range whose top is at or above it, since ventd started (the journal export: since midnight UTC).
# TYPE ventd_exposure_over_alarm_seconds_total counter
ventd_exposure_over_alarm_seconds_total{pollutant="co2",room="R",site="S",zone="staff"} 0
ventd_exposure_over_alarm_seconds_total{pollutant="pm25",room="R",site="S",zone="staff"} 90
# HELP ventd_exposure_alarm_level_ugm3 Level above which time counts as over the alarm level, in µg/m³; absent: none.
# TYPE ventd_exposure_alarm_level_ugm3 gauge
ventd_exposure_alarm_level_ugm3{pollutant="pm25",room="R",site="S",zone="staff"} 125.5
# HELP ventd_alarm_active 1 for each active alarm; acked says whether staff acknowledged it.
# TYPE ventd_alarm_active gauge
ventd_alarm_active{acked="false",level="alarm",room="R",rule="staff/pm25/alarm",site="S",subject="staff"} 1
# HELP ventd_reading_age_seconds Seconds since the reading was measured, at the scrape.
# TYPE ventd_reading_age_seconds gauge
ventd_reading_age_seconds{quantity="humidity",room="R",sensor="staff-co2",site="S",zone="staff"} 4
ventd_reading_age_seconds{quantity="pm25",room="R",sensor="booth-pm",site="S",zone="booth"} 34
ventd_reading_age_seconds{quantity="pm25",room="R",sensor="staff-pm",site="S",zone="staff"} 5
ventd_reading_age_seconds{quantity="pressure",room="R",sensor="booth-dp",site="S",zone="booth"} 4
# HELP ventd_booth_measured_air_changes_per_hour Air changes per hour the booth gets at the fans' present duty, measured from how fast its smoke clears after sessions; absent until the first clearing was measured.
# TYPE ventd_booth_measured_air_changes_per_hour gauge
ventd_booth_measured_air_changes_per_hour{room="R",site="S",zone="booth"} 21
# HELP ventd_booth_nominal_air_changes_per_hour Air changes per hour the fans' datasheet flow promises at their present duty: fans[].max_flow_m3h × duty / zones[].volume_m3.
# TYPE ventd_booth_nominal_air_changes_per_hour gauge
ventd_booth_nominal_air_changes_per_hour{room="R",site="S",zone="booth"} 37.5
ventd_booth_nominal_air_changes_per_hour{room="R",site="S",zone="booth2"} 37.5
# HELP ventd_booth_decay_observations_total Clearing intervals (15 s of clean decay) the booth's ventilation was measured from, restored across restarts from the journal.
# TYPE ventd_booth_decay_observations_total counter
ventd_booth_decay_observations_total{room="R",site="S",zone="booth"} 12
ventd_booth_decay_observations_total{room="R",site="S",zone="booth2"} 0
# HELP ventd_booth_decay_last_measured_timestamp_seconds When the booth's ventilation was last measured, Unix time; absent until measured.
# TYPE ventd_booth_decay_last_measured_timestamp_seconds gauge
ventd_booth_decay_last_measured_timestamp_seconds{room="R",site="S",zone="booth"} 1.77244191e+09
# HELP ventd_fan_power_watts Fan power, estimated, not measured: fans[].rated_power_w × duty³ by the fan affinity law (power ∝ speed³, speed taken as proportional to the commanded duty).
# TYPE ventd_fan_power_watts gauge
ventd_fan_power_watts{fan="booth-exhaust",room="R",site="S"} 6.25
`
	names := []string{"ventd_pm25_ugm3", "ventd_differential_pressure_pascals", "ventd_relative_humidity_ratio", "ventd_exposure_shift_twa_ugm3",
		"ventd_exposure_twa_8h_ppm", "ventd_exposure_dose_ugm3_seconds_total", "ventd_exposure_over_alarm_seconds_total",
		"ventd_exposure_alarm_level_ugm3", "ventd_alarm_active", "ventd_reading_age_seconds", "ventd_fan_power_watts",
		"ventd_booth_measured_air_changes_per_hour", "ventd_booth_nominal_air_changes_per_hour", "ventd_booth_decay_observations_total",
		"ventd_booth_decay_last_measured_timestamp_seconds"}
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
	// Unknown values are absent, never 0 or NaN: the PM2.5 STEL, the CO2
	// concentration, the seconds to entry while the booth is not falling,
	// limits that do not exist.
	for _, name := range []string{"ventd_exposure_stel_ugm3", "ventd_exposure_concentration_ppm", "ventd_booth_seconds_to_entry", "ventd_exposure_stel_limit_ugm3"} {
		if n, err := testutil.GatherAndCount(reg, name); err != nil || n != 0 {
			t.Errorf("%s: %d series (%v), want none", name, n, err)
		}
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			if v := m.GetGauge().GetValue() + m.GetCounter().GetValue(); math.IsNaN(v) {
				t.Errorf("%s exported NaN", mf.GetName())
			}
		}
	}
	// The names and help follow Prometheus's conventions (the linter
	// promtool check metrics runs; the daemon test runs promtool itself).
	problems, err := promlint.NewWithMetricFamilies(mfs).Lint()
	if err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %+v", err, problems)
	}
	// Before the first snapshot nothing is exported and nothing fails.
	snap = nil
	if n, err := testutil.GatherAndCount(reg); err != nil || n != 1 { // the loop histogram alone
		t.Fatalf("before the first snapshot: %d series, %v", n, err)
	}
}

// Period integrates each fan's estimated power over the periods, observes
// the loop's duration and counts each alarm transition once.
func TestPeriod(t *testing.T) {
	snap := fixture()
	reg, m := register(t, func() *snapshot.Snapshot { return snap }, nil)
	now := snap.Time
	step := func(d time.Duration, duty float64, evs ...alarm.Event) {
		now = now.Add(d)
		m.Receive(&record.Period{Time: now, Fans: []record.Fan{{Name: "booth-exhaust", Duty: duty, Mode: "normal"}}, Transitions: evs})
		m.Period(3 * time.Millisecond)
	}
	step(0, 1) // the first period: nothing to integrate yet
	step(time.Second, 0.5, alarm.Event{ID: 3, Kind: alarm.Raised, Level: alarm.LevelWarning})
	step(time.Second, 0.5, alarm.Event{ID: 3, Kind: alarm.Raised, Level: alarm.LevelWarning})  // the same event again: counted once
	step(2*time.Hour, 0.5, alarm.Event{ID: 4, Kind: alarm.Cleared, Level: alarm.LevelWarning}) // a clock jump: no energy
	step(10*time.Second, 1)
	// 1 s at full (50 W), 1 s at half (6.25 W), 10 s at half: 50 + 6.25 + 62.5 J.
	if got := only(t, reg, "ventd_fan_energy_joules_total"); math.Abs(got-118.75) > 1e-9 {
		t.Errorf("energy %v J, want 118.75", got)
	}
	want := `
# HELP ventd_alarm_events_total Alarm transitions since ventd started (the journal export: since midnight UTC), by level and kind (raised, cleared, acknowledged, latched, held, returned).
# TYPE ventd_alarm_events_total counter
`
	var lines []string
	for _, l := range eventLevels {
		for _, k := range eventKinds {
			n := 0
			if l == alarm.LevelWarning && (k == alarm.Raised || k == alarm.Cleared) {
				n = 1
			}
			lines = append(lines, `ventd_alarm_events_total{kind="`+string(k)+`",level="`+l.String()+`",room="R",site="S"} `+string(rune('0'+n)))
		}
	}
	slices.Sort(lines)
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want+strings.Join(lines, "\n")+"\n"), "ventd_alarm_events_total"); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(m.loop); n != 1 {
		t.Errorf("loop histogram: %d series", n)
	}
	mfs, _ := reg.Gather()
	for _, mf := range mfs {
		if mf.GetName() == "ventd_control_loop_duration_seconds" {
			if h := mf.GetMetric()[0].GetHistogram(); h.GetSampleCount() != 5 || math.Abs(h.GetSampleSum()-0.015) > 1e-9 {
				t.Errorf("loop histogram: %d periods, %v s; want 5 and 0.015", h.GetSampleCount(), h.GetSampleSum())
			}
		}
	}
}

func TestBuildInfo(t *testing.T) {
	reg, _ := register(t, func() *snapshot.Snapshot { return fixture() }, nil)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != "ventd_build_info" {
			continue
		}
		labels := map[string]string{}
		for _, l := range mf.GetMetric()[0].GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		if labels["version"] == "" || labels["commit"] == "" || !strings.HasPrefix(labels["goversion"], "go") {
			t.Errorf("build info labels %v", labels)
		}
		return
	}
	t.Error("no ventd_build_info")
}

// only returns the value of the one series of the family name.
func only(t *testing.T, g prometheus.Gatherer, name string) float64 {
	t.Helper()
	mfs, err := g.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() == name && len(mf.GetMetric()) == 1 {
			m := mf.GetMetric()[0]
			return m.GetGauge().GetValue() + m.GetCounter().GetValue()
		}
	}
	t.Fatalf("no single series %s", name)
	return 0
}

func TestMQTTStatusAtEachScrape(t *testing.T) {
	reg := prometheus.NewRegistry()
	s := MQTTStatus{}
	if err := RegisterMQTT(reg, Room{Site: "OPS", Room: "Room 1"}, func() MQTTStatus { return s }); err != nil {
		t.Fatal(err)
	}
	names := []string{"ventd_mqtt_connected", "ventd_mqtt_connections_total", "ventd_mqtt_events_waiting", "ventd_mqtt_delivered_sequence",
		"ventd_mqtt_delivery_confirmed", "ventd_mqtt_unconfirmed_total"}
	for _, tc := range []struct {
		s    MQTTStatus
		want []float64
	}{
		{MQTTStatus{}, []float64{0, 0, 0, 0, 0, 0}},
		{MQTTStatus{Connected: true, Connects: 2, Waiting: 3, Delivered: 41, Confirmed: true, Unconfirmed: 5}, []float64{1, 2, 3, 41, 1, 5}},
	} {
		s = tc.s
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]float64{}
		for _, mf := range mfs {
			m := mf.GetMetric()[0]
			if l := m.GetLabel(); len(l) != 2 || l[0].GetValue() != "Room 1" || l[1].GetValue() != "OPS" {
				t.Errorf("%s labels %v: want room and site", mf.GetName(), l)
			}
			got[mf.GetName()] = m.GetGauge().GetValue() + m.GetCounter().GetValue()
		}
		for i, n := range names {
			if v, ok := got[n]; !ok || v != tc.want[i] {
				t.Errorf("status %+v: %s = %v (present %v), want %v", tc.s, n, v, ok, tc.want[i])
			}
		}
		if problems, err := promlint.NewWithMetricFamilies(mfs).Lint(); err != nil || len(problems) > 0 {
			t.Errorf("promlint: %v %v", err, problems)
		}
	}
}

// With the delivery check off the confirmed gauge is left out: a 0 would
// fire VentdMQTTDeliveryUnconfirmed for good at a site that chose it.
func TestMQTTDeliveryUncheckedLeavesTheGaugeOut(t *testing.T) {
	reg := prometheus.NewRegistry()
	if err := RegisterMQTT(reg, Room{Site: "OPS", Room: "Room 1"}, func() MQTTStatus { return MQTTStatus{Connected: true, Unchecked: true} }); err != nil {
		t.Fatal(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, mf := range mfs {
		seen[mf.GetName()] = true
	}
	if seen["ventd_mqtt_delivery_confirmed"] || !seen["ventd_mqtt_connected"] || !seen["ventd_mqtt_unconfirmed_total"] {
		t.Errorf("series %v: want ventd_mqtt_delivery_confirmed left out, the others there", seen)
	}
}

// The outdoor air's sensors (a zone of kind outdoor) are exported as every
// sensor is, labelled with their zone name: the metrics know no zone kinds,
// and a query by zone finds them. (It has no exposure series because the
// daemon keeps no exposure record for it; see daemon's tests.)
func TestOutdoorSensorsExported(t *testing.T) {
	snap := fixture()
	snap.Readings = append(snap.Readings, snapshot.Reading{Sensor: "outdoor-pm", Zone: "outside", Quantity: "pm25", Value: 150.5,
		Quality: sample.Good, Time: t0, AgeSeconds: 0})
	snap.Sensors = append(snap.Sensors, snapshot.Sensor{SensorID: &snapshot.SensorID{Name: "outdoor-pm", Type: "sps30", Zone: "outside", Bus: "4", Address: "0x69"}, Up: true})
	reg, _ := register(t, func() *snapshot.Snapshot { return snap }, func() time.Time { return t0.Add(2 * time.Second) })
	want := `
# HELP ventd_pm25_ugm3 PM2.5 mass concentration in µg/m³, site calibration applied.
# TYPE ventd_pm25_ugm3 gauge
ventd_pm25_ugm3{room="R",sensor="outdoor-pm",site="S",zone="outside"} 150.5
ventd_pm25_ugm3{room="R",sensor="staff-pm",site="S",zone="staff"} 12.5
# HELP ventd_reading_good 1 if the latest reading is a good measurement, 0 if stale, faulty, out of range or warming up.
# TYPE ventd_reading_good gauge
ventd_reading_good{quantity="humidity",room="R",sensor="staff-co2",site="S",zone="staff"} 1
ventd_reading_good{quantity="pm25",room="R",sensor="booth-pm",site="S",zone="booth"} 0
ventd_reading_good{quantity="pm25",room="R",sensor="outdoor-pm",site="S",zone="outside"} 1
ventd_reading_good{quantity="pm25",room="R",sensor="staff-pm",site="S",zone="staff"} 1
ventd_reading_good{quantity="pressure",room="R",sensor="booth-dp",site="S",zone="booth"} 1
# HELP ventd_sensor_up 1 while the sensor's reads succeed.
# TYPE ventd_sensor_up gauge
ventd_sensor_up{room="R",sensor="booth-pm",site="S",zone="booth"} 0
ventd_sensor_up{room="R",sensor="outdoor-pm",site="S",zone="outside"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "ventd_pm25_ugm3", "ventd_reading_good", "ventd_sensor_up"); err != nil {
		t.Error(err)
	}
}

// What the law learned of how the staff area follows the outdoor air is
// exported beside the staff air, and only while it is learned.
func TestOutdoorLinkExported(t *testing.T) {
	snap := fixture()
	snap.Staff = &record.StaffAir{Trusted: true, PM25: 30, CleanAir: 28, Excess: 2, FullSpeedExcess: 6,
		Outdoor: &record.OutdoorLink{PM25: 31.5, Gain: 0.875, GeneralACH: 4}}
	reg, _ := register(t, func() *snapshot.Snapshot { return snap }, func() time.Time { return t0 })
	want := `
# HELP ventd_staff_general_ventilation_ach The staff area's own ventilation, air changes per hour besides the fans', as the control law learned it from how its clean air follows the outdoor air: one of 1, 2, 4 or 8. Absent without an outdoor zone's PM sensor.
# TYPE ventd_staff_general_ventilation_ach gauge
ventd_staff_general_ventilation_ach{room="R",site="S"} 4
# HELP ventd_staff_pm25_outdoor_gain_ratio The share of a change in outdoor PM2.5 the staff area's clean air takes on, as the control law learned it from quiet air (1 until the outdoor air has moved enough to say; less behind a supply filter). Absent without an outdoor zone's PM sensor.
# TYPE ventd_staff_pm25_outdoor_gain_ratio gauge
ventd_staff_pm25_outdoor_gain_ratio{room="R",site="S"} 0.875
`
	names := []string{"ventd_staff_general_ventilation_ach", "ventd_staff_pm25_outdoor_gain_ratio"}
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), names...); err != nil {
		t.Error(err)
	}
	snap.Staff.Outdoor = nil
	if err := testutil.GatherAndCompare(reg, strings.NewReader(""), names...); err != nil {
		t.Errorf("without the outdoor link: %v", err)
	}
}
