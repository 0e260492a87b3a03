package daemon

import (
	"fmt"
	"testing"
	"time"

	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/room"
)

// The record partitions a shift: every moment of it is measured (the
// shift's covered_s) or in exactly one gap row, with one reason. A stop
// counted the time from the last period to the stop (0.949 s simulated)
// as measured, and over the alarm level in smoke, while the next start's
// daemon_down gap began at the last period too; and each start left the
// time from its start to the first period (0.667 s) in no row, measured by
// no one. A restart within a minute was in no row at all.
func TestStopsAndStartsPartitionTheShift(t *testing.T) {
	dir := t.TempDir()
	cfg := eightHourShifts()
	shiftStart := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	at := shiftStart
	var stops []time.Time // each run's summary's end, where its record stops
	for i, run := range []struct{ up, down time.Duration }{{3 * time.Minute, 5 * time.Minute}, {3 * time.Minute, 20 * time.Second}, {2 * time.Minute, 0}} {
		h := rigHarness(t, cfg, dir, at, testbench.RigOpts{Seed: 7})
		h.rig.Room.StartSession("staff", room.Session{PM25MgPerMin: 20, Duration: 20 * time.Minute}) // over the alarm level at each stop
		h.run(run.up)
		h.d.shutdown()
		s := journalShifts(t, dir)[shiftStart]
		stops = append(stops, s.Until)
		t.Logf("run %d: started %s, summary until %s, stopped %s, over the alarm level %v", i+1,
			at.Format("15:04:05.000"), s.Until.Format("15:04:05.000"), h.clk.Now().Format("15:04:05.000"), s.TimeOverAlarm)
		at = h.clk.Now().Add(run.down)
	}
	j := journalIn(t, dir)
	gaps, err := j.Gaps(time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	shifts := journalShifts(t, dir)
	s := shifts[shiftStart]
	if s.TimeOverAlarm <= 0 {
		t.Fatalf("no time over the alarm level: the test's smoke does not reach it")
	}
	var mine []journal.Gap
	var total time.Duration
	for _, g := range gaps {
		if (g.Zone == "" || g.Zone == "staff") && (g.Quantity == "" || g.Quantity == "pm25") {
			mine = append(mine, g)
			total += g.End.Sub(g.Start)
		}
	}
	var rows string
	for i, g := range mine {
		rows += fmt.Sprintf("\n  %s-%s %8.3f s %s", g.Start.Format("15:04:05.000"), g.End.Format("15:04:05.000"), g.End.Sub(g.Start).Seconds(), g.Reason)
		if i > 0 && g.Start.Before(mine[i-1].End) {
			t.Errorf("gap rows overlap by %v: %s ends %s, %s starts %s", mine[i-1].End.Sub(g.Start), mine[i-1].Reason,
				mine[i-1].End.Format("15:04:05.000"), g.Reason, g.Start.Format("15:04:05.000"))
		}
	}
	covered, elapsed := s.Covered.Std(), s.Elapsed.Std()
	diff := covered + total - elapsed
	t.Logf("staff pm25: measured %.3f s + gap rows %.3f s = %.3f s; elapsed %.3f s; difference %+.3f s; gap rows:%s",
		covered.Seconds(), total.Seconds(), (covered + total).Seconds(), elapsed.Seconds(), diff.Seconds(), rows)
	if diff.Abs() >= time.Millisecond {
		t.Errorf("measured + gap rows = elapsed %+.3f s: the record does not partition the shift", diff.Seconds())
	}
	// Where each run's record stops, the next start's daemon_down gap
	// begins; where that gap ends, the starting gap begins.
	downs := 0
	for i, g := range mine {
		if g.Reason != journal.GapDaemonDown {
			continue
		}
		if stop := stops[downs]; !g.Start.Equal(stop) {
			t.Errorf("daemon_down gap starts %s, run %d's record stopped at %s: %+.3f s counted twice", g.Start.Format("15:04:05.000"),
				downs+1, stop.Format("15:04:05.000"), stop.Sub(g.Start).Seconds())
		}
		downs++
		if i+1 >= len(mine) || !mine[i+1].Start.Equal(g.End) {
			t.Errorf("daemon_down gap ends %s and the next row does not begin there: the start is in no row", g.End.Format("15:04:05.000"))
		}
	}
	if downs != 2 {
		t.Errorf("%d daemon_down gaps for 2 restarts (one after 20 s down)", downs)
	}
}
