package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A fan left off or nearly off on a sensor fault is refused, unless the
// file says so in a key that says what it does.
func TestFailOff(t *testing.T) {
	const safe = 21 // base's rated_power_w line, which the cases extend
	for _, tc := range []struct {
		name, lines string
		msg         string
	}{
		{"safe duty 0", "    safe_duty: 0", "0 % leaves this fan off whenever a sensor fails"},
		{"min and safe duty 0", "    min_duty: 0\n    safe_duty: 0", "0 % leaves this fan off"},
		{"safe duty 20", "    safe_duty: 20", "20 % leaves this fan nearly off (many fans stop below 20-30 %)"},
		{"safe duty as a fraction", "    safe_duty: 1", "1 % (duties are percent: 1 is 1 %, not 100 %) leaves this fan nearly off"},
		{"the way out is named", "    safe_duty: 0", "add allow_fan_off_on_sensor_fault: true to it"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := strings.Count(tc.lines, "\n")
			wantOneError(t, edit(safe, "    rated_power_w: 45\n"+tc.lines), safe+1+n, "fans[0].safe_duty", tc.msg)
		})
	}

	c, err := Parse([]byte(staffPM(edit(safe, "    rated_power_w: 45\n    safe_duty: 0\n    allow_fan_off_on_sensor_fault: true"))), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if f := c.Fans[0]; f.SafeDuty != 0 || !f.AllowFanOffOnSensorFault {
		t.Errorf("fan %+v", f)
	}
	wantWarnings(t, c, "test.yaml:24: fans[0].allow_fan_off_on_sensor_fault: this fan runs at safe_duty 0 % (off) when a sensor fails")

	// A relay is on from RelayOnDuty (50 %): below it, off. (The relay
	// driver switches at 50 %; this file once let safe_duty 5 through as
	// "on for any duty above 0", and a sensor fault left the fan off.)
	relay := edit(18, "    backend: relay", 19, "    relay: {pin: GPIO17}", safe, "    rated_power_w: 45\n    safe_duty: 50")
	if _, err := Parse([]byte(relay), "test.yaml"); err != nil {
		t.Errorf("relay at safe_duty 50: %v", err)
	}
	for _, v := range []string{"0", "5", "49"} {
		msg := "leaves this fan off (a relay is off below 50 %)"
		if v == "0" {
			msg = "leaves this fan off whenever"
		}
		wantOneError(t, strings.Replace(relay, "safe_duty: 50", "safe_duty: "+v, 1), 22, "fans[0].safe_duty", msg)
	}
	wantOneError(t, strings.Replace(relay, "safe_duty: 50", "safe_duty: 50\n    max_duty: 40\n    min_duty: 0", 1), 23, "fans[0].max_duty", "never switches this relay on")
	c, err = Parse([]byte(staffPM(strings.Replace(relay, "safe_duty: 50", "safe_duty: 100\n    min_duty: 60", 1))), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	wantWarnings(t, c, "test.yaml:24: fans[0].min_duty: 60 % keeps this relay on all the time")

	c, err = Parse([]byte(staffPM(edit(safe, "    rated_power_w: 45\n    allow_fan_off_on_sensor_fault: true"))), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	wantWarnings(t, c, "test.yaml:23: fans[0].allow_fan_off_on_sensor_fault: has no effect: safe_duty 100 % keeps the fan extracting")
}

// Duties written as fractions of 1 are accepted as percent, with a warning
// that says what was understood and what to write.
func TestFractionWarnings(t *testing.T) {
	c, err := Parse([]byte(staffPM(edit(21, "    rated_power_w: 45\n    min_duty: 0.25\n    max_duty: 0.8\n    safe_duty: 100"))+
		"alarms: {fan_stall_min_duty: 0.2, booth_airflow_percent: 0.6}\n"), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	wantWarnings(t, c,
		"test.yaml:23: fans[0].min_duty: read as 0.25 % of full speed; duties are percent, 0 to 100: for 25 % write 25",
		"test.yaml:24: fans[0].max_duty: read as 0.8 % of full speed; duties are percent, 0 to 100: for 80 % write 80",
		"test.yaml:26: alarms.fan_stall_min_duty: read as 0.2 % of full speed; duties are percent, 0 to 100: for 20 % write 20",
		"test.yaml:26: alarms.booth_airflow_percent: read as 0.6 % of the fans' rated air; it is a percentage: for 60 % write 60")
	if c.Fans[0].MaxDuty != 0.8 {
		t.Errorf("max_duty %g, want 0.8 as written", c.Fans[0].MaxDuty)
	}
	c, err = Parse([]byte(staffPM(base)), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	wantWarnings(t, c)
}

// staffPM adds a PM sensor to base's staff zone after line 14, so what a
// test checks is not joined by the warning of a staff area no PM sensor
// sees; lines after 14 move down one.
func staffPM(data string) string {
	lines := strings.SplitAfter(data, "\n")
	return strings.Join(lines[:14], "") + "  - {name: staff-pm, type: sps30, bus: \"5\", zone: staff}\n" + strings.Join(lines[14:], "")
}

// A staff area with no PM sensor is a valid room (its CO2 is recorded),
// but the fans then never slow below the blind duty and the staff's PM2.5
// exposure goes unrecorded: the technician is told so.
func TestStaffWithoutPMWarned(t *testing.T) {
	c, err := Parse([]byte(base+"control: {staff_blind_duty_percent: 40}\n"), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	wantWarnings(t, c, "test.yaml:6: sensors: no staff zone has a PM sensor (sps30, sen54 or sen55): no PM2.5 exposure is recorded for the staff, "+
		"and every fan runs at least control.staff_blind_duty_percent (40 %) all day, since nothing sees the smoke that reaches them; "+
		"add an SPS30 (or a SEN5x) in the staff area")
}

// Two staff areas, one with a PM sensor: the other's staff had no PM2.5
// record, and no warning said so.
func TestEachStaffZoneWithoutPMWarned(t *testing.T) {
	data := strings.Replace(staffPM(base), "sensors:\n", "  - {name: office, kind: staff, volume_m3: 30}\nsensors:\n  - {name: office-co2, type: scd41, bus: \"3\", zone: office}\n", 1)
	c, err := Parse([]byte(data), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	wantWarnings(t, c, `test.yaml:6: zones[2]: staff zone "office" has no PM sensor (sps30, sen54 or sen55): no PM2.5 exposure is recorded for the staff who work there`)
}

func wantWarnings(t *testing.T, c *Config, want ...string) {
	t.Helper()
	var got []string
	for _, w := range c.Warnings() {
		got = append(got, w.String())
	}
	if len(got) != len(want) {
		t.Fatalf("warnings:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Errorf("warning %d:\n got %s\nwant %s…", i, got[i], want[i])
		}
	}
}

// Every duration and size has an upper bound, with the reason.
func TestBounds(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		line       int
		path, msg  string
	}{
		{"period 1ns", base + "control: {period: 1ns}\n", 22, "control.period", "must be at least 100ms, like 1s (got 1ns)"},
		{"period 1m", base + "control: {period: 1m}\n", 22, "control.period", "must be at most 10s, like 1s (got 1m)"},
		{"run_on 1 day", base + "control: {run_on: 24h}\n", 22, "control.run_on", "must be at most 1h (got 24h)"},
		{"on_delay 100000h", base + "alarms: {on_delay: 100000h}\n", 22, "alarms.on_delay", "must be at most 15m (got 100000h): a longer delay would let a whole STEL window"},
		{"off_delay 2h", base + "alarms: {off_delay: 2h}\n", 22, "alarms.off_delay", "must be at most 1h (got 2h)"},
		{"stale fault 1h", base + "alarms: {sensor_stale_after: 1h}\n", 22, "alarms.sensor_stale_after", "must be at most 10m (got 1h)"},
		{"stuck 2 days", base + "alarms: {sensor_stuck_after: 48h}\n", 22, "alarms.sensor_stuck_after", "must be at most 24h (got 48h)"},
		{"stall 1h", base + "alarms: {fan_stall_after: 1h}\n", 22, "alarms.fan_stall_after", "must be at most 10m (got 1h)"},
		{"airflow 150 %", base + "alarms: {booth_airflow_percent: 150}\n", 22, "alarms.booth_airflow_percent", "must be a percentage from 0 (off) to 100 (got 150)"},
		{"sensor stale 1h", edit(10, "    zone: booth\n    stale_after: 1h"), 11, "sensors[0].stale_after", "must be at most 2m (got 1h): until then the fans run on the dead sensor's last reading"},
		{"relay switch 1h", edit(18, "    backend: relay", 19, "    relay: {pin: GPIO17, min_switch_time: 1h}"), 19, "fans[0].relay.min_switch_time", "must be at most 10m (got 1h)"},
		{"journal size overflow", base + "journal: {max_size_mb: 9000000000000}\n", 22, "journal.max_size_mb", "must be at most 1048576 MB, 1 TiB"},
		{"volume in litres", edit(4, "  - {name: booth, kind: booth, volume_m3: 4000000}"), 4, "zones[0].volume_m3", "must be at most 100000 m³ (got 4e+06): is it in cubic metres"},
		{"flow", edit(20, "    max_flow_m3h: 3e9"), 20, "fans[0].max_flow_m3h", "must be at most 1000000 m³/h"},
		{"power in mW", edit(21, "    rated_power_w: 45000000"), 21, "fans[0].rated_power_w", "must be at most 100000 W"},
		{"pulses", edit(21, "    rated_power_w: 45\n    tach: {pin: GPIO6, pulses_per_rev: 1000}"), 22, "fans[0].tach.pulses_per_rev", "must be from 1 to 24 (got 1000)"},
	} {
		t.Run(tc.name, func(t *testing.T) { wantOneError(t, tc.data, tc.line, tc.path, tc.msg) })
	}
}

func TestAllowedHosts(t *testing.T) {
	c, err := Parse([]byte(base+"http:\n  allowed_hosts: [ventd-room1.example.org, Ventd.local.]\n"), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(c.HTTP.AllowedHosts, " "); got != "ventd-room1.example.org Ventd.local." {
		t.Errorf("allowed_hosts %s", got)
	}
	for _, tc := range []struct{ host, msg string }{
		{"http://ventd.example.org", "without the scheme"},
		{"ventd.example.org:8080", "without the port"},
		{"192.168.1.20", "IP addresses are always allowed: remove it"},
		{"[::1]", "IP addresses are always allowed"},
		{"*.example.org", "must be a host name"},
		{"bad_name", "must be a host name"},
	} {
		t.Run(tc.host, func(t *testing.T) {
			wantOneError(t, base+fmt.Sprintf("http:\n  allowed_hosts: [%q]\n", tc.host), 23, "http.allowed_hosts[0]", tc.msg)
		})
	}
}

// A file over MaxFileSize is refused by its size, unread.
func TestFileTooBig(t *testing.T) {
	path := filepath.Join(t.TempDir(), "huge.yaml")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	// Sparse: 55 MB of nothing that Load must not read.
	if err := f.Truncate(55 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = Load(path)
	var errs Errors
	if !asErrors(err, &errs) || len(errs) != 1 || errs[0].File != path ||
		!strings.Contains(errs[0].Msg, "the file is 55 MiB; a ventd configuration is a few KiB, and files over 256 KiB are refused unread") ||
		!strings.Contains(errs[0].Msg, "(such as /usr/share/ventd/example.yaml, or config/example.yaml in a source checkout)") {
		t.Errorf("55 MiB file: %v", err)
	}
	_, err = Parse(make([]byte, MaxFileSize+1), "big.yaml")
	if !asErrors(err, &errs) || !strings.Contains(errs[0].Msg, "files over 256 KiB") {
		t.Errorf("Parse of MaxFileSize+1 bytes: %v", err)
	}
}

// aliasBomb is the shape from issue 14: one fan whose zone list has n
// items, and n fans aliasing it (n² values from a file of a few n bytes).
func aliasBomb(n int) []byte {
	var b strings.Builder
	b.WriteString(edit(17, "    zones: &z ["+strings.TrimSuffix(strings.Repeat("b,", n), ",")+"]"))
	b.WriteString("  - &f {name: f, zones: *z, backend: sim, max_flow_m3h: 1, rated_power_w: 1}\n")
	for range n {
		b.WriteString("  - *f\n")
	}
	return []byte(b.String())
}

func TestAliasBomb(t *testing.T) {
	data := aliasBomb(3000)
	if len(data) > 40<<10 {
		t.Fatalf("the bomb is %d bytes; the issue's was 38 KiB", len(data))
	}
	errs := parseErrors(t, string(data))
	if len(errs) != 1 || errs[0].Line != 15 || errs[0].Path != "fans" ||
		!strings.Contains(errs[0].Msg, "holds more than 50000 values once its aliases (*name) and merges (<<:) are expanded") {
		t.Errorf("alias bomb: %v", errs)
	}

	// Nested aliases, each level ten times the last: a billion values.
	var b strings.Builder
	b.WriteString(base + "shifts:\n  starts: [\"07:00\"]\nx0: &a0 [a, a, a, a, a, a, a, a, a, a]\n")
	for i := 1; i < 9; i++ {
		fmt.Fprintf(&b, "x%d: &a%d [*a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d, *a%d]\n", i, i,
			i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1, i-1)
	}
	wantOneError(t, b.String(), 28, "x4", "holds more than 50000 values once its aliases")

	// An alias inside the value it names would expand forever.
	wantOneError(t, edit(17, "    zones: &z [booth, *z]"), 17, "fans[0].zones[1]", "an alias refers to the value that contains it")

	// The merge keys of a room with several booths are still fine.
	TestMergeKeys(t)
}

func asErrors(err error, errs *Errors) bool {
	e, ok := err.(Errors)
	*errs = e
	return ok
}

// BenchmarkAliasBomb measures the refusal of the 38 KiB alias
// bomb (before this check: 45 s and out of memory).
func BenchmarkAliasBomb(b *testing.B) {
	data := aliasBomb(3000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse(data, "bomb.yaml"); err == nil {
			b.Fatal("accepted")
		}
	}
}

// Check prints what check-config shows: OK, then the warnings.
func TestCheckPrintsWarnings(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ventd.yaml")
	if err := os.WriteFile(path, []byte(staffPM(edit(21, "    rated_power_w: 45\n    max_duty: 1"))), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr strings.Builder
	if !Check(path, "ventd", &stdout, &stderr) {
		t.Fatalf("Check failed: %s", stderr.String())
	}
	// One fan is "1 fan", not "1 fans".
	if !strings.Contains(stdout.String(), ": OK: site \"Test\", room \"Room\", 2 zones, 3 sensors, 1 fan\n") {
		t.Errorf("stdout %q", stdout.String())
	}
	want := path + ": 1 warning(s): accepted, but check that they mean what you meant:\n  " + path +
		":23: fans[0].max_duty: read as 1 % of full speed; duties are percent, 0 to 100: for 100 % write 100\n"
	if stderr.String() != want {
		t.Errorf("stderr:\n%s\nwant:\n%s", stderr.String(), want)
	}
	stdout.Reset()
	stderr.Reset()
	if Check(filepath.Join(t.TempDir(), "none.yaml"), "ventd", &stdout, &stderr) || !strings.HasPrefix(stderr.String(), "ventd: config: open ") {
		t.Errorf("missing file: %q", stderr.String())
	}
}

// A relay's min_switch_time left out is 30 s; written as 0 it is no hold,
// which the relay driver takes as a negative hold (its own zero is 30 s).
func TestRelayHold(t *testing.T) {
	relay := edit(18, "    backend: relay", 19, "    relay: {pin: GPIO17}")
	for _, c := range []struct {
		yaml string
		want time.Duration
	}{
		{relay, 30 * time.Second},
		{strings.Replace(relay, "{pin: GPIO17}", "{pin: GPIO17, min_switch_time: 0s}", 1), -1},
		{strings.Replace(relay, "{pin: GPIO17}", "{pin: GPIO17, min_switch_time: 2m}", 1), 2 * time.Minute},
	} {
		cfg, err := Parse([]byte(staffPM(c.yaml)), "test.yaml")
		if err != nil {
			t.Fatal(err)
		}
		if got := cfg.Fans[0].Relay.Hold(); got != c.want {
			t.Errorf("min_switch_time %s: Hold %s, want %s", cfg.Fans[0].Relay.MinSwitchTime, got, c.want)
		}
	}
}

// check-config warns of a password or CA file it cannot read: at start
// ventd would run without MQTT, and the check is where a technician looks.
func TestCheckWarnsOfUnreadableFiles(t *testing.T) {
	dir := t.TempDir()
	pw := filepath.Join(dir, "mqtt-password")
	if err := os.WriteFile(pw, []byte("secret\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(dir, "site-ca.pem") // not there
	path := filepath.Join(dir, "ventd.yaml")
	mq := "mqtt:\n  broker: mqtts://broker.local:8883\n  username: ventd\n  password_file: " + pw + "\n  ca_file: " + ca + "\n"
	if err := os.WriteFile(path, []byte(staffPM(base)+mq), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr strings.Builder
	if !Check(path, "ventd", &stdout, &stderr) {
		t.Fatalf("Check failed: %s", stderr.String())
	}
	if got := stderr.String(); !strings.Contains(got, "1 warning(s)") || !strings.Contains(got, "mqtt.ca_file: open "+ca+": no such file") ||
		!strings.Contains(got, "ventd runs without MQTT until it can read this file") || strings.Contains(got, "password_file") {
		t.Errorf("stderr:\n%s", got)
	}
}
