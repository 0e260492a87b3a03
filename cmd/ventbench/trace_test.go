package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// -trace writes one CSV per run: a header naming every zone's true air,
// every PM2.5 sensor and every fan, then a row a period, with the true air
// filled in (the period records arrive after the clock has moved on).
func TestTraceWritesEachRunsPeriods(t *testing.T) {
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-json", "-only", "two-booths", "-controllers", "ventd",
		"-truncate", "15m", "-seeds", "1", "-trace", dir}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	f, err := os.Open(filepath.Join(dir, "two-booths-ventd-1.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"t_s", "true_booth-1", "true_booth-2", "true_staff", "booth-1-pm", "booth-2-pm", "staff-pm",
		"exhaust-1", "exhaust-1_mode", "exhaust-1_reason", "exhaust-2", "exhaust-2_mode", "exhaust-2_reason"}
	if len(rows) == 0 || len(rows[0]) != len(want) {
		t.Fatalf("header %v, want %v", rows[0], want)
	}
	for i, c := range want {
		if rows[0][i] != c {
			t.Fatalf("column %d is %q, want %q", i, rows[0][i], c)
		}
	}
	if n := len(rows) - 1; n < 15*60-5 {
		t.Fatalf("%d periods in 15 min, want one a second", n)
	}
	// The first session starts at 10 min in booth-1: its true air and its
	// sensor rise, and its fan goes to full.
	peak, full := 0.0, false
	filled := 0
	for _, r := range rows[1:] {
		if r[1] != "" {
			filled++
			v, err := strconv.ParseFloat(r[1], 64)
			if err != nil {
				t.Fatal(err)
			}
			peak = max(peak, v)
		}
		full = full || r[7] == "1.000" && r[8] == "boost"
	}
	if filled < len(rows)-1-5 || peak < 100 || !full {
		t.Fatalf("true air in %d of %d rows, booth-1 peak %.1f µg/m³, fan at full in a session: %v", filled, len(rows)-1, peak, full)
	}
}

// A scenario's name goes into the trace's file name; one with "/" and
// ".." stays inside the -trace directory.
func TestTraceStaysInItsDirectory(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "tr")
	sc := filepath.Join(root, "day.yaml")
	if err := os.WriteFile(sc, []byte("name: ../escaped/day\nduration: 5m\nevents:\n  - {at: 1m, session: {zone: booth, duration: 1m, pm25_mg_per_min: 2}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"-scenario", sc, "-controllers", "ventd", "-seeds", "1", "-trace", dir}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if _, err := os.Stat(filepath.Join(root, "escaped")); err == nil {
		t.Fatal("the trace escaped its directory")
	}
	if _, err := os.Stat(filepath.Join(dir, "_.._escaped_day-ventd-1.csv")); err != nil {
		t.Errorf("the trace is not in its directory under a safe name: %v", err)
	}
}
