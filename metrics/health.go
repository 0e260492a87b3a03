package metrics

import (
	"runtime"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ventd/ventd/snapshot"
)

// health exports the daemon's own state: whether its records can be
// trusted (clock, journal), whether the loop keeps time, and what build
// is running.
type health struct {
	clock, journal, overruns, started, period, build *prometheus.Desc
	version, commit, date                            string
}

func newHealth(n namer) *health {
	h := &health{
		clock:    n.desc("clock_synchronized", "1 while the system clock has a time source; 0 means timestamps may be wrong (a Pi has no battery clock)."),
		journal:  n.desc("journal_ok", "1 while the exposure journal keeps records; 0 means records are at risk (see the journal fault alarm)."),
		overruns: n.desc("control_loop_overruns_total", "Control periods that ran late since ventd started."),
		started:  n.desc("start_time_seconds", "When the daemon started, Unix time (simulated time under -sim)."),
		period:   n.desc("last_period_timestamp_seconds", "Time of the control period these figures come from, Unix time (simulated under -sim); falling behind the scrape's time means the loop stalled."),
		build:    n.desc("build_info", "The running build; always 1.", "version", "commit", "date", "goversion"),
	}
	h.version, h.commit, h.date = buildInfo()
	return h
}

func (h *health) describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{h.clock, h.journal, h.overruns, h.started, h.period, h.build} {
		ch <- d
	}
}

func (h *health) collect(s *snapshot.Snapshot, ch chan<- prometheus.Metric) {
	gauge(ch, h.clock, boolFloat(s.Health.ClockSynchronized))
	gauge(ch, h.journal, boolFloat(s.Health.JournalOK))
	counter(ch, h.overruns, float64(s.Health.LoopOverruns))
	gauge(ch, h.started, float64(s.Health.Started.Unix()))
	gauge(ch, h.period, float64(s.Time.UnixNano())/1e9)
	gauge(ch, h.build, 1, h.version, h.commit, h.date, runtime.Version())
}
