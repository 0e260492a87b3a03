package metrics

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/snapshot"
)

// alarms exports the active alarms, one series per alarm (so Alertmanager
// and Grafana's state timeline can show them), the room's highest level,
// and the transitions counted so far.
type alarms struct {
	events                           *AlarmEvents
	active, highest, unacked, counts *prometheus.Desc
}

func newAlarms(n namer, ev *AlarmEvents) *alarms {
	return &alarms{
		events:  ev,
		active:  n.desc("alarm_active", "1 for each active alarm; acked says whether staff acknowledged it.", "rule", "level", "subject", "acked"),
		highest: n.desc("alarm_highest_level", "Highest active alarm level: 0 none, 1 warning, 2 alarm, 3 fault."),
		unacked: n.desc("alarms_unacknowledged", "Active alarms nobody has acknowledged."),
		counts:  n.desc("alarm_events_total", "Alarm transitions since ventd started (the journal export: since midnight UTC), by level and kind (raised, cleared, acknowledged, latched, held, returned).", "level", "kind"),
	}
}

func (a *alarms) describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{a.active, a.highest, a.unacked, a.counts} {
		ch <- d
	}
}

func (a *alarms) collect(s *snapshot.Snapshot, ch chan<- prometheus.Metric) {
	for _, al := range s.Alarms.Alarms {
		acked := "false"
		if al.Acked {
			acked = "true"
		}
		gauge(ch, a.active, 1, string(al.RuleID), al.Level.String(), al.Subject, acked)
	}
	gauge(ch, a.highest, float64(s.Alarms.Highest))
	gauge(ch, a.unacked, float64(s.Alarms.Unacked))
	for li, l := range eventLevels {
		for ki, k := range eventKinds {
			counter(ch, a.counts, float64(a.events.n[li][ki].Load()), l.String(), string(k))
		}
	}
}

var (
	eventLevels = [...]alarm.Level{alarm.LevelWarning, alarm.LevelAlarm, alarm.LevelFault}
	eventKinds  = [...]alarm.Kind{alarm.Raised, alarm.Cleared, alarm.Acknowledged, alarm.Latched, alarm.Held, alarm.Returned}
)

// AlarmEvents counts alarm transitions by level and kind, for the
// ventd_alarm_events_total counter. One goroutine writes (the loop, through
// Metrics.Period, or the export), scrapes read concurrently.
type AlarmEvents struct {
	n    [len(eventLevels)][len(eventKinds)]atomic.Uint64
	last uint64 // writer only: the newest event id counted
}

// Add counts one transition; a level or kind ventd does not know is not
// counted.
func (a *AlarmEvents) Add(level, kind string) {
	for li, l := range eventLevels {
		for ki, k := range eventKinds {
			if l.String() == level && string(k) == kind {
				a.n[li][ki].Add(1)
			}
		}
	}
}

// Reset starts every count again from zero.
func (a *AlarmEvents) Reset() {
	for li := range a.n {
		for ki := range a.n[li] {
			a.n[li][ki].Store(0)
		}
	}
}

// count adds the events newer than the newest counted: the snapshot
// carries the last few transitions, oldest first, with ids that only grow.
func (a *AlarmEvents) count(evs []alarm.Event) {
	for _, e := range evs {
		if e.ID > a.last {
			a.Add(e.Level.String(), string(e.Kind))
			a.last = e.ID
		}
	}
}
