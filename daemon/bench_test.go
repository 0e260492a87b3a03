package daemon

import (
	"testing"
	"time"
)

// BenchmarkStep runs one simulated hour of control periods per iteration
// on the simulated room, journal included, stepping the loop by hand.
func BenchmarkStep(b *testing.B) {
	h := newHarness(&testing.T{}, b.TempDir(), t0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		end := h.clk.Now().Add(time.Hour)
		for h.clk.Now().Before(end) {
			next := h.clk.Now().Add(time.Second)
			h.d.step(h.clk.Now())
			h.clk.Sleep(next.Sub(h.clk.Now()))
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sim-h/s")
}

// BenchmarkStepNoJournal is BenchmarkStep without a state directory.
func BenchmarkStepNoJournal(b *testing.B) {
	h := newHarness(&testing.T{}, "", t0)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		end := h.clk.Now().Add(time.Hour)
		for h.clk.Now().Before(end) {
			next := h.clk.Now().Add(time.Second)
			h.d.step(h.clk.Now())
			h.clk.Sleep(next.Sub(h.clk.Now()))
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sim-h/s")
}
