package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/snapshot"
	"github.com/ventd/ventd/testbench/room"
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

// Two runs of one scenario, controller and seed wrote traces whose true
// air differed in a few rows out of a thousand: a row took the air the
// room had reached by the time the record, which comes on a goroutine of
// its own, got to the tracer. two-booths differed in most pairs of runs
// of its first 20 minutes.
func TestTraceIsTheSameEveryRun(t *testing.T) {
	first := traceFiles(t, "two-booths", "20m")
	if len(first) < 2 {
		t.Fatalf("%d traces, want ventd's and the bounds'", len(first))
	}
	for run := 2; run <= 3; run++ {
		again := traceFiles(t, "two-booths", "20m")
		for name, b := range first {
			if !bytes.Equal(again[name], b) {
				t.Fatalf("run %d: %s differs from the first run's:\n%s", run, name, firstDiff(b, again[name]))
			}
		}
	}
}

// A period's true air is the latest the room reached at or before the
// period's time, whenever its record reaches the tracer: right after the
// period, or after the clock and the room have moved on (the records
// lag), the rows are the same. A room no sensor has stepped for more than
// maxTruthGap gives no true air.
func TestTraceAirDoesNotDependOnWhenRecordsArrive(t *testing.T) {
	c, err := builtin("two-booths", nil)
	if err != nil {
		t.Fatal(err)
	}
	start := simStart
	const periods = 70
	stalled := func(k int) bool { return k >= 40 && k < 55 } // no sensor reads the room
	// trace plays the periods as the daemon's loop and the clock do:
	// the sensors step the room to their tick before the period's time
	// (0.9 s before, as the SPS30s of this room do), a scenario event
	// steps it to a period's time, and the clock moves to the next
	// period. lag is how many periods the records come behind.
	trace := func(lag int) ([]byte, map[time.Duration]float64) {
		dir := t.TempDir()
		tr, err := newTracer(dir, c, controller{name: "ventd"}, 1, start)
		if err != nil {
			t.Fatal(err)
		}
		rm, err := room.New(c.room, start.Add(-5*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		booth := c.room.Zones[0].Name
		rm.StartSession(booth, room.TypicalSession(4, 0)) // the air changes every step
		air := map[time.Duration]float64{}
		var queue []*snapshot.Snapshot
		for k := range periods {
			pt := start.Add(time.Duration(k) * time.Second)
			step := pt.Add(-900 * time.Millisecond)
			if k == 25 {
				step = pt // an event, played at its time
			}
			if !stalled(k) {
				rm.AdvanceTo(step)
				st, err := rm.State(booth)
				if err != nil {
					t.Fatal(err)
				}
				air[step.Sub(start)] = st.PM25
			}
			queue = append(queue, &snapshot.Snapshot{Time: pt})
			if len(queue) > lag {
				tr.add(queue[0])
				queue = queue[1:]
			}
			tr.observe(pt.Add(time.Second), rm)
		}
		for _, s := range queue {
			tr.add(s)
		}
		if err := tr.close(); err != nil {
			t.Fatal(err)
		}
		b, err := os.ReadFile(filepath.Join(dir, "two-booths-ventd-1.csv"))
		if err != nil {
			t.Fatal(err)
		}
		return b, air
	}
	prompt, air := trace(0)
	for _, lag := range []int{1, 2, 5, periods} {
		if late, _ := trace(lag); !bytes.Equal(late, prompt) {
			t.Fatalf("records %d periods late: the trace differs:\n%s", lag, firstDiff(prompt, late))
		}
	}
	rows, err := csv.NewReader(bytes.NewReader(prompt)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != periods+1 {
		t.Fatalf("%d rows, want a header and %d periods", len(rows), periods)
	}
	for _, r := range rows[1:] {
		sec, _ := strconv.Atoi(r[0])
		at := time.Duration(sec)*time.Second - 900*time.Millisecond
		switch {
		case sec == 25:
			at = 25 * time.Second
		case stalled(sec):
			at = 39*time.Second - 900*time.Millisecond // the last step before the stall
		}
		want := strconv.FormatFloat(air[at], 'f', 2, 64)
		if time.Duration(sec)*time.Second-at > maxTruthGap {
			want = ""
		}
		if r[1] != want {
			t.Fatalf("at %d s the trace's true air is %s, want %s: the room's at %v", sec, r[1], want, at)
		}
	}
}

// traceFiles runs ventd and the bounds on the first length of a built-in
// scenario, seed 1, with -trace, and returns each CSV by name.
func traceFiles(t *testing.T, scenario, length string) map[string][]byte {
	t.Helper()
	dir := t.TempDir()
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-only", scenario, "-controllers", "ventd", "-cache", "off",
		"-truncate", length, "-seeds", "1", "-trace", dir}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, e := range ents {
		if files[e.Name()], err = os.ReadFile(filepath.Join(dir, e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	return files
}

// firstDiff shows the first line where a and b differ.
func firstDiff(a, b []byte) string {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return fmt.Sprintf("line %d:\n  %s\n  %s", i+1, la[i], lb[i])
		}
	}
	return fmt.Sprintf("%d lines against %d", len(la), len(lb))
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
