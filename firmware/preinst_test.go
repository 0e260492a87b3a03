package firmware

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The armv7 package installed on an ARMv6 Pi (a Pi 1 or Zero W), and ventd
// died of SIGILL at every start, restarted forever. Its preinst refuses
// such a CPU, naming the armv6 package; the armv6 and arm64 packages, and
// the armv7 one on an ARMv7 CPU or into an image (DPKG_ROOT), go on.
// The scripts run with uname and the account tools faked in PATH, so
// nothing on this machine changes.
func TestPreinstRefusesAnARMv6CPUForTheARMv7Build(t *testing.T) {
	sh, err := exec.LookPath("dash")
	if err != nil {
		sh = "/bin/sh"
	}
	for _, c := range []struct {
		target, machine, dpkgRoot string
		refused                   bool
	}{
		{"armv7", "armv6l", "", true},
		{"armv7", "armv7l", "", false},
		{"armv7", "aarch64", "", false},
		{"armv7", "armv6l", "set", false}, // an image built elsewhere
		{"armv6", "armv6l", "", false},
		{"arm64", "aarch64", "", false},
	} {
		tg, err := TargetByName(c.target)
		if err != nil {
			t.Fatal(err)
		}
		script, err := preinst("..", tg, "1.2.0")
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		bin := filepath.Join(dir, "bin")
		os.Mkdir(bin, 0o755)
		fake := map[string]string{
			"uname": "echo " + c.machine,
			// Every account exists: no groupadd or useradd runs; the
			// usermod that does only says so.
			"getent":   "exit 0",
			"grep":     "exit 0",
			"usermod":  "echo usermod \"$@\"",
			"groupadd": "echo groupadd \"$@\"; exit 1",
			"useradd":  "echo useradd \"$@\"; exit 1",
		}
		for name, body := range fake {
			if err := os.WriteFile(filepath.Join(bin, name), []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
				t.Fatal(err)
			}
		}
		p := filepath.Join(dir, "preinst")
		if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(sh, p, "install")
		cmd.Env = []string{"PATH=" + bin}
		if c.dpkgRoot != "" {
			root := filepath.Join(dir, "root")
			os.MkdirAll(filepath.Join(root, "etc"), 0o755)
			cmd.Env = append(cmd.Env, "DPKG_ROOT="+root)
		}
		out, err := cmd.CombinedOutput()
		name := c.target + " on " + c.machine
		if c.dpkgRoot != "" {
			name += " (DPKG_ROOT)"
		}
		switch {
		case c.refused && (err == nil || !strings.Contains(string(out), "ventd: this package (armv7) does not run on this Pi's ARMv6 CPU") ||
			!strings.Contains(string(out), "install ventd_1.2.0_armv6.deb instead") || strings.Contains(string(out), "usermod")):
			t.Errorf("%s: %v\n%s\nwant it refused before any account is touched, naming ventd_1.2.0_armv6.deb", name, err, out)
		case !c.refused && (err != nil || !strings.Contains(string(out), "usermod")):
			t.Errorf("%s: %v\n%s\nwant the preinst to go on to the accounts", name, err, out)
		}
	}
}
