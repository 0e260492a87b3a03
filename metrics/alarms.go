package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
)

// alarms exports the active alarms: one series per active alarm (so
// Alertmanager and Grafana can show them) and the room's highest level.
type alarms struct {
	src     Source
	active  *prometheus.Desc
	highest *prometheus.Desc
	unacked *prometheus.Desc
}

func newAlarms(src Source) *alarms {
	return &alarms{
		src:     src,
		active:  desc("alarm_active", "1 for each active alarm; acked says whether staff acknowledged it.", "rule", "level", "subject", "acked"),
		highest: desc("alarm_highest_level", "Highest active alarm level: 0 none, 1 warning, 2 alarm, 3 fault."),
		unacked: desc("alarms_unacknowledged", "Active alarms nobody has acknowledged."),
	}
}

func (a *alarms) Describe(ch chan<- *prometheus.Desc) {
	ch <- a.active
	ch <- a.highest
	ch <- a.unacked
}

func (a *alarms) Collect(ch chan<- prometheus.Metric) {
	s := a.src()
	if s == nil {
		return
	}
	for _, al := range s.Alarms.Alarms {
		acked := "false"
		if al.Acked {
			acked = "true"
		}
		ch <- prometheus.MustNewConstMetric(a.active, prometheus.GaugeValue, 1, string(al.RuleID), al.Level.String(), al.Subject, acked)
	}
	ch <- prometheus.MustNewConstMetric(a.highest, prometheus.GaugeValue, float64(s.Alarms.Highest))
	ch <- prometheus.MustNewConstMetric(a.unacked, prometheus.GaugeValue, float64(s.Alarms.Unacked))
}
