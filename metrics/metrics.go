// Package metrics renders the room snapshot as Prometheus metrics, one
// collector per concern in the manner of node_exporter: readings, fans,
// sensors. Collectors read the latest published snapshot at scrape time, so
// a slow scraper never touches the control loop.
//
// Every series carries site and room as constant labels (added by Register),
// so one Prometheus can scrape many rooms.
package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/ventd/ventd/snapshot"
)

const namespace = "ventd"

// Source returns the latest snapshot, nil before the first.
type Source func() *snapshot.Snapshot

// Register adds ventd's collectors to reg, labelled with site and room.
func Register(reg prometheus.Registerer, site, room string, src Source) error {
	r := prometheus.WrapRegistererWith(prometheus.Labels{"site": site, "room": room}, reg)
	for _, c := range []prometheus.Collector{
		newReadings(src),
		newFans(src),
		newSensors(src),
		newExposures(src),
		newAlarms(src),
		newHealth(src),
	} {
		if err := r.Register(c); err != nil {
			return err
		}
	}
	return nil
}

func desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(prometheus.BuildFQName(namespace, "", name), help, labels, nil)
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
