package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
)

// sensors exports each sensor's health: up, last success, errors by kind.
type sensors struct {
	src         Source
	up          *prometheus.Desc
	lastSuccess *prometheus.Desc
	errors      *prometheus.Desc
	info        *prometheus.Desc
}

func newSensors(src Source) *sensors {
	return &sensors{
		src:         src,
		up:          desc("sensor_up", "1 while the sensor's reads succeed.", "sensor", "zone"),
		lastSuccess: desc("sensor_last_success_timestamp_seconds", "Unix time of the last good read.", "sensor", "zone"),
		errors:      desc("sensor_errors_total", "Failed reads by kind (crc, nack, status, other).", "sensor", "zone", "kind"),
		info:        desc("sensor_info", "Sensor identity; always 1.", "sensor", "zone", "type", "bus", "address", "serial"),
	}
}

func (s *sensors) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{s.up, s.lastSuccess, s.errors, s.info} {
		ch <- d
	}
}

func (s *sensors) Collect(ch chan<- prometheus.Metric) {
	snap := s.src()
	if snap == nil {
		return
	}
	for _, sn := range snap.Sensors {
		ch <- prometheus.MustNewConstMetric(s.up, prometheus.GaugeValue, boolFloat(sn.Up), sn.Name, sn.Zone)
		if !sn.LastSuccess.IsZero() {
			ch <- prometheus.MustNewConstMetric(s.lastSuccess, prometheus.GaugeValue, float64(sn.LastSuccess.UnixNano())/1e9, sn.Name, sn.Zone)
		}
		for kind, n := range sn.Errors {
			ch <- prometheus.MustNewConstMetric(s.errors, prometheus.CounterValue, float64(n), sn.Name, sn.Zone, kind)
		}
		ch <- prometheus.MustNewConstMetric(s.info, prometheus.GaugeValue, 1, sn.Name, sn.Zone, string(sn.Type), sn.Bus, sn.Address, sn.Serial)
	}
}
