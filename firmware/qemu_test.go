package firmware

import (
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ventd/ventd/testbench/ventdproc"
)

// emulator runs a target's binaries under qemu-user, on the oldest CPU the
// target promises to support, so an instruction newer than that CPU fails
// the test as it would fail the Pi. binfmt may not be registered where the
// tests run (a container), so qemu is called directly.
type emulator struct {
	prog, cpu, pkg string
}

var emulators = map[string]emulator{
	"arm64": {"qemu-aarch64-static", "cortex-a53", "qemu-user-static"}, // Pi 3, Zero 2 W
	"armv7": {"qemu-arm-static", "cortex-a7", "qemu-user-static"},      // Pi 2
	"armv6": {"qemu-arm-static", "arm1176", "qemu-user-static"},        // Pi 1, Zero
}

func (e emulator) command(t *testing.T, bin string, args ...string) *exec.Cmd {
	t.Helper()
	q := need(t, e.prog, e.pkg)
	return exec.Command(q, append([]string{"-cpu", e.cpu, bin}, args...)...)
}

func TestVersionUnderQEMU(t *testing.T) {
	bins, _ := built(t)
	want := "1.0.0 (commit 0123456789ab, built 2026-03-02T10:00:00Z, go"
	for _, tg := range Targets {
		e := emulators[tg.Name]
		for _, c := range []struct{ bin, arg string }{{"ventd", "-version"}, {"ventctl", "version"}} {
			out, err := e.command(t, filepath.Join(bins[tg.Name], c.bin), c.arg).CombinedOutput()
			if err != nil || !strings.HasPrefix(string(out), c.bin+" "+want) {
				t.Errorf("%s %s %s on a %s: %v\n%s", tg.Name, c.bin, c.arg, e.cpu, err, out)
			}
		}
	}
	// The armv7 build is really ARMv7: a Pi Zero's CPU cannot run it.
	out, err := emulators["armv6"].command(t, filepath.Join(bins["armv7"], "ventd"), "-version").CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Errorf("the armv7 ventd ran on an ARM1176 (%v): GOARM=7 did not take\n%s", err, out)
	}
}

// logFile is where the daemon writes its log, which the test reads
// while it runs.
type logFile string

func (l logFile) String() string {
	b, _ := os.ReadFile(string(l))
	return string(b)
}

// TestSimUnderQEMU runs the daemon on the simulated room under emulation
// until /api/state shows live readings and fans, then stops it with
// SIGTERM, as systemd does, and checks it left the fans safe. Nothing is
// timed; the guards only keep a broken build from hanging the test.
func TestSimUnderQEMU(t *testing.T) {
	bins, _ := built(t)
	for _, name := range []string{"arm64", "armv6"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			logs := logFile(filepath.Join(dir, "ventd.log"))
			f, err := os.Create(string(logs))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			cmd := emulators[name].command(t, filepath.Join(bins[name], "ventd"),
				"-sim", "-sim-speed", "10", "-listen", "127.0.0.1:0", "-state-dir", dir)
			cmd.Stdout, cmd.Stderr = f, f
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			defer cmd.Process.Kill()
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			addr := waitFor(t, exited, logs, func() (string, bool) {
				return ventdproc.Addr(logs.String())
			})
			var state struct {
				Readings []struct{ Quantity, Quality string }
				Fans     []struct{ Name string }
			}
			waitFor(t, exited, logs, func() (string, bool) {
				resp, err := http.Get("http://" + addr + "/api/state")
				if err != nil {
					return "", false
				}
				defer resp.Body.Close()
				return "", resp.StatusCode == http.StatusOK && json.NewDecoder(resp.Body).Decode(&state) == nil &&
					len(state.Fans) == 1 && len(state.Readings) > 0
			})
			if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-exited:
				if err != nil {
					t.Fatalf("ventd exited with %v after SIGTERM\n%s", err, logs.String())
				}
			case <-time.After(2 * time.Minute):
				t.Fatalf("ventd still running 2 min after SIGTERM\n%s", logs.String())
			}
			if !strings.Contains(logs.String(), "fans left at their safe duty") {
				t.Errorf("no safe-duty line in the log:\n%s", logs.String())
			}
		})
	}
}

// TestDoctorUnderQEMU runs ventctl doctor on the arm64 build against the
// simulated bus and an empty root: the host checks fail (nothing is
// installed there), the sensors answer their drivers.
func TestDoctorUnderQEMU(t *testing.T) {
	bins, _ := built(t)
	out, err := emulators["arm64"].command(t, filepath.Join(bins["arm64"], "ventctl"), "doctor", "-sim", "-root", t.TempDir()).CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Errorf("doctor on an empty root: %v, want exit 1\n%s", err, out)
	}
	for _, want := range []string{"FAIL  boot config", "answers: SPS30, serial", "answers: SCD4x, serial", "answers: SGP41, serial"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("doctor output lacks %q:\n%s", want, out)
		}
	}
}

// waitFor polls ok until it holds, failing if the daemon exits first or
// a generous guard passes.
func waitFor(t *testing.T, exited <-chan error, logs logFile, ok func() (string, bool)) string {
	t.Helper()
	guard := time.After(3 * time.Minute)
	for {
		if v, done := ok(); done {
			return v
		}
		select {
		case err := <-exited:
			t.Fatalf("ventd exited (%v) before it was ready:\n%s", err, logs.String())
		case <-guard:
			t.Fatalf("ventd not ready after 3 min under emulation:\n%s", logs.String())
		case <-time.After(50 * time.Millisecond):
		}
	}
}
