package alarm

import (
	"errors"
	"reflect"
	"testing"
	"time"
)

// An Input looked up once feeds its rule exactly as naming the rule each
// time does: two engines, one fed each way, raise and clear alike.
func TestInputFeedsAsEngine(t *testing.T) {
	stale := Rule{ID: "sensor/s1/stale", Level: LevelFault, Subject: "s1", Direction: WhenTrue, OnDelay: 5 * time.Second}
	byID, byInput := mustEngine(t, pmRule(), stale), mustEngine(t, pmRule(), stale)
	pm, st := byInput.Input(pmRule().ID), byInput.Input(stale.ID)
	events := 0
	for s := 0; s < 300; s++ {
		now, v, cond := t0.Add(time.Duration(s)*time.Second), 20.0, s >= 100 && s < 200
		if s >= 50 && s < 150 {
			v = 60
		}
		want, err1 := byID.Evaluate(now, pmRule().ID, v, true)
		got, err2 := pm.Evaluate(now, v, true)
		if err1 != nil || err2 != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("second %d: Input.Evaluate %+v, %v; Engine.Evaluate %+v, %v", s, got, err2, want, err1)
		}
		events += len(got)
		want, err1 = byID.SetCondition(now, stale.ID, cond, 0)
		got, err2 = st.SetCondition(now, cond, 0)
		if err1 != nil || err2 != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("second %d: Input.SetCondition %+v, %v; Engine.SetCondition %+v, %v", s, got, err2, want, err1)
		}
		events += len(got)
	}
	if events < 4 {
		t.Fatalf("%d events; want each rule raised and cleared", events)
	}
	if got, want := byInput.Summary(t0), byID.Summary(t0); !reflect.DeepEqual(got, want) {
		t.Fatalf("summaries differ: %+v, %+v", got, want)
	}
	if _, err := byInput.Input("nowhere/pm25/warning").Evaluate(t0, 1, true); !errors.Is(err, ErrUnknownRule) {
		t.Errorf("an unknown rule's Input: %v, want ErrUnknownRule", err)
	}
	if _, err := pm.SetCondition(t0, true, 0); err == nil {
		t.Error("a value rule's Input took a condition")
	}
}

// A Batch feeds conditions and values exactly as the Inputs themselves do, and says
// the same of a rule it does not have or that compares values.
func TestBatchFeedsAsInput(t *testing.T) {
	stale := Rule{ID: "sensor/s1/stale", Level: LevelFault, Subject: "s1", Direction: WhenTrue, OnDelay: 5 * time.Second}
	single, batched := mustEngine(t, pmRule(), stale), mustEngine(t, pmRule(), stale)
	in1, in2 := single.Input(stale.ID), batched.Input(stale.ID)
	events := 0
	for s := 0; s < 300; s++ {
		now, cond := t0.Add(time.Duration(s)*time.Second), s >= 100 && s < 200
		want, err1 := in1.SetCondition(now, cond, 1)
		b := batched.Hold()
		got, err2 := b.SetCondition(in2, now, cond, 1)
		b.Release()
		if err1 != nil || err2 != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("second %d: Batch.SetCondition %+v, %v; Input.SetCondition %+v, %v", s, got, err2, want, err1)
		}
		events += len(got)
		v := 20.0
		if s >= 50 && s < 150 {
			v = 60
		}
		want, err1 = single.Input(pmRule().ID).Evaluate(now, v, true)
		b = batched.Hold()
		got, err2 = b.Evaluate(batched.Input(pmRule().ID), now, v, true)
		b.Release()
		if err1 != nil || err2 != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("second %d: Batch.Evaluate %+v, %v; Input.Evaluate %+v, %v", s, got, err2, want, err1)
		}
		events += len(got)
	}
	if events < 4 {
		t.Fatalf("%d events; want each rule raised and cleared", events)
	}
	if got, want := batched.Summary(t0), single.Summary(t0); !reflect.DeepEqual(got, want) {
		t.Fatalf("summaries differ: %+v, %+v", got, want)
	}
	b := batched.Hold()
	defer b.Release()
	if _, err := b.SetCondition(batched.Input("sensor/s9/stale"), t0, true, 0); !errors.Is(err, ErrUnknownRule) {
		t.Errorf("an unknown rule in a batch: %v, want ErrUnknownRule", err)
	}
	if _, err := b.Evaluate(batched.Input("nowhere/pm25/warning"), t0, 1, true); !errors.Is(err, ErrUnknownRule) {
		t.Errorf("an unknown rule evaluated in a batch: %v, want ErrUnknownRule", err)
	}
	if _, err := b.SetCondition(batched.Input(pmRule().ID), t0, true, 0); err == nil {
		t.Error("a value rule took a condition in a batch")
	}
}
