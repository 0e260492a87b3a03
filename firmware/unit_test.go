package firmware

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/ctlsock"
)

// unit reads the unit file into key -> values, in order.
func unit(t *testing.T) map[string][]string {
	t.Helper()
	f, err := os.Open("systemd/ventd.service")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	kv := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l == "" || l[0] == '#' || l[0] == '[' {
			continue
		}
		k, v, ok := strings.Cut(l, "=")
		if !ok {
			t.Fatalf("unit line %q is not KEY=VALUE", l)
		}
		kv[k] = append(kv[k], v)
	}
	return kv
}

// TestUnitSettings checks what the appliance relies on, and that the
// unit agrees with ventd's own defaults, without systemd.
func TestUnitSettings(t *testing.T) {
	u := unit(t)
	want := map[string]string{
		"Type": "notify", "Restart": "always", "User": "ventd", "SupplementaryGroups": "i2c gpio",
		"NoNewPrivileges": "yes", "ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes",
		"StateDirectory": "ventd", "RuntimeDirectory": "ventd", "DevicePolicy": "closed", "CapabilityBoundingSet": "",
		"ExecStart": "/usr/bin/ventd -config " + ConfigPath,
		// The README's `systemctl reload ventd`: a unit without it refuses
		// the reload ("Job type reload is not applicable").
		"ExecReload": "/bin/kill -HUP $MAINPID",
	}
	for k, v := range want {
		if got := strings.Join(u[k], " | "); got != v {
			t.Errorf("%s=%q, want %q", k, got, v)
		}
	}
	if len(u["WatchdogSec"]) != 1 || u["WatchdogSec"][0] == "0" {
		t.Error("no WatchdogSec=: a hung control loop would never be restarted")
	}
	if got := strings.Join(u["DeviceAllow"], ", "); got != "char-i2c rw, char-gpiochip rw, /dev/gpiomem rw" {
		t.Errorf("DeviceAllow = %s: want I2C, GPIO and the GPIO register window only", got)
	}
	for _, k := range []string{"ProtectKernelTunables", "ProtectClock", "PrivateDevices"} {
		if len(u[k]) > 0 {
			t.Errorf("%s= set: it takes away /sys/class/pwm, adjtimex or the I2C devices", k)
		}
	}
	// ventd's defaults must land in the directories systemd makes.
	if dir := "/var/lib/" + u["StateDirectory"][0]; dir != config.DefaultStateDir {
		t.Errorf("StateDirectory is %s, ventd's default state_dir %s", dir, config.DefaultStateDir)
	}
	if dir := "/run/" + u["RuntimeDirectory"][0]; dir != filepath.Dir(ctlsock.DefaultPath) {
		t.Errorf("RuntimeDirectory is %s, ventd's control socket %s", dir, ctlsock.DefaultPath)
	}
}

// TestUnitVerify runs systemd's own checks on the unit as installed from
// the package: systemd-analyze verify (every key known and valid, the
// binary where ExecStart says), and the offline security review, whose
// exposure score must stay low.
func TestUnitVerify(t *testing.T) {
	_, debs := built(t)
	sa := need(t, "systemd-analyze", "systemd")
	r := t.TempDir()
	run(t, "dpkg-deb", "-x", debs["arm64"], r)
	// The units ventd.service refers to (multi-user.target, time-sync...)
	// come from this machine's systemd.
	units := "/usr/lib/systemd/system"
	if _, err := os.Stat(filepath.Join(units, "multi-user.target")); err != nil {
		units = "/lib/systemd/system"
	}
	os.MkdirAll(filepath.Join(r, "lib/systemd"), 0o755)
	run(t, "cp", "-a", units, filepath.Join(r, "lib/systemd/system"))
	// ExecReload's /bin/kill is every Debian system's (procps): this
	// machine's stands in for the Pi's.
	kill, err := exec.LookPath("kill")
	if err != nil {
		kill = "/bin/kill"
	}
	os.MkdirAll(filepath.Join(r, "bin"), 0o755)
	run(t, "cp", "-L", kill, filepath.Join(r, "bin/kill"))

	cmd := exec.Command(sa, "verify", "--root="+r, "--man=no", "ventd.service")
	cmd.Dir = r
	out, err := cmd.CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	cmd = exec.Command(sa, "security", "--offline=true", "--root="+r, "--threshold=30", "--no-pager", "ventd.service")
	out, err = cmd.CombinedOutput()
	score := regexp.MustCompile(`Overall exposure level for ventd.service: (\S+)`).FindSubmatch(out)
	if err != nil || score == nil {
		t.Errorf("systemd-analyze security: %v (the exposure must stay at 3 or below)\n%s", err, out)
	} else {
		t.Logf("systemd-analyze security: exposure %s", score[1])
	}
}

// udevKeys are the keys the rules file may use; a typo would silently
// match nothing on the Pi.
var udevKeys = map[string]bool{"SUBSYSTEM": true, "KERNEL": true, "ACTION": true, "GROUP": true, "MODE": true, "RUN{program}": true, "RUN": true}

var udevPair = regexp.MustCompile(`^([A-Z]+(?:\{[a-z]+\})?)(==|!=|\+=|:=|=)"([^"]*)"$`)

// TestUdevRules lints the rules (udevadm verify needs systemd 254; Debian
// 12 has 252): every pair well formed, every key known, matches before
// assignments, groups ventd joins, programs at absolute paths that exist.
func TestUdevRules(t *testing.T) {
	b, err := os.ReadFile("udev/60-ventd.rules")
	if err != nil {
		t.Fatal(err)
	}
	rules := 0
	for n, line := range strings.Split(string(b), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		rules++
		assigning := false
		for _, pair := range splitRule(line) {
			m := udevPair.FindStringSubmatch(pair)
			if m == nil || !udevKeys[m[1]] {
				t.Errorf("line %d: %q is not a known KEY op \"value\"", n+1, pair)
				continue
			}
			match := m[2] == "==" || m[2] == "!="
			if match && assigning {
				t.Errorf("line %d: match %s after an assignment", n+1, m[1])
			}
			assigning = assigning || !match
			switch m[1] {
			case "GROUP":
				if m[3] != "i2c" && m[3] != "gpio" {
					t.Errorf("line %d: group %q: ventd is in i2c and gpio", n+1, m[3])
				}
			case "RUN":
				prog := strings.Fields(m[3])[0]
				if !filepath.IsAbs(prog) || !isExec(prog) {
					t.Errorf("line %d: RUN program %s: want an absolute path that exists on Debian", n+1, prog)
				}
			}
		}
	}
	if rules != 4 {
		t.Errorf("%d rules, want 4 (I2C, GPIO chips, gpiomem, PWM)", rules)
	}
}

// splitRule splits a rule at the commas between pairs.
func splitRule(line string) []string {
	var out []string
	quoted, start := false, 0
	for i, c := range line {
		switch {
		case c == '"':
			quoted = !quoted
		case c == ',' && !quoted:
			out = append(out, strings.TrimSpace(line[start:i]))
			start = i + 1
		}
	}
	return append(out, strings.TrimSpace(line[start:]))
}
