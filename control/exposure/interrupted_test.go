package exposure

import (
	"testing"
	"time"

	"github.com/ventd/ventd/sample"
)

// A shift whose ventd stopped part-way and never ran again is finished at
// its end by Interrupted: its figures stay, the rest of it is a gap.
func TestInterruptedFinishesAtTheShiftsEnd(t *testing.T) {
	start := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)
	tr, err := New(Opts{Quantity: sample.CO2, Zone: "staff", Schedule: Schedule{Starts: []time.Duration{7 * time.Hour}, Length: 8 * time.Hour, Location: time.UTC}})
	if err != nil {
		t.Fatal(err)
	}
	for at := start; at.Before(start.Add(2 * time.Hour)); at = at.Add(time.Second) {
		if err := tr.Add(at, 800); err != nil {
			t.Fatal(err)
		}
	}
	s, ok := tr.Current(start.Add(2 * time.Hour))
	if !ok || s.Finished {
		t.Fatalf("running summary: %+v %v", s, ok)
	}
	got := Interrupted(s)
	if !got.Finished || got.Complete || !got.Until.Equal(s.End) {
		t.Errorf("interrupted shift: finished %v complete %v until %v; want finished, incomplete, until its end %v", got.Finished, got.Complete, got.Until, s.End)
	}
	if got.TWA != s.TWA || got.Covered != s.Covered {
		t.Errorf("figures changed: TWA %v → %v, covered %v → %v", s.TWA, got.TWA, s.Covered, got.Covered)
	}
	if got.Elapsed.Std() != 8*time.Hour || got.GapTotal.Std() < 6*time.Hour-time.Minute || got.Coverage > 26 {
		t.Errorf("elapsed %v, gaps %v, coverage %.1f%%: the 6 h after the stop must be a gap", got.Elapsed.Std(), got.GapTotal.Std(), got.Coverage)
	}
	if again := Interrupted(got); again.Until != got.Until || again.GapTotal != got.GapTotal {
		t.Errorf("a finished summary changed: %+v", again)
	}
}
