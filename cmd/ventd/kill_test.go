package main

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/snapshot"
	"github.com/ventd/ventd/testbench/ventdproc"
)

// startSim runs the built ventd on the simulated room and returns it with
// its HTTP address.
func startSim(t *testing.T, bin, stateDir string, start time.Time, speed int, more ...string) (*exec.Cmd, string) {
	t.Helper()
	return ventdproc.Start(t, bin, append([]string{"-sim", "-sim-speed", fmt.Sprint(speed), "-sim-start", start.Format(time.RFC3339),
		"-listen", "127.0.0.1:0", "-state-dir", stateDir}, more...)...)
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

// killConfig is the simulated room with PM2.5 limits low enough that a
// staff-area session crosses them, so every shift figure has something in
// it: time over the alarm level and the STEL limit, excursions, a peak.
const killConfig = `site: "Kill test"
room: "Room"
zones:
  - {name: booth, kind: booth, volume_m3: 4}
  - {name: staff, kind: staff, volume_m3: 60}
sensors:
  - {name: booth-pm, type: sps30, bus: sim0, zone: booth}
  - {name: staff-pm, type: sps30, bus: sim1, zone: staff}
  - {name: staff-co2, type: scd41, bus: sim1, zone: staff}
fans:
  - {name: booth-exhaust, zones: [booth], backend: sim, max_flow_m3h: 300, rated_power_w: 45, min_duty: 25}
shifts: {time_zone: UTC, starts: ["07:00", "19:00"], length: 12h}
thresholds:
  pm25_ugm3: {warning: 20, alarm: 30}
exposure:
  limits:
    pm25_ugm3: {twa: 10, stel: 25}
`

// killScenario puts smoke in the staff area (someone smoking outside a
// booth) a few times in the first six hours.
const killScenario = `name: staff-smoke
duration: 12h
events:
  - {at: 0s, occupants: {zone: staff, count: 2}}
  - {at: 40m, session: {zone: staff, duration: 6m, pm25_mg_per_min: 2}}
  - {at: 2h10m, session: {zone: staff, duration: 4m, pm25_mg_per_min: 3}}
  - {at: 4h30m, session: {zone: staff, duration: 8m, pm25_mg_per_min: 1.5}}
  - {at: 5h55m, session: {zone: staff, duration: 3m, pm25_mg_per_min: 2}}
`

func staffShift(s *snapshot.Snapshot) (*exposure.Summary, bool) {
	for _, e := range s.Exposure {
		if e.Zone == "staff" && e.Quantity == "pm25" && e.Shift != nil {
			return e.Shift, true
		}
	}
	return nil, false
}

// TestSIGKILLMidShiftChangesNoShiftFigure runs ventd through a 12 h shift
// at 3600× speed, kills it with SIGKILL six hours in, restarts it ten
// simulated minutes later on the same state directory, and checks that
// every figure of the shift continues exactly from what the journal held
// at the kill (TWA, covered time, time over the alarm level and the STEL
// limit, STEL peak, excursions), within one control period of data; the
// time from the last journaled minute to the restart is a gap.
func TestSIGKILLMidShiftChangesNoShiftFigure(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the daemon for about 10 s")
	}
	bin := ventdBinary(t)
	dir := t.TempDir()
	cfgFile, scFile := filepath.Join(dir, "room.yaml"), filepath.Join(dir, "scenario.yaml")
	os.WriteFile(cfgFile, []byte(killConfig), 0o644)
	os.WriteFile(scFile, []byte(killScenario), 0o644)
	state := filepath.Join(dir, "state")
	os.Mkdir(state, 0o755)
	shiftStart := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)
	args := []string{"-config", cfgFile, "-sim-scenario", scFile}
	cmd, addr := startSim(t, bin, state, shiftStart, 3600, args...)

	var last *snapshot.Snapshot
	for {
		s, err := getState(addr)
		if err == nil {
			last = s
			if s.Time.Sub(shiftStart) >= 6*time.Hour+5*time.Minute {
				break
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	cmd.Process.Kill() // SIGKILL: no shutdown, no final flush
	cmd.Wait()

	// What the journal held at the kill: the live summary of its last minute.
	j, err := journal.OpenReadOnly(filepath.Join(state, "journal.db"), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := j.Shifts(shiftStart, shiftStart.Add(time.Hour))
	j.Close()
	if err != nil {
		t.Fatal(err)
	}
	var kept exposure.Summary
	for _, r := range rows {
		if r.Zone == "staff" && r.Quantity == "pm25" {
			if err := json.Unmarshal(r.Summary, &kept); err != nil {
				t.Fatal(err)
			}
		}
	}
	if kept.Covered == 0 || kept.TimeOverAlarm == 0 || kept.AboveSTEL.Count == 0 || !kept.STELPeak.Known() {
		t.Fatalf("the shift before the kill has nothing to compare: %+v", kept)
	}
	t.Logf("killed at %v; journal held the shift to %v: TWA %.4f, over alarm %v, over STEL %v, STEL peak %.2f, %d STEL excursions",
		last.Time.Sub(shiftStart), kept.Until.Sub(shiftStart), kept.TWA, kept.TimeOverAlarm, kept.TimeOverSTEL, float64(kept.STELPeak), kept.AboveSTEL.Count)

	restart := last.Time.Add(10 * time.Minute)
	// At real speed, so the first answer is within a period or two of
	// the restart.
	_, addr = startSim(t, bin, state, restart, 1, args...)
	var got *exposure.Summary
	for got == nil {
		if s, err := getState(addr); err == nil {
			got, _ = staffShift(s)
		}
		time.Sleep(5 * time.Millisecond)
	}
	// A period or two of new data at most has been added since the restart.
	period, level := 2*time.Second, 1000.0 // the SPS30's range bounds any one second
	within := func(what string, a, b, tol float64) {
		if math.Abs(a-b) > tol {
			t.Errorf("%s: %v after the restart, %v journaled at the kill (tolerance %v)", what, a, b, tol)
		}
	}
	within("TWA", got.TWA, kept.TWA, level*period.Seconds()/(8*3600))
	within("covered s", got.Covered.Std().Seconds(), kept.Covered.Std().Seconds(), period.Seconds())
	within("time over alarm s", got.TimeOverAlarm.Std().Seconds(), kept.TimeOverAlarm.Std().Seconds(), period.Seconds())
	within("time over STEL s", got.TimeOverSTEL.Std().Seconds(), kept.TimeOverSTEL.Std().Seconds(), period.Seconds())
	within("STEL peak", float64(got.STELPeak), float64(kept.STELPeak), 1e-9)
	if got.AboveSTEL.Count != kept.AboveSTEL.Count || got.AboveTWA.Count != kept.AboveTWA.Count {
		t.Errorf("excursions %d/%d after the restart, %d/%d journaled", got.AboveSTEL.Count, got.AboveTWA.Count, kept.AboveSTEL.Count, kept.AboveTWA.Count)
	}
	outage := restart.Sub(kept.Until)
	if gap := got.GapTotal.Std() - kept.GapTotal.Std(); gap < outage-2*period || gap > outage+2*period {
		t.Errorf("the shift's gaps grew by %v over the restart; the outage from the last journaled minute was %v", gap, outage)
	}
}
