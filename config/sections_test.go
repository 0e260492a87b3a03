package config

import (
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestSectionDefaults(t *testing.T) {
	c, err := Parse([]byte(edit(10, "    zone: booth\n  - {name: dp, type: sdp810, bus: \"1\", zone: booth}\n  - {name: dp31, type: sdp31, bus: \"1\", zone: booth}")), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := c.Shifts
	var starts []string
	for _, st := range s.Starts {
		starts = append(starts, st.String())
	}
	if s.TimeZone != "Local" || strings.Join(starts, " ") != "07:00 15:00 23:00" || s.Length != 8*time.Hour {
		t.Errorf("shifts %+v (starts %v)", s, starts)
	}
	if loc, err := s.Location(); err != nil || loc != time.Local {
		t.Errorf("Location() = %v, %v; want time.Local", loc, err)
	}
	if l := c.Exposure.Limits; l.CO2 != (Limit{TWA: 5000, STEL: 30000}) || l.PM25 != (Limit{}) || l.PM10 != (Limit{}) {
		t.Errorf("exposure limits %+v", l)
	}
	want := Alarms{
		OnDelay: 30 * time.Second, OffDelay: time.Minute, HysteresisPercent: 10, LatchAlarmLevel: true,
		SensorStaleAfter: 10 * time.Second, SensorStuckAfter: 30 * time.Minute,
		FanStallRPM: 300, FanStallMinDuty: 20, FanStallAfter: 30 * time.Second, BoothPressurePa: -5, BoothAirflowPercent: 60,
	}
	if c.Alarms != want {
		t.Errorf("alarms %+v\nwant   %+v", c.Alarms, want)
	}
	j := c.Journal
	if j != (Journal{RetentionDays: 400, MaxSizeMB: 512, FlushInterval: time.Minute}) ||
		j.Retention() != 400*24*time.Hour || j.MaxSizeBytes() != 512<<20 {
		t.Errorf("journal %+v", j)
	}
	if !reflect.DeepEqual(c.Shifts, DefaultShifts()) || c.Exposure != DefaultExposure() || c.Alarms != DefaultAlarms() || c.Journal != DefaultJournal() {
		t.Error("sections differ from the Default* functions")
	}
	dp, dp31 := c.Sensors[1], c.Sensors[2]
	if dp.Address != 0x25 || dp.StaleAfter != 3*time.Second || dp.PMCalibration != 0 || dp31.Address != 0x21 {
		t.Errorf("sdp defaults: %+v %+v", dp, dp31)
	}
	if !SDP810.IsPressure() || !SDP31.IsPressure() || SPS30.IsPressure() || SDP810.Period() != time.Second {
		t.Error("SensorType helpers for the SDPs")
	}
}

// Keys written out are kept; the others in the section still default.
func TestSectionPartial(t *testing.T) {
	c, err := Parse([]byte(base+`shifts:
  starts:
    - "19:00"
    - 7:30
exposure:
  limits:
    co2_ppm: {twa: 4000}
    pm25_ugm3: {twa: 25, stel: 0}
alarms: {on_delay: 0s, latch_alarm_level: false, booth_pressure_pa: -2.5}
journal: {flush_interval: 10s}
`), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s := c.Shifts
	if len(s.Starts) != 2 || time.Duration(s.Starts[0]) != 19*time.Hour || s.Starts[1].String() != "07:30" || s.TimeZone != "Local" || s.Length != 8*time.Hour {
		t.Errorf("shifts %+v", s)
	}
	if l := c.Exposure.Limits; l.CO2 != (Limit{TWA: 4000, STEL: 30000}) || l.PM25 != (Limit{TWA: 25}) {
		t.Errorf("limits %+v", l)
	}
	a := c.Alarms
	if a.OnDelay != 0 || a.LatchAlarmLevel || a.BoothPressurePa != -2.5 || a.OffDelay != time.Minute {
		t.Errorf("alarms %+v", a)
	}
	if c.Journal != (Journal{RetentionDays: 400, MaxSizeMB: 512, FlushInterval: 10 * time.Second}) {
		t.Errorf("journal %+v", c.Journal)
	}
}

func TestExampleAndSimSections(t *testing.T) {
	c, err := Load("example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if s := c.Shifts; s.TimeZone != "America/Vancouver" || len(s.Starts) != 2 || s.Starts[1].String() != "19:00" || s.Length != 12*time.Hour {
		t.Errorf("example shifts %+v", s)
	}
	loc, err := c.Shifts.Location()
	if err != nil || loc.String() != "America/Vancouver" {
		t.Errorf("Location() = %v, %v", loc, err)
	}
	// The example writes the defaults out: it must agree with them.
	if c.Exposure != DefaultExposure() || c.Alarms != DefaultAlarms() || c.Journal != DefaultJournal() {
		t.Errorf("example's sections differ from the defaults:\n%+v\n%+v\n%+v", c.Exposure, c.Alarms, c.Journal)
	}
	sim := Sim().Shifts
	if sim.TimeZone != "UTC" || len(sim.Starts) != 2 || sim.Starts[0].String() != "07:00" || sim.Length != 12*time.Hour {
		t.Errorf("sim shifts %+v", sim)
	}
}

func TestTimeOfDay(t *testing.T) {
	for in, want := range map[string]string{"07:00": "07:00", "7:05": "07:05", "00:00": "00:00", "23:59": "23:59"} {
		got, ok := parseTimeOfDay(in)
		if !ok || got.String() != want {
			t.Errorf("parseTimeOfDay(%q) = %v, %v; want %s", in, got, ok, want)
		}
	}
	for _, in := range []string{"7:60", "24:00", "07:00:00", "7", "0700", "07:0", "-1:00", " 07:00", "07h00"} {
		if got, ok := parseTimeOfDay(in); ok {
			t.Errorf("parseTimeOfDay(%q) = %v, want a failure", in, got)
		}
	}
}

// Each mistake in the new sections gives exactly one error with its line
// and path. base has 21 lines, so appended sections start at line 22.
func TestSectionMistakes(t *testing.T) {
	for _, tc := range []lineCase{
		{"bad time zone", base + "shifts:\n  time_zone: Vancouver\n", 23, "shifts.time_zone", `no time zone "Vancouver": give an IANA name, like America/Vancouver`},
		{"empty time zone", base + "shifts:\n  time_zone: \"\"\n", 23, "shifts.time_zone", "must name a time zone, like America/Vancouver"},
		{"minute 60", base + "shifts:\n  starts: [\"07:00\", \"7:60\"]\n", 23, "shifts.starts[1]", `must be a time of day as HH:MM from 00:00 to 23:59, like "07:00" (got "7:60")`},
		{"hour 24", base + "shifts:\n  starts:\n    - \"07:00\"\n    - 24:00\n", 25, "shifts.starts[1]", `(got "24:00")`},
		{"start as a number", base + "shifts:\n  starts: [7]\n", 23, "shifts.starts[0]", "HH:MM from 00:00 to 23:59, like \"07:00\" (got 7)"},
		{"start not a list", base + "shifts:\n  starts: \"07:00\"\n", 23, "shifts.starts", "must be a list"},
		{"duplicate start", base + "shifts:\n  starts:\n    - \"07:00\"\n    - \"19:00\"\n    - 7:00\n", 26, "shifts.starts[2]", "07:00 is listed twice (first as shifts.starts[0] (line 24)); list each start once"},
		{"no starts", base + "shifts:\n  starts: []\n", 23, "shifts.starts", "must list at least one shift start"},
		{"length 0s", base + "shifts: {length: 0s}\n", 22, "shifts.length", "must be more than 0, like 8h or 12h (got 0s)"},
		{"length 0 without unit", base + "shifts: {length: 0}\n", 22, "shifts.length", "must be a duration with a unit"},
		{"length 25h", base + "shifts:\n  length: 25h\n", 23, "shifts.length", "must be at most 22h (got 25h0m0s)"},
		{"length 23h, 24 h on the night the clocks go back", base + "shifts:\n  length: 23h\n", 23, "shifts.length", "must be at most 22h (got 23h0m0s)"},
		{"length 24h", base + "shifts:\n  length: 24h\n", 23, "shifts.length", "Brief & Scala"},
		{"length with seconds", base + "shifts:\n  length: 8h30s\n", 23, "shifts.length", "must be whole minutes"},
		{"unknown shifts key", base + "shifts:\n  timezone: UTC\n", 23, "shifts.timezone", `did you mean "time_zone"?`},
		{"negative twa", base + "exposure:\n  limits:\n    pm25_ugm3: {twa: -1}\n", 24, "exposure.limits.pm25_ugm3.twa", "must be 0 (no limit) or more (got -1)"},
		{"stel below twa", base + "exposure:\n  limits:\n    co2_ppm:\n      twa: 5000\n      stel: 1000\n", 26, "exposure.limits.co2_ppm.stel", "must be at least the twa limit 5000 (got 1000)"},
		{"stel below the default twa", base + "exposure:\n  limits:\n    co2_ppm: {stel: 1000}\n", 24, "exposure.limits.co2_ppm.stel", "twa limit 5000 (the default)"},
		// Limits in the wrong unit: a CO2 limit in percent latched a STEL
		// alarm at once and put every shift over; mg/m³ for µg/m³ did the
		// same for PM; one past the sensor's reach never sounded.
		{"co2 limit in percent", base + "exposure:\n  limits:\n    co2_ppm: {twa: 0.5, stel: 3}\n", 24, "exposure.limits.co2_ppm.twa",
			"must be 0 (no limit) or at least 400 ppm, outdoor air (got 0.5): a limit below it is exceeded by the air the room takes in; limits are in ppm, not percent: 0.5 % is 5000 ppm"},
		{"co2 stel in percent", base + "exposure:\n  limits:\n    co2_ppm:\n      stel: 3\n", 25, "exposure.limits.co2_ppm.stel", "not percent: 3 % is 30000 ppm"},
		{"co2 limit far below outdoor air", base + "exposure:\n  limits:\n    co2_ppm: {twa: 100}\n", 24, "exposure.limits.co2_ppm.twa", "(got 100): a limit below it is exceeded by the air the room takes in; limits are in ppm, not percent: 5000 ppm is 0.5 %"},
		{"co2 limit beyond an scd4x", base + "exposure:\n  limits:\n    co2_ppm: {twa: 50000, stel: 300000}\n", 24, "exposure.limits.co2_ppm.twa",
			"must be at most 40000 ppm (got 50000): an SCD4x reads to 40000 ppm, so a level above it never sounds"},
		{"co2 stel beyond an scd4x", base + "exposure:\n  limits:\n    co2_ppm: {stel: 300000}\n", 24, "exposure.limits.co2_ppm.stel", "must be at most 40000 ppm (got 300000)"},
		{"pm2.5 limit in mg/m³", base + "exposure:\n  limits:\n    pm25_ugm3: {twa: 0.025}\n", 24, "exposure.limits.pm25_ugm3.twa",
			"must be 0 (no limit) or at least 1 µg/m³ (got 0.025): limits are in µg/m³, not mg/m³: 0.025 mg/m³ is 25 µg/m³"},
		{"pm10 stel in mg/m³", base + "exposure:\n  limits:\n    pm10_ugm3: {twa: 50, stel: 0.15}\n", 24, "exposure.limits.pm10_ugm3.stel", "0.15 mg/m³ is 150 µg/m³"},
		{"pm10 limit beyond any reading", base + "exposure:\n  limits:\n    pm10_ugm3: {twa: 15000}\n", 24, "exposure.limits.pm10_ugm3.twa",
			"must be at most 10000 µg/m³ (got 15000): an SPS30 or SEN5x is specified to 1000 µg/m³ and reads a few thousand in dense smoke; levels are in µg/m³, so a level above it never sounds"},
		{"unknown quantity", base + "exposure:\n  limits:\n    pm2.5_ugm3: {twa: 10}\n", 24, "exposure.limits.pm2.5_ugm3", `did you mean "pm25_ugm3"?`},
		{"limits not a mapping", base + "exposure:\n  limits: 5000\n", 23, "exposure.limits", "must be a mapping"},
		{"negative on_delay", base + "alarms:\n  on_delay: -5s\n", 23, "alarms.on_delay", "must not be negative (got -5s)"},
		{"negative off_delay", base + "alarms:\n  off_delay: -1m\n", 23, "alarms.off_delay", "must not be negative (got -1m0s)"},
		{"hysteresis above 50", base + "alarms:\n  hysteresis_percent: 60\n", 23, "alarms.hysteresis_percent", "from 0 to 50 percent of the threshold (got 60)"},
		{"hysteresis below 0", base + "alarms:\n  hysteresis_percent: -1\n", 23, "alarms.hysteresis_percent", "(got -1)"},
		{"latch not a bool", base + "alarms:\n  latch_alarm_level: yes\n", 23, "alarms.latch_alarm_level", `must be true or false (got "yes")`},
		{"stale zero", base + "alarms:\n  sensor_stale_after: 0s\n", 23, "alarms.sensor_stale_after", "must be more than 0"},
		{"stale below the scd41's period", base + "alarms:\n  sensor_stale_after: 2s\n", 23, "alarms.sensor_stale_after", "measurement period of the scd41 staff-co2, 5s, or it faults between readings (got 2s)"},
		{"negative stuck", base + "alarms:\n  sensor_stuck_after: -30m\n", 23, "alarms.sensor_stuck_after", "must be more than 0"},
		{"stall rpm zero", base + "alarms:\n  fan_stall_rpm: 0\n", 23, "alarms.fan_stall_rpm", "must be more than 0 rpm"},
		{"stall duty zero", base + "alarms:\n  fan_stall_min_duty: 0\n", 23, "alarms.fan_stall_min_duty", "a fan that is off would count as stalled"},
		{"stall duty over 100", base + "alarms:\n  fan_stall_min_duty: 120\n", 23, "alarms.fan_stall_min_duty", "(got 120)"},
		{"negative stall delay", base + "alarms:\n  fan_stall_after: -30s\n", 23, "alarms.fan_stall_after", "must be more than 0"},
		{"positive booth pressure", base + "alarms:\n  booth_pressure_pa: 5\n", 23, "alarms.booth_pressure_pa", "must be below 0 Pa, like -5 (got 5)"},
		{"booth pressure out of range", base + "alarms:\n  booth_pressure_pa: -200\n", 23, "alarms.booth_pressure_pa", "must be -125 Pa or more (got -200)"},
		{"retention 0", base + "journal:\n  retention_days: 0\n", 23, "journal.retention_days", "must be from 1 to 3650 days (got 0)"},
		{"retention too long", base + "journal:\n  retention_days: 4000\n", 23, "journal.retention_days", "(got 4000)"},
		{"retention as a duration", base + "journal:\n  retention_days: 30d\n", 23, "journal.retention_days", `must be a whole number (got "30d")`},
		{"journal too small", base + "journal:\n  max_size_mb: 8\n", 23, "journal.max_size_mb", "must be at least 16 MB (got 8)"},
		{"flush too often", base + "journal:\n  flush_interval: 1s\n", 23, "journal.flush_interval", "must be from 10s to 10m (got 1s): shorter wears out the SD card"},
		{"flush too rarely", base + "journal:\n  flush_interval: 1h\n", 23, "journal.flush_interval", "(got 1h0m0s)"},
		{"unknown journal key", base + "journal:\n  retentionDays: 30\n", 23, "journal.retentionDays", `did you mean "retention_days"?`},
		{"sdp810 in a staff zone", edit(14, "    zone: staff\n  - {name: staff-dp, type: sdp810, bus: \"1\", zone: staff}"), 15, "sensors[2].zone",
			`zone "staff" is a staff zone, but an sdp810 measures a booth's pressure against its neighbour: put it in a booth`},
		// The staff zone's only sensor is then the SDP: no echo about the
		// staff zone having no sensor.
		{"sdp31 as the staff zone's only sensor", edit(12, "    type: sdp31"), 14, "sensors[1].zone", "an sdp31 measures a booth's pressure"},
		{"sdp810 is no PM sensor", edit(8, "    type: sdp810"), 4, "zones[0]", `booth "booth" has no PM sensor (sps30, sen54 or sen55) in it, and its fan control needs one (its pressure sensor measures no PM)`},
		{"staff zone with only an sdp", edit(12, "    type: sdp31", 14, "    zone: booth"), 5, "zones[1]", `staff zone "staff" has no sensor`},
		{"type list names the sdps", edit(8, "    type: sdp800"), 8, "sensors[0].type", `must be one of sps30, sen55, sen54, scd41, scd40, sgp41, sgp40, sdp810, sdp31 (got "sdp800"); did you mean "sdp810"?`},
		{"two sdp810 on one bus", edit(10, "    zone: booth\n  - {name: dp1, type: sdp810, bus: \"1\", zone: booth}\n  - {name: dp2, type: sdp810, bus: \"1\", zone: booth}"), 12, "sensors[2].address", "address 0x25 on bus 1 is already used by sensors[1] (line 11)"},
		{"pm_calibration on an sdp", edit(10, "    zone: booth\n  - {name: dp, type: sdp31, bus: \"1\", zone: booth, pm_calibration: 1}"), 11, "sensors[1].pm_calibration", "only applies to PM sensors (sps30, sen54, sen55; this one is sdp31)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantOneError(t, tc.data, tc.line, tc.path, tc.msg)
		})
	}
}

func TestSectionMistakesAtOnce(t *testing.T) {
	errs := parseErrors(t, base+`shifts:
  time_zone: Mars/Olympus_Mons
  starts: ["07:00", "19:00"]
alarms:
  on_delay: 30s
  hysteresis_percent: 75
journal: {retention_days: 0, max_size_mb: 64}
`)
	want := []struct {
		line int
		path string
	}{{23, "shifts.time_zone"}, {27, "alarms.hysteresis_percent"}, {28, "journal.retention_days"}}
	if len(errs) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%v", len(errs), len(want), errs)
	}
	for i, w := range want {
		if errs[i].Line != w.line || errs[i].Path != w.path {
			t.Errorf("error %d: got %d %s, want %d %s", i, errs[i].Line, errs[i].Path, w.line, w.path)
		}
	}
}

func TestHash(t *testing.T) {
	hash := func(data string) string {
		t.Helper()
		c, err := Parse([]byte(data), "test.yaml")
		if err != nil {
			t.Fatal(err)
		}
		return c.Hash()
	}
	h := hash(base)
	if len(h) != 64 || strings.Trim(h, "0123456789abcdef") != "" {
		t.Fatalf("Hash() = %q, want 64 hex digits", h)
	}
	if hash(base) != h {
		t.Error("the same file hashes differently")
	}
	// Comments, layout and defaults written out mean the same configuration.
	same := strings.Replace(base, "    type: sps30\n", "    type: sps30   # the booth's PM\n", 1) +
		"journal: {retention_days: 400}\nalarms:\n  on_delay: 30s\n  booth_pressure_pa: -5.0\n"
	if hash(same) != h {
		t.Error("comments or defaults written out change the hash")
	}
	for _, changed := range []string{
		base + "journal: {retention_days: 401}\n",
		base + "shifts: {starts: [\"07:00\", \"15:00\", \"23:01\"]}\n",
		strings.Replace(base, "volume_m3: 4}", "volume_m3: 4.5}", 1),
	} {
		if hash(changed) == h {
			t.Errorf("a change of meaning keeps the hash:\n%s", changed)
		}
	}
	ex, err := Load("example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if a, b := Sim().Hash(), Sim().Hash(); ex.Hash() == a || a != b {
		t.Error("example and sim hash alike, or Sim's hash is unstable")
	}
}

// The schedule as the journal keeps it: lengths as the file writes them
// (a first cut trimmed "10m0s" to "1").
func TestShiftsString(t *testing.T) {
	for _, c := range []struct {
		length time.Duration
		want   string
	}{{8 * time.Hour, "[07:00] for 8h in UTC"}, {8*time.Hour + 10*time.Minute, "[07:00] for 8h10m in UTC"}, {10 * time.Minute, "[07:00] for 10m in UTC"}} {
		s := Shifts{TimeZone: "UTC", Starts: []TimeOfDay{TimeOfDay(7 * time.Hour)}, Length: c.length}
		if got := s.String(); got != c.want {
			t.Errorf("%v: %q, want %q", c.length, got, c.want)
		}
	}
}
