package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// -trace writes one CSV per run: a header naming every zone's true air,
// every PM2.5 sensor and every fan, then a row a period, with the true air
// filled in (the period records arrive after the clock has moved on).
func TestTraceWritesEachRunsPeriods(t *testing.T) {
	rows := traceOf(t, "two-booths", "15m")
	want := []string{"t_s", "true_booth-1", "true_booth-2", "true_staff", "booth-1-pm", "booth-1-pm_quality",
		"booth-2-pm", "booth-2-pm_quality", "staff-pm", "staff-pm_quality", "exhaust-1", "exhaust-1_mode", "exhaust-1_reason", "exhaust-2", "exhaust-2_mode", "exhaust-2_reason"}
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
		full = full || r[10] == "1.000" && r[11] == "boost"
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

// A sensor gone from the bus keeps its last value in the period record;
// the trace wrote it as a live reading for as long as the sensor was
// out. Now the reading is empty and its quality says why.
func TestTraceLeavesOutReadingsTheLawCannotUse(t *testing.T) {
	rows := traceOf(t, "sensor-dropout", "25m")
	col := slices.Index(rows[0], "booth-pm")
	if col < 0 || rows[0][col+1] != "booth-pm_quality" {
		t.Fatalf("header %v: no booth-pm and booth-pm_quality", rows[0])
	}
	var good, out int
	for _, r := range rows[1:] {
		sec, _ := strconv.Atoi(r[0])
		switch {
		case sec > 16*60 && sec < 17*60:
			if r[col] == "" || r[col+1] != "good" {
				t.Fatalf("at %d s, before the sensor drops out: %q %q", sec, r[col], r[col+1])
			}
			good++
		case sec > 17*60+5 && sec < 22*60:
			if r[col] != "" || r[col+1] == "good" {
				t.Fatalf("at %d s, the sensor disconnected: reading %q, quality %q; want no reading and why", sec, r[col], r[col+1])
			}
			out++
		}
	}
	if good < 50 || out < 150 {
		t.Fatalf("%d rows before the dropout, %d during it", good, out)
	}
}

// traceOf runs ventd on the first length of a built-in scenario, seed 1,
// with -trace, and returns the rows of its CSV, header first.
func traceOf(t *testing.T, scenario, length string) [][]string {
	t.Helper()
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-json", "-only", scenario, "-controllers", "ventd",
		"-truncate", length, "-seeds", "1", "-trace", dir}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	f, err := os.Open(filepath.Join(dir, scenario+"-ventd-1.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}
