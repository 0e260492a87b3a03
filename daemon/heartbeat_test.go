package daemon

import (
	"testing"
	"time"
)

func TestLastPeriodIsWhenTheLastPeriodFinished(t *testing.T) {
	h := newHarness(t, t.TempDir(), t0)
	defer h.d.Close()
	if got := h.d.LastPeriod(); !got.IsZero() {
		t.Fatalf("LastPeriod before the first period = %v, want zero", got)
	}
	h.run(3 * time.Second)
	// The period's sensor reads sleep on the clock, so it finished at or
	// after its start; the harness's next period had not begun.
	got := h.d.LastPeriod()
	if got.Before(t0.Add(2*time.Second)) || got.After(h.clk.Now()) {
		t.Errorf("LastPeriod = %v, want within the third period [%v, %v]", got, t0.Add(2*time.Second), h.clk.Now())
	}
}

// TestBeatsKeepTheirTimes: each beat's time is its own (the slab's parts
// are never written again), so a reader holding an earlier one keeps it
// as later beats come, and a reader on another goroutine sees each whole.
func TestBeatsKeepTheirTimes(t *testing.T) {
	var h heartbeat
	held := map[*time.Time]time.Time{}
	for i := range 100 {
		at := t0.Add(time.Duration(i) * time.Second)
		h.beat(at)
		p := h.last.Load()
		if !p.Equal(at) {
			t.Fatalf("beat %d: last %v, want %v", i, *p, at)
		}
		held[p] = at
	}
	if len(held) != 100 {
		t.Fatalf("100 beats gave %d times of their own", len(held))
	}
	for p, at := range held {
		if !p.Equal(at) {
			t.Fatalf("a time held since its beat reads %v, was %v", *p, at)
		}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 1000 {
			if p := h.last.Load(); p.Before(t0) {
				t.Error("a reader saw a time before every beat")
				return
			}
		}
	}()
	for i := range 1000 {
		h.beat(t0.Add(time.Duration(100+i) * time.Second))
	}
	<-done
}
