package daemon

import (
	"testing"
	"time"

	"github.com/ventd/ventd/testbench"
)

// A step of the wall clock forward (NTP correcting a Pi that booted on a
// stale time) is a gap in the shift's summary, but the journal, the record
// of truth the report and an audit read, had no gap row for it: the hour
// was neither measured minutes nor a gap with a reason. Found by the soak
// (soak_test.go): every forward step left its minutes unaccounted.
func TestClockJumpForwardIsAJournaledGap(t *testing.T) {
	dir := t.TempDir()
	h := rigHarness(t, eightHourShifts(), dir, t0, testbench.RigOpts{Seed: 7})
	h.run(10 * time.Minute)
	h.clk.Advance(time.Hour)
	h.run(10 * time.Minute)
	h.d.shutdown()
	j := journalIn(t, dir)
	gaps, err := j.Gaps(time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"pm25", "co2"} {
		mins, err := j.Minutes(time.Time{}, time.Time{}, "staff", q)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[time.Time]bool{}
		for _, m := range mins {
			seen[m.Start] = true
		}
		missing := 0
		for m := t0; m.Before(t0.Add(80 * time.Minute)); m = m.Add(time.Minute) {
			in := seen[m]
			for _, g := range gaps {
				in = in || (g.Zone == "" || g.Zone == "staff") && (g.Quantity == "" || g.Quantity == q) && g.Start.Before(m.Add(time.Minute)) && g.End.After(m)
			}
			if !in {
				missing++
			}
		}
		if missing > 0 {
			t.Errorf("staff/%s: %d of 80 minutes around a 1 h clock step forward are neither a minute row nor a gap", q, missing)
		}
	}
	// Simulated time has no monotonic clock to tell a step from a loop
	// held up for an hour: the gap says the loop stalled (on a Pi,
	// clockStep sees the step, and it says clock_jump).
	stalled := 0
	for _, g := range gaps {
		if g.Reason == "loop_stalled" && g.End.Sub(g.Start) > 59*time.Minute {
			stalled++
		}
	}
	if stalled == 0 {
		t.Errorf("no loop_stalled gap of the hour: %+v", gaps)
	}
}

// With a 10 s period, a period a slow bus stretches a little past 10 s is
// not a clock jump: each period's sample stands for two periods at most,
// so the minutes stay covered and the journal holds no gap for them.
func TestStretchedTenSecondPeriodsAreNoGaps(t *testing.T) {
	dir := t.TempDir()
	cfg := eightHourShifts()
	cfg.Control.Period, cfg.Control.MaxSampleAge = 10*time.Second, 30*time.Second
	h := rigHarness(t, cfg, dir, t0, testbench.RigOpts{Seed: 7})
	for end := t0.Add(20 * time.Minute); h.clk.Now().Before(end); {
		next := h.clk.Now().Add(10*time.Second + 700*time.Millisecond)
		h.d.step(h.clk.Now())
		h.clk.Sleep(next.Sub(h.clk.Now()))
	}
	h.d.shutdown()
	j := journalIn(t, dir)
	gaps, err := j.Gaps(time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range gaps {
		if g.Reason == "clock_jump" {
			t.Errorf("a clock_jump gap for %s/%s from %s to %s: the periods were only 10.7 s apart", g.Zone, g.Quantity, g.Start.Format(time.TimeOnly), g.End.Format(time.TimeOnly))
		}
	}
	mins, err := j.Minutes(t0.Add(2*time.Minute), t0.Add(18*time.Minute), "staff", "pm25")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mins {
		if m.CoveredSeconds < 59 {
			t.Errorf("staff pm25 minute %s covers %.1f s of 60", m.Start.Format(time.TimeOnly), m.CoveredSeconds)
		}
	}
	if len(mins) < 15 {
		t.Errorf("%d staff pm25 minutes in 16", len(mins))
	}
}
