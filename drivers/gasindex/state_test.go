package gasindex

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

// roundTrip saves s as JSON and reads it back, as the daemon does on disk.
func roundTrip(t *testing.T, s State) State {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatalf("marshal state: %v", err)
	}
	var got State
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatalf("unmarshal state %s: %v", b, err)
	}
	return got
}

// A state saved at any point and restored into a fresh instance continues
// exactly as the uninterrupted run: during the blackout, during start-up
// learning, and after it.
func TestStateResumeMatchesUninterrupted(t *testing.T) {
	for _, tc := range []struct {
		file string
		new  func(time.Duration) *Algorithm
	}{
		{"voc_1s.csv", NewVOC},
		{"nox_1s.csv", NewNOx},
	} {
		vs := loadVectors(t, tc.file)
		for _, cut := range []int{20, 2 * 3600, 5 * 3600} {
			t.Run(tc.file+"/"+time.Duration(cut*int(time.Second)).String(), func(t *testing.T) {
				whole := tc.new(time.Second)
				for _, v := range vs[:cut] {
					whole.Process(v.sraw)
				}
				resumed := tc.new(time.Second)
				if err := resumed.SetState(roundTrip(t, whole.State())); err != nil {
					t.Fatalf("SetState: %v", err)
				}
				for i, v := range vs[cut:] {
					w, r := whole.Process(v.sraw), resumed.Process(v.sraw)
					if w != r {
						t.Fatalf("%d s after restore: resumed index %d, uninterrupted %d", i+1, r, w)
					}
				}
				if w, r := whole.State(), resumed.State(); *w.Resume != *r.Resume || w.Mean != r.Mean || w.Std != r.Std {
					t.Errorf("final states differ:\nuninterrupted %+v %+v\nresumed       %+v %+v", w, *w.Resume, r, *r.Resume)
				}
			})
		}
	}
}

// A long synthetic run crosses the estimator's uptime cap (32767 s, 9.1 h)
// and several smoke sessions; the resumed run still matches sample for sample.
func TestStateResumeLongRun(t *testing.T) {
	for _, k := range []Kind{VOC, NOx} {
		t.Run(k.String(), func(t *testing.T) {
			sig := smokyDay(k, 14*3600)
			cut := 12 * 3600
			whole := newAlgorithm(k, time.Second)
			for _, s := range sig[:cut] {
				whole.Process(s)
			}
			if got := whole.State().Resume.UptimeGamma; got != 32766 {
				t.Fatalf("uptime_gamma after 12 h = %v, want the cap 32766", got)
			}
			resumed := newAlgorithm(k, time.Second)
			if err := resumed.SetState(roundTrip(t, whole.State())); err != nil {
				t.Fatalf("SetState: %v", err)
			}
			for i, s := range sig[cut:] {
				if w, r := whole.Process(s), resumed.Process(s); w != r {
					t.Fatalf("%d s after restore: resumed index %d, uninterrupted %d", i+1, r, w)
				}
			}
		})
	}
}

// Without resume data, SetState is the reference's set_states: after the
// blackout the index carries on from the learned baseline instead of
// re-learning from the first sample.
func TestStateReferenceSetStates(t *testing.T) {
	vs := loadVectors(t, "voc_1s.csv")
	const cut = 4 * 3600
	whole := NewVOC(time.Second)
	for _, v := range vs[:cut] {
		whole.Process(v.sraw)
	}
	s := whole.State()
	s.Resume = nil
	restored, fresh := NewVOC(time.Second), NewVOC(time.Second)
	if err := restored.SetState(roundTrip(t, s)); err != nil {
		t.Fatalf("SetState(mean/std only): %v", err)
	}
	if got := restored.State(); got.Mean != s.Mean || got.Std != s.Std {
		t.Fatalf("after SetState: mean/std %v/%v, want %v/%v", got.Mean, got.Std, s.Mean, s.Std)
	}
	var errRestored, errFresh int
	for i, v := range vs[cut:] {
		w, r, f := whole.Process(v.sraw), restored.Process(v.sraw), fresh.Process(v.sraw)
		if i <= 45 {
			if r != 0 {
				t.Fatalf("sample %d after restore: index %d during the blackout, want 0", i+1, r)
			}
			continue
		}
		if i > 600 { // after the low-pass filter has settled
			errRestored += abs(r - w)
			errFresh += abs(f - w)
		}
	}
	t.Logf("mean |index error| vs uninterrupted: restored %.2f, fresh %.2f", float64(errRestored)/float64(len(vs)-cut-601), float64(errFresh)/float64(len(vs)-cut-601))
	if errRestored*3 > errFresh {
		t.Errorf("restored state tracks the uninterrupted run no better than a fresh start: total error %d vs %d", errRestored, errFresh)
	}
}

func abs(x int32) int {
	if x < 0 {
		return int(-x)
	}
	return int(x)
}

func TestSetStateRejects(t *testing.T) {
	learned := NewVOC(time.Second)
	for i := range 3600 {
		learned.Process(27000 + int32(i%7))
	}
	good := learned.State()
	nox := NewNOx(time.Second)
	for range 3600 {
		nox.Process(16000)
	}
	noxOnly := nox.State()
	noxOnly.Resume = nil

	mod := func(f func(s *State)) State {
		s := good
		r := *good.Resume
		s.Resume = &r
		f(&s)
		return s
	}
	for _, tc := range []struct {
		name string
		into *Algorithm
		s    State
		want string
	}{
		{"wrong kind", NewNOx(time.Second), good, "saved for voc, this algorithm is nox"},
		{"NaN std", NewVOC(time.Second), mod(func(s *State) { s.Std = float32(math.NaN()) }), "std is NaN"},
		{"zero std", NewVOC(time.Second), mod(func(s *State) { s.Std = 0 }), "std = 0"},
		{"inf mean", NewVOC(time.Second), mod(func(s *State) { s.Mean = float32(math.Inf(1)) }), "mean is +Inf"},
		{"negative uptime", NewVOC(time.Second), mod(func(s *State) { s.Resume.UptimeGamma = -1 }), "resume.uptime_gamma_s = -1"},
		{"edited mean", NewVOC(time.Second), mod(func(s *State) { s.Mean += 50 }), "drop resume"},
		{"nothing learned", NewVOC(time.Second), mod(func(s *State) { s.Resume = nil; s.Mean = 0 }), "nothing was learned"},
		{"NOx without resume", NewNOx(time.Second), noxOnly, "VOC only"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := tc.into.State()
			err := tc.into.SetState(tc.s)
			if !errors.Is(err, ErrState) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("SetState = %v, want ErrState mentioning %q", err, tc.want)
			}
			if after := tc.into.State(); after.Mean != before.Mean || *after.Resume != *before.Resume {
				t.Errorf("a rejected state changed the algorithm: %+v -> %+v", *before.Resume, *after.Resume)
			}
		})
	}
}

func TestKindJSON(t *testing.T) {
	var s State
	if err := json.Unmarshal([]byte(`{"kind":"NOx","mean":1,"std":2}`), &s); err != nil || s.Kind != NOx {
		t.Fatalf("unmarshal kind NOx: %v, %v", s.Kind, err)
	}
	if err := json.Unmarshal([]byte(`{"kind":"co2"}`), &s); err == nil || !strings.Contains(err.Error(), `"co2"`) {
		t.Fatalf("unmarshal kind co2: err %v, want one naming the bad kind", err)
	}
	b, _ := json.Marshal(NewVOC(0).State())
	if !strings.Contains(string(b), `"kind":"voc"`) || !strings.Contains(string(b), `"uptime_gamma_s"`) {
		t.Errorf("state JSON %s lacks readable kind or resume fields", b)
	}
}
