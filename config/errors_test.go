package config

import (
	"errors"
	"strings"
	"testing"
)

// base is a minimal valid file; the cases below edit it line by line, so
// its line numbers matter.
const base = `site: Test
room: Room
zones:
  - {name: booth, kind: booth, volume_m3: 4}
  - {name: staff, kind: staff, volume_m3: 60}
sensors:
  - name: booth-pm
    type: sps30
    bus: "1"
    zone: booth
  - name: staff-co2
    type: scd41
    bus: "1"
    zone: staff
fans:
  - name: exhaust
    zones: [booth]
    backend: sysfs_pwm
    sysfs_pwm: {chip: 0, channel: 0}
    max_flow_m3h: 300
    rated_power_w: 45
`

// edit replaces lines of base, given as line number (1-based, in base's
// numbering) and text pairs; text "" deletes the line, and text with
// newlines stands for several lines.
func edit(edits ...any) string {
	repl := map[int]string{}
	for i := 0; i < len(edits); i += 2 {
		repl[edits[i].(int)] = edits[i+1].(string)
	}
	var out []string
	for i, l := range strings.Split(base, "\n") {
		switch r, ok := repl[i+1]; {
		case !ok:
			out = append(out, l)
		case r != "":
			out = append(out, r)
		}
	}
	return strings.Join(out, "\n")
}

// wantOneError checks that data has exactly one mistake, at line and
// path, with a message containing msg.
func wantOneError(t *testing.T, data string, line int, path, msg string) {
	t.Helper()
	errs := parseErrors(t, data)
	if len(errs) != 1 {
		t.Fatalf("got %d errors, want 1:\n%v", len(errs), errs)
	}
	e := errs[0]
	if e.Line != line || e.Path != path || !strings.Contains(e.Msg, msg) {
		t.Errorf("got  %d %q %q\nwant %d %q containing %q", e.Line, e.Path, e.Msg, line, path, msg)
	}
}

func parseErrors(t *testing.T, data string) Errors {
	t.Helper()
	c, err := Parse([]byte(data), "test.yaml")
	if err == nil {
		t.Fatalf("Parse succeeded, want errors; got %+v", c)
	}
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatalf("error is %T, want config.Errors: %v", err, err)
	}
	for _, e := range errs {
		if e.File != "test.yaml" {
			t.Errorf("File = %q, want test.yaml", e.File)
		}
	}
	return errs
}

func TestBaseParses(t *testing.T) {
	if _, err := Parse([]byte(base), "test.yaml"); err != nil {
		t.Fatal(err)
	}
}

// lineCase is a config file and what its check says: the line and key at
// fault and the message (or part of it).
type lineCase struct {
	name string
	data string
	line int
	path string
	msg  string
}

// Each mistake gives exactly one error (no echoes), with its line and path.
func TestMistakes(t *testing.T) {
	for _, tc := range []lineCase{
		{"unknown top-level key", base + "sitee: x\n", 22, "sitee", `unknown key; did you mean "site"?`},
		{"unknown key camelCase", edit(19, "    sysfs_pwm: {chip: 0, channel: 0, frequencyHz: 25000}"), 19, "fans[0].sysfs_pwm.frequencyHz", `did you mean "frequency_hz"?`},
		{"unknown key far from any", edit(10, "    zone: booth\n    colour: red"), 11, "sensors[0].colour", "expected one of: name, type, bus, address, mux, zone,"},
		{"text for a number", edit(4, "  - {name: booth, kind: booth, volume_m3: big}"), 4, "zones[0].volume_m3", `must be a number (got "big")`},
		{"quoted integer", edit(19, `    sysfs_pwm: {chip: "0", channel: 0}`), 19, "fans[0].sysfs_pwm.chip", `must be a whole number (got "0")`},
		{"scalar for a list", edit(17, "    zones: booth"), 17, "fans[0].zones", `must be a list`},
		{"scalar for a mapping", edit(19, "    sysfs_pwm: 0"), 19, "fans[0].sysfs_pwm", "must be a mapping"},
		{"duration without unit", edit(10, "    zone: booth\n    stale_after: 10"), 11, "sensors[0].stale_after", "must be a duration with a unit, like 10s or 2m (got 10)"},
		{"bad duration", edit(10, "    zone: booth\n    stale_after: 3 s"), 11, "sensors[0].stale_after", `(got "3 s")`},
		{"yes is not a bool", edit(19, "    sysfs_pwm: {chip: 0, channel: 0, invert: yes}"), 19, "fans[0].sysfs_pwm.invert", `must be true or false (got "yes")`},
		{"null value", edit(1, "site:"), 1, "site", "has no value"},
		{"negative chip", edit(19, "    sysfs_pwm: {chip: -1, channel: 0}"), 19, "fans[0].sysfs_pwm.chip", "must be 0 or more (got -1)"},
		{"reserved address", edit(9, "    bus: \"1\"\n    address: 0x78"), 10, "sensors[0].address", "must be an I2C address from 0x08 to 0x77 (got 0x78)"},
		{"address beyond 7 bits", edit(9, "    bus: \"1\"\n    address: 300"), 10, "sensors[0].address", "an I2C address, like 0x69 or 105 (0x08 to 0x77) (got 300)"},
		{"leading zero read as octal", edit(4, "  - {name: booth, kind: booth, volume_m3: 010}"), 4, "zones[0].volume_m3", "leading zero (010), which YAML reads as an octal number (8); write it without the zero (10)"},
		{"leading zero in a whole number", edit(19, "    sysfs_pwm: {chip: 0, channel: 01}"), 19, "fans[0].sysfs_pwm.channel", "octal number (1)"},
		{"mux channel", edit(9, "    bus: \"1\"\n    mux: {channel: 8}"), 10, "sensors[0].mux.channel", "0 to 7 (got 8)"},
		{"mux address", edit(9, "    bus: \"1\"\n    mux: {address: 0x69, channel: 1}"), 10, "sensors[0].mux.address", "0x70 to 0x77 (got 0x69)"},
		// The kernel's sysfs name for bus 1 is i2c-1, which periph cannot
		// open; it also skipped every check that goes by the bus number.
		{"bus as the kernel names it", edit(9, `    bus: "i2c-1"`), 9, "sensors[0].bus", `no I2C bus is named "i2c-1": ventd opens bus 1 as 1, /dev/i2c-1 or I2C1; write 1 (or /dev/i2c-1)`},
		{"bus in lower case", edit(13, "    bus: i2c3"), 13, "sensors[1].bus", `no I2C bus is named "i2c3": ventd opens bus 3 as 3, /dev/i2c-3 or I2C3; write 3 (or /dev/i2c-3)`},
		{"bus device without its dash", edit(9, "    bus: /dev/i2c1"), 9, "sensors[0].bus", "write 1 (or /dev/i2c-1)"},
		{"pca9685 bus as the kernel names it", edit(18, "    backend: pca9685", 19, `    pca9685: {bus: "i2c-1", channel: 0}`), 19, "fans[0].pca9685.bus", `no I2C bus is named "i2c-1"`},
		// A number typed with its unit is text to YAML: the message says
		// what to write.
		{"duty with a percent sign", edit(21, "    rated_power_w: 45\n    min_duty: 25%"), 22, "fans[0].min_duty", `must be a number (got "25%"); write 25, without the %`},
		{"calibration as a percentage", edit(10, "    zone: booth\n    pm_calibration: 50%"), 11, "sensors[0].pm_calibration", `must be a number (got "50%"); pm_calibration is a factor, not a percentage: for 50 % write 0.5`},
		{"volume with its unit", edit(5, "  - {name: staff, kind: staff, volume_m3: 60 m3}"), 5, "zones[1].volume_m3", `must be a number (got "60 m3"); write 60, without the unit: volume_m3 is in m³`},
		{"volume in litres", edit(4, "  - {name: booth, kind: booth, volume_m3: 4000 L}"), 4, "zones[0].volume_m3", `volume_m3 is in m³: 4000 L is 4 m³, so write 4`},
		{"flow in CFM", edit(20, "    max_flow_m3h: 180 CFM"), 20, "fans[0].max_flow_m3h", `max_flow_m3h is in m³/h: 180 CFM is 305.82 m³/h, so write 305.82`},
		{"level with its unit", base + "thresholds:\n  co2_ppm:\n    alarm: 5000 ppm\n", 24, "thresholds.co2_ppm.alarm", `write 5000, without the unit: alarm is in ppm`},
		{"decimal comma", edit(21, "    rated_power_w: 45,5"), 21, "fans[0].rated_power_w", `must be a number (got "45,5"); write 45.5, with a decimal point`},
		{"whole number with its unit", base + "journal:\n  retention_days: 400 days\n", 23, "journal.retention_days", `must be a whole number (got "400 days"); write 400, without the unit: retention_days is in days`},
		{"duration in words", edit(10, "    zone: booth\n    stale_after: 5 min"), 11, "sensors[0].stale_after", `must be a duration with a unit, like 10s or 2m (got "5 min"); write 5m`},
		{"duration in long words", base + "alarms:\n  off_delay: 1 hour 30 mins\n", 23, "alarms.off_delay", `(got "1 hour 30 mins"); write 1h30m`},
		{"duration in days", base + "alarms:\n  sensor_stuck_after: 1 day\n", 23, "alarms.sensor_stuck_after", `(got "1 day"); write 24h`},
		{"unknown sensor type", edit(8, "    type: sps3O"), 8, "sensors[0].type", `(got "sps3O"); did you mean "sps30"?`},
		{"unknown zone kind", edit(5, "  - {name: staff, kind: stuff, volume_m3: 60}"), 5, "zones[1].kind", `(got "stuff")`},
		{"zone kind in capitals, said once", edit(4, "  - {name: booth, kind: Booth, volume_m3: 4}"), 4, "zones[0].kind", `(got "Booth"); did you mean "booth"?`},
		{"bad name", edit(7, "  - name: booth pm"), 7, "sensors[0].name", `(got "booth pm")`},
		{"zero volume", edit(4, "  - {name: booth, kind: booth, volume_m3: 0}"), 4, "zones[0].volume_m3", "must be more than 0 m³ (got 0)"},
		{"unknown zone", edit(14, "    zone: staf"), 14, "sensors[1].zone", `no zone named "staf"; did you mean "staff"?`},
		{"missing required key", edit(20, ""), 16, "fans[0].max_flow_m3h", "required key is missing: add max_flow_m3h: followed by a number"},
		{"missing top-level key", edit(2, ""), 0, "room", "required key is missing"},
		{"duplicate name", edit(11, "  - name: booth-pm"), 11, "sensors[1].name", `"booth-pm" is already the name of sensors[0] (line 7)`},
		{"duplicate key", edit(21, "    rated_power_w: 45\n    max_flow_m3h: 200"), 22, "fans[0].max_flow_m3h", "duplicate key (first at line 20)"},
		{"block for another backend", edit(21, "    rated_power_w: 45\n    relay: {pin: GPIO17}"), 22, "fans[0].relay", "backend is sysfs_pwm, so this relay block is not used"},
		{"backend without its block", edit(19, ""), 18, "fans[0].backend", "backend sysfs_pwm needs a sysfs_pwm: block"},
		{"unknown backend", edit(18, "    backend: pwm"), 18, "fans[0].backend", `must be one of sysfs_pwm, gpio_pwm, pca9685, relay, sim (got "pwm")`},
		{"pca9685 frequency", edit(18, "    backend: pca9685", 19, "    pca9685: {bus: \"1\", channel: 3, frequency_hz: 25000}"), 19, "fans[0].pca9685.frequency_hz", "from 24 to 1526 Hz (got 25000)"},
		{"pm_calibration on scd41", edit(14, "    zone: staff\n    pm_calibration: 0.5"), 15, "sensors[1].pm_calibration", "only applies to PM sensors (sps30, sen54, sen55; this one is scd41)"},
		{"pm_calibration zero", edit(10, "    zone: booth\n    pm_calibration: 0"), 11, "sensors[0].pm_calibration", "must be more than 0 (got 0)"},
		{"co2 offset on sps30", edit(10, "    zone: booth\n    co2_offset_ppm: 20"), 11, "sensors[0].co2_offset_ppm", "only applies to scd40 and scd41"},
		{"purge button on a staff zone", edit(2, "room: Room\npurge_button: {pin: GPIO5, zone: staff}"), 3, "purge_button.zone", "must name a booth"},
		{"purge button on the tach's pin", edit(21, "    rated_power_w: 45\n    tach: {pin: GPIO5}", 2, "room: Room\npurge_button: {pin: GPIO5}"), 3, "purge_button.pin", "pin GPIO5 is already used by fans[0].tach.pin"},
		{"alarm output level", edit(2, "room: Room\nalarm_output: {pin: GPIO16, level: loud}"), 3, "alarm_output.level", "must be warning, alarm or fault"},
		{"asc on sps30", edit(10, "    zone: booth\n    asc: true"), 11, "sensors[0].asc", "only applies to scd40 and scd41"},
		{"altitude too high", edit(14, "    zone: staff\n    altitude_m: 4000"), 15, "sensors[1].altitude_m", "0-3000 m"},
		{"stale_after below period", edit(14, "    zone: staff\n    stale_after: 2s"), 15, "sensors[1].stale_after", "at least the scd41's measurement period 5s, or every reading is stale (got 2s)"},
		{"min above max duty", edit(21, "    rated_power_w: 45\n    min_duty: 60\n    max_duty: 50"), 22, "fans[0].min_duty", "must not exceed max_duty 50 (got 60)"},
		{"safe below min duty", edit(21, "    rated_power_w: 45\n    min_duty: 30\n    safe_duty: 20"), 23, "fans[0].safe_duty", "must be at least min_duty 30 (got 20)"},
		{"duty over 100", edit(21, "    rated_power_w: 45\n    max_duty: 110"), 22, "fans[0].max_duty", "0 to 100 (got 110)"},
		{"fan for a staff zone", edit(17, "    zones: [booth, staff]"), 17, "fans[0].zones[1]", `zone "staff" is a staff zone; fans exhaust booths`},
		{"same address twice", edit(12, "    type: sps30"), 11, "sensors[1].address", "address 0x69 on bus 1 is already used by sensors[0] (line 7)"},
		{"same bus by two names", edit(12, "    type: sps30", 13, "    bus: /dev/i2c-1"), 11, "sensors[1].address", "already used by sensors[0]"},
		{"same bus with a leading zero", edit(12, "    type: sps30", 13, "    bus: \"01\""), 11, "sensors[1].address", "already used by sensors[0]"},
		{"behind a mux, clashing with the bus", edit(13, "    bus: \"1\"\n    mux: {channel: 2}\n    address: 0x69"), 15, "sensors[1].address", "answers on every mux channel"},
		{"pin used twice", edit(19, "    sysfs_pwm: {chip: 0, channel: 0}\n    tach: {pin: GPIO6}") + "  - {name: fan2, zones: [booth], backend: relay, relay: {pin: \"6\"}, max_flow_m3h: 1, rated_power_w: 1}\n", 23, "fans[1].relay.pin", "pin 6 is already used by fans[0].tach.pin (line 20)"},
		{"warning above default alarm", base + "thresholds:\n  pm25_ugm3: {warning: 200}\n", 23, "thresholds.pm25_ugm3.warning", "below the alarm level 125.5 (the default) (got 200)"},
		{"entry level at the alarm", base + "thresholds:\n  entry_pm25_ugm3: 1e300\n", 23, "thresholds.entry_pm25_ugm3", "must be below the PM2.5 alarm level 125.5 µg/m³ (the default) (got 1e+300)"},
		{"retired target", base + "control: {target_pm25_ugm3: 25}\n", 22, "control.target_pm25_ugm3", "is no longer used: ventd steers each booth's excess over its clean air"},
		{"max_sample_age below period", base + "control: {period: 2s, max_sample_age: 1s}\n", 22, "control.max_sample_age", "must be from control.period 2s to 1m (got 1s)"},
		{"blind duty over 100", base + "control: {staff_blind_duty_percent: 120}\n", 22, "control.staff_blind_duty_percent", "a percentage from 0 to 100 (got 120)"},
		{"negative run_on", base + "control:\n  run_on: -1m\n", 23, "control.run_on", "must not be negative (got -1m0s)"},
		{"rise window 0", base + "control: {rise_window: 0s}\n", 22, "control.rise_window", "must be from 1s to 1m, like 5s (got 0s)"},
		{"session excess 0", base + "control: {session_excess_ugm3: 0}\n", 22, "control.session_excess_ugm3", "must be more than 0 (got 0); it is how far above clean air"},
		{"session excess that sees no session", base + "control: {session_excess_ugm3: 1e12}\n", 22, "control.session_excess_ugm3", "must be at most 200 (got 1e+12): a session would go unseen"},
		{"rise rate that never fires", base + "control: {rise_rate_ugm3_per_s: 1e12}\n", 22, "control.rise_rate_ugm3_per_s", "must be at most 100 (got 1e+12)"},
		{"booth full excess past the sensor", base + "control: {booth_full_excess_ugm3: 5000}\n", 22, "control.booth_full_excess_ugm3", "an SPS30 reads to 1000"},
		{"staff full excess past the alarms", base + "control: {staff_full_excess_ugm3: 1e12}\n", 22, "control.staff_full_excess_ugm3", "must be at most 100"},
		{"staff margin percent", base + "control: {staff_margin_percent: 80}\n", 22, "control.staff_margin_percent", "must be from 0 to 50 (got 80)"},
		{"staff clear time", base + "control: {staff_clear_time: 10s}\n", 22, "control.staff_clear_time", "must be from 1m to 4h, like 15m (got 10s)"},
		{"clean air learn", base + "control: {clean_air_learn: 48h}\n", 22, "control.clean_air_learn", "must be from 1m to 24h, like 10m (got 48h)"},
		{"ramp down 0", base + "control: {ramp_down_percent_per_min: 0}\n", 22, "control.ramp_down_percent_per_min", "must be more than 0 and at most 100 (got 0)"},
		{"negative pressure gain", base + "control: {pressure_gain_percent_per_pa_min: -1}\n", 22, "control.pressure_gain_percent_per_pa_min", "must not be negative (got -1)"},
		{"run_on a day", base + "control: {run_on: 24h}\n", 22, "control.run_on", "must be at most 1h (got 24h): a booth with a working fan clears in minutes; for a longer hold use a purge"},
		{"listen without port", edit(2, "room: Room\nlisten: localhost"), 3, "listen", `must be host:port`},
		{"relative state_dir", edit(2, "room: Room\nstate_dir: state"), 3, "state_dir", "must be an absolute path"},
		{"booth without a PM sensor", edit(8, "    type: sgp41"), 4, "zones[0]", `booth "booth" has no PM sensor (sps30, sen54 or sen55)`},
		{"staff zone without sensors", edit(14, "    zone: booth"), 5, "zones[1]", `staff zone "staff" has no sensor`},
		{"syntax error", edit(4, "  - {name: booth, kind: booth, volume_m3: 4"), 4, "", "YAML syntax"},
		// yaml reports the line of the value being scanned, one before the tab.
		{"tab indentation", edit(9, "\tbus: \"1\""), 8, "", "indent with spaces, not tabs"},
		// A tab opening a mapping's first key: yaml says only "found
		// character that cannot start any token".
		{"tab before a section's first key", base + "shifts:\n\ttime_zone: UTC\n", 23, "", "cannot start any token: a tab; indent with spaces, not tabs"},
		// yaml names the line where the block starts (1 and 16 here);
		// the error names the line at fault.
		{"top-level key indented by one space", "# ventd\n" + base + "# thresholds of the staff area\n thresholds:\n  pm25_ugm3: {warning: 35, alarm: 125.5}\n", 24, "", "did not find expected key (in the block that starts at line 2): check this line's indentation"},
		{"key indented too deep in a list item", edit(19, "    sysfs_pwm:\n      chip: 0\n      channel: 0", 20, "    max_flow_m3h: 300         # a comment", 21, "      rated_power_w: 45"), 23, "", "(in the block that starts at line 16)"},
		// A key with no space after its colon is one plain word to YAML,
		// which says so at that line or the next.
		{"no space after the colon", edit(9, `    bus:"1"`), 9, "", `YAML syntax: could not find expected ':'; a space must follow the colon after a key: write bus: "1"`},
		{"no space after the colon, found a line on", edit(1, "site:Test"), 1, "", "YAML syntax: mapping values are not allowed in this context; a space must follow the colon after a key: write site: Test"},
		{"no space after the colon in a flow mapping", edit(4, "  - {name: booth, kind:booth, volume_m3: 4}"), 4, "zones[0].kind", "a space must follow the colon after a key: write kind: booth"},
		{"no space after the colon of a section's only key", base + "journal:\n  retention_days:400\n", 22, "journal", `must be a mapping: keys indented on the lines under journal: (got "retention_days:400"); a space must follow the colon after a key: write retention_days: 400`},
		{"key indented under a value", edit(9, `      bus: "1"`), 9, "", "YAML syntax: mapping values are not allowed in this context; this line is indented more than line 8 (type:), which already has a value: indent bus: as far as type: (4 spaces)"},
		{"key indented past a list item's first key", edit(12, "     type: scd41"), 12, "", "this line is indented more than line 11 (name:), which already has a value: indent type: as far as name: (4 spaces)"},
		{"value holding a colon", edit(2, "room: Room: 1"), 2, "", `the value of room holds ": ": quote it, like room: "Room: 1"`},
		{"file not a mapping", "- a\n- b\n", 1, "", "the file must be a mapping of keys"},
		{"empty file", "# nothing yet\n", 0, "", "the file is empty; a commented one to start from is /usr/share/ventd/example.yaml, or config/example.yaml in a source checkout"},
		{"two documents", base + "---\nsite: Other\n", 22, "", "a second YAML document"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantOneError(t, tc.data, tc.line, tc.path, tc.msg)
		})
	}
}

func TestErrorFormat(t *testing.T) {
	errs := parseErrors(t, edit(19, "    sysfs_pwm: {chip: -1, channel: 0}"))
	want := "test.yaml:19: fans[0].sysfs_pwm.chip: must be 0 or more (got -1)"
	if got := errs.Error(); !strings.HasPrefix(got, want) {
		t.Errorf("Error() = %q, want it to start %q", got, want)
	}
	// The individual error is reachable through errors.As too.
	var e *Error
	if !errors.As(error(errs), &e) || e.Line != 19 {
		t.Errorf("errors.As(*Error) = %v", e)
	}
	if got := (&Error{File: "f.yaml", Msg: "m"}).Error(); got != "f.yaml: m" {
		t.Errorf("no line, no path: %q", got)
	}
}

func TestAllMistakesAtOnce(t *testing.T) {
	lines := strings.Split(base, "\n")
	lines[3] = "  - {name: booth, kind: booth, volume_m3: -4}" // line 4: invalid value
	lines[9] = "    zone: booth\n    stale_afterr: 3s"         // line 11: unknown key
	lines[18] = "    sysfs_pwm: {chip: 0, channel: zero}"      // line 20: wrong type
	data := strings.Join(lines, "\n")
	errs := parseErrors(t, data)
	want := []struct {
		line int
		path string
	}{{4, "zones[0].volume_m3"}, {11, "sensors[0].stale_afterr"}, {20, "fans[0].sysfs_pwm.channel"}}
	if len(errs) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%v", len(errs), len(want), errs)
	}
	for i, w := range want {
		if errs[i].Line != w.line || errs[i].Path != w.path {
			t.Errorf("error %d: got %d %s, want %d %s", i, errs[i].Line, errs[i].Path, w.line, w.path)
		}
	}
	if n := strings.Count(errs.Error(), "\n"); n != 2 {
		t.Errorf("Error() has %d newlines, want one line per error:\n%s", n, errs.Error())
	}
}

// A missing zone of one kind and what follows from it.
func TestNoStaffZone(t *testing.T) {
	errs := parseErrors(t, edit(5, ""))
	var found bool
	for _, e := range errs {
		found = found || (e.Path == "zones" && strings.Contains(e.Msg, "one of kind staff"))
	}
	if !found {
		t.Errorf("no error about the missing staff zone:\n%v", errs)
	}
}

// A blind-staff duty written as a fraction is read as percent, and said so.
func TestStaffBlindDutyFractionWarns(t *testing.T) {
	c, err := Parse([]byte(staffPM(base)+"control: {staff_blind_duty_percent: 0.5}\n"), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	wantWarnings(t, c, "test.yaml:23: control.staff_blind_duty_percent: read as 0.5 % of full speed; duties are percent, 0 to 100: for 50 % write 50")
}

// An entry level above the warning level is accepted, with a warning:
// responders would be told a booth is safe in air the staff are warned of.
func TestEntryAboveTheWarningWarned(t *testing.T) {
	c, err := Parse([]byte(staffPM(base)+"thresholds:\n  entry_pm25_ugm3: 50\n"), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	ws := c.Warnings()
	if len(ws) != 1 || ws[0].Path != "thresholds.entry_pm25_ugm3" || !strings.Contains(ws[0].Msg, "above the PM2.5 warning level 35") {
		t.Errorf("warnings %v", ws)
	}
}

// A tach or a beacon on the GPIO that carries a fan's hardware PWM (as
// the shipped boot config routes it) would fight the fan's signal: a
// warning naming the fan.
func TestPinOnAFansPWMWarned(t *testing.T) {
	for _, add := range []string{
		"alarm_output: {pin: GPIO18}\n",
		"alarm_output: {pin: \"18\"}\n",
	} {
		c, err := Parse([]byte(staffPM(base)+add), "test.yaml")
		if err != nil {
			t.Fatal(err)
		}
		// The bare "18" has its own warning too (read as GPIO18, not
		// header pin 18), at alarm_output.pin.
		var pwm int
		for _, w := range c.Warnings() {
			if w.Path == "alarm_output" && strings.Contains(w.Msg, "pwmchip0 channel 0") && strings.Contains(w.Msg, "fans[0] (exhaust)") {
				pwm++
			}
		}
		if pwm != 1 {
			t.Errorf("%s: warnings %v", add, c.Warnings())
		}
	}
}

// address: "0x69", quoted because bus must be, was refused with "must be
// an I2C address, like 0x69 … (got "0x69")", which did not say the quotes
// were the matter. The datasheet's hex form means one address quoted or
// not, so it is read; other quoted text is refused, saying to write it
// without quotes.
func TestQuotedAddress(t *testing.T) {
	for _, a := range []string{`"0x69"`, `'0x69'`, `"0X69"`} {
		c, err := Parse([]byte(edit(9, "    bus: \"1\"\n    address: "+a)), "test.yaml")
		if err != nil {
			t.Errorf("address: %s: %v", a, err)
			continue
		}
		if c.Sensors[0].Address != 0x69 {
			t.Errorf("address: %s read as %s", a, c.Sensors[0].Address)
		}
	}
	c, err := Parse([]byte(edit(9, "    bus: \"1\"\n    mux: {address: \"0x70\", channel: 1}")), "test.yaml")
	if err != nil || c.Sensors[0].Mux.Address != 0x70 {
		t.Errorf("mux address \"0x70\": %v", err)
	}
	for _, a := range []string{`"69"`, `"105"`, `"0x"`, `"0x80"`, `"0x6g"`, `"sixty-nine"`} {
		wantOneError(t, edit(9, "    bus: \"1\"\n    address: "+a), 10, "sensors[0].address",
			"must be an I2C address, like 0x69 or 105 (0x08 to 0x77), written without quotes (got "+a+")")
	}
}
