package daemon

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/ventd/ventd/journal"
)

// A Pi has no clock of its own: booted without network, fake-hwclock sets
// the time it last saved (hourly), which can be before the journal's last
// minutes. ventd then recorded those minutes again: the journal merged
// each pair (a minute counted 120 s of 1 s periods) and the running
// shift counted the time twice.
func TestClockBehindTheJournalAtStartRecordsNothingTwice(t *testing.T) {
	dir := t.TempDir()
	start := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)
	h := newHarness(t, dir, start)
	s := h.run(60 * time.Minute)
	_, covBefore := shiftTWA(s, "staff", "pm25")
	h.d.shutdown()

	// Restarted with the clock 30 minutes behind the journal, running
	// 40 minutes: the first 30 are recorded already.
	back := s.Time.Add(-30 * time.Minute)
	h2 := newHarness(t, dir, back)
	s2 := h2.run(40 * time.Minute)
	_, covAfter := shiftTWA(s2, "staff", "pm25")
	h2.d.shutdown()

	j, err := journal.Open(filepath.Join(dir, "journal.db"), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	ms, err := j.Minutes(start, s2.Time.Add(time.Minute), "staff", "pm25")
	if err != nil {
		t.Fatal(err)
	}
	twice := 0
	for _, m := range ms {
		if m.Count > 61 || m.CoveredSeconds > 60 {
			twice++
		}
	}
	if twice > 0 {
		t.Errorf("%d staff PM2.5 minutes recorded twice (merged rows)", twice)
	}
	// Elapsed shift time: 70 minutes of 07:00's shift, all of it measured
	// once; covered can only fall.
	elapsed := s2.Time.Sub(start)
	for _, e := range s2.Exposure {
		if e.Zone == "staff" && e.Quantity == "pm25" && e.Shift != nil {
			if got := time.Duration(e.Shift.Covered); got > elapsed+time.Minute {
				t.Errorf("shift covers %v of %v elapsed: time counted twice", got.Round(time.Second), elapsed)
			}
		}
	}
	t.Logf("coverage %.1f%% before, %.1f%% after", covBefore, covAfter)
}
