package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ventd/ventd/config"
)

// A short run through the whole CLI: two built-in scenarios cut to their
// first 45 min, ventd and one baseline (the bounds always run), JSON out.
// The full run is ventbench's job, not the test suite's.
func TestShortRunJSON(t *testing.T) {
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-json", "-only", "quiet-day,sensor-dropout",
		"-controllers", "ventd,onoff35", "-truncate", "45m", "-seeds", "1"}, &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var raw map[string]any
	if err := json.Unmarshal(stdout.Bytes(), &raw); err != nil {
		t.Fatalf("-json output does not parse: %v\n%s", err, stdout.String())
	}
	for _, k := range []string{"seeds", "wall_seconds", "sim_hours_per_wall_second", "scenarios", "runs"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("report lacks %q", k)
		}
	}
	var rep Report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Runs) != 10 || len(rep.Scenarios) != 2 {
		t.Fatalf("%d runs and %d scenario reports, want 10 (2 scenarios × ventd, onoff35, full, min, min-nominal) and 2", len(rep.Runs), len(rep.Scenarios))
	}
	for _, r := range rep.Runs {
		if r.Scenario == "" || r.SimHours != 0.75 || r.EnergyKWh <= 0 || !r.StaffSTELPeak.Known() || r.StaffCoverage < 95 || r.Seed != 1 || r.Group != groupTuning {
			t.Errorf("implausible result %+v", r)
		}
		if r.Entry.Sessions != 1 || !r.Entry.Max.Known() || float64(r.Entry.Max) > 600 && (r.Controller == "ventd" || r.Controller == "full") {
			t.Errorf("%s/%s: entry %+v, want one session measured (ventd and full: safe within 10 min)", r.Scenario, r.Controller, r.Entry)
		}
		// The booth sensor drops out at 17 min: every law but the bare
		// bound is at its safe duty within one period.
		if r.Scenario == "sensor-dropout" && r.Controller != "min-nominal" && (!r.SafeAfterFault.Known() || r.SafeAfterFault > 1) {
			t.Errorf("%s: %v s from the dropout to the safe duty, want ≤ 1 s", r.Controller, r.SafeAfterFault)
		}
		if r.Sessions.Sessions != 1 || r.Sessions.Share <= 0 {
			t.Errorf("%s/%s: sessions %+v", r.Scenario, r.Controller, r.Sessions)
		}
	}
	for _, sr := range rep.Scenarios {
		if sr.Ratios.Energy.N != 1 || sr.FrontierSTEL.Margin.N != 1 || len(sr.FrontierSTEL.Points) == 0 || sr.VsOnOff == nil {
			t.Errorf("%s: report incomplete: %+v", sr.Scenario, sr)
		}
		var names []string
		for _, g := range sr.Goals {
			names = append(names, g.Name)
		}
		for _, want := range []string{"stel_ratio", "twa_ratio", "energy_ratio", "below_frontier_stel", "below_frontier_twa", "full_after_visible_s", "weak_to_full_s", "safe_after_fault_s"} {
			if !slices.Contains(names, want) {
				t.Errorf("%s: goals %v lack %s", sr.Scenario, names, want)
			}
		}
	}
}

// A scenario file with its own room (a config beside it) and an outdoor
// profile, run to the table.
func TestScenarioFileAndTable(t *testing.T) {
	dir := t.TempDir()
	roomYAML := `site: t
room: two booths
zones:
  - {name: b1, kind: booth, volume_m3: 3}
  - {name: b2, kind: booth, volume_m3: 3}
  - {name: staff, kind: staff, volume_m3: 50}
sensors:
  - {name: b1-pm, type: sps30, bus: sim0, zone: b1}
  - {name: b2-pm, type: sps30, bus: sim2, zone: b2}
  - {name: staff-pm, type: sps30, bus: sim1, zone: staff}
fans:
  - {name: f1, zones: [b1], backend: sim, max_flow_m3h: 200, rated_power_w: 30, min_duty: 25}
  - {name: f2, zones: [b2], backend: sim, max_flow_m3h: 200, rated_power_w: 30, min_duty: 25}
`
	sc := `name: mine
duration: 20m
room: {config: room.yaml, staff_ach: 3}
outdoor: [{at: 0s, pm25: 10}, {at: 20m, pm25: 30}]
events:
  - {at: 5m, session: {zone: b2, duration: 3m, pm25_mg_per_min: 3}}
`
	for name, text := range map[string]string{"room.yaml": roomYAML, "mine.yaml": sc} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"-scenario", filepath.Join(dir, "mine.yaml"), "-controllers", "ventd,onoff35", "-seeds", "1,2"}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out := stdout.String()
	for _, want := range []string{"Scenario files", "mine", "ventd", "onoff35", "min-nominal", "STEL ratio", "energy ratio", "vs frontier", "below_frontier_stel",
		"2 seed(s) [1 2]", "simulated hours per wall second"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestBadArguments(t *testing.T) {
	// A -from file that parses and holds nothing.
	emptyRecord := filepath.Join(t.TempDir(), "empty.json")
	if err := os.WriteFile(emptyRecord, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-controllers", "ventd,pid"}, `no controller "pid"`},
		{[]string{"-only", "tuesday"}, `no built-in scenario "tuesday"`},
		{[]string{"-scenario", "/nonexistent.yaml"}, "nonexistent.yaml"},
		{[]string{"-only", "night", "-scenario", "x.yaml"}, "cannot be combined"},
		{[]string{"-parallel", "0"}, "-parallel 0"},
		{[]string{"-seeds", "1,x"}, `-seeds "1,x"`},
		{[]string{"-seeds", "1,2,1"}, "seed 1 is given twice"},
		{[]string{"-set", "mine"}, `-set "mine"`},
		{[]string{"-from", "x.json"}, "-from goes with -readme or -compare"},
		{[]string{"-readme", "R.md", "-compare", "x.json"}, "-readme and -compare each write their own output"},
		{[]string{"-compare", "/nonexistent.json", "-from", "/nonexistent2.json"}, "nonexistent.json"},
		{[]string{"-readme", "R.md", "-from", emptyRecord}, "no scenario in it"},
		{[]string{"extra"}, "unexpected argument"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), c.args, &stdout, &stderr); code == 0 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("ventbench %v: exit %d, stderr %q; want an error containing %q", c.args, code, stderr.String(), c.want)
		}
	}
}

// Every built-in scenario parses, finds its room and fits it.
func TestBuiltinsFitTheirRooms(t *testing.T) {
	for _, g := range []string{groupTuning, groupHeldOut} {
		names := builtinNames(g)
		if len(names) < 8 {
			t.Errorf("%s: only %d scenarios", g, len(names))
		}
		for _, name := range names {
			c, err := builtin(name, nil)
			if err != nil {
				t.Errorf("%s: %v", name, err)
				continue
			}
			var sensors []string
			for _, s := range c.cfg.Sensors {
				sensors = append(sensors, s.Name)
			}
			if err := c.sc.Validate(c.room, sensors); err != nil {
				t.Errorf("%s: %v", name, err)
			}
			if c.group != g {
				t.Errorf("%s: group %s, want %s", name, c.group, g)
			}
		}
	}
	// A site config gives its tuning to every room.
	site := config.Sim()
	site.Control.BoothFullExcess = 77
	c, err := builtin("two-booths", site)
	if err != nil || c.cfg.Control.BoothFullExcess != 77 || len(c.cfg.Fans) != 2 {
		t.Fatalf("two-booths with a site config: %v %+v", err, c)
	}
}

// A scenario's room config is found relative to the scenario file, or at
// an absolute path as given.
func TestScenarioRoomPath(t *testing.T) {
	abs, err := filepath.Abs("scenarios/rooms/two-booths.yaml")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for name, room := range map[string]string{"absolute": abs, "relative": "rooms/two-booths.yaml"} {
		if name == "relative" {
			if err := os.MkdirAll(filepath.Join(dir, "rooms"), 0o755); err != nil {
				t.Fatal(err)
			}
			b, err := os.ReadFile(abs)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, room), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		file := filepath.Join(dir, name+".yaml")
		src := "duration: 1h\nroom: {config: " + room + "}\nevents:\n  - {at: 1m, session: {zone: booth-2, duration: 2m, pm25_mg_per_min: 2}}\n"
		if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := fileCase(file, nil)
		if err != nil {
			t.Errorf("%s room path: %v", name, err)
			continue
		}
		if len(c.cfg.Zones) != 3 {
			t.Errorf("%s room path: zones %v; want the two-booth room's three", name, c.cfg.Zones)
		}
	}
}

// Scenarios ventbench cannot judge honestly are refused, saying why: two
// files under one name (their figures would be mixed into one report),
// and a day longer than the staff's 24 h exposure record (its later hours
// counted for nothing); -truncate says what it left out.
func TestScenariosItCannotJudge(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := write("a.yaml", "name: same\nduration: 1h\nevents:\n  - {at: 10m, session: {zone: booth, duration: 2m, pm25_mg_per_min: 2}}\n")
	b := write("b.yaml", "name: same\nduration: 2h\nevents:\n  - {at: 10m, session: {zone: booth, duration: 2m, pm25_mg_per_min: 3}}\n")
	long := write("long.yaml", "name: long\nduration: 26h\nevents:\n  - {at: 24h30m, session: {zone: booth, duration: 2m, pm25_mg_per_min: 3}}\n")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"-scenario", a, "-scenario", b}, `scenario name "same" is given twice (` + a + " and " + b + ")"},
		{[]string{"-scenario", long}, "lasts 26h0m0s: ventbench judges a day of at most 24h0m0s"},
	} {
		var stdout, stderr bytes.Buffer
		if code := run(context.Background(), c.args, &stdout, &stderr); code == 0 || !strings.Contains(stderr.String(), c.want) {
			t.Errorf("ventbench %v: exit %d, stderr %q; want %q", c.args, code, stderr.String(), c.want)
		}
	}
	var stdout, stderr bytes.Buffer
	args := []string{"-only", "sensor-drift", "-truncate", "2h", "-controllers", "ventd", "-seeds", "1", "-cache", "off"}
	if code := run(context.Background(), args, &stdout, &stderr); code != 0 || !strings.Contains(stderr.String(), "sensor-drift: -truncate 2h0m0s left out 2 event(s) that run past it") {
		t.Errorf("ventbench %v: exit %d, stderr %q; want the drifts it left out said", args, code, stderr.String())
	}
}
