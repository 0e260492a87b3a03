package exposure

import (
	"testing"
	"time"
)

// BenchmarkAdd is the cost of one 1 Hz sample: it closes the previous
// sample's second and evaluates the rolling STEL.
func BenchmarkAdd(b *testing.B) {
	tr := newTracker(b, Limits{}, day8)
	b.ReportAllocs()
	at := t0
	for i := 0; b.Loop(); i++ {
		if err := tr.Add(at, float64(400+i%1000)); err != nil {
			b.Fatal(err)
		}
		at = at.Add(time.Second)
	}
}

// BenchmarkSnapshot is the cost of one /api/state or /metrics read in the
// middle of a shift.
func BenchmarkSnapshot(b *testing.B) {
	tr := newTracker(b, Limits{}, day8)
	at := feed(b, tr, t0, 4*time.Hour, 800)
	now := at.Add(-500 * time.Millisecond)
	b.ReportAllocs()
	for b.Loop() {
		_ = tr.Snapshot(now)
	}
}

// BenchmarkShiftAt is the shift lookup of every Current, once a second
// per tracker.
func BenchmarkShiftAt(b *testing.B) {
	sch := Schedule{Starts: []time.Duration{7 * time.Hour, 19 * time.Hour}, Length: 12 * time.Hour, Location: time.UTC}
	b.ReportAllocs()
	at := t0
	for b.Loop() {
		if _, ok := sch.ShiftAt(at); !ok {
			b.Fatal("no shift")
		}
		at = at.Add(time.Second)
	}
}

// BenchmarkPeriod is what the daemon asks of a tracker every period: a
// sample 0.667 s past a whole second (sensors opened mid-second), so that
// each one closes a second in the middle of the held one, and the rolling
// snapshot at the same instant.
func BenchmarkPeriod(b *testing.B) {
	tr := newTracker(b, Limits{}, day8)
	b.ReportAllocs()
	at := t0.Add(667 * time.Millisecond)
	var s Snapshot
	for i := 0; b.Loop(); i++ {
		if err := tr.Add(at, float64(400+i%1000)); err != nil {
			b.Fatal(err)
		}
		tr.RollingTo(&s, at)
		at = at.Add(time.Second)
	}
}
