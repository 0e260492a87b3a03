package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A short run through the whole CLI: two built-in scenarios cut to their
// first 45 min, two controllers, JSON out. The full run is ventbench's job,
// not the test suite's.
func TestShortRunJSON(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-json", "-only", "quiet-day,sensor-dropout",
		"-controllers", "ventd,onoff", "-truncate", "45m"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var raw []map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &raw); err != nil {
		t.Fatalf("-json output does not parse: %v\n%s", err, stdout.String())
	}
	if len(raw) != 4 {
		t.Fatalf("%d objects, want 4 (2 scenarios × 2 controllers)", len(raw))
	}
	required := []string{"scenario", "controller", "staff_pm25_stel_peak_ugm3", "staff_pm25_twa_ugm3",
		"booth_pm25_peak_ugm3", "staff_minutes_over_alarm", "fan_energy_kwh", "duty_changes_per_hour",
		"seconds_to_safe_entry"}
	for _, o := range raw {
		for _, k := range required {
			if _, ok := o[k]; !ok {
				t.Errorf("%v/%v lacks %q", o["scenario"], o["controller"], k)
			}
		}
		entry, _ := o["seconds_to_safe_entry"].(map[string]any)
		for _, k := range []string{"mean", "max"} {
			if _, ok := entry[k]; !ok {
				t.Errorf("%v/%v: seconds_to_safe_entry lacks %q", o["scenario"], o["controller"], k)
			}
		}
	}

	var rs []Result
	if err := json.Unmarshal(stdout.Bytes(), &rs); err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if r.Scenario == "" || r.SimHours != 0.75 || r.EnergyKWh <= 0 || !r.StaffSTELPeak.Known() || r.StaffCoverage < 95 {
			t.Errorf("implausible result %+v", r)
		}
		if r.Entry.Sessions != 1 || !r.Entry.Max.Known() || float64(r.Entry.Max) > 600 {
			t.Errorf("%s/%s: entry %+v, want one session measured, safe within 10 min", r.Scenario, r.Controller, r.Entry)
		}
		// The booth sensor drops out at 17 min: every law is at its safe
		// duty within one sensor period.
		if r.Scenario == "sensor-dropout" && (!r.SafeAfterFault.Known() || r.SafeAfterFault > 1) {
			t.Errorf("%s: %v s from the dropout to the safe duty, want ≤ 1 s", r.Controller, r.SafeAfterFault)
		}
	}
}

func TestScenarioFileAndTable(t *testing.T) {
	path := filepath.Join(t.TempDir(), "mine.yaml")
	sc := "name: mine\nduration: 20m\nevents:\n  - {at: 5m, session: {zone: booth, duration: 3m, pm25_mg_per_min: 3}}\n"
	if err := os.WriteFile(path, []byte(sc), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"-scenario", path, "-controllers", "ventd,full,min,onoff"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"mine", "ventd", "onoff", "STEL ratio", "simulated hours per wall second"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestBadArguments(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-controllers", "ventd,pid"}, `no controller "pid"`},
		{[]string{"-only", "tuesday"}, `no built-in scenario "tuesday"`},
		{[]string{"-scenario", "/nonexistent.yaml"}, "nonexistent.yaml"},
		{[]string{"-only", "night", "-scenario", "x.yaml"}, "cannot be combined"},
		{[]string{"-parallel", "0"}, "-parallel 0"},
		{[]string{"extra"}, "unexpected argument"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), c.args, &stdout, &stderr); code == 0 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("ventbench %v: exit %d, stderr %q; want an error containing %q", c.args, code, stderr.String(), c.want)
		}
	}
}

// Every built-in scenario parses and fits the simulated room.
func TestBuiltinsParse(t *testing.T) {
	for _, name := range builtinNames() {
		if _, err := builtin(name); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
