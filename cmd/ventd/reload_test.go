package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/testbench"
)

// TestSIGHUPReloads sends ventd SIGHUP three times: with a changed
// threshold (applied and journaled), with a file full of mistakes (refused,
// each mistake logged, the old configuration stays), and with a new sensor
// (refused: it needs a restart).
func TestSIGHUPReloads(t *testing.T) {
	bin := ventdBinary(t)
	dir := t.TempDir()
	cfgFile, state := filepath.Join(dir, "room.yaml"), filepath.Join(dir, "state")
	os.Mkdir(state, 0o755)
	if err := os.WriteFile(cfgFile, []byte(killConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	var logs testbench.LogBuffer
	cmd := exec.Command(bin, "-sim", "-sim-speed", "60", "-config", cfgFile, "-listen", "127.0.0.1:0", "-state-dir", state)
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	waitLog := func(what string) {
		t.Helper()
		for i := 0; !strings.Contains(logs.String(), what); i++ {
			if i > 1000 {
				t.Fatalf("no %q in the log:\n%s", what, tail(logs.String(), 15))
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	waitLog("control loop running")

	edit := func(from, to string) {
		t.Helper()
		b, _ := os.ReadFile(cfgFile)
		if !strings.Contains(string(b), from) {
			t.Fatalf("config has no %q", from)
		}
		os.WriteFile(cfgFile, []byte(strings.Replace(string(b), from, to, 1)), 0o644)
		cmd.Process.Signal(syscall.SIGHUP)
	}
	edit("pm25_ugm3: {warning: 20, alarm: 30}", "pm25_ugm3: {warning: 25, alarm: 30}")
	waitLog(`SIGHUP: configuration reloaded`)
	if !strings.Contains(logs.String(), "thresholds changed") {
		t.Errorf("the log does not say what changed:\n%s", tail(logs.String(), 5))
	}

	edit("kind: staff", "kind: staf")
	waitLog("SIGHUP: the configuration in force stays")
	if !strings.Contains(logs.String(), "SIGHUP: the configuration file has a mistake") || !strings.Contains(logs.String(), `(got \"staf\")`) {
		t.Errorf("the refusal does not name the mistake:\n%s", tail(logs.String(), 5))
	}
	b, _ := os.ReadFile(cfgFile)
	os.Remove(cfgFile) // a file moved away: nothing read, no mistake
	cmd.Process.Signal(syscall.SIGHUP)
	waitLog("SIGHUP: the configuration file could not be read; the configuration in force stays")
	os.WriteFile(cfgFile, b, 0o644)
	edit("kind: staf", "kind: staff")
	edit("  - {name: staff-co2, type: scd41, bus: sim1, zone: staff}", "  - {name: staff-co2, type: scd41, bus: sim1, zone: staff}\n  - {name: staff-voc, type: sgp41, bus: sim1, zone: staff}")
	waitLog("need a restart")

	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()
	j, err := journal.OpenReadOnly(filepath.Join(state, "journal.db"), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	changes, err := j.ConfigChanges(time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var reloaded bool
	for _, c := range changes {
		reloaded = reloaded || strings.Contains(c.Summary, "reloaded: thresholds")
	}
	if !reloaded {
		t.Errorf("the journal has no reload: %+v", changes)
	}
	acts, _ := j.Actions(time.Time{}, time.Time{})
	var refused int
	for _, a := range acts {
		if a.Kind == "config_reload" && a.Error != "" {
			refused++
		}
	}
	if refused != 1 {
		t.Errorf("%d refused reloads journaled, want 1 (the new sensor; a file with mistakes never reaches the loop): %+v", refused, acts)
	}
}
