package daemon

import (
	"fmt"
	"math"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/sample"
)

// exposureQuantities are the pollutants with an exposure record. The VOC
// Index is relative (100 = this room's usual air) and so never an
// exposure measure.
var exposureQuantities = []sample.Quantity{sample.PM25, sample.PM10, sample.CO2}

// zoneExposure keeps one pollutant's exposure record in one zone, fed each
// period with the mean of the zone's good samples, and its one-minute
// aggregate for the journal.
type zoneExposure struct {
	zone    string
	kind    config.ZoneKind
	q       sample.Quantity
	sensors []*sensor
	tr      *exposure.Tracker
	min     minuteAgg
	valid   bool // the last period had valid data
	// gapStart is when the current stretch without valid data began.
	gapStart time.Time
	// snap is this period's exposure snapshot, computed once for the
	// alarms and the room snapshot.
	snap exposure.Snapshot
}

// minuteAgg accumulates one minute of a zone's pollutant.
type minuteAgg struct {
	start   time.Time
	sum     float64
	max     float64
	count   int
	covered time.Duration
}

// minute is a finished one-minute aggregate.
type minute struct {
	Start          time.Time
	Zone, Quantity string
	Mean, Max      float64
	Count          int
	CoveredSeconds float64
}

func (m *minuteAgg) add(v float64, period time.Duration) {
	if m.count == 0 || v > m.max {
		m.max = v
	}
	m.sum += v
	m.count++
	m.covered += period
}

// newExposures builds a tracker for every zone and pollutant that has a
// sensor measuring it.
func newExposures(cfg *config.Config, sensors []*sensor, sched exposure.Schedule) ([]*zoneExposure, error) {
	var out []*zoneExposure
	for _, z := range cfg.Zones {
		for _, q := range exposureQuantities {
			var in []*sensor
			for _, s := range sensors {
				if s.cfg.Zone == z.Name && measures(s.cfg.Type, q) {
					in = append(in, s)
				}
			}
			if len(in) == 0 {
				continue
			}
			lim := exposure.ConfigLimits(cfg, q)
			tr, err := exposure.New(exposure.Opts{Quantity: q, Zone: z.Name, Limits: lim, Schedule: sched})
			if err != nil {
				return nil, fmt.Errorf("exposure %s/%s: %w", z.Name, q, err)
			}
			out = append(out, &zoneExposure{zone: z.Name, kind: z.Kind, q: q, sensors: in, tr: tr})
		}
	}
	return out, nil
}

func measures(t config.SensorType, q sample.Quantity) bool {
	switch q {
	case sample.PM25, sample.PM10, sample.PM1, sample.PM4:
		return t == config.SPS30
	case sample.CO2:
		return t.IsSCD4x()
	}
	return false
}

// update feeds the period's value: the mean of the zone's good samples, or
// a gap when there is none. It returns the minute aggregate that ended, if
// any.
func (e *zoneExposure) update(now time.Time, period time.Duration) (*minute, error) {
	var done *minute
	start := now.Truncate(time.Minute)
	if !e.min.start.IsZero() && !start.Equal(e.min.start) {
		done = e.flush()
	}
	if e.min.start.IsZero() || !start.Equal(e.min.start) {
		e.min = minuteAgg{start: start}
	}
	sum, n := 0.0, 0
	for _, s := range e.sensors {
		smp := s.sample(e.q, now)
		if smp.Valid(now, s.cfg.StaleAfter) {
			sum += smp.Value
			n++
		}
	}
	if n == 0 {
		e.valid = false
		// The held sample ends now: what follows is unmeasured, never
		// clean air.
		return done, e.tr.Gap(now, now)
	}
	v := sum / float64(n)
	e.valid = true
	e.min.add(v, period)
	return done, e.tr.Add(now, v)
}

// flush returns the current minute's aggregate (nil if it has no data).
func (e *zoneExposure) flush() *minute {
	m := e.min
	if m.count == 0 {
		return nil
	}
	return &minute{
		Start: m.start, Zone: e.zone, Quantity: string(e.q),
		Mean: m.sum / float64(m.count), Max: m.max, Count: m.count,
		CoveredSeconds: math.Min(m.covered.Seconds(), 60),
	}
}
