package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/snapshot"
)

// startSim runs the built ventd on the simulated room and returns it with
// its HTTP address.
func startSim(t *testing.T, bin, stateDir string, start time.Time, speed int) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(bin, "-sim", "-sim-speed", fmt.Sprint(speed), "-sim-start", start.Format(time.RFC3339),
		"-listen", "127.0.0.1:0", "-state-dir", stateDir)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return cmd, waitAddr(t, stderr)
}

func getState(addr string) (*snapshot.Snapshot, error) {
	resp, err := http.Get("http://" + addr + "/api/state")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("status %s", resp.Status)
	}
	var s snapshot.Snapshot
	return &s, json.NewDecoder(resp.Body).Decode(&s)
}

func staffShift(s *snapshot.Snapshot) (twa, coverage float64, ok bool) {
	for _, e := range s.Exposure {
		if e.Zone == "staff" && e.Quantity == "pm25" && e.Shift != nil {
			return e.Shift.TWA, e.Shift.Coverage, true
		}
	}
	return 0, 0, false
}

// TestSIGKILLMidShiftKeepsTheShiftTWA runs ventd through a 12 h shift at
// 3600× speed, kills it with SIGKILL six hours in, restarts it ten
// simulated minutes later on the same state directory, and checks that
// the shift's TWA continues from the journal (losing at most the minute
// being written), with the outage recorded as a gap.
func TestSIGKILLMidShiftKeepsTheShiftTWA(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the daemon for about 10 s")
	}
	bin := filepath.Join(t.TempDir(), "ventd")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	dir := t.TempDir()
	shiftStart := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC) // sim.yaml: 12 h shifts from 07:00 UTC
	cmd, addr := startSim(t, bin, dir, shiftStart, 3600)

	var last *snapshot.Snapshot
	for {
		s, err := getState(addr)
		if err == nil {
			last = s
			if s.Time.Sub(shiftStart) >= 6*time.Hour {
				break
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	cmd.Process.Kill() // SIGKILL: no shutdown, no final flush
	cmd.Wait()
	twaKilled, covKilled, ok := staffShift(last)
	if !ok || twaKilled <= 0 {
		t.Fatalf("no staff PM2.5 shift record before the kill: %+v", last.Exposure)
	}
	t.Logf("killed at %v into the shift: TWA %.3f µg/m³, coverage %.2f%%", last.Time.Sub(shiftStart), twaKilled, covKilled)

	restart := last.Time.Add(10 * time.Minute)
	_, addr = startSim(t, bin, dir, restart, 3600)
	var first *snapshot.Snapshot
	for first == nil {
		if s, err := getState(addr); err == nil {
			if _, _, ok := staffShift(s); ok {
				first = s
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	twa, cov, _ := staffShift(first)
	t.Logf("restarted at %v into the shift: TWA %.3f µg/m³, coverage %.2f%%", first.Time.Sub(shiftStart), twa, cov)
	// Σ CᵢTᵢ continues. Lost: at most the minute being written at the
	// kill, plus what ran between the last poll and the kill (both
	// bounded by two minutes at the highest staff level, 100 µg/m³).
	slack := 2 * 60 * 100 / (8 * 3600.0)
	if twa < twaKilled-slack || twa > twaKilled+slack {
		t.Errorf("shift TWA %.3f after the restart, %.3f before the kill (allowed ±%.3f)", twa, twaKilled, slack)
	}
	if cov >= covKilled {
		t.Errorf("coverage %.2f%% after a 10 min outage, %.2f%% before: the outage must lower it", cov, covKilled)
	}

	j, err := journal.Open(filepath.Join(dir, "journal.db"), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	// The gap is written with the restarted daemon's first batch, a
	// simulated minute (17 ms) after its first snapshot: wait for it.
	var gaps []journal.Gap
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if gaps, err = j.Gaps(shiftStart, restart.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		for _, g := range gaps {
			if g.Reason == journal.GapDaemonDown && g.End.Sub(g.Start) >= 9*time.Minute && g.End.Sub(g.Start) <= 13*time.Minute {
				return
			}
		}
	}
	t.Errorf("no daemon_down gap of about 10 min in %+v", gaps)
}
