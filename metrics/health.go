package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
)

// health exports the daemon's own state: whether its records can be
// trusted (clock, journal) and whether the loop keeps time.
type health struct {
	src                               Source
	clock, journal, overruns, started *prometheus.Desc
}

func newHealth(src Source) *health {
	return &health{
		src:      src,
		clock:    desc("clock_synchronized", "1 while the system clock has a time source; 0 means timestamps may be wrong (a Pi has no battery clock)."),
		journal:  desc("journal_ok", "1 while the exposure journal keeps records; 0 means records are at risk (see the journal fault alarm)."),
		overruns: desc("loop_overruns_total", "Control periods that ran late."),
		started:  desc("start_time_seconds", "When the daemon started, Unix time."),
	}
}

func (h *health) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{h.clock, h.journal, h.overruns, h.started} {
		ch <- d
	}
}

func (h *health) Collect(ch chan<- prometheus.Metric) {
	s := h.src()
	if s == nil {
		return
	}
	ch <- prometheus.MustNewConstMetric(h.clock, prometheus.GaugeValue, boolFloat(s.Health.ClockSynchronized))
	ch <- prometheus.MustNewConstMetric(h.journal, prometheus.GaugeValue, boolFloat(s.Health.JournalOK))
	ch <- prometheus.MustNewConstMetric(h.overruns, prometheus.CounterValue, float64(s.Health.LoopOverruns))
	ch <- prometheus.MustNewConstMetric(h.started, prometheus.GaugeValue, float64(s.Health.Started.Unix()))
}
