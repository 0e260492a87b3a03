package metrics

import (
	"slices"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ventd/ventd/snapshot"
)

// errorKinds are the kinds of read error the daemon counts.
var errorKinds = []string{"crc", "nack", "not_ready", "status", "other"}

// sensors exports each sensor's health: up, last success, errors by kind.
type sensors struct {
	up, lastSuccess, errors, info *prometheus.Desc
}

func newSensors(n namer) *sensors {
	return &sensors{
		up:          n.desc("sensor_up", "1 while the sensor's reads succeed.", "sensor", "zone"),
		lastSuccess: n.desc("sensor_last_success_timestamp_seconds", "Unix time of the last good read (simulated time under -sim).", "sensor", "zone"),
		errors:      n.desc("sensor_read_errors_total", "Failed reads since ventd started, by kind: crc, nack, not_ready, status, other.", "sensor", "zone", "kind"),
		info:        n.desc("sensor_info", "Sensor identity; always 1.", "sensor", "zone", "type", "bus", "address", "serial"),
	}
}

func (s *sensors) describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{s.up, s.lastSuccess, s.errors, s.info} {
		ch <- d
	}
}

func (s *sensors) collect(snap *snapshot.Snapshot, ch chan<- prometheus.Metric) {
	for _, sn := range snap.Sensors {
		gauge(ch, s.up, boolFloat(sn.Up), sn.Name, sn.Zone)
		if !sn.LastSuccess.IsZero() {
			gauge(ch, s.lastSuccess, float64(sn.LastSuccess.UnixNano())/1e9, sn.Name, sn.Zone)
		}
		// Every kind from zero, so the first error shows as an increase.
		for _, kind := range errorKinds {
			counter(ch, s.errors, float64(sn.Errors[kind]), sn.Name, sn.Zone, kind)
		}
		for kind, n := range sn.Errors {
			if !slices.Contains(errorKinds, kind) {
				counter(ch, s.errors, float64(n), sn.Name, sn.Zone, kind)
			}
		}
		gauge(ch, s.info, 1, sn.Name, sn.Zone, string(sn.Type), sn.Bus, sn.Address, sn.Serial)
	}
}
