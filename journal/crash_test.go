package journal

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// crashEnv tells a re-executed test binary to be the writer that gets
// killed, and where its journal is.
const crashEnv = "JOURNAL_CRASH_CHILD"

// crashBatchMinutes is an hour of minutes for 2 zones × 9 quantities per
// batch: a write long enough that a kill usually lands inside one.
const crashBatchMinutes = 60

var crashZones, crashQuantities = []string{"booth", "staff"},
	[]string{"pm1", "pm2.5", "pm4", "pm10", "co2", "voc", "nox", "temperature", "humidity"}

// TestKillDuringWrite kills a writing process with SIGKILL, several times,
// and checks after each that the file is intact and that every batch the
// writer saw committed is there.
func TestKillDuringWrite(t *testing.T) {
	if path := os.Getenv(crashEnv); path != "" {
		crashChild(path)
		return
	}
	path := filepath.Join(t.TempDir(), "journal.db")
	var lastCommitted time.Time
	for round := range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestKillDuringWrite$")
		cmd.Env = append(os.Environ(), crashEnv+"="+path)
		cmd.Stderr = os.Stderr
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		lines, killed, killAfter := 0, false, 10+5*round
		if raceEnabled {
			killAfter = 3 + 2*round
		}
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			ts, ok := strings.CutPrefix(sc.Text(), "committed ")
			if !ok {
				continue // the test framework's own output
			}
			last, err := time.Parse(time.RFC3339, ts)
			if err != nil {
				t.Fatalf("child said %q: %v", sc.Text(), err)
			}
			lastCommitted = last
			if lines++; lines == killAfter && !killed {
				cmd.Process.Kill() // SIGKILL: no deferred Close, no checkpoint
				killed = true
			}
		}
		cmd.Wait()
		if !killed {
			t.Fatalf("round %d: the child stopped after %d batches before it was killed", round, lines)
		}

		j, err := Open(path, Options{})
		if err != nil {
			t.Fatalf("round %d: reopen after kill: %v", round, err)
		}
		if ic := pragma(t, j, "integrity_check"); ic != "ok" {
			t.Errorf("round %d: integrity_check: %s", round, ic)
		}
		end := lastCommitted.Add(time.Minute)
		got, err := j.Minutes(time.Time{}, end, "", "")
		if err != nil {
			t.Fatal(err)
		}
		wantRows := int(end.Sub(t0)/time.Minute) * len(crashZones) * len(crashQuantities)
		if len(got) != wantRows {
			t.Errorf("round %d: %d minute rows up to the last committed %v, want %d", round, len(got), lastCommitted, wantRows)
		}
		evs, _ := j.Events(time.Time{}, end)
		if len(evs) != int(end.Sub(t0)/time.Hour) {
			t.Errorf("round %d: %d events up to %v, want one per committed batch (%d)", round, len(evs), end, int(end.Sub(t0)/time.Hour))
		}
		last, _ := j.LastMinute()
		t.Logf("round %d: killed after %d batches; last committed %s, last in file %s", round, lines, lastCommitted.Format(time.RFC3339), last.Format(time.RFC3339))
		j.Close()
	}
}

// crashChild writes hour-long batches after the last minute in the file
// and prints each committed one, until it is killed (or, as a bound, after
// 1,000 batches).
func crashChild(path string) {
	j, err := Open(path, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	next := t0
	if last, _ := j.LastMinute(); !last.IsZero() {
		next = last.Add(time.Minute)
	}
	for range 1000 {
		b := Batch{Minutes: minutes(next, crashBatchMinutes, crashZones, crashQuantities)}
		id := uint64(next.Sub(t0)/time.Hour) + 1
		b.Events = []Event{{ID: id, AlarmID: id, Kind: "raised", Time: next.Add(30 * time.Minute)}}
		if _, err := j.Write(b); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		next = next.Add(crashBatchMinutes * time.Minute)
		fmt.Printf("committed %s\n", next.Add(-time.Minute).Format(time.RFC3339))
	}
	os.Exit(0)
}
