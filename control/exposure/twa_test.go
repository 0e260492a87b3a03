package exposure

import (
	"testing"
	"time"
)

// OSHA 29 CFR 1910.1000(d)(1)(i), the worked example: 2 h at 150 ppm, 2 h at
// 75 ppm and 4 h at 50 ppm give E = (2×150 + 2×75 + 4×50)/8 = 81.25 ppm.
func TestOSHAWorkedExample(t *testing.T) {
	for _, how := range []string{"samples", "intervals"} {
		t.Run(how, func(t *testing.T) {
			tr := newTracker(t, Limits{TWA: 100}, day8)
			at := t0
			for _, p := range []struct {
				h time.Duration
				c float64
			}{{2 * time.Hour, 150}, {2 * time.Hour, 75}, {4 * time.Hour, 50}} {
				if how == "samples" {
					at = feed(t, tr, at, p.h, p.c)
				} else {
					if err := tr.AddInterval(at, p.h, p.c); err != nil {
						t.Fatal(err)
					}
					at = at.Add(p.h)
				}
			}
			flush(t, tr, at)
			fin := finished(t, tr)
			if len(fin) != 1 {
				t.Fatalf("%d finished shifts, want 1", len(fin))
			}
			s := fin[0]
			if !near(s.TWA, 81.25, 1e-9) {
				t.Errorf("TWA = %.12g ppm, want 81.25", s.TWA)
			}
			if !s.Complete || s.Coverage != 100 || len(s.Gaps) != 0 {
				t.Errorf("complete %v, coverage %v %%, gaps %v; want a complete shift", s.Complete, s.Coverage, s.Gaps)
			}
			if float64(s.MeanCovered) != s.TWA {
				t.Errorf("mean over a fully covered 8 h shift = %v, want E = %v", s.MeanCovered, s.TWA)
			}
			if s.Violations.Any() {
				t.Errorf("81.25 ppm against a 100 ppm limit: violations %+v", s.Violations)
			}
		})
	}
}

// A partial shift: only measured unexposed time counts as zero; a gap is
// not zero. The OSHA E is the same (the gap adds nothing to Σ CT), but the
// record says the time was not measured and the mean over measured time
// differs.
func TestPartialShiftGapIsNotZero(t *testing.T) {
	measured := newTracker(t, Limits{TWA: 100}, day8)
	end := feed(t, measured, t0, 6*time.Hour, 100)
	end = feed(t, measured, end, 2*time.Hour, 0)
	flush(t, measured, end)

	gapped := newTracker(t, Limits{TWA: 100}, day8)
	end = feed(t, gapped, t0, 6*time.Hour, 100)
	if err := gapped.Gap(end, end.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}

	m, g := finished(t, measured)[0], finished(t, gapped)[0]
	if !near(m.TWA, 75, 1e-9) || !near(g.TWA, 75, 1e-9) {
		t.Errorf("E = %v (measured zeros), %v (gap); want 75 both: the numerator is Σ CT over measured time", m.TWA, g.TWA)
	}
	if !near(float64(m.MeanCovered), 75, 1e-9) || !near(float64(g.MeanCovered), 100, 1e-9) {
		t.Errorf("mean over covered time = %v (measured zeros), %v (gap); want 75 and 100", m.MeanCovered, g.MeanCovered)
	}
	if m.Coverage != 100 || g.Coverage != 75 {
		t.Errorf("coverage = %v%%, %v%%; want 100 and 75", m.Coverage, g.Coverage)
	}
	want := []Gap{{Start: t0.Add(6 * time.Hour), Length: Duration(2 * time.Hour)}}
	if len(g.Gaps) != 1 || g.Gaps[0] != want[0] || g.GapTotal != Duration(2*time.Hour) {
		t.Errorf("gaps = %v (total %v), want %v", g.Gaps, g.GapTotal, want)
	}
	if !m.Complete || g.Complete {
		t.Errorf("Complete = %v, %v; want true, false", m.Complete, g.Complete)
	}
}

// The OSHA divisor is 8 h whatever the shift length: 4 h at 100 ppm on a
// 4 h shift is E = 50 ppm; the mean over the shift is 100.
func TestShortShiftDividesByEightHours(t *testing.T) {
	sch := Schedule{Starts: []time.Duration{8 * time.Hour}, Length: 4 * time.Hour, Location: time.UTC}
	tr := newTracker(t, Limits{TWA: 100}, sch)
	flush(t, tr, feed(t, tr, t0, 4*time.Hour, 100))
	s := finished(t, tr)[0]
	if !near(s.TWA, 50, 1e-9) || !near(float64(s.MeanCovered), 100, 1e-9) || s.ReductionFactor != 1 {
		t.Errorf("E = %v, mean = %v, RF = %v; want 50, 100, 1", s.TWA, s.MeanCovered, s.ReductionFactor)
	}
}

// Gaps lower coverage and leave the numerator alone, whether reported
// (Gap) or found (samples stop for longer than MaxSampleInterval).
func TestGapsLowerCoverage(t *testing.T) {
	tr := newTracker(t, Limits{TWA: 5000}, day8)
	at := feed(t, tr, t0, time.Hour, 1000)
	if err := tr.Gap(at, at.Add(30*time.Minute)); err != nil { // sensor fault
		t.Fatal(err)
	}
	at = feed(t, tr, at.Add(30*time.Minute), time.Hour, 1000)
	// Samples stop for a minute without a word: the last one (at +1h59s
	// of the second hour) stands for 10 s (MaxSampleInterval) instead of
	// 1 s, the other 50 s until the next one are a gap.
	at = feed(t, tr, at.Add(59*time.Second), time.Second, 1000)
	s, ok := tr.Current(at)
	if !ok {
		t.Fatal("no current shift")
	}
	covered := 2*time.Hour + 9*time.Second + time.Second
	if s.Covered != Duration(covered) {
		t.Errorf("covered = %v, want %v", s.Covered, covered)
	}
	if want := 1000 * covered.Hours() / 8; !near(s.TWA, want, 1e-9) {
		t.Errorf("E = %v, want %v (gaps add nothing)", s.TWA, want)
	}
	if want := 100 * covered.Seconds() / s.Elapsed.Std().Seconds(); !near(s.Coverage, want, 1e-9) || s.Coverage >= 100 {
		t.Errorf("coverage = %v%%, want %v%%", s.Coverage, want)
	}
	wantGaps := []Gap{
		{Start: t0.Add(time.Hour), Length: Duration(30 * time.Minute)},
		{Start: t0.Add(2*time.Hour + 30*time.Minute + 9*time.Second), Length: Duration(50 * time.Second)},
	}
	if len(s.Gaps) != 2 || s.Gaps[0] != wantGaps[0] || s.Gaps[1] != wantGaps[1] {
		t.Errorf("gaps = %v, want %v", s.Gaps, wantGaps)
	}
	if !near(float64(s.MeanCovered), 1000, 1e-9) {
		t.Errorf("mean over covered time = %v, want 1000", s.MeanCovered)
	}
}

// A tracker started in the middle of a shift (the daemon was down) does not
// know the air before: that time is a gap.
func TestStartMidShiftIsGap(t *testing.T) {
	tr := newTracker(t, Limits{}, day8)
	at := feed(t, tr, t0.Add(3*time.Hour), time.Hour, 400)
	s, _ := tr.Current(at)
	if len(s.Gaps) != 1 || s.Gaps[0] != (Gap{Start: t0, Length: Duration(3 * time.Hour)}) {
		t.Errorf("gaps = %v, want the 3 h before the first sample", s.Gaps)
	}
	if !near(s.Coverage, 25, 1e-9) {
		t.Errorf("coverage = %v%%, want 25%%", s.Coverage)
	}
}

func TestReductionFactor(t *testing.T) {
	for _, c := range []struct {
		h    time.Duration
		want float64
	}{{10 * time.Hour, 0.7}, {12 * time.Hour, 0.5}, {8 * time.Hour, 1}, {4 * time.Hour, 1}, {24 * time.Hour, 0}} {
		if got := ReductionFactor(c.h); !near(got, c.want, 1e-9) {
			t.Errorf("ReductionFactor(%v) = %.12g, want %v", c.h, got, c.want)
		}
	}
	// A 12 h shift halves the CO2 TWA limit.
	sch := Schedule{Starts: []time.Duration{7 * time.Hour, 19 * time.Hour}, Length: 12 * time.Hour, Location: time.UTC}
	tr := newTracker(t, Limits{}, sch) // CO2 defaults
	at := feed(t, tr, time.Date(2026, 5, 4, 7, 0, 0, 0, time.UTC), 12*time.Hour, 2000)
	flush(t, tr, at)
	s := finished(t, tr)[0]
	if !near(s.ReductionFactor, 0.5, 1e-9) || !near(s.AdjustedTWALimit, 2500, 1e-9) {
		t.Errorf("RF = %v, adjusted limit = %v; want 0.5, 2500", s.ReductionFactor, s.AdjustedTWALimit)
	}
	// E = 12 h × 2000 / 8 h = 3000 > 2500: a violation only because of the long shift.
	if !near(s.TWA, 3000, 1e-9) || !s.Violations.TWA {
		t.Errorf("E = %v, TWA violation %v; want 3000, true", s.TWA, s.Violations.TWA)
	}
}
