package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/ctlsock"
	"github.com/ventd/ventd/httpapi"
	"github.com/ventd/ventd/snapshot"
	"github.com/ventd/ventd/testbench/air"
	"github.com/ventd/ventd/testbench/scd41sim"
)

// install is a scratch system as the ventd package and a technician leave
// it; the test then takes parts away. Owners are this process's, so the
// test runs without root: the accounts map the ventd user and the i2c and
// gpio groups onto them.
type install struct {
	t    *testing.T
	root string
}

func newInstall(t *testing.T, configFile string) *install {
	t.Helper()
	in := &install{t: t, root: t.TempDir()}
	uid, gid := os.Getuid(), os.Getgid()
	in.write("/etc/passwd", fmt.Sprintf("root:x:0:0::/root:/bin/bash\nventd:x:%d:%d::/var/lib/ventd:/usr/sbin/nologin\ntech:x:1000:1000::/home/tech:/bin/bash\n", uid, gid+1), 0o644)
	in.write("/etc/group", fmt.Sprintf("root:x:0:\ni2c:x:%d:ventd\ngpio:x:%d:ventd\nventd:x:%d:tech\n", gid, gid, gid+1), 0o644)
	in.write("/boot/firmware/config.txt", "[all]\ndtparam=i2c_arm=on\ndtparam=i2c_arm_baudrate=50000 # long cables\ndtoverlay=i2c3,pins_4_5\ndtoverlay=pwm-2chan\ndtparam=watchdog=on\n", 0o755)
	cfg, err := os.ReadFile(filepath.Join("..", "..", "config", configFile))
	if err != nil {
		t.Fatal(err)
	}
	in.write("/etc/ventd/ventd.yaml", string(cfg), 0o640)
	for _, dev := range []string{"/dev/i2c-1", "/dev/i2c-3", "/dev/gpiochip0"} {
		in.write(dev, "", 0o660)
	}
	in.write("/sys/class/pwm/pwmchip0/npwm", "2\n", 0o444)
	in.write("/sys/class/pwm/pwmchip0/export", "", 0o220)
	in.write("/run/systemd/timesync/synchronized", "", 0o644)
	in.mkdir("/var/lib/ventd", 0o750)
	in.mkdir("/etc/systemd/system/multi-user.target.wants", 0o755)
	if err := os.Symlink("/usr/lib/systemd/system/ventd.service", in.path("/etc/systemd/system/multi-user.target.wants/ventd.service")); err != nil {
		t.Fatal(err)
	}
	return in
}

func (in *install) path(p string) string { return filepath.Join(in.root, p) }

func (in *install) write(p, s string, mode os.FileMode) {
	in.t.Helper()
	in.mkdir(filepath.Dir(p), 0o755)
	if err := os.WriteFile(in.path(p), []byte(s), mode); err != nil {
		in.t.Fatal(err)
	}
	if err := os.Chmod(in.path(p), mode); err != nil { // past the umask
		in.t.Fatal(err)
	}
}

func (in *install) read(p string) string {
	in.t.Helper()
	b, err := os.ReadFile(in.path(p))
	if err != nil {
		in.t.Fatal(err)
	}
	return string(b)
}

func (in *install) mkdir(p string, mode os.FileMode) {
	in.t.Helper()
	if err := os.MkdirAll(in.path(p), mode); err != nil {
		in.t.Fatal(err)
	}
}

// serve runs a real daemon on the simulated room with its control socket
// where the unit puts it under the root, and its /api/state; it returns
// the state URL.
func (in *install) serve() string {
	in.t.Helper()
	d, _, _ := daemonRunning(in.t)
	in.mkdir("/run/ventd", 0o750)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ctlsock.Serve(ctx, in.path(ctlsock.DefaultPath), d, discard) }()
	srv := httptest.NewServer(httpapi.Handler(d.Snapshot, d.Now, nil, nil))
	in.t.Cleanup(func() { srv.Close(); cancel(); <-done })
	eventually(in.t, "the socket and a snapshot", func() bool {
		_, err := ctlsock.Dial(in.path(ctlsock.DefaultPath)).Ping(ctx)
		return err == nil && d.Snapshot() != nil && len(d.Snapshot().Sensors) == 4 && allUp(d.Snapshot().Sensors)
	})
	return srv.URL + "/api/state"
}

// doctorRun runs ventctl doctor on the install with the simulated bus.
func (in *install) doctor(e env, args ...string) (int, string) {
	in.t.Helper()
	var o, errOut strings.Builder
	e.stdout, e.stderr, e.now = &o, &errOut, func() time.Time { return genTime }
	e.getenv = func(k string) string { return map[string]string{"USER": "tech"}[k] }
	code := run(append([]string{"doctor", "-root", in.root}, args...), e)
	if errOut.Len() > 0 {
		in.t.Errorf("stderr: %s", errOut.String())
	}
	return code, o.String()
}

// finding returns the report's line about text and the fix after it.
func finding(t *testing.T, out, level, text string) string {
	t.Helper()
	lines := strings.Split(out, "\n")
	for i, l := range lines {
		f := strings.Fields(l)
		if len(f) > 0 && f[0] == level && strings.Contains(l, text) {
			if i+1 < len(lines) && strings.Contains(lines[i+1], "fix: ") {
				return l + "\n" + lines[i+1]
			}
			return l
		}
	}
	t.Errorf("no %s line about %q in:\n%s", level, text, out)
	return ""
}

func allUp(ss []snapshot.Sensor) bool {
	for _, s := range ss {
		if !s.Up {
			return false
		}
	}
	return true
}

// TestDoctorFindsInstallDayMistakes: a scratch root with the mistakes
// technicians make, and a sensor unplugged on the simulated bus.
func TestDoctorFindsInstallDayMistakes(t *testing.T) {
	in := newInstall(t, "example.yaml")
	in.write("/boot/firmware/config.txt", "dtparam=i2c_arm=on\n#dtoverlay=pwm-2chan\n", 0o755)                                                  // no bus 3, PWM commented out
	in.write("/etc/group", fmt.Sprintf("root:x:0:\ni2c:x:%d:ventd\ngpio:x:%d:\nventd:x:%d:\n", os.Getgid(), os.Getgid(), os.Getgid()+1), 0o644) // ventd left out of gpio
	os.Chmod(in.path("/var/lib/ventd"), 0o550)                                                                                                  // made by hand, read-only
	os.Remove(in.path("/dev/i2c-3"))
	in.write("/dev/i2c-1", "", 0o600)                        // udev rules missing
	in.write("/sys/class/pwm/pwmchip0/export", "", 0o200)    // likewise
	os.Remove(in.path("/run/systemd/timesync/synchronized")) // no network time
	os.Remove(in.path("/etc/systemd/system/multi-user.target.wants/ventd.service"))
	cfg := strings.Replace(in.read("/etc/ventd/ventd.yaml"), "# purge_button: {pin: GPIO17", "purge_button: {pin: GPIO5", 1)
	in.write("/etc/ventd/ventd.yaml", cfg, 0o640) // on bus 3's clock line
	e := env{sim: func(r *simRoom) { r.Rig.SimBus("3").Disconnect(0x62) }}
	code, out := in.doctor(e, "-sim", "-config", "/etc/ventd/ventd.yaml")
	if code != exitFail {
		t.Errorf("exit %d, want %d with problems", code, exitFail)
	}
	for _, c := range []struct{ level, text, fix string }{
		{"FAIL", "I2C bus 3 is not enabled", "add dtoverlay=i2c3,pins_4_5,baudrate=50000 to /boot/firmware/config.txt (a Pi 4's bus 3, on GPIO4/GPIO5; /usr/share/ventd/config.txt has the line"},
		{"FAIL", "no kernel PWM for the fans", "add dtoverlay=pwm-2chan"},
		{"warn", "hardware watchdog is off", "dtparam=watchdog=on to /boot/firmware/config.txt, then: sudo install -D -m 0644 /usr/share/ventd/hardware-watchdog.conf /etc/systemd/system.conf.d/ventd-watchdog.conf"},
		{"warn", "100 kHz", "i2c_arm_baudrate=50000"},
		{"FAIL", "ventd is not in group gpio", "sudo usermod -aG gpio ventd"},
		{"warn", "tech is not in group ventd", "sudo usermod -aG ventd tech"},
		{"FAIL", "/dev/i2c-3 missing", "I2C bus 3 is not enabled"},
		{"FAIL", "/dev/i2c-1 is not read-write for group i2c", "udevadm trigger"},
		{"FAIL", "pwmchip0/export is not writable by group gpio", "reinstall ventd"},
		{"FAIL", "not synchronised", "network time"},
		{"FAIL", "/var/lib/ventd is not writable by ventd", "sudo chown -R ventd:ventd /var/lib/ventd"},
		{"warn", "not enabled", "sudo systemctl enable ventd"},
		{"FAIL", "ventd is not running", "sudo systemctl start ventd"},
		{"FAIL", "staff-co2 (scd41 at 0x62 on bus 3) does not answer", "check its cable"},
		{"FAIL", "GPIO5 is a pin of I2C bus 3", "move that wire to a free GPIO"},
		{"ok", "booth-pm (sps30 at 0x69 on bus 1) answers: SPS30, serial", ""},
		{"ok", "staff-pm (sps30 at 0x69 on bus 3) answers: SPS30", ""},
		{"ok", "booth-voc (sgp41 at 0x59 on bus 1) answers: SGP41", ""},
	} {
		if l := finding(t, out, c.level, c.text); !strings.Contains(l, c.fix) {
			t.Errorf("%q: fix missing or wrong, want %q:\n%s", c.text, c.fix, l)
		}
	}
	if t.Failed() {
		t.Log(out)
	}
}

// A bus no line of the shipped boot config turns on (0, 2, 7) got the
// fix "add dtoverlay=i2c7", an overlay that does not exist; and bus 6 got
// a bare dtoverlay=i2c6 without its pins. Each bus gets the boot config's
// own line, or is told that it has none.
func TestDoctorBusFixIsTheBootConfigsLine(t *testing.T) {
	in := newInstall(t, "example.yaml")
	cfg := strings.Replace(in.read("/etc/ventd/ventd.yaml"), `bus: "3"`, `bus: "7"`, 1)
	cfg = strings.Replace(cfg, `bus: "3"`, `bus: "6"`, 1)
	in.write("/etc/ventd/ventd.yaml", cfg, 0o640)
	_, out := in.doctor(env{}, "-config", "/etc/ventd/ventd.yaml")
	for _, c := range []struct{ level, text, fix string }{
		{"warn", "I2C bus 7 is not one ventd's boot config turns on", "no line of /usr/share/ventd/config.txt turns on bus 7 (it turns on bus 1, and on a Pi 4 buses 3 to 6 once their lines are uncommented)"},
		{"FAIL", "I2C bus 6 is not enabled", "add dtoverlay=i2c6,pins_22_23,baudrate=50000 to /boot/firmware/config.txt"},
	} {
		if l := finding(t, out, c.level, c.text); !strings.Contains(l, c.fix) {
			t.Errorf("%q: fix missing or wrong, want %q:\n%s", c.text, c.fix, l)
		}
	}
	if strings.Contains(out, "dtoverlay=i2c7") {
		t.Errorf("doctor advises an overlay that does not exist:\n%s", out)
	}
}

// An SD card whose image has no ventd user: doctor said the config was
// "readable by ventd (0:0 0640)", of a user that is not there.
func TestDoctorConfigWithNoVentdUser(t *testing.T) {
	in := newInstall(t, "example.yaml")
	in.write("/etc/passwd", "root:x:0:0::/root:/bin/bash\ntech:x:1000:1000::/home/tech:/bin/bash\n", 0o644)
	_, out := in.doctor(env{}, "-config", "/etc/ventd/ventd.yaml")
	finding(t, out, "FAIL", "no user ventd in /etc/passwd")
	if l := finding(t, out, "FAIL", "/etc/ventd/ventd.yaml ("); !strings.Contains(l, "no user ventd in /etc/passwd to read it") {
		t.Errorf("config check:\n%s", l)
	}
	if strings.Contains(out, "readable by ventd") {
		t.Errorf("doctor says a missing user can read the config:\n%s", out)
	}
}

// TestDoctorGoodInstallIdle: everything in place, ventd stopped: the
// sensors are probed with their drivers on the simulated bus.
func TestDoctorGoodInstallIdle(t *testing.T) {
	in := newInstall(t, "example.yaml")
	in.write("/etc/passwd", fmt.Sprintf("ventd:x:%d:%d::/var/lib/ventd:/usr/sbin/nologin\n", os.Getuid(), os.Getgid()+1), 0o644)
	code, out := in.doctor(env{}, "-sim", "-config", "/etc/ventd/ventd.yaml")
	for _, want := range []string{"I2C bus 3 on", "kernel PWM on", "ventd is in group gpio", "/dev/i2c-3 present, group i2c",
		"pwmchip0 channel 0, group gpio", "systemd-timesyncd has synchronised", "/var/lib/ventd writable by ventd",
		"staff-co2 (scd41 at 0x62 on bus 3) answers: SCD4x, serial"} {
		finding(t, out, "ok", want)
	}
	if !strings.Contains(out, "1 problem(s), 0 warning(s).") || code != exitFail {
		t.Errorf("want exactly one problem, ventd not running (exit %d):\n%s", code, out)
	}
	finding(t, out, "FAIL", "ventd is not running")
}

// TestDoctorGoodInstallRunning: with ventd running, doctor asks it about
// the sensors instead of probing the bus under it, and finds nothing
// wrong.
func TestDoctorGoodInstallRunning(t *testing.T) {
	in := newInstall(t, "sim.yaml")
	url := in.serve()
	code, out := in.doctor(env{}, "-state-url", url)
	if code != exitOK || !strings.Contains(out, "0 problem(s), 0 warning(s).") {
		t.Errorf("exit %d, want a clean report:\n%s", code, out)
	}
	finding(t, out, "ok", "ventd is running (pid ")
	finding(t, out, "ok", "staff-co2 (scd41 at 0x62 on bus sim1) answers, serial ")
}

func TestDoctorBadConfigAndNoBootConfig(t *testing.T) {
	in := newInstall(t, "example.yaml")
	in.write("/etc/ventd/ventd.yaml", "site: x\nzones: [}\n", 0o640)
	os.RemoveAll(in.path("/boot"))
	code, out := in.doctor(env{})
	if code != exitFail {
		t.Errorf("exit %d", code)
	}
	finding(t, out, "FAIL", "/etc/ventd/ventd.yaml: ")
	finding(t, out, "FAIL", "no /boot/firmware/config.txt")
	if strings.Contains(out, "sensors") {
		t.Errorf("sensors checked without a config:\n%s", out)
	}
}

// A relative -config is taken from the current directory on this system,
// as every other command takes it; under another -root, from that root.
func TestDoctorPathOfARelativeConfig(t *testing.T) {
	for _, c := range []struct{ root, p, want string }{
		{"/", "live.yaml", "live.yaml"},
		{"/", "/etc/ventd/ventd.yaml", "/etc/ventd/ventd.yaml"},
		{"/mnt/sd", "/etc/ventd/ventd.yaml", "/mnt/sd/etc/ventd/ventd.yaml"},
		{"/mnt/sd", "etc/ventd/ventd.yaml", "/mnt/sd/etc/ventd/ventd.yaml"},
	} {
		if got := (&doctor{root: c.root}).path(c.p); got != c.want {
			t.Errorf("-root %s, %s: %s, want %s", c.root, c.p, got, c.want)
		}
	}
}

// An SD card's root mounted on another machine has empty /dev, /sys and
// /run: doctor counted 10 failures there that no card can pass, and probed
// the machine's own I2C buses as if they were the card's (reporting a bench
// Pi's sensors, and stopping any SCD4x a ventd there was reading).
func TestDoctorOnACardMountedElsewhere(t *testing.T) {
	in := newInstall(t, "example.yaml")
	for _, dir := range []string{"/dev", "/sys", "/run"} {
		if err := os.RemoveAll(in.path(dir)); err != nil {
			t.Fatal(err)
		}
		in.mkdir(dir, 0o755) // a mount point, empty
	}
	code, out := in.doctor(env{})
	for _, what := range []string{"devices", "pwm", "clock", "service"} {
		finding(t, out, "--", what+" ")
	}
	finding(t, out, "--", "not probed")
	if strings.Contains(out, "FAIL") || code != exitOK {
		t.Errorf("exit %d, failures on an offline card:\n%s", code, out)
	}
}

// TestDoctorChecksWhatTheServiceReads: doctor runs with sudo and reads
// every file, but ventd runs as ventd. A config replaced by one readable
// by root alone stopped ventd at every start while doctor called it fine,
// and a broker password any user of the Pi could read went unnoticed.
func TestDoctorChecksWhatTheServiceReads(t *testing.T) {
	in := newInstall(t, "example.yaml")
	// A ventd account that owns none of the test's files.
	in.write("/etc/passwd", "root:x:0:0::/root:/bin/bash\nventd:x:12345:12346::/var/lib/ventd:/usr/sbin/nologin\ntech:x:1000:1000::/home/tech:/bin/bash\n", 0o644)
	in.write("/etc/group", "root:x:0:\ni2c:x:12347:ventd\ngpio:x:12348:ventd\nventd:x:12346:tech\n", 0o644)
	cfg := in.read("/etc/ventd/ventd.yaml") + `
mqtt:
  broker: mqtts://broker.site.lan:8883
  username: ventd-room-1
  password_file: /etc/ventd/mqtt-password
  ca_file: /etc/ventd/site-ca.pem
  cert_file: /etc/ventd/room-1.pem
  key_file: /home/tech/room-1.key
`
	in.write("/etc/ventd/ventd.yaml", cfg, 0o600) // replaced with sudo mv
	in.write("/etc/ventd/mqtt-password", "secret\n", 0o644)
	in.write("/etc/ventd/room-1.pem", "", 0o644)
	in.write("/home/tech/room-1.key", "", 0o640)
	_, out := in.doctor(env{}, "-config", "/etc/ventd/ventd.yaml")
	for _, c := range []struct{ level, text, fix string }{
		{"FAIL", "/etc/ventd/ventd.yaml is not readable by ventd", "sudo chgrp ventd /etc/ventd/ventd.yaml && sudo chmod 0640 /etc/ventd/ventd.yaml"},
		{"warn", "/etc/ventd/mqtt-password is readable by every user of this Pi", "sudo chmod 0640 /etc/ventd/mqtt-password"},
		{"FAIL", "/etc/ventd/site-ca.pem does not exist", "create it"},
		{"ok", "/etc/ventd/room-1.pem readable by ventd", ""},
		{"FAIL", "/home/tech/room-1.key is under /home, which the service cannot see", "move it to /etc/ventd/"},
	} {
		if l := finding(t, out, c.level, c.text); !strings.Contains(l, c.fix) {
			t.Errorf("%q: fix missing or wrong, want %q:\n%s", c.text, c.fix, l)
		}
	}

	// Readable by all, with the PIN's hash in it; then as the package
	// installs it (root:ventd 0640).
	hash, err := config.HashPIN("482913")
	if err != nil {
		t.Fatal(err)
	}
	withPIN := strings.Replace(in.read("/etc/ventd/ventd.yaml"), `# pin_hash: "$2a$10$..."`, `pin_hash: "`+hash+`"`, 1)
	in.write("/etc/ventd/ventd.yaml", withPIN, 0o644)
	_, out = in.doctor(env{}, "-config", "/etc/ventd/ventd.yaml")
	finding(t, out, "warn", "/etc/ventd/ventd.yaml is readable by every user of this Pi (root")
	if err := os.Chown(in.path("/etc/ventd/ventd.yaml"), -1, 12346); err == nil {
		os.Chmod(in.path("/etc/ventd/ventd.yaml"), 0o640)
		_, out = in.doctor(env{}, "-config", "/etc/ventd/ventd.yaml")
		finding(t, out, "ok", "/etc/ventd/ventd.yaml readable by ventd (root:ventd 0640)")
	}
	// A file doctor cannot look at (here a path through a file; without
	// sudo, a directory it may not enter) is said, not a crash.
	in.write("/etc/ventd/ventd.yaml", strings.Replace(cfg, "\n  password_file: /etc/ventd/mqtt-password\n", "\n  password_file: /etc/ventd/mqtt-password/pw\n", 1), 0o640)
	_, out = in.doctor(env{}, "-config", "/etc/ventd/ventd.yaml")
	finding(t, out, "FAIL", "cannot check /etc/ventd/mqtt-password/pw")
	if t.Failed() {
		t.Log(out)
	}
}

// TestDoctorFindsASensorOnTheOtherBus: the staff SCD41 wired to bus 1's
// pins while the config says bus 3. doctor said only "check its cable";
// it now finds it where the config has no sensor at its address.
func TestDoctorFindsASensorOnTheOtherBus(t *testing.T) {
	in := newInstall(t, "example.yaml")
	e := env{sim: func(r *simRoom) {
		r.Rig.SimBus("3").Disconnect(0x62)
		r.Rig.SimBus("1").Attach(0x62, scd41sim.New(r.Clock, air.Fixed{}, scd41sim.Opts{Seed: 7}))
		r.Rig.SimBus("3").Disconnect(0x69) // and the staff SPS30 unplugged: bus 1 has one at 0x69 already
	}}
	_, out := in.doctor(e, "-sim", "-config", "/etc/ventd/ventd.yaml")
	l := finding(t, out, "FAIL", "staff-co2 (scd41 at 0x62 on bus 3) does not answer")
	if !strings.Contains(l, `an SCD4x answers at 0x62 on bus 1, where the config has no sensor`) || !strings.Contains(l, `write bus: "1" for staff-co2`) {
		t.Errorf("the sensor on the other bus is not found:\n%s", l)
	}
	// The booth's SPS30 on bus 1 is a configured sensor: never offered as
	// the staff one.
	if l := finding(t, out, "FAIL", "staff-pm (sps30 at 0x69 on bus 3) does not answer"); !strings.Contains(l, "check its cable") {
		t.Errorf("staff-pm:\n%s", l)
	}
	finding(t, out, "ok", "booth-pm (sps30 at 0x69 on bus 1) answers")
	if t.Failed() {
		t.Log(out)
	}
}

// The example config's zone kept on a Pi elsewhere puts every shift
// boundary hours off; doctor says so, and is quiet where the offsets agree.
func TestDoctorComparesTheShiftsZoneWithThePis(t *testing.T) {
	in := newInstall(t, "example.yaml") // shifts.time_zone: America/Vancouver
	if err := os.Symlink("/usr/share/zoneinfo/America/Toronto", in.path("/etc/localtime")); err != nil {
		t.Fatal(err)
	}
	_, out := in.doctor(env{}, "-sim", "-config", "/etc/ventd/ventd.yaml")
	got := finding(t, out, "warn", "shifts follow America/Vancouver")
	for _, want := range []string{"this Pi's zone is America/Toronto", "UTC-08:00", "UTC-05:00", "set shifts.time_zone"} {
		if !strings.Contains(got, want) {
			t.Errorf("the warning does not say %q:\n%s", want, got)
		}
	}

	same := newInstall(t, "example.yaml")
	same.write("/etc/timezone", "America/Los_Angeles\n", 0o644)
	_, out = same.doctor(env{}, "-sim", "-config", "/etc/ventd/ventd.yaml")
	finding(t, out, "ok", "shifts follow America/Vancouver; this Pi's zone is America/Los_Angeles")
}

// A stock config.txt ends under [cm5] (or [cm4]): the ventd lines a
// technician appended after it applied to a CM5 alone, and doctor,
// reading every line, said the buses and the PWM were on. Lines under a
// section that does not match this board are not counted, and doctor
// says which and how to fix it; under [all], or a filter naming this
// board, they count.
func TestDoctorReadsTheBootConfigsSections(t *testing.T) {
	stock := "dtparam=audio=on\n[cm4]\notg_mode=1\n[cm5]\ndtoverlay=dwc2,dr_mode=host\n"
	ventd := "dtparam=i2c_arm=on\ndtparam=i2c_arm_baudrate=50000\ndtoverlay=i2c3,pins_4_5\ndtoverlay=pwm-2chan\ndtparam=watchdog=on\n"
	for _, c := range []struct {
		name, file, model string
		skipped           bool
	}{
		{"appended under [cm5]", stock + ventd, "Raspberry Pi 4 Model B Rev 1.4", true},
		{"after [all]", stock + "[all]\n" + ventd, "Raspberry Pi 4 Model B Rev 1.4", false},
		{"under [pi4] on a Pi 4", stock + "[pi4]\n" + ventd, "Raspberry Pi 4 Model B Rev 1.4", false},
		{"under [pi4] on a 400", stock + "[pi4]\n" + ventd, "Raspberry Pi 400 Rev 1.0", false},
		{"under [pi4] on a Pi 5", stock + "[pi4]\n" + ventd, "Raspberry Pi 5 Model B Rev 1.0", true},
		{"under [pi4] on an unknown board", stock + "[pi4]\n" + ventd, "", true},
		{"the shipped lines appended", stock + readFile(t, "../../firmware/boot/config.txt"), "Raspberry Pi 5 Model B Rev 1.0", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			in := newInstall(t, "example.yaml")
			in.write("/boot/firmware/config.txt", c.file, 0o755)
			if c.model != "" {
				in.write("/proc/device-tree/model", c.model+"\x00", 0o444)
			}
			_, out := in.doctor(env{}, "-sim", "-config", "/etc/ventd/ventd.yaml")
			if c.skipped {
				l := finding(t, out, "warn", "apply only to other boards")
				if !strings.Contains(l, "dtoverlay=pwm-2chan (line") || !strings.Contains(l, "put a line [all] before ventd's lines") {
					t.Errorf("the warning does not name the line and the fix:\n%s", l)
				}
				finding(t, out, "FAIL", "I2C bus 1 (GPIO2/GPIO3) is off")
				finding(t, out, "FAIL", "no kernel PWM for the fans")
				return
			}
			if strings.Contains(out, "apply only to other boards") || strings.Contains(out, "dwc2") {
				t.Errorf("a warning for lines that apply (or are not ventd's):\n%s", out)
			}
			finding(t, out, "ok", "I2C bus 1 on")
			finding(t, out, "ok", "kernel PWM on")
		})
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
