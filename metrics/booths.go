package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/ventd/ventd/snapshot"
)

// booths exports each booth's ventilation: what the control law measured
// from how fast its smoke clears, against what its fans' datasheet
// promises at the present duty. A share falling over weeks is a clogging
// filter or a tiring fan; a sudden fall, a door propped open. The measured
// figures are absent until the booth's first clearing was measured: an
// unmeasured booth is unknown, not unventilated.
type booths struct {
	measured, nominal, share, observations, last *prometheus.Desc
}

func newBooths(n namer) *booths {
	return &booths{
		measured:     n.desc("booth_measured_air_changes_per_hour", "Air changes per hour the booth gets at the fans' present duty, measured from how fast its smoke clears after sessions; absent until the first clearing was measured.", "zone"),
		nominal:      n.desc("booth_nominal_air_changes_per_hour", "Air changes per hour the fans' datasheet flow promises at their present duty: fans[].max_flow_m3h × duty / zones[].volume_m3.", "zone"),
		share:        n.desc("booth_measured_ventilation_ratio", "Measured over nominal air changes: the share of its fans' rated air the booth really gets; absent until measured.", "zone"),
		observations: n.desc("booth_decay_observations_total", "Clearing intervals (15 s of clean decay) the booth's ventilation was measured from, restored across restarts from the journal.", "zone"),
		last:         n.desc("booth_decay_last_measured_timestamp_seconds", "When the booth's ventilation was last measured, Unix time; absent until measured.", "zone"),
	}
}

func (b *booths) describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{b.measured, b.nominal, b.share, b.observations, b.last} {
		ch <- d
	}
}

func (b *booths) collect(s *snapshot.Snapshot, ch chan<- prometheus.Metric) {
	for _, bt := range s.Booths {
		gauge(ch, b.nominal, bt.NominalACH, bt.Zone)
		m := bt.Measured
		if m == nil {
			counter(ch, b.observations, 0, bt.Zone)
			continue
		}
		gauge(ch, b.measured, m.ACH, bt.Zone)
		gauge(ch, b.share, m.Share, bt.Zone)
		counter(ch, b.observations, float64(m.Observations), bt.Zone)
		gauge(ch, b.last, float64(m.Last.UnixMilli())/1000, bt.Zone)
	}
}
