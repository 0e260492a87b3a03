package snapshot

import (
	"math"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/ventd/ventd/control"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/record"
)

// RecentEvents is how many alarm transitions a Snapshot carries; the
// journal keeps them all.
const RecentEvents = 50

// View is the output that keeps the latest picture. The zero value is
// ready to use.
type View struct {
	latest atomic.Pointer[record.Period]

	mu     sync.Mutex
	recent []alarm.Event // newest last, at most RecentEvents
	built  *Snapshot     // the snapshot of built.from, reused until a newer record
	from   *record.Period
}

// Receive implements record.Output.
func (v *View) Receive(p *record.Period) {
	if len(p.Transitions) > 0 {
		v.mu.Lock()
		v.recent = append(v.recent, p.Transitions...)
		if n := len(v.recent); n > RecentEvents {
			v.recent = slices.Clone(v.recent[n-RecentEvents:])
		}
		v.mu.Unlock()
	}
	v.latest.Store(p)
}

// Record returns the latest period record, nil before the first.
func (v *View) Record() *record.Period { return v.latest.Load() }

// Load returns the latest snapshot, nil before the first record. It is
// built on the first call after each new record and shared until the next:
// callers must not change it.
func (v *View) Load() *Snapshot {
	p := v.latest.Load()
	if p == nil {
		return nil
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.from != p {
		v.built, v.from = From(p, slices.Clone(v.recent)), p
	}
	return v.built
}

// modeRank orders modes by urgency for the room's overall mode.
var modeRank = map[control.Mode]int{control.ModeNormal: 0, control.ModeBoost: 1, control.ModePurge: 2, control.ModeSafe: 3}

// From builds the snapshot of period record p, with recent as its event
// list (newest last).
func From(p *record.Period, recent []alarm.Event) *Snapshot {
	s := &Snapshot{
		Site: p.Site, Room: p.Room, Time: p.Time, Sim: p.Sim,
		Mode:     control.ModeNormal,
		Readings: make([]Reading, 0, len(p.Readings)),
		Sensors:  p.Sensors,
		Fans:     p.Fans,
		Booths:   p.Booths,
		Staff:    p.Staff,
		Exposure: p.Exposure,
		Alarms:   p.Alarms,
		Events:   recent,
		Scenario: p.Scenario,
		Health:   p.Health,
	}
	if s.Events == nil {
		s.Events = []alarm.Event{}
	}
	if s.Booths == nil {
		s.Booths = []Booth{}
	}
	for _, smp := range p.Readings {
		r := Reading{
			Sensor: smp.Sensor, Zone: smp.Zone, Quantity: smp.Quantity,
			Value: ReadingValue(smp.Value), Unit: smp.Quantity.Unit(), Time: smp.Time,
			AgeSeconds: p.Time.Sub(smp.Time).Seconds(), Quality: smp.Quality,
		}
		if smp.Err != nil {
			r.Error = smp.Err.Error()
			r.AboveRange = smp.AboveRange()
		}
		s.Readings = append(s.Readings, r)
	}
	for _, f := range p.Fans {
		if modeRank[f.Mode] > modeRank[s.Mode] {
			s.Mode = f.Mode
		}
	}
	zones := []string{}
	for _, e := range p.Exposure {
		if !slices.Contains(zones, e.Zone) {
			zones = append(zones, e.Zone)
		}
	}
	for _, z := range zones {
		var shifts []*exposure.Summary
		for _, e := range p.Exposure {
			if e.Zone == z {
				shifts = append(shifts, e.Shift)
			}
		}
		if em, n := exposure.MixtureOf(shifts...); n > 0 {
			s.Mixture = append(s.Mixture, Mixture{Zone: z, Index: em, Pollutants: n})
		}
	}
	return s
}

// ReadingValue is a reading's value as a snapshot shows it, to two
// decimals (round).
func ReadingValue(v float64) float64 { return round(v, 2) }

// round keeps the digits a reading can carry: sensors report float32, and
// 4.670733451843262 µg/m³ claims precision nobody has.
func round(v float64, digits int) float64 {
	p := math.Pow10(digits)
	return math.Round(v*p) / p
}
