package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
)

// NewHistory returns a Gatherer of the families the journal can rebuild
// (the exposure record and the alarms) from the snapshot src returns at
// each Gather, labelled with site and room exactly as the live endpoint
// is. The OpenMetrics export builds a snapshot a minute from the journal
// and stamps what this gathers with its time, so a backfill lands in the
// same series names a scrape fills. events counts the alarm transitions the
// export replays.
func NewHistory(site, room string, src Source, events *AlarmEvents) (prometheus.Gatherer, error) {
	reg := prometheus.NewRegistry()
	n := newNamer(site, room)
	c := &collector{src: src, concerns: []concern{newExposures(n), newAlarms(n, events)}}
	if err := reg.Register(c); err != nil {
		return nil, err
	}
	return reg, nil
}
