// Package metrics renders the room as Prometheus metrics for facilities
// and auditors: readings, sensors, fans, the booths' measured ventilation, the staff area as the law sees it, the exposure record, alarms and the
// daemon's health, one concern per file in the manner of node_exporter.
//
// Names follow Prometheus's conventions: base units in the name (seconds,
// pascals, watts, joules, celsius), _ratio for 0–1, _total for counters.
// Concentrations are in the units their limits are written in, spelled in
// the name (_ugm3 for µg/m³, _ppm), and an exposure metric carries the
// pollutant as a label, so PM2.5 and PM10 share a family and CO2 has its
// own. Every series carries site and room, so one Prometheus can collect
// many rooms.
//
// The registered collector loads the latest snapshot once per scrape and
// hands the same picture to every concern, so one scrape never mixes two
// control periods. A scrape never touches the control loop: the loop only
// calls Period, which updates a few atomics.
//
// Counters that Prometheus's increase() turns into "how much this shift"
// come from the exposure accounting itself (exposure.Totals); the
// OpenMetrics export renders the same families from the journal with
// History, so backfilled and scraped series have one set of names.
package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/snapshot"
)

const namespace = "ventd"

// Source returns the latest snapshot, nil before the first.
type Source func() *snapshot.Snapshot

// Room is what the collectors need to know besides the snapshots.
type Room struct {
	Site, Room string
	// RatedPowerW is each fan's power at full duty (fans[].rated_power_w),
	// for the power and energy estimates; a fan missing here has none.
	RatedPowerW map[string]float64
	// Now is the daemon's clock, so reading ages are measured at the
	// scrape (a stalled loop shows as growing ages); nil: as of the
	// snapshot.
	Now func() time.Time
}

// ConfigRoom returns the Room of a configuration, with the daemon's clock.
func ConfigRoom(cfg *config.Config, now func() time.Time) Room {
	r := Room{Site: cfg.Site, Room: cfg.Room, RatedPowerW: map[string]float64{}, Now: now}
	for _, f := range cfg.Fans {
		r.RatedPowerW[f.Name] = f.RatedPowerW
	}
	return r
}

// Metrics is ventd's metrics on one registry.
type Metrics struct {
	src    Source
	loop   prometheus.Histogram
	energy *energy
	events *AlarmEvents
}

// Register adds ventd's collectors to reg, every series labelled with the
// room's site and room. Pass the returned Metrics' Period to the daemon
// (daemon.Options.OnPeriod); src may be called before the daemon exists.
func Register(reg prometheus.Registerer, room Room, src Source) (*Metrics, error) {
	n := newNamer(room.Site, room.Room)
	m := &Metrics{
		src:    src,
		energy: newEnergy(room.RatedPowerW),
		events: &AlarmEvents{},
		loop: prometheus.NewHistogram(prometheus.HistogramOpts{
			Namespace: namespace, Name: "control_loop_duration_seconds",
			Help: "Wall-clock time each control period took: read the sensors, decide, set the fans, account, publish. " +
				"The period is control.period (1 s); anything near it overruns.",
			Buckets:     []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
			ConstLabels: n.constLabels,
		}),
	}
	c := &collector{src: src, concerns: []concern{
		newReadings(n, room.Now),
		newSensors(n),
		newFans(n, room.RatedPowerW, m.energy),
		newBooths(n),
		newStaff(n),
		newExposures(n),
		newAlarms(n, m.events),
		newHealth(n),
	}}
	for _, x := range []prometheus.Collector{c, m.loop} {
		if err := reg.Register(x); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Period is the daemon's OnPeriod hook, called at the end of each control
// period on the loop's goroutine with the period's wall-clock duration: it
// observes the loop duration, and takes no lock a scrape could hold.
func (m *Metrics) Period(took time.Duration) {
	m.loop.Observe(took.Seconds())
}

// Receive is the output that keeps the counters fed from the period
// records: each fan's energy since the previous record and the alarm
// transitions, every one of them (the hub never drops an event).
func (m *Metrics) Receive(p *record.Period) {
	m.energy.integrate(p.Time, p.Fans)
	m.events.count(p.Transitions)
}

// concern renders one part of the snapshot.
type concern interface {
	describe(ch chan<- *prometheus.Desc)
	collect(s *snapshot.Snapshot, ch chan<- prometheus.Metric)
}

// collector is the one registered collector: one snapshot per scrape.
type collector struct {
	src      Source
	concerns []concern
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, x := range c.concerns {
		x.describe(ch)
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	s := c.src()
	if s == nil {
		return
	}
	for _, x := range c.concerns {
		x.collect(s, ch)
	}
}

// namer makes the descriptions, with site and room as constant labels (not
// a wrapping registerer, which would copy every description at each scrape).
type namer struct{ constLabels prometheus.Labels }

func newNamer(site, room string) namer {
	return namer{prometheus.Labels{"site": site, "room": room}}
}

func (n namer) desc(name, help string, labels ...string) *prometheus.Desc {
	return prometheus.NewDesc(prometheus.BuildFQName(namespace, "", name), help, labels, n.constLabels)
}

func gauge(ch chan<- prometheus.Metric, d *prometheus.Desc, v float64, labels ...string) {
	ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
}

func counter(ch chan<- prometheus.Metric, d *prometheus.Desc, v float64, labels ...string) {
	ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
