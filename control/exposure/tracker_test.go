package exposure

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/sample"
)

// Rebuilding from the journal's one-minute aggregates (AddInterval) gives
// the same shift record as the raw samples, within rounding.
func TestAddIntervalRebuild(t *testing.T) {
	value := func(i int) float64 { return 600 + 400*math.Sin(float64(i)/97) + float64(i%13)*7 }
	gapFrom, gapTo := 2*3600+30, 2*3600+7*60+45 // a fault from 10:00:30 to 10:07:45

	raw := newTracker(t, Limits{TWA: 5000}, day8)
	type agg struct {
		sum float64
		cov int
	}
	minutes := make([]agg, 8*60)
	for i := 0; i < 8*3600; i++ {
		if i >= gapFrom && i < gapTo {
			if i == gapFrom {
				if err := raw.Gap(t0.Add(time.Duration(i)*time.Second), t0.Add(time.Duration(gapTo)*time.Second)); err != nil {
					t.Fatal(err)
				}
			}
			continue
		}
		if err := raw.Add(t0.Add(time.Duration(i)*time.Second), value(i)); err != nil {
			t.Fatal(err)
		}
		minutes[i/60].sum += value(i)
		minutes[i/60].cov++
	}
	end := t0.Add(8 * time.Hour)
	flush(t, raw, end)

	rebuilt := newTracker(t, Limits{TWA: 5000}, day8)
	for m, a := range minutes {
		if a.cov == 0 {
			continue
		}
		err := rebuilt.AddInterval(t0.Add(time.Duration(m)*time.Minute), time.Duration(a.cov)*time.Second, a.sum/float64(a.cov))
		if err != nil {
			t.Fatal(err)
		}
	}
	flush(t, rebuilt, end)

	r, b := finished(t, raw)[0], finished(t, rebuilt)[0]
	if !near(r.TWA, b.TWA, 1e-9*r.TWA) || !near(float64(r.MeanCovered), float64(b.MeanCovered), 1e-9*r.TWA) {
		t.Errorf("raw E %v mean %v; rebuilt E %v mean %v", r.TWA, r.MeanCovered, b.TWA, b.MeanCovered)
	}
	if r.Covered != b.Covered || r.GapTotal != b.GapTotal || r.Covered != Duration(8*time.Hour-435*time.Second) {
		t.Errorf("raw covered %v gaps %v; rebuilt covered %v gaps %v; want 7h52m45s covered",
			r.Covered, r.GapTotal, b.Covered, b.GapTotal)
	}
	rs, bs := raw.Snapshot(end), rebuilt.Snapshot(end)
	if !near(rs.TWA8h, bs.TWA8h, 1e-9*rs.TWA8h) || rs.Coverage8h != bs.Coverage8h {
		t.Errorf("rolling 8 h: raw %v (%v%%), rebuilt %v (%v%%)", rs.TWA8h, rs.Coverage8h, bs.TWA8h, bs.Coverage8h)
	}
}

// Over days of 1 s samples the tracker holds a bounded number of entries:
// the two rings, and capped lists per shift.
func TestMemoryBounded(t *testing.T) {
	sch := Schedule{Starts: []time.Duration{7 * time.Hour, 19 * time.Hour}, Length: 12 * time.Hour, Location: time.UTC}
	tr := newTracker(t, Limits{TWA: 500, STEL: 1000, Alarm: 2000}, sch)
	start := time.Date(2026, 5, 4, 7, 0, 0, 0, time.UTC)
	bound := (secBins + 1) + (minBins + 1) + 2*(1+maxGaps+2*maxExcursions)
	worst, shifts := 0, 0
	for i := 0; i < 72*3600; i++ {
		at := start.Add(time.Duration(i) * time.Second)
		switch {
		case i%120 == 0: // a 10 s fault every 2 min: more gaps than the list keeps
			if err := tr.Gap(at, at.Add(10*time.Second)); err != nil {
				t.Fatal(err)
			}
		case i%120 < 10:
		default:
			c := 400.0
			if i%3600 < 300 { // a 5 min burst every hour: an excursion an hour
				c = 8000
			}
			if err := tr.Add(at, c); err != nil {
				t.Fatal(err)
			}
		}
		if i%3600 == 0 {
			for _, s := range finished(t, tr) {
				shifts++
				if s.GapTotal != Duration(time.Hour) || len(s.Gaps) != maxGaps || s.GapsOmitted != 360-maxGaps {
					t.Errorf("shift %v: gaps %v total, %d listed, %d omitted; want 1h, %d, %d",
						s.Start, s.GapTotal, len(s.Gaps), s.GapsOmitted, maxGaps, 360-maxGaps)
				}
				if s.AboveSTEL.Count != 12 || !s.AboveSTEL.TooMany {
					t.Errorf("shift %v: %d excursions, want 12 (too many)", s.Start, s.AboveSTEL.Count)
				}
			}
			worst = max(worst, tr.retained())
		}
	}
	if shifts != 5 {
		t.Errorf("%d shifts finished in 72 h, want 5 (the 6th ends at the last sample)", shifts)
	}
	if worst > bound {
		t.Errorf("tracker held %d entries, bound %d", worst, bound)
	}
	t.Logf("at most %d entries held (bound %d)", worst, bound)
}

func TestSnapshotRollingAndStale(t *testing.T) {
	tr := newTracker(t, Limits{}, day8)
	at := feed(t, tr, t0, 8*time.Hour, 1000)
	s := tr.Snapshot(at)
	if !near(s.TWA8h, 1000, 1e-9) || !near(float64(s.Mean8h), 1000, 1e-9) || s.Coverage8h != 100 {
		t.Errorf("8 h: TWA %v mean %v coverage %v%%; want 1000, 1000, 100", s.TWA8h, s.Mean8h, s.Coverage8h)
	}
	if s.Value != 1000 || !s.ValueAt.Equal(at.Add(-time.Second)) {
		t.Errorf("value %v at %v, want 1000 at the last sample", s.Value, s.ValueAt)
	}
	s = tr.Snapshot(at.Add(4 * time.Hour)) // no data since: stale, then gap
	if s.Value.Known() || s.STEL.Known() {
		t.Errorf("4 h after the last sample: value %v, STEL %v; want unknown", s.Value, s.STEL)
	}
	// The last sample stands for 10 s instead of 1 s, so 4 h 9 s of the
	// window (12:00 back to 04:00) is measured.
	measured := 4*time.Hour + 9*time.Second
	if want := 1000 * measured.Hours() / 8; !near(s.TWA8h, want, 1e-6) || !near(float64(s.Mean8h), 1000, 1e-9) {
		t.Errorf("8 h after a 4 h gap: TWA %v mean %v; want %v, 1000", s.TWA8h, s.Mean8h, want)
	}
	if _, err := json.Marshal(s); err != nil {
		t.Errorf("snapshot with unknown values does not marshal: %v", err)
	}
}

func TestSummaryJSON(t *testing.T) {
	tr := newTracker(t, Limits{}, day8)
	flush(t, tr, t0.Add(time.Hour)) // one hour, nothing measured
	s, _ := tr.Current(t0.Add(time.Hour))
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"mean_covered":null`, `"stel_peak":null`, `"length_s":28800`,
		`"elapsed_s":3600`, `"coverage_pct":0`, `"gaps":[{"start":"2026-05-04T08:00:00Z","length_s":3600}]`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON lacks %s:\n%s", want, b)
		}
	}
	var back Summary
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.MeanCovered.Known() || back.Elapsed != s.Elapsed || !back.Start.Equal(s.Start) {
		t.Errorf("round trip: %+v", back)
	}
}

func TestMixture(t *testing.T) {
	co2 := newTracker(t, Limits{}, day8) // 5000 ppm TWA
	flush(t, co2, feed(t, co2, t0, 4*time.Hour, 5000))
	pm10, err := New(Opts{Quantity: sample.PM10, Zone: "staff", Limits: Limits{TWA: 100}, Schedule: day8})
	if err != nil {
		t.Fatal(err)
	}
	flush(t, pm10, feed(t, pm10, t0, 2*time.Hour, 100))
	pm25, err := New(Opts{Quantity: sample.PM25, Zone: "staff", Schedule: day8}) // no TWA limit
	if err != nil {
		t.Fatal(err)
	}
	flush(t, pm25, feed(t, pm25, t0, 4*time.Hour, 300))
	em, n := Mixture(t0.Add(4*time.Hour), co2, pm10, pm25)
	if !near(em, 2500.0/5000+25.0/100, 1e-9) || n != 2 {
		t.Errorf("Em = %v over %d pollutants, want 0.75 over 2", em, n)
	}
}

func TestBadInput(t *testing.T) {
	tr := newTracker(t, Limits{}, day8)
	if err := tr.Add(t0, math.NaN()); err == nil || !strings.Contains(err.Error(), "exposure co2/staff: Add") {
		t.Errorf("NaN: %v", err)
	}
	if err := tr.Add(t0, -1); err == nil {
		t.Error("negative concentration accepted")
	}
	if err := tr.Add(t0.Add(time.Minute), 400); err != nil {
		t.Fatal(err)
	}
	for name, err := range map[string]error{
		"Add before":         tr.Add(t0, 400),
		"Add same time":      tr.Add(t0.Add(time.Minute), 400),
		"AddInterval before": tr.AddInterval(t0, time.Minute, 400),
		"Gap before":         tr.Gap(t0, t0.Add(time.Second)),
	} {
		if !errors.Is(err, ErrOutOfOrder) {
			t.Errorf("%s: %v, want ErrOutOfOrder", name, err)
		}
	}
	if err := tr.Gap(t0.Add(2*time.Minute), t0.Add(time.Minute)); err == nil {
		t.Error("reversed gap accepted")
	}
	if err := tr.AddInterval(t0.Add(time.Hour), 0, 400); err == nil {
		t.Error("empty interval accepted")
	}
	for _, o := range []Opts{
		{Zone: "staff", Schedule: day8},
		{Quantity: sample.CO2, Schedule: day8, Limits: Limits{TWA: -1}},
		{Quantity: sample.CO2, Schedule: Schedule{}},
		{Quantity: sample.CO2, Schedule: day8, MaxSampleInterval: time.Hour},
	} {
		if _, err := New(o); err == nil {
			t.Errorf("New(%+v) accepted", o)
		}
	}
}

func TestDefaultLimits(t *testing.T) {
	co2, ok := DefaultLimits(sample.CO2)
	if !ok || co2.TWA != 5000 || co2.STEL != 30000 || co2.Source == "" {
		t.Errorf("CO2 defaults = %+v", co2)
	}
	pm, ok := DefaultLimits(sample.PM25)
	if !ok || pm.TWA != 0 || pm.STEL != 0 || pm.Alarm != 125.5 {
		t.Errorf("PM2.5 defaults = %+v", pm)
	}
	if _, ok := DefaultLimits(sample.VOCIndex); ok {
		t.Error("the VOC Index has exposure limits; it is a relative signal")
	}
}

// The daemon down for days: every shift it missed is reported, unmeasured,
// never as clean air.
func TestLongOutage(t *testing.T) {
	tr := newTracker(t, Limits{STEL: 1000}, day8)
	at := feed(t, tr, t0, time.Hour, 2000) // a STEL excursion still going when the data stops
	if err := tr.Gap(at, at.Add(72*time.Hour)); err != nil {
		t.Fatal(err)
	}
	at = feed(t, tr, at.Add(72*time.Hour), time.Hour, 400)
	fin := finished(t, tr)
	if len(fin) != 3 {
		t.Fatalf("%d finished shifts, want 3", len(fin))
	}
	first := fin[0]
	if ex := first.AboveSTEL; ex.Count != 1 || ex.Periods[0].Ongoing || first.Coverage != 12.5 {
		t.Errorf("first shift: excursions %+v, coverage %v%%; want one ended excursion, 12.5%%", ex, first.Coverage)
	}
	for _, s := range fin[1:] {
		if s.Covered != 0 || s.Coverage != 0 || s.TWA != 0 || s.MeanCovered.Known() || s.STELPeak.Known() ||
			len(s.Gaps) != 1 || s.GapTotal != Duration(8*time.Hour) || s.Complete {
			t.Errorf("shift %v missed entirely: %+v", s.Start, s)
		}
	}
	if cur, _ := tr.Current(at); !near(float64(cur.MeanCovered), 400, 1e-9) {
		t.Errorf("after the outage: mean %v, want 400", cur.MeanCovered)
	}
}
