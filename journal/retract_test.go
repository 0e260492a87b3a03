package journal

import (
	"testing"
	"time"
)

// A frozen reading found after its minutes were written is taken back out
// of them: the minutes agree with a shift that counts the time as a gap,
// and the chain still verifies, the rewritten rows named as rewritten.
func TestRetractionTakesAFrozenReadingOutOfItsMinutes(t *testing.T) {
	j := open(t, Options{})
	m := func(i int, mean float64) Minute {
		return Minute{Start: t0.Add(time.Duration(i) * time.Minute), Zone: "staff", Quantity: "co2", Mean: mean, Max: mean + 5, Count: 60, CoveredSeconds: 60}
	}
	// Minutes 0–2 written as measured: 0 before the freeze, 1 half frozen
	// at 800 ppm, 2 wholly; the other pair is left alone.
	other := Minute{Start: t0.Add(2 * time.Minute), Zone: "staff", Quantity: "pm2.5", Mean: 4, Max: 6, Count: 60, CoveredSeconds: 60}
	write(t, j, Batch{Minutes: []Minute{m(0, 500), m(1, 650), m(2, 800), other}})
	// Found frozen in minute 3, written in the same batch as the
	// retraction (its frozen first 20 s, then 40 s measured at 900).
	m3 := Minute{Start: t0.Add(3 * time.Minute), Zone: "staff", Quantity: "co2", Mean: (800*20 + 900*40) / 60.0, Max: 900, Count: 60, CoveredSeconds: 60}
	write(t, j, Batch{Minutes: []Minute{m3}, Retractions: []Retraction{{From: t0.Add(90 * time.Second), To: t0.Add(3*time.Minute + 20*time.Second), Zone: "staff", Quantity: "co2", Value: 800}},
		Gaps: []Gap{{Start: t0.Add(90 * time.Second), End: t0.Add(3*time.Minute + 20*time.Second), Zone: "staff", Quantity: "co2", Reason: "sensor_frozen"}}})
	got, err := j.Minutes(time.Time{}, time.Time{}, "staff", "co2")
	if err != nil {
		t.Fatal(err)
	}
	byStart := map[time.Time]Minute{}
	for _, x := range got {
		byStart[x.Start] = x
	}
	near := func(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }
	if x := byStart[t0]; x.Count != 60 || x.Mean != 500 || x.CoveredSeconds != 60 {
		t.Errorf("minute 0, before the freeze: %+v, want it as written", x)
	}
	if x := byStart[t0.Add(time.Minute)]; x.Count != 30 || x.CoveredSeconds != 30 || !near(x.Mean, 500) {
		t.Errorf("minute 1, half frozen at 800 (mean 650): %+v, want 30 samples, 30 s, mean 500", x)
	}
	if x, ok := byStart[t0.Add(2*time.Minute)]; ok {
		t.Errorf("minute 2, wholly frozen, is still read as measured: %+v", x)
	}
	if x := byStart[t0.Add(3*time.Minute)]; x.Count != 40 || x.CoveredSeconds != 40 || !near(x.Mean, 900) {
		t.Errorf("minute 3, its first 20 s frozen: %+v, want 40 samples, 40 s, mean 900", x)
	}
	if all, _ := j.Minutes(time.Time{}, time.Time{}, "staff", "pm2.5"); len(all) != 1 || all[0] != other {
		t.Errorf("another quantity's minute changed: %+v", all)
	}
	v, err := j.Verify(VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !v.OK() {
		t.Fatalf("the chain does not verify after a retraction: %v", v.Problems)
	}
	if v.Rewrites == 0 {
		t.Errorf("the rewritten minutes are not named as rewritten")
	}
}

// A retraction without its pair, or backwards, is refused as invalid; one
// for a pair never written changes nothing.
func TestRetractionChecked(t *testing.T) {
	j := open(t, Options{})
	for _, r := range []Retraction{
		{From: t0, To: t0.Add(time.Minute), Quantity: "co2"},
		{From: t0.Add(time.Minute), To: t0, Zone: "staff", Quantity: "co2"},
	} {
		if _, err := j.Write(Batch{Retractions: []Retraction{r}}); err == nil {
			t.Errorf("%+v: accepted", r)
		}
	}
	write(t, j, Batch{Retractions: []Retraction{{From: t0, To: t0.Add(time.Minute), Zone: "nowhere", Quantity: "co2", Value: 1}}})
}
