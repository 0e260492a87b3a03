package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/daemon"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/scenario"
)

// tallyRun is what one scenario day did with the alarms.
type tallyRun struct {
	name   string
	events []alarm.Event // every transition after warm-up
	warm   []alarm.Event // transitions during warm-up
	end    []alarm.Alarm // active at the end
	// staff truth: seconds the true staff PM2.5 was over the warning and
	// alarm levels, and the longest run over the warning level.
	over35, over125, run35 time.Duration
	sc                     *scenario.Scenario
}

// runTally runs c with ventd's own law and collects its alarm transitions.
func runTally(t *testing.T, c *benchCase) tallyRun {
	sc, cfg := c.sc, c.cfg
	out := tallyRun{name: sc.Name, sc: sc}
	clk := clock.NewSim(simStart.Add(-warmup), 0)
	rc := c.room
	rig, err := testbench.NewRig(cfg, clk, sc, testbench.RigOpts{Seed: 1, ScenarioStart: simStart, Room: &rc})
	if err != nil {
		t.Fatal(err)
	}
	end := simStart.Add(sc.Duration)
	staff := ""
	if zs := cfg.ZonesOf(config.Staff); len(zs) > 0 {
		staff = zs[0].Name
	}
	var last time.Time
	var runStart time.Time
	clk.OnAdvance(func(now time.Time) {
		if now.Sub(last) < time.Second || now.Before(simStart) || !now.Before(end) || staff == "" {
			return
		}
		dt := now.Sub(last)
		if last.IsZero() {
			dt = time.Second
		}
		last = now
		st, err := rig.Room.State(staff)
		if err != nil {
			return
		}
		if st.PM25 > 35 {
			out.over35 += dt
			if runStart.IsZero() {
				runStart = now
			}
			out.run35 = max(out.run35, now.Sub(runStart))
		} else {
			runStart = time.Time{}
		}
		if st.PM25 > 125.5 {
			out.over125 += dt
		}
	})
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	d, err := daemon.New(daemon.Options{Config: cfg, Clock: clk, Hardware: rig, Log: log, Sim: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d.Attach("tally", record.OutputFunc(func(p *record.Period) {
		if !p.Time.Before(end) {
			out.end = slices.Clone(p.Alarms.Alarms)
			cancel()
			return
		}
		if p.Time.Before(simStart) {
			out.warm = append(out.warm, p.Transitions...)
			return
		}
		out.events = append(out.events, p.Transitions...)
		out.end = slices.Clone(p.Alarms.Alarms)
	}), &record.AttachOpts{Backlog: -1})
	if err := d.Run(ctx); err != nil {
		t.Fatal(err)
	}
	return out
}

// ruleKind is a rule id with its subject left out: "sensor/*/stale".
func ruleKind(e alarm.Event) string {
	return strings.Replace(string(e.RuleID), e.Subject, "*", 1)
}

// tallyCases lists every scenario day the tally runs.
func tallyCases(t *testing.T) []*benchCase {
	var cases []*benchCase
	for _, g := range []string{groupTuning, groupHeldOut} {
		for _, n := range builtinNames(g) {
			c, err := builtin(n, nil)
			if err != nil {
				t.Fatal(err)
			}
			cases = append(cases, c)
		}
	}
	files, _ := filepath.Glob("testdata/unseen/*.yaml")
	if extra := os.Getenv("VENTD_ALARM_TALLY_FILES"); extra != "" {
		more, _ := filepath.Glob(extra)
		files = append(files, more...)
	}
	for _, f := range files {
		c, err := fileCase(f, nil)
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, c)
	}
	for _, n := range []int{1, 2, 6, 8} {
		cfg, err := config.Load(fmt.Sprintf("../../testbench/rooms/booths-%d.yaml", n))
		if err != nil {
			t.Fatal(err)
		}
		sc, err := scenario.Load(fmt.Sprintf("../../testbench/rooms/booths-%d-day.yaml", n))
		if err != nil {
			t.Fatal(err)
		}
		cases = append(cases, &benchCase{sc: sc, group: groupFile, cfg: cfg, room: testbench.RoomConfig(cfg)})
	}
	if only := os.Getenv("VENTD_ALARM_TALLY_ONLY"); only != "" {
		cases = slices.DeleteFunc(cases, func(c *benchCase) bool { return !strings.Contains(c.sc.Name, only) })
	}
	return cases
}

// TestAlarmTally runs every scenario day through the whole daemon and
// prints what its alarms did: raises per kind and level, repeat raises of
// one rule within an hour, how soon each injected fault raised and cleared,
// and what was still active at the end. It also checks what a facilities
// manager's pager depends on: every injected fan or sensor fault raises an
// alarm naming it, a day without one raises no equipment fault, and no
// rule raises more than three times within an hour. Set
// VENTD_ALARM_TALLY=1 to run it (about 2 min for every day on one core);
// VENTD_ALARM_TALLY_ONLY=NAME runs the days whose name contains NAME,
// VENTD_ALARM_TALLY_FILES=GLOB adds scenario files, and
// VENTD_ALARM_TALLY_TIMELINE=1 lists every transition with its time.
func TestAlarmTally(t *testing.T) {
	if os.Getenv("VENTD_ALARM_TALLY") == "" {
		t.Skip("set VENTD_ALARM_TALLY=1 to run the alarm survey")
	}
	for _, c := range tallyCases(t) {
		r := runTally(t, c)
		var b strings.Builder
		fmt.Fprintf(&b, "== %s (%v)  staff truth >35: %v (longest %v), >125.5: %v\n", r.name, r.sc.Duration,
			r.over35.Round(time.Second), r.run35.Round(time.Second), r.over125.Round(time.Second))
		for _, e := range r.warm {
			if e.Kind == alarm.Raised {
				fmt.Fprintf(&b, "   warm-up raise %s %s\n", e.Level, e.RuleID)
			}
		}
		count := map[string]int{}
		lastRaise := map[alarm.RuleID]time.Time{}
		flaps := map[alarm.RuleID]int{}
		for _, e := range r.events {
			k := fmt.Sprintf("%-8s %-7s %s", e.Kind, e.Level, ruleKind(e))
			count[k]++
			if os.Getenv("VENTD_ALARM_TALLY_TIMELINE") != "" || strings.Contains(string(e.RuleID), "airflow") {
				fmt.Fprintf(&b, "   %v %s %s value %.1f\n", e.Time.Sub(simStart).Round(time.Second), e.Kind, e.RuleID, float64(e.Value))
			}
			if e.Kind == alarm.Raised {
				if l, ok := lastRaise[e.RuleID]; ok && e.Time.Sub(l) < time.Hour {
					flaps[e.RuleID]++
				}
				lastRaise[e.RuleID] = e.Time
			}
		}
		keys := make([]string, 0, len(count))
		for k := range count {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "   %3d  %s\n", count[k], k)
		}
		for id, n := range flaps {
			fmt.Fprintf(&b, "   repeat raises within 1h: %s ×%d\n", id, n)
		}
		// The flap cap (3 raises an hour, then held): never a fourth
		// raise of one rule within an hour.
		raises := map[alarm.RuleID][]time.Time{}
		for _, e := range r.events {
			if e.Kind != alarm.Raised {
				continue
			}
			rs := append(raises[e.RuleID], e.Time)
			raises[e.RuleID] = rs
			if n := len(rs); n > 3 && e.Time.Sub(rs[n-4]) < time.Hour {
				t.Errorf("%s: %s raised four times within %v: the flap cap should have held it", r.name, e.RuleID, e.Time.Sub(rs[n-4]).Round(time.Second))
			}
		}
		faulty := slices.ContainsFunc(r.sc.Events, func(ev scenario.Event) bool { return ev.FanFault != nil || ev.SensorFault != nil })
		for _, e := range r.events {
			if !faulty && e.Kind == alarm.Raised && e.Level == alarm.LevelFault {
				t.Errorf("%s: a day without an injected fault raised a fault: %s (%s)", r.name, e.RuleID, e.Message)
			}
		}
		// Each injected fault: first raise naming its fan, sensor or door's
		// booth after it starts, and that alarm's clear after it ends.
		for _, ev := range r.sc.Events {
			subj, what, dur := "", "", time.Duration(0)
			switch {
			case ev.FanFault != nil:
				subj, what, dur = ev.FanFault.Fan, "fan_fault", ev.FanFault.For
				if !ev.FanFault.Stall {
					// Less air, not a stop: the booth's airflow warning
					// says it, in the booth's name, once clearings show it.
					what = "fan_flow"
				}
			case ev.SensorFault != nil && !ev.SensorFault.Clear:
				subj, what, dur = ev.SensorFault.Sensor, "sensor_fault/"+ev.SensorFault.Kind, ev.SensorFault.For
			case ev.Door != nil && ev.Door.Open && ev.Door.For >= 5*time.Minute:
				subj, what, dur = ev.Door.Name, "door", ev.Door.For
			default:
				continue
			}
			start := simStart.Add(ev.At)
			fmt.Fprintf(&b, "   cause %s %s at %v for %v:", what, subj, ev.At, dur)
			found := false
			for _, e := range r.events {
				if e.Kind != alarm.Raised || e.Time.Before(start) || !strings.Contains(string(e.RuleID), strings.TrimSuffix(subj, "-door")) {
					continue
				}
				found = true
				fmt.Fprintf(&b, " raised %s +%v", e.RuleID, e.Time.Sub(start))
				if dur > 0 {
					for _, c := range r.events {
						if c.AlarmID == e.AlarmID && (c.Kind == alarm.Cleared || c.Kind == alarm.Latched || c.Kind == alarm.Held) {
							fmt.Fprintf(&b, ", %s %v after the cause ended", c.Kind, c.Time.Sub(start.Add(dur)))
							break
						}
					}
				}
				break
			}
			if !found {
				fmt.Fprintf(&b, " NO ALARM")
				if what != "door" && what != "fan_flow" { // a door has no alarm of its own without a pressure sensor
					t.Errorf("%s: %s %s at %v raised no alarm naming it", r.name, what, subj, ev.At)
				}
			}
			b.WriteString("\n")
		}
		for _, a := range r.end {
			fmt.Fprintf(&b, "   active at end: %s %s since %v cond=%v held=%v: %s\n", a.Level, a.RuleID, a.Since.Sub(simStart), a.Condition, a.Held, a.Message)
		}
		t.Log("\n" + b.String())
	}
}
