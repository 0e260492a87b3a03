package exposure

import (
	"testing"
	"time"
)

// A 5 min spike of 600 ppm in clean (measured) air: the 15 min TWA is
// 600 × 5/15 = 200 ppm while the whole spike is in the window.
func TestSTELOfSpike(t *testing.T) {
	tr := newTracker(t, Limits{TWA: 100, STEL: 150, Alarm: 500}, day8)
	at := feed(t, tr, t0, 20*time.Minute, 0)
	at = feed(t, tr, at, 5*time.Minute, 600)
	at = feed(t, tr, at, 5*time.Minute, 0) // now t0+30m: window (15m, 30m] holds the spike

	snap := tr.Snapshot(at)
	if !snap.STEL.Known() || !near(float64(snap.STEL), 200, 1e-9) || snap.STELCoverage != 100 {
		t.Errorf("STEL = %v (coverage %v%%), want 200 ppm, 100%%", snap.STEL, snap.STELCoverage)
	}
	if !snap.OverSTEL {
		t.Error("STEL 200 over a 150 limit not flagged")
	}
	at = feed(t, tr, at, 30*time.Minute, 0)
	s, _ := tr.Current(at)
	if !near(float64(s.STELPeak), 200, 1e-9) {
		t.Errorf("STEL peak = %v, want 200", s.STELPeak)
	}
	// The window first holds the whole spike at t0+25m.
	if want := t0.Add(25 * time.Minute); !s.STELPeakAt.Equal(want) {
		t.Errorf("STEL peak at %v, want %v", s.STELPeakAt, want)
	}
	if s.TimeOverAlarm != Duration(5*time.Minute) {
		t.Errorf("time over alarm = %v, want 5m (600 > 500 for 5 min)", s.TimeOverAlarm)
	}
	// 600 × overlap/900 s > 150 while the spike overlaps the window by more
	// than 225 s: the boundaries from t0+1426 s to t0+2174 s, 749 of them.
	if s.TimeOverSTEL != Duration(749*time.Second) {
		t.Errorf("time STEL over limit = %v, want 12m29s", s.TimeOverSTEL)
	}
	ex := s.AboveSTEL
	want := Excursion{Start: t0.Add(1426 * time.Second), End: t0.Add(2175 * time.Second), Peak: 200}
	if ex.Count != 1 || len(ex.Periods) != 1 || !sameExcursion(ex.Periods[0], want) {
		t.Errorf("excursions above STEL = %+v, want one: %+v", ex, want)
	}
	if !s.Violations.STEL || s.Violations.STELExcursions {
		t.Errorf("violations = %+v, want STEL exceeded and no excursion-rule violation", s.Violations)
	}
}

// A gap in the 15 min window is left out, not counted as clean air, and
// shows as lower coverage; a window with no data at all is unknown.
func TestSTELWithGap(t *testing.T) {
	tr := newTracker(t, Limits{}, day8)
	at := feed(t, tr, t0, 10*time.Minute, 0)
	at = feed(t, tr, at, 5*time.Minute, 600)
	if err := tr.Gap(at, at.Add(5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	at = at.Add(5 * time.Minute)
	snap := tr.Snapshot(at) // window: 5 min at 0, 5 min at 600, 5 min gap
	if !near(float64(snap.STEL), 300, 1e-9) || !near(snap.STELCoverage, 100*2/3., 1e-9) {
		t.Errorf("STEL = %v (coverage %v%%), want 300 over the measured 10 min (66.7%%)", snap.STEL, snap.STELCoverage)
	}
	if snap.Value.Known() {
		t.Errorf("value in a gap = %v, want unknown", snap.Value)
	}
	if err := tr.Gap(at, at.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	snap = tr.Snapshot(at.Add(time.Hour))
	if snap.STEL.Known() || snap.STELCoverage != 0 {
		t.Errorf("STEL after an hour without data = %v (coverage %v%%), want unknown", snap.STEL, snap.STELCoverage)
	}
}

// spikes adds 5 min of 6000 ppm at each offset from t0 in 0 ppm air. With a
// 1000 ppm STEL limit each spike gives one period above it, from 150 s
// after the spike starts to 1050 s after.
func spikes(t *testing.T, offsets ...time.Duration) Summary {
	t.Helper()
	sch := Schedule{Starts: []time.Duration{7 * time.Hour, 19 * time.Hour}, Length: 12 * time.Hour, Location: time.UTC}
	tr := newTracker(t, Limits{TWA: 500, STEL: 1000}, sch)
	at := t0
	for _, off := range offsets {
		at = feed(t, tr, at, t0.Add(off).Sub(at), 0)
		at = feed(t, tr, at, 5*time.Minute, 6000)
	}
	at = feed(t, tr, at, 30*time.Minute, 0)
	s, _ := tr.Current(at)
	return s
}

func TestExcursionCounting(t *testing.T) {
	h := time.Hour
	four := spikes(t, 0, 90*time.Minute, 3*h, 270*time.Minute)
	if four.AboveSTEL.Count != 4 || four.Violations.STELExcursions {
		t.Errorf("4 excursions 75 min apart: count %d, violation %v; want 4, false", four.AboveSTEL.Count, four.Violations.STELExcursions)
	}
	five := spikes(t, 0, 90*time.Minute, 3*h, 270*time.Minute, 6*h)
	if five.AboveSTEL.Count != 5 || !five.AboveSTEL.TooMany || five.AboveSTEL.TooClose || !five.Violations.STELExcursions {
		t.Errorf("5 excursions: %+v; want count 5, too many, not too close", five.AboveSTEL)
	}
	// Second spike 45 min after the first: the first period ends at the
	// first evaluation not above the limit (1050 s), the second starts at
	// the first above it (2700+151 s): 30 min 1 s apart.
	close := spikes(t, 0, 45*time.Minute)
	ex := close.AboveSTEL
	if ex.Count != 2 || !ex.TooClose || ex.TooMany || !close.Violations.STELExcursions {
		t.Errorf("2 excursions: %+v; want count 2, too close", ex)
	}
	if gap := ex.Periods[1].Start.Sub(ex.Periods[0].End); gap != 30*time.Minute+time.Second {
		t.Errorf("excursions %v apart, want 30m1s", gap)
	}
	// The same periods are above the 500 ppm TWA limit, so the ACGIH rule
	// for the TWA-to-STEL range flags them too.
	if !close.AboveTWA.TooClose || !close.Violations.TWAExcursions {
		t.Errorf("above TWA: %+v, want too close", close.AboveTWA)
	}
}

func sameExcursion(a, b Excursion) bool {
	return a.Start.Equal(b.Start) && a.End.Equal(b.End) && a.Peak == b.Peak && a.Ongoing == b.Ongoing
}
