package exposure

import (
	"testing"
	"time"
)

// Over one fully measured shift from the tracker's start, the totals are
// the shift's own figures: Dose/8 h is its TWA, and the times over the
// alarm level and the STEL limit are its times. Live snapshots in between
// never go down, and ResetTotals starts them again.
func TestTotals(t *testing.T) {
	tr := newTracker(t, Limits{TWA: 1000, STEL: 1500, Alarm: 2000}, day8)
	value := func(i int) float64 {
		switch {
		case i >= 3600 && i < 3600+40*60: // 40 min at 2400: over the alarm, and the 15 min TWA over the STEL
			return 2400
		case i%600 < 90: // short peaks over the alarm level only
			return 2100
		}
		return 700
	}
	var last Totals
	for i := 0; i < 8*3600; i++ {
		at := t0.Add(time.Duration(i) * time.Second)
		if i >= 5*3600 && i < 5*3600+300 { // a 5 min fault
			if err := tr.Gap(at, at); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := tr.Add(at, value(i)); err != nil {
			t.Fatal(err)
		}
		if i%997 == 0 {
			s := tr.Snapshot(at.Add(400 * time.Millisecond))
			if s.Totals.Dose < last.Dose || s.Totals.Measured < last.Measured || s.Totals.OverAlarm < last.OverAlarm || s.Totals.OverSTEL < last.OverSTEL {
				t.Fatalf("at %v the totals went down: %+v after %+v", at, s.Totals, last)
			}
			last = s.Totals
		}
	}
	end := t0.Add(8 * time.Hour)
	flush(t, tr, end)
	sum := finished(t, tr)[0]
	got := tr.Snapshot(end).Totals
	if !near(got.Dose/(8*3600), sum.TWA, 1e-9*sum.TWA) || got.Measured != sum.Covered ||
		got.OverAlarm != sum.TimeOverAlarm || got.OverSTEL != sum.TimeOverSTEL {
		t.Errorf("totals %+v; shift TWA %v covered %v over alarm %v over STEL %v",
			got, sum.TWA, sum.Covered, sum.TimeOverAlarm, sum.TimeOverSTEL)
	}
	if sum.TimeOverSTEL == 0 || sum.TimeOverAlarm <= Duration(40*time.Minute) || sum.Covered != Duration(8*time.Hour-5*time.Minute) {
		t.Errorf("the test day should cross both levels and have a 5 min gap: %+v", sum)
	}
	tr.ResetTotals()
	if z := tr.Snapshot(end).Totals; z != (Totals{}) {
		t.Errorf("after ResetTotals: %+v", z)
	}
	feed(t, tr, end, time.Minute, 2100)
	if z := tr.Snapshot(end.Add(time.Minute)).Totals; z.Measured != Duration(time.Minute) || !near(z.Dose, 2100*60, 1e-6) || z.OverAlarm != Duration(time.Minute) {
		t.Errorf("one minute at 2100 after ResetTotals: %+v", z)
	}
}
