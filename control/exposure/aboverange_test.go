package exposure

import (
	"testing"
	"time"
)

// Dense smoke reads above every sensor's range: no value is known, so the
// time is a gap for the TWA, the STEL and the coverage, but the air held
// at least the range's top. With the top over the alarm level that time
// was over it, and the shift, the live summary and the totals count it;
// a shift resumed from its summary keeps it. Before, 10 min of smoke over
// the range read 0 s over the alarm level.
func TestAboveRangeCountsOverAlarm(t *testing.T) {
	lim := Limits{STEL: 1500, Alarm: 125.5}
	tr := newTracker(t, lim, day8)
	at := feed(t, tr, t0, 10*time.Minute, 20)
	for end := at.Add(10 * time.Minute); at.Before(end); at = at.Add(time.Second) {
		if err := tr.AddAboveRange(at, 1000); err != nil {
			t.Fatal(err)
		}
	}
	live, ok := tr.Current(at.Add(-500 * time.Millisecond))
	if !ok {
		t.Fatal("no running shift")
	}
	if want := Duration(10*time.Minute - 500*time.Millisecond); live.TimeOverAlarm != want || live.TimeOverAlarmAboveRange != want {
		t.Errorf("live: over alarm %v, of it above the range %v; want %v both", live.TimeOverAlarm, live.TimeOverAlarmAboveRange, want)
	}
	at = feed(t, tr, at, 5*time.Minute, 300) // 5 min measured over the alarm level
	s, _ := tr.Current(at)
	if s.TimeOverAlarm != Duration(15*time.Minute) || s.TimeOverAlarmAboveRange != Duration(10*time.Minute) {
		t.Errorf("over alarm %v (want 15m), above the range %v (want 10m)", s.TimeOverAlarm, s.TimeOverAlarmAboveRange)
	}
	if s.Covered != Duration(15*time.Minute) || s.GapTotal != Duration(10*time.Minute) {
		t.Errorf("covered %v, gaps %v: the time above the range is a gap (want 15m covered, 10m of gaps)", s.Covered, s.GapTotal)
	}
	if want := (20*10*60 + 300*5*60) / float64(8*3600); !near(s.TWA, want, 1e-9) {
		t.Errorf("TWA %v, want %v: the time above the range adds nothing to it", s.TWA, want)
	}
	if tot := tr.Snapshot(at).Totals; tot.OverAlarm != s.TimeOverAlarm || tot.OverAlarmAboveRange != s.TimeOverAlarmAboveRange {
		t.Errorf("totals %+v disagree with the shift's %v / %v", tot, s.TimeOverAlarm, s.TimeOverAlarmAboveRange)
	}

	re := newTracker(t, lim, day8)
	if err := re.Resume(s); err != nil {
		t.Fatal(err)
	}
	if err := re.AboveRangeInterval(at.Add(time.Minute), 2*time.Minute, 1000); err != nil {
		t.Fatal(err)
	}
	r, _ := re.Current(at.Add(3 * time.Minute))
	if r.TimeOverAlarm != Duration(17*time.Minute) || r.TimeOverAlarmAboveRange != Duration(12*time.Minute) {
		t.Errorf("resumed, then 2 min above the range replayed: over alarm %v (want 17m), above the range %v (want 12m)",
			r.TimeOverAlarm, r.TimeOverAlarmAboveRange)
	}
}

// An alarm level above the range's top: the air held at least the top,
// which says nothing about the level. The time is a gap and nothing more,
// and the held value shows neither a value nor over alarm.
func TestAboveRangeUnderTheAlarmLevel(t *testing.T) {
	tr := newTracker(t, Limits{Alarm: 1500}, day8)
	at := t0
	for end := at.Add(5 * time.Minute); at.Before(end); at = at.Add(time.Second) {
		if err := tr.AddAboveRange(at, 1000); err != nil {
			t.Fatal(err)
		}
	}
	snap := tr.Snapshot(at)
	if snap.OverAlarm || snap.Value.Known() || snap.Totals.OverAlarm != 0 {
		t.Errorf("range top 1000 under the alarm level 1500: over alarm %v, value %v, totals %+v", snap.OverAlarm, snap.Value, snap.Totals)
	}
	if s := snap.Shift; s == nil || s.TimeOverAlarm != 0 || s.GapTotal != Duration(5*time.Minute) {
		t.Errorf("shift %+v: want no time over alarm and a 5 min gap", s)
	}
	if err := tr.AddAboveRange(at, 2000); err != nil {
		t.Fatal(err)
	}
	if snap := tr.Snapshot(at.Add(time.Second)); !snap.OverAlarm {
		t.Error("range top 2000 over the alarm level 1500: the held value is not over alarm")
	}
}

// A STEL over a few seconds stood for a whole quarter hour: after an
// outage the window held 37 s of smoke read before it, and the shift's
// STEL peak was that smoke's 900 µg/m³. A STEL is known only with half
// its window measured; the time before that is not over the limit either.
func TestSTELNeedsHalfItsWindow(t *testing.T) {
	lim := Limits{STEL: 35}
	tr := newTracker(t, lim, day8)
	at := feed(t, tr, t0, 37*time.Second, 900)
	at = feed(t, tr, at.Add(12*time.Minute), time.Second, 5) // after an outage
	snap := tr.Snapshot(at)
	if snap.STEL.Known() || snap.OverSTEL || snap.STELCoverage <= 0 {
		t.Errorf("37 s of 15 min measured: STEL %v (coverage %.1f %%), over %v; want unknown, not over, coverage shown", snap.STEL, snap.STELCoverage, snap.OverSTEL)
	}
	at = feed(t, tr, at, 7*time.Minute, 5)
	s, _ := tr.Current(at)
	if s.STELPeak.Known() && float64(s.STELPeak) > 100 {
		t.Errorf("shift STEL peak %v at %v: taken from a window hardly measured", s.STELPeak, s.STELPeakAt)
	}
	if s.TimeOverSTEL != 0 {
		t.Errorf("time over the STEL %v: none of it was over on a known STEL", s.TimeOverSTEL)
	}
	at = feed(t, tr, at, time.Minute, 5)
	if snap := tr.Snapshot(at); !snap.STEL.Known() || float64(snap.STEL) > 100 {
		t.Errorf("8 min measured: STEL %v, want known (about 5, the 37 s of smoke long out of the window)", snap.STEL)
	}
}
