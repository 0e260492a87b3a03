package prometheus_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/export"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/testbench/promserver"
	"github.com/ventd/ventd/testbench/ventdproc"
)

// shiftConfig is the simulated room with limits a site might set, low
// enough that the simulated shift crosses them in the staff area: the
// test must see time over limits, not agree on zeros.
const shiftConfig = `
site: "Hope"
room: "Room 1"
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
  pm25_ugm3: {warning: 8, alarm: 12}
  co2_ppm: {warning: 700, alarm: 800}
exposure:
  limits:
    pm25_ugm3: {twa: 4, stel: 8}
    co2_ppm: {twa: 5000, stel: 30000}
`

var shiftStart = time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)

// shiftScenario is a 12 h day: a pipe session every 25 to 45 min, staff
// coming and going, the booth door opened after some sessions, and the
// staff PM sensor unplugged for 6 min (a gap in the record).
func shiftScenario() string {
	var b strings.Builder
	b.WriteString("name: twelve-hours\nduration: 12h\nevents:\n  - {at: 0s, occupants: {zone: staff, count: 2}}\n")
	at := 10 * time.Minute
	for i := 0; at < 12*time.Hour-10*time.Minute; i++ {
		fmt.Fprintf(&b, "  - {at: %s, session: {zone: booth, duration: %dm, pm25_mg_per_min: %.1f}}\n", at, 2+i%4, 1.5+float64(i%5))
		if i%3 == 1 {
			fmt.Fprintf(&b, "  - {at: %s, door: {name: booth-door, open: true, for: %dm}}\n", at+time.Duration(2+i%4)*time.Minute, 1+i%2)
		}
		if i%4 == 2 {
			fmt.Fprintf(&b, "  - {at: %s, occupants: {zone: staff, count: %d}}\n", at+5*time.Minute, 1+i%3)
		}
		at += time.Duration(25+(i*7)%21) * time.Minute
	}
	b.WriteString("  - {at: 5h, sensor_fault: {sensor: staff-pm, kind: disconnect, for: 6m}}\n")
	return b.String()
}

// runShift runs ventd on the simulated room through the 12 h shift on
// unpaced simulated time, and a few minutes past its end so that the
// journal holds the finished shift; it returns the state directory. ventd
// runs as its own process, built without the race detector even when the
// test has it: the shift is 43,000 control periods, which the detector
// slows tenfold, and the code under test here is the export, not the loop.
func runShift(t *testing.T, cfg *config.Config) string {
	t.Helper()
	dir := t.TempDir()
	bin, cfgFile, scFile := filepath.Join(dir, "ventd"), filepath.Join(dir, "shift.yaml"), filepath.Join(dir, "twelve-hours.yaml")
	if err := os.WriteFile(cfgFile, []byte(shiftConfig), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(scFile, []byte(shiftScenario()), 0o644); err != nil {
		t.Fatal(err)
	}
	build := exec.Command("go", "build", "-o", bin, "github.com/ventd/ventd/cmd/ventd")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	state := filepath.Join(dir, "state")
	os.Mkdir(state, 0o755)
	cmd, addr := ventdproc.Start(t, bin, "-sim", "-sim-speed", "0", "-sim-seed", "11", "-config", cfgFile, "-sim-scenario", scFile,
		"-sim-start", shiftStart.Format(time.RFC3339), "-listen", "127.0.0.1:0", "-state-dir", state)
	url := "http://" + addr + "/api/state"
	for {
		var s struct{ Time time.Time }
		if resp, err := http.Get(url); err == nil {
			json.NewDecoder(resp.Body).Decode(&s)
			resp.Body.Close()
		}
		if s.Time.Sub(shiftStart) >= 12*time.Hour+3*time.Minute {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGTERM) // a clean stop writes the last records
	if err := cmd.Wait(); err != nil {
		t.Fatalf("ventd: %v", err)
	}
	return state
}

// TestBackfilledShift is the auditor's path when Prometheus missed a
// shift: ventd's journal of a simulated 12 h shift, exported as OpenMetrics
// and backfilled with promtool into a real Prometheus; the recording rules
// computed over it with promtool too. At the shift's end the rules' TWA,
// time with the STEL over its limit and coverage agree with ventctl
// export's shift rows (the daemon's live figures from 1 s data) within 1%
// (the times also within the 2 min increase() can be out), the time over
// the alarm level with what the journal's minutes say of it, and every
// auditor dashboard query returns data there.
func TestBackfilledShift(t *testing.T) {
	promserver.Need(t)
	cfg, err := config.Parse([]byte(shiftConfig), "shift.yaml")
	if err != nil {
		t.Fatal(err)
	}
	began := time.Now()
	lap := func(what string) {
		t.Logf("%-40s %v", what, time.Since(began).Round(time.Millisecond))
		began = time.Now()
	}
	dir := runShift(t, cfg)
	lap("12 h shift simulated")
	j, err := journal.OpenReadOnly(filepath.Join(dir, "journal.db"), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	now := shiftStart.Add(13 * time.Hour)
	from, to, err := export.ParseWindow("2026-03-02", "2026-03-02", time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	om := filepath.Join(t.TempDir(), "shift.om")
	var doc export.Document
	var js bytes.Buffer
	for _, o := range []export.Options{{Format: "openmetrics"}, {Format: "json"}} {
		o.From, o.To, o.Now, o.Config = from, to, now, cfg
		var buf bytes.Buffer
		if err := export.Write(&buf, j, o); err != nil {
			t.Fatal(err)
		}
		if o.Format == "json" {
			js = buf
		} else if err := os.WriteFile(om, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := json.Unmarshal(js.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	lap("exported")

	data := filepath.Join(t.TempDir(), "data")
	if out, err := promserver.Promtool(t, "tsdb", "create-blocks-from", "openmetrics", om, data); err != nil {
		t.Fatalf("promtool create-blocks-from openmetrics: %v\n%s", err, out)
	}
	lap("promtool create-blocks-from openmetrics")
	const promConfig = "global: {scrape_interval: 1m}\n"
	srv := promserver.Start(t, promserver.Opts{Config: promConfig, DataDir: data})
	end := shiftStart.Add(12 * time.Hour)
	rules := filepath.Join(t.TempDir(), "rules")
	if out, err := promserver.Promtool(t, "tsdb", "create-blocks-from", "rules",
		// The rules are evaluated over the shift's last hour: what the
		// comparison and the dashboards read at its end.
		"--start="+strconv.FormatInt(end.Add(-time.Hour).Unix(), 10), "--end="+strconv.FormatInt(end.Add(time.Minute).Unix(), 10),
		"--eval-interval=1m", "--url="+srv.URL, "--output-dir="+rules, "rules/ventd-recording.yml"); err != nil {
		t.Fatalf("promtool create-blocks-from rules: %v\n%s", err, out)
	}
	lap("prometheus started, rules backfilled")
	srv.Stop()
	blocks, _ := os.ReadDir(rules)
	for _, b := range blocks {
		if err := os.Rename(filepath.Join(rules, b.Name()), filepath.Join(data, b.Name())); err != nil {
			t.Fatal(err)
		}
	}
	srv = promserver.Start(t, promserver.Opts{Config: promConfig, DataDir: data})
	lap("prometheus restarted with the rules")

	compared := 0
	for _, sh := range doc.Shifts {
		if !sh.Start.Equal(shiftStart) {
			continue
		}
		if sh.Source != export.SourceLive || !sh.Finished {
			t.Errorf("%s %s: source %s, finished %v; want the daemon's live summary of the finished shift", sh.Zone, sh.Quantity, sh.Source, sh.Finished)
		}
		u := "ugm3"
		if sh.Unit == "ppm" {
			u = "ppm"
		}
		sel := fmt.Sprintf(`{site="Hope",room="Room 1",zone=%q,pollutant=%q}`, sh.Zone, sh.Quantity)
		overAlarm := overFromMinutes(t, j, cfg, sh.Zone, string(sh.Quantity), shiftStart, end)
		t.Logf("%-6s %-5s time over the alarm level: %.0f s from the journal's minute means, %.0f s live from 1 s data",
			sh.Zone, sh.Quantity, overAlarm, sh.TimeOverAlarm.Std().Seconds())
		for _, c := range []struct {
			what string
			expr string
			live float64
		}{
			{"TWA", "ventd:exposure_twa_" + u + ":12h" + sel, sh.TWA},
			// The README's query for a shift, with its end in it.
			{"TWA, the README's query", fmt.Sprintf("increase(ventd_exposure_dose_%s_seconds_total%s[12h] @ %d) / 28800", u, sel, end.Unix()), sh.TWA},
			{"coverage", "ventd:exposure_coverage_ratio:12h" + sel, sh.Coverage / 100},
			// A backfill knows only minute means: the minutes whose mean
			// is over the level, whole. How far that is from the live
			// count depends on how often the air crossed the level within
			// a minute (1.6 % on this day), so the rule is held to what
			// the minutes say, and the live figure is logged beside it.
			{"time over the alarm level", "ventd:exposure_over_alarm_seconds:12h" + sel, overAlarm},
			{"time with the STEL over its limit", "ventd:exposure_stel_over_limit_seconds:12h" + sel, sh.TimeOverSTEL.Std().Seconds()},
		} {
			at := end
			if strings.Contains(c.expr, "@") {
				at = time.Time{} // now: the query says when
			}
			v, err := srv.Query(c.expr, at)
			if err != nil || len(v) != 1 {
				t.Errorf("%s %s: %s at %v: %v, %v", sh.Zone, sh.Quantity, c.expr, end, v, err)
				continue
			}
			got := v[0].Value
			tol := 0.01*math.Max(math.Abs(got), math.Abs(c.live)) + 1e-9
			if strings.HasPrefix(c.what, "time ") {
				// A counter of seconds read with increase() at 1 m
				// evaluations can be up to a minute out at each end of
				// the window, whatever the total.
				tol = math.Max(tol, 2*60)
			}
			ok := math.Abs(got-c.live) <= tol
			t.Logf("%-6s %-5s %-34s Prometheus %12.6f  export %12.6f  (%+.4f%%)", sh.Zone, sh.Quantity, c.what, got, c.live, 100*(got-c.live)/math.Max(c.live, 1e-12))
			if !ok {
				t.Errorf("%s %s %s: the recording rule gives %v at the shift's end, ventctl export %v: more than %.4g apart", sh.Zone, sh.Quantity, c.what, got, c.live, tol)
			}
			compared++
		}
		if sh.Zone == "staff" && sh.Quantity == "pm25" && (sh.TimeOverAlarm == 0 || sh.TimeOverSTEL == 0 || sh.Coverage > 99.9) {
			t.Errorf("staff PM2.5: over alarm %v, STEL over limit %v, coverage %v%%: the test shift should cross the limits and have a gap",
				sh.TimeOverAlarm, sh.TimeOverSTEL, sh.Coverage)
		}
	}
	if compared < 5*5 {
		t.Errorf("compared %d figures; want 5 for each of booth PM2.5, PM10 and staff PM2.5, PM10, CO2", compared)
	}

	// Every auditor dashboard query, as Grafana would send it for this
	// shift, parses and returns data.
	vars := map[string]string{"site": ".+", "room": ".+", "zone": ".+", "datasource": "prometheus", "shift": "12h"}
	for name, q := range promserver.DashboardQueries(t, "dashboards/ventd-auditors.json", vars, "12h") {
		v, err := srv.Query(q, end)
		if err != nil || len(v) == 0 {
			t.Errorf("auditor dashboard %s: %q at the shift's end: %d series, %v", name, q, len(v), err)
		}
	}
}

// overFromMinutes is the time zone's quantity was over its alarm level in
// [from, to) as the journal's minutes tell it: the covered seconds of each
// minute whose mean is over the level, as the OpenMetrics export's replay
// counts them.
func overFromMinutes(t *testing.T, j *journal.Journal, cfg *config.Config, zone, quantity string, from, to time.Time) float64 {
	t.Helper()
	level := map[string]float64{"pm25": cfg.Thresholds.PM25.Alarm, "co2": cfg.Thresholds.CO2.Alarm}[quantity]
	ms, err := j.Minutes(from, to, zone, quantity)
	if err != nil {
		t.Fatal(err)
	}
	over := 0.0
	for _, m := range ms {
		if level > 0 && m.CoveredSeconds > 0 && m.Mean > level {
			over += m.CoveredSeconds
		}
	}
	// Time with every sensor above its range counts over the level too
	// (its top, 1000 µg/m³ for these sensors, is above any alarm level):
	// the journal's above_range gaps, as the export and the daemon count
	// them.
	gaps, err := j.Gaps(from, to)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range gaps {
		if level > 0 && g.Zone == zone && g.Quantity == quantity && g.Reason == record.GapAboveRange && exposure.RangeTop(cfg, zone, sample.Quantity(quantity)) >= level {
			if d := minTime(g.End, to).Sub(maxTime(g.Start, from)); d > 0 {
				over += d.Seconds()
			}
		}
	}
	return over
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
