package config

import (
	"strings"
	"testing"
)

// quiet is base with a PM sensor in the staff area (on bus 3, away from
// the booth's SPS30), so it parses with no warning at all; its line
// numbers are base's.
var quiet = qedit()

// qedit is edit on quiet.
func qedit(edits ...any) string {
	return edit(append([]any{12, "    type: sps30", 13, `    bus: "3"`}, edits...)...)
}

// wantOneWarning checks that data parses with exactly one warning, at
// line and path, with a message containing msg.
func wantOneWarning(t *testing.T, data string, line int, path, msg string) {
	t.Helper()
	c, err := Parse([]byte(data), "test.yaml")
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	ws := c.Warnings()
	if len(ws) != 1 {
		t.Fatalf("got %d warnings, want 1:\n%v", len(ws), ws)
	}
	if w := ws[0]; w.Line != line || w.Path != path || !strings.Contains(w.Msg, msg) {
		t.Errorf("got  %d %q %q\nwant %d %q containing %q", w.Line, w.Path, w.Msg, line, path, msg)
	}
}

func TestQuietBaseHasNoWarning(t *testing.T) {
	c, err := Parse([]byte(quiet), "test.yaml")
	if err != nil || len(c.Warnings()) != 0 {
		t.Fatalf("quiet: %v, warnings %v", err, c.Warnings())
	}
}

// Values a site may mean but that are likely a slip are accepted with a
// warning that says what was understood and what to write.
func TestSlipsWarned(t *testing.T) {
	for _, tc := range []lineCase{
		// The SPS30 is specified to 1000 µg/m³; 1255 is 125.5 with its
		// decimal point slipped.
		{"pm2.5 alarm above the sps30's range", quiet + "thresholds:\n  pm25_ugm3: {warning: 350, alarm: 1255}\n", 23, "thresholds.pm25_ugm3.alarm",
			"1255 µg/m³ is above the 1000 µg/m³ an SPS30 or SEN5x is specified to: it reports more in dense smoke, but outside its specification, so this alarm may rarely sound; if a decimal point slipped, write 125.5"},
		{"pm2.5 warning above the sps30's range", quiet + "thresholds:\n  pm25_ugm3:\n    warning: 1500\n    alarm: 3000\n", 24, "thresholds.pm25_ugm3.warning",
			"1500 µg/m³ is above the 1000 µg/m³"},
		{"a bus name the checks cannot read", edit(12, "    type: sps30", 13, "    bus: arm"), 13, "sensors[1].bus",
			`bus "arm" is no I2C bus number: the checks for two devices at one address, for pins on the bus's lines and for the boot config's line cannot check it, and ventd opens it only if a driver knows that name; for the Pi's bus N write N (or /dev/i2c-N)`},
		{"pwm in kHz", qedit(19, "    sysfs_pwm: {chip: 0, channel: 0, frequency_hz: 25}"), 19, "fans[0].sysfs_pwm.frequency_hz",
			"25 Hz is below 1 kHz, is it kHz written as Hz? 4-wire fans expect 21–28 kHz: 25000? (leave frequency_hz out for 25 kHz); a PWM-to-0–10 V converter for an EC fan takes the frequency on its label (most 1–10 kHz)"},
		{"pca9685 in kHz", qedit(18, "    backend: pca9685", 19, `    pca9685: {bus: "1", channel: 0, frequency_hz: 25}`), 19, "fans[0].pca9685.frequency_hz",
			"25 Hz is below 1 kHz, is it kHz written as Hz? a PCA9685 gives 24–1526 Hz, and fans and PWM-to-0–10 V converters on one run at its default, 1000: leave frequency_hz out"},
		{"a pwm channel pwm-2chan does not have", qedit(19, "    sysfs_pwm: {chip: 0, channel: 2}"), 19, "fans[0].sysfs_pwm.channel",
			"pwmchip0 has channels 0 and 1 (GPIO18 and GPIO19) with the pwm-2chan overlay as firmware/boot/config.txt turns it on: channel 2 does not exist there and the fan would not open at start; write 0 or 1"},
		{"max_duty caps smoke", qedit(21, "    rated_power_w: 45\n    max_duty: 40"), 22, "fans[0].max_duty",
			"40 % caps this fan in smoke too: a session, a purge and a booth in alarm only reach 40 % (a sensor fault runs it at safe_duty 100 % (the default), above max_duty); for full extraction in smoke write max_duty: 100 (the default)"},
		{"max_duty with safe_duty below it", qedit(21, "    rated_power_w: 45\n    max_duty: 80\n    safe_duty: 60"), 22, "fans[0].max_duty",
			"only reach 80 % (a sensor fault runs it at safe_duty 60 %);"},
		{"pm limit just above mg/m³", quiet + "exposure:\n  limits:\n    pm25_ugm3: {twa: 3}\n", 24, "exposure.limits.pm25_ugm3.twa",
			"3 µg/m³ is below clean outdoor air on most days, so the staff would be over it every shift: limits are in µg/m³, not mg/m³ (3 mg/m³ is 3000 µg/m³)"},
		{"pm10 limit above the sps30's range", quiet + "exposure:\n  limits:\n    pm10_ugm3: {twa: 3000}\n", 24, "exposure.limits.pm10_ugm3.twa",
			"3000 µg/m³ is above the 1000 µg/m³ an SPS30 or SEN5x is specified to: the staff's air is judged against it on readings outside the sensor's specification"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			wantOneWarning(t, tc.data, tc.line, tc.path, tc.msg)
		})
	}
}

// The limits sites use (DESIGN.md: ACGIH and OSHA CO2 5000 ppm TWA and
// 30000 ppm STEL; WHO's PM2.5 guidelines, 5 µg/m³ a year and 15 a day;
// ACGIH's 10 mg/m³ inhalable particles) load without a word.
func TestRealLimitsAccepted(t *testing.T) {
	for _, limits := range []string{
		"co2_ppm: {twa: 5000, stel: 30000}",
		"co2_ppm: {twa: 1000, stel: 0}",
		"co2_ppm: {twa: 0, stel: 0}",
		"pm25_ugm3: {twa: 15, stel: 35}",
		"pm25_ugm3: {twa: 5}",
		"pm10_ugm3: {twa: 45, stel: 1000}",
	} {
		c, err := Parse([]byte(quiet+"exposure:\n  limits:\n    "+limits+"\n"), "test.yaml")
		if err != nil || len(c.Warnings()) != 0 {
			t.Errorf("%s: %v, warnings %v", limits, err, c.Warnings())
		}
	}
}

// The frequencies the hardware is driven at, the channels the shipped
// overlay makes and a relay's max_duty load without a word.
func TestOutputsAsShippedNotWarned(t *testing.T) {
	for _, data := range []string{
		qedit(19, "    sysfs_pwm: {chip: 0, channel: 1, frequency_hz: 25000}"),
		qedit(19, "    sysfs_pwm: {chip: 0, channel: 0, frequency_hz: 1000}"),
		qedit(19, "    sysfs_pwm: {chip: 2, channel: 3}"),
		qedit(18, "    backend: pca9685", 19, `    pca9685: {bus: "1", channel: 15, frequency_hz: 1000}`),
		// A relay is full from 50 %: its max_duty caps nothing.
		qedit(18, "    backend: relay", 19, "    relay: {pin: GPIO17}", 21, "    rated_power_w: 45\n    max_duty: 60"),
	} {
		c, err := Parse([]byte(data), "test.yaml")
		if err != nil || len(c.Warnings()) != 0 {
			t.Errorf("%s: %v, warnings %v", data, err, c.Warnings())
		}
	}
}
