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
