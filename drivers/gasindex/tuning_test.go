package gasindex

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestDefaultTuning(t *testing.T) {
	if got, want := NewVOC(time.Second).Tuning(), (Tuning{100, 12, 12, 180, 50, 230}); got != want {
		t.Errorf("VOC tuning %+v, want the reference's %+v", got, want)
	}
	if got, want := NewNOx(time.Second).Tuning(), (Tuning{1, 12, 12, 720, 50, 230}); got != want {
		t.Errorf("NOx tuning %+v, want the reference's %+v", got, want)
	}
}

func TestSetTuningValidates(t *testing.T) {
	ok := DefaultTuning(VOC)
	for _, tc := range []struct {
		name string
		mod  func(*Tuning)
		want []string
	}{
		{"offset 0", func(t *Tuning) { t.IndexOffset = 0 }, []string{"index_offset = 0 is outside 1..250"}},
		{"offset 251", func(t *Tuning) { t.IndexOffset = 251 }, []string{"index_offset = 251"}},
		{"learning offset 0 h", func(t *Tuning) { t.LearningTimeOffsetHours = 0 }, []string{"learning_time_offset_hours = 0 is outside 1..1000"}},
		{"learning gain 1001 h", func(t *Tuning) { t.LearningTimeGainHours = 1001 }, []string{"learning_time_gain_hours = 1001"}},
		{"gating -1", func(t *Tuning) { t.GatingMaxDurationMinutes = -1 }, []string{"gating_max_duration_minutes = -1 is outside 0..3000"}},
		{"std 9", func(t *Tuning) { t.StdInitial = 9 }, []string{"std_initial = 9 is outside 10..5000"}},
		{"gain 0", func(t *Tuning) { t.GainFactor = 0 }, []string{"gain_factor = 0 is outside 1..1000"}},
		{"all wrong", func(t *Tuning) { *t = Tuning{} }, []string{"index_offset", "learning_time_offset_hours", "learning_time_gain_hours", "std_initial", "gain_factor"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := NewVOC(time.Second)
			for range 100 {
				a.Process(27000)
			}
			before := a.State()
			bad := ok
			tc.mod(&bad)
			err := a.SetTuning(bad)
			if !errors.Is(err, ErrTuning) {
				t.Fatalf("SetTuning(%+v) = %v, want ErrTuning", bad, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if a.Tuning() != ok {
				t.Errorf("a rejected tuning was applied: %+v", a.Tuning())
			}
			if after := a.State(); *after.Resume != *before.Resume {
				t.Errorf("a rejected tuning reset learning")
			}
		})
	}
	// The edges of every range are valid.
	for _, good := range []Tuning{{1, 1, 1, 0, 10, 1}, {250, 1000, 1000, 3000, 5000, 1000}} {
		if err := NewNOx(time.Second).SetTuning(good); err != nil {
			t.Errorf("SetTuning(%+v) = %v, want nil", good, err)
		}
	}
}

// The index offset is what usual air reads once learned, and a new tuning
// restarts learning as in the reference.
func TestTuningIndexOffset(t *testing.T) {
	a := NewVOC(time.Second)
	for _, s := range steady(27000, 1800) {
		a.Process(s)
	}
	tu := a.Tuning()
	tu.IndexOffset = 150
	if err := a.SetTuning(tu); err != nil {
		t.Fatal(err)
	}
	if a.Tuning() != tu {
		t.Fatalf("Tuning() = %+v after SetTuning(%+v)", a.Tuning(), tu)
	}
	if st := a.State(); st.Resume.EstimatorInitialized || st.Resume.UptimeGamma != 0 {
		t.Errorf("SetTuning kept the learned estimator %+v; the reference restarts it", *st.Resume)
	}
	var got int32
	for _, s := range steady(27000, 2*3600) {
		got = a.Process(s)
	}
	if got < 145 || got > 155 {
		t.Errorf("steady air reads %d with index_offset 150, want about 150", got)
	}
}
