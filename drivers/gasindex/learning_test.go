package gasindex

import (
	"testing"
	"time"
)

// A long emission event: with learning on, the estimator (after its 3 h
// gating limit) learns the smoke as usual air and the index sinks towards
// 100; with learning frozen, the index keeps reporting the smoke against the
// clean baseline, and the baseline is exactly what it was before.
func TestFreezeLearning(t *testing.T) {
	const clean, smoky = 27000, 26700
	learning := NewVOC(time.Second)
	for _, s := range steady(clean, 4*3600) {
		learning.Process(s)
	}
	frozen := NewVOC(time.Second)
	if err := frozen.SetState(learning.State()); err != nil {
		t.Fatal(err)
	}
	baseline := frozen.State()
	frozen.SetLearning(false)
	if frozen.Learning() || !learning.Learning() {
		t.Fatalf("Learning() = %v, %v; want false for the frozen one only", frozen.Learning(), learning.Learning())
	}

	var lEnd, fEnd, fFirst int32
	for i, s := range steady(smoky, 6*3600) {
		lEnd, fEnd = learning.Process(s), frozen.Process(s)
		if i == 1800 {
			fFirst = fEnd
		}
	}
	t.Logf("smoke: frozen index %d after 30 min, %d after 6 h; learning index %d after 6 h", fFirst, fEnd, lEnd)
	if fst := frozen.State(); fst.Mean != baseline.Mean || fst.Std != baseline.Std ||
		fst.Resume.UptimeGamma != baseline.Resume.UptimeGamma || fst.Resume.GatingDurationMinutes != baseline.Resume.GatingDurationMinutes {
		t.Errorf("frozen estimator moved: %+v -> %+v", *baseline.Resume, *fst.Resume)
	}
	if fEnd < 200 || abs(fEnd-fFirst) > 2 {
		t.Errorf("frozen index %d after 6 h of smoke (was %d after 30 min), want it to stay high and steady", fEnd, fFirst)
	}
	if lEnd >= fEnd-50 {
		t.Errorf("learning index %d after 6 h of smoke, want well below the frozen %d (smoke learned as usual)", lEnd, fEnd)
	}

	// Back to clean air: the frozen baseline reads ~100 at once; the one that
	// learned smoke reads clean air as cleaner than usual.
	for _, s := range steady(clean, 1800) {
		lEnd, fEnd = learning.Process(s), frozen.Process(s)
	}
	t.Logf("clean again: frozen %d, learning %d", fEnd, lEnd)
	if fEnd < 95 || fEnd > 105 {
		t.Errorf("frozen index %d in clean air, want about 100", fEnd)
	}
	if lEnd >= 90 {
		t.Errorf("learning index %d in clean air after a learned smoky day, want well below 100", lEnd)
	}

	// Unfreezing resumes learning.
	frozen.SetLearning(true)
	frozen.Process(clean)
	if frozen.State().Resume.UptimeGamma == baseline.Resume.UptimeGamma {
		t.Errorf("estimator did not resume after SetLearning(true)")
	}
}

// Frozen from the very start, the estimator still takes its first sample as
// the baseline, so the index is meaningful rather than pegged.
func TestFreezeBeforeFirstSample(t *testing.T) {
	a := NewVOC(time.Second)
	a.SetLearning(false)
	var got int32
	for _, s := range steady(27000, 600) {
		got = a.Process(s)
	}
	if got < 95 || got > 105 {
		t.Errorf("index %d in steady air with learning frozen from start, want about 100", got)
	}
	for range 300 {
		got = a.Process(25000)
	}
	if got < 300 {
		t.Errorf("index %d after a strong VOC event with learning frozen, want > 300", got)
	}
}
