package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/snapshot"
	"github.com/ventd/ventd/testbench"
)

const e2eScenario = `name: e2e
duration: 45m
events:
  - {at: 0s, occupants: {zone: staff, count: 2}}
  - {at: 15m, session: {zone: booth, duration: 4m, pm25_mg_per_min: 3}}
  - {at: 35m, sensor_fault: {sensor: booth-pm, kind: disconnect, for: 2m}}
`

var e2eStart = time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)

// runSim runs the daemon on the simulated room through scenario as fast as
// the CPU allows and returns every snapshot it published, plus a few
// /api/state answers fetched over real HTTP while it ran.
func runSim(t *testing.T, scenario string, until time.Duration) ([]*snapshot.Snapshot, []snapshot.Snapshot, string) {
	t.Helper()
	all, fetched, logs, _ := runSimDir(t, scenario, until)
	return all, fetched, logs
}

// runSimDir is runSim that also returns the state directory.
func runSimDir(t *testing.T, scenario string, until time.Duration) ([]*snapshot.Snapshot, []snapshot.Snapshot, string, string) {
	t.Helper()
	dir := t.TempDir()
	scFile := filepath.Join(dir, "scenario.yaml")
	if err := os.WriteFile(scFile, []byte(scenario), 0o644); err != nil {
		t.Fatal(err)
	}
	var logs testbench.LogBuffer
	a, ctx, cancel := newTestApp(t, &logs, "-sim", "-sim-speed", "0", "-sim-scenario", scFile,
		"-sim-start", e2eStart.Format(time.RFC3339), "-listen", "127.0.0.1:0", "-state-dir", dir)
	// Every period's picture, as /api/state would have shown it.
	var all []*snapshot.Snapshot
	var view snapshot.View
	a.d.Attach("test", record.OutputFunc(func(p *record.Period) {
		view.Receive(p)
		all = append(all, view.Load())
	}), &record.AttachOpts{Backlog: -1})
	done := make(chan error, 1)
	go func() { done <- a.run(ctx) }()
	// Stop once the outputs have seen until: on a fast machine the loop
	// runs far ahead of the HTTP fetches, so the end is watched on the
	// record, not on the fetches.
	stopAt := make(chan struct{})
	a.d.Attach("stop", record.OutputFunc(func(p *record.Period) {
		if p.Time.Sub(e2eStart) >= until {
			select {
			case <-stopAt:
			default:
				a.sim.Hold() // simulated time stops where the test looks
				close(stopAt)
			}
		}
	}), nil)

	// Fetch /api/state over HTTP while the loop runs.
	var fetched []snapshot.Snapshot
	url := "http://" + a.ln.Addr().String() + "/api/state"
	fetchDone := make(chan struct{})
	go func() {
		defer close(fetchDone)
		for i := 0; i < 200 && ctx.Err() == nil; i++ {
			resp, err := http.Get(url)
			if err != nil {
				return
			}
			var s snapshot.Snapshot
			if resp.StatusCode == http.StatusOK && json.NewDecoder(resp.Body).Decode(&s) == nil {
				fetched = append(fetched, s)
			}
			resp.Body.Close()
			time.Sleep(5 * time.Millisecond)
		}
	}()

	// Hold simulated time where the test looks, so what the fetches and
	// the last snapshot show does not depend on how fast the machine runs
	// the simulation while the fetches finish.
	<-stopAt
	<-fetchDone
	cancel()
	a.sim.Release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return all, fetched, logs.String(), dir
}

func fmtFloat(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

func sortLines(l []string) []string { sort.Strings(l); return l }

func reading(s *snapshot.Snapshot, sensor string, q sample.Quantity) (snapshot.Reading, bool) {
	for _, r := range s.Readings {
		if r.Sensor == sensor && r.Quantity == q {
			return r, true
		}
	}
	return snapshot.Reading{}, false
}

func at(all []*snapshot.Snapshot, d time.Duration) *snapshot.Snapshot {
	for _, s := range all {
		if !s.Time.Before(e2eStart.Add(d)) {
			return s
		}
	}
	return all[len(all)-1]
}

func TestSimEndToEnd(t *testing.T) {
	all, fetched, logs := runSim(t, e2eScenario, 45*time.Minute)
	fan := func(s *snapshot.Snapshot) snapshot.Fan { return s.Fans[0] }

	// Quiet booth before the session: the fan at its minimum, following PM.
	before := at(all, 14*time.Minute)
	if f := fan(before); f.Mode != "normal" || f.Duty != 0.25 {
		t.Fatalf("before the session: fan %+v, want normal at 0.25", f)
	}
	for _, q := range []sample.Quantity{"pm25", "voc_index"} {
		if r, ok := reading(before, "booth-"+map[sample.Quantity]string{"pm25": "pm", "voc_index": "voc"}[q], q); !ok || r.Quality != sample.Good {
			t.Fatalf("before the session: booth %s = %+v", q, r)
		}
	}
	if r, ok := reading(before, "staff-co2", "co2"); !ok || r.Quality != sample.Good || r.Unit != "ppm" || r.Value < 400 {
		t.Fatalf("staff CO2 = %+v", r)
	}

	// No false alarm from sensor noise: the fan never boosted in the quiet
	// quarter hour before the session.
	for _, s := range all {
		if s.Time.Before(e2eStart.Add(15*time.Minute)) && s.Time.After(e2eStart.Add(2*time.Minute)) && fan(s).Mode != "normal" {
			t.Fatalf("at %v, before any session, fan %+v", s.Time.Sub(e2eStart), fan(s))
		}
	}

	// The session starts at 15 min. Find when the booth sensor first shows
	// it and when the fan reached maximum.
	start := e2eStart.Add(15 * time.Minute)
	base, _ := reading(before, "booth-pm", "pm25")
	var seen, full time.Time
	for _, s := range all {
		if s.Time.Before(start) {
			continue
		}
		if r, _ := reading(s, "booth-pm", "pm25"); seen.IsZero() && r.Time.After(start) && r.Value > base.Value+10 {
			seen = r.Time
		}
		if full.IsZero() && fan(s).Duty == 1 {
			full = s.Time
			break
		}
	}
	if full.IsZero() || seen.IsZero() {
		t.Fatalf("the fan never reached maximum after the session started (seen %v, full %v)", seen, full)
	}
	t.Logf("session start → booth sensor shows smoke: %v; → fan at maximum: %v", seen.Sub(start), full.Sub(start))
	if full.Sub(seen) > time.Second {
		t.Errorf("fan reached maximum %v after the sensor showed smoke; want within one sensor period (1 s)", full.Sub(seen))
	}

	// Back down after it ends (19 min) and clears.
	after := at(all, 34*time.Minute)
	if f := fan(after); f.Mode != "normal" || f.Duty > 0.5 {
		t.Errorf("15 min after the session: fan %+v, want normal and ramped down", f)
	}
	peak := 0.0
	for _, s := range all {
		if r, ok := reading(s, "booth-pm", "pm25"); ok && r.Value > peak {
			peak = r.Value
		}
	}
	t.Logf("booth PM2.5 peak %.0f µg/m³", peak)

	// The booth sensor drops out at 35 min: safe duty within one period.
	fault := e2eStart.Add(35 * time.Minute)
	var safe time.Time
	for _, s := range all {
		if !s.Time.Before(fault) && fan(s).Mode == "safe" && fan(s).Duty == 1 {
			safe = s.Time
			break
		}
	}
	if safe.IsZero() || safe.Sub(fault) > time.Second {
		t.Fatalf("after the disconnect at %v the fan went safe at %v; want within 1 s", fault, safe)
	}
	dropped := at(all, 36*time.Minute)
	if sn := dropped.Sensors[0]; sn.Name != "booth-pm" || sn.Up || sn.Errors["nack"] == 0 {
		t.Errorf("disconnected sensor = %+v, want down with NACKs counted", sn)
	}
	if !strings.Contains(fan(dropped).Reason, "booth-pm") {
		t.Errorf("safe reason %q does not name the sensor", fan(dropped).Reason)
	}
	// It reconnects at 37 min and the fan returns to normal control.
	if f := fan(at(all, 44*time.Minute)); f.Mode != "normal" {
		t.Errorf("after reconnecting: fan %+v, want normal", f)
	}

	// The HTTP answers were live, complete snapshots.
	if len(fetched) < 3 {
		t.Fatalf("only %d /api/state answers while the daemon ran", len(fetched))
	}
	last := fetched[len(fetched)-1]
	if !last.Sim || last.Site == "" || len(last.Fans) != 1 || len(last.Readings) < 8 {
		t.Errorf("/api/state = %+v", last)
	}
	for _, r := range last.Readings {
		if r.Unit == "" || r.Zone == "" || r.Sensor == "" || r.Time.IsZero() {
			t.Errorf("incomplete reading %+v", r)
		}
	}
	distinct := map[time.Time]bool{}
	for _, s := range fetched {
		distinct[s.Time] = true
	}
	if len(distinct) < 2 {
		t.Errorf("/api/state did not change while the daemon ran")
	}

	// Stopped cleanly, fans left safe.
	final := all[len(all)-1]
	if f := fan(final); f.Duty != 1 || f.Mode != "safe" {
		t.Errorf("after stop: fan %+v, want the safe duty", f)
	}
	if !strings.Contains(logs, "fans left at their safe duty") {
		t.Errorf("log lacks the shutdown line:\n%s", tail(logs, 20))
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func TestCheckConfigListsEveryMistake(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "ventd.yaml")
	bad := `site: "Test OPS"
room: "Room 1"
zones:
  - {name: booth, kind: booth, volume_m3: 4}
  - {name: staff, kind: staf, volume_m3: 60}
sensors:
  - {name: booth-pm, type: sps30, bus: "1", zone: booth, adress: 0x69}
fans:
  - name: booth-exhaust
    zones: [booth]
    backend: sysfs_pwm
    sysfs_pwm: {chip: 0, channel: 0}
    max_flow_m3h: -300
    rated_power_w: 45
`
	if err := os.WriteFile(path, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-check-config", "-config", path}, &stdout, &stderr)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, stderr.String())
	}
	out := stderr.String()
	t.Logf("ventd -check-config said:\n%s", out)
	for _, line := range []int{5, 7, 13} {
		if !regexp.MustCompile(fmt.Sprintf(`ventd\.yaml:%d:`, line)).MatchString(out) {
			t.Errorf("no mistake reported on line %d", line)
		}
	}

	good := filepath.Join("..", "..", "config", "example.yaml")
	stdout.Reset()
	stderr.Reset()
	if code := run(context.Background(), []string{"-check-config", "-config", good}, &stdout, &stderr); code != 0 {
		t.Fatalf("example.yaml: exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "OK") {
		t.Errorf("stdout = %q", stdout.String())
	}
}

func TestFlagErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "give -config FILE"},
		{[]string{"-sim", "-sim-speed", "-1"}, "-sim-speed -1"},
		{[]string{"-sim-scenario", "x.yaml"}, "need -sim"},
		{[]string{"-sim-loop"}, "need -sim"},
		{[]string{"-check-config"}, "needs -config"},
		{[]string{"-sim", "-sim-start", "yesterday"}, "RFC 3339"},
		{[]string{"-sim", "extra"}, "unexpected argument"},
	} {
		var stdout, stderr bytes.Buffer
		code := run(context.Background(), c.args, &stdout, &stderr)
		if code == 0 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("ventd %v: exit %d, stderr %q; want an error containing %q", c.args, code, stderr.String(), c.want)
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"-version"}, &stdout, &stderr); code != 0 || !strings.HasPrefix(stdout.String(), "ventd ") {
		t.Errorf("-version: %d %q", code, stdout.String())
	}
}
