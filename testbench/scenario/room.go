package scenario

import (
	"fmt"
	"math"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/ventd/ventd/testbench/room"
)

// Room says which room a scenario plays in and the physics of it that a
// ventd config does not carry (YAML: room). Fields left out keep the
// testbench's defaults (testbench.RoomConfig).
type Room struct {
	// Config is a ventd config file, relative to the scenario file, whose
	// zones, sensors and fans make the room; empty means the built-in
	// simulated room (config.Sim).
	Config string
	// StaffACH is the staff zones' general ventilation in air changes an
	// hour (default 4).
	StaffACH *float64
	// BoothLeakageM3h is each booth's leakage to its staff zone (default 10).
	BoothLeakageM3h *float64
	// DoorExchangeM3h is the air an open booth door exchanges (default 150).
	DoorExchangeM3h *float64
	// Line is where the section was written.
	Line int
}

// Apply changes rc as the section says.
func (r *Room) Apply(rc *room.Config) {
	if r == nil {
		return
	}
	for i := range rc.Zones {
		z := &rc.Zones[i]
		switch {
		case z.Kind == room.Staff && r.StaffACH != nil:
			z.GeneralVentilationM3h = *r.StaffACH * z.VolumeM3
		case z.Kind == room.Booth && r.BoothLeakageM3h != nil:
			z.LeakageM3h = *r.BoothLeakageM3h
		}
	}
	if r.DoorExchangeM3h != nil {
		for i := range rc.Doors {
			rc.Doors[i].OpenExchangeM3h = *r.DoorExchangeM3h
		}
	}
}

// OutdoorPoint is one point of the outdoor PM2.5 over the day (YAML:
// outdoor, a list); between points the level changes linearly.
type OutdoorPoint struct {
	At   time.Duration
	PM25 float64
	Line int
}

// Drift makes a sensor read off by a growing error (YAML: sensor_drift):
// its offset grows linearly to OffsetUgm3 and its gain error to Percent
// over Over, then stays there, as an ageing optical sensor drifts until
// someone recalibrates it.
type Drift struct {
	Sensor     string
	OffsetUgm3 float64
	Percent    float64
	Over       time.Duration
}

// At returns the offset (µg/m³) and gain factor the drift has reached d
// after it started.
func (dr *Drift) At(d time.Duration) (offset, gain float64) {
	f := 1.0
	if dr.Over > 0 {
		f = math.Min(math.Max(d.Seconds()/dr.Over.Seconds(), 0), 1)
	}
	return f * dr.OffsetUgm3, 1 + f*dr.Percent/100
}

// outdoorStep is how often an outdoor profile updates the outdoor air: the
// room holds its inputs constant between updates, and a minute is far
// shorter than any change of the weather.
const outdoorStep = time.Minute

func (d *decoder) room(n *yaml.Node, p string) *Room {
	r := &Room{Line: n.Line}
	num := func(dst **float64) func(*yaml.Node, string) {
		return func(n *yaml.Node, p string) { *dst = d.floatPtr(n, p) }
	}
	d.mapping(n, p, map[string]func(*yaml.Node, string){
		"config":            func(n *yaml.Node, p string) { r.Config = d.str(n, p) },
		"staff_ach":         num(&r.StaffACH),
		"booth_leakage_m3h": num(&r.BoothLeakageM3h),
		"door_exchange_m3h": num(&r.DoorExchangeM3h),
	})
	return r
}

func (d *decoder) outdoorProfile(n *yaml.Node, p string) []OutdoorPoint {
	if n.Kind != yaml.SequenceNode {
		d.errf(n, p, "want a list of points like {at: 2h, pm25: 150}, got %s", kindOf(n))
		return nil
	}
	var pts []OutdoorPoint
	bad := false
	for i, pn := range n.Content {
		pp := fmt.Sprintf("%s[%d]", p, i)
		pt := OutdoorPoint{Line: pn.Line}
		seen := d.mapping(pn, pp, map[string]func(*yaml.Node, string){
			"at":   func(n *yaml.Node, p string) { pt.At = d.dur(n, p) },
			"pm25": func(n *yaml.Node, p string) { pt.PM25 = d.float(n, p) },
		})
		d.required(pn, pp, seen, "at", "pm25")
		if !(pt.PM25 >= 0 && pt.PM25 <= maxOutdoorPM) {
			// Said here, at its point, rather than at every minute the
			// profile would pass through it.
			d.errf(pn, pp, "pm25 %g is outside what outdoor air reads (0 to %d; the worst wildfire smoke reads some hundreds)", pt.PM25, maxOutdoorPM)
			bad = true
		}
		if len(pts) > 0 && pt.At <= pts[len(pts)-1].At {
			d.errf(pn, pp, "at %v is not after the point before (%v); list points in time order", pt.At, pts[len(pts)-1].At)
		}
		pts = append(pts, pt)
	}
	if bad {
		return nil
	}
	return pts
}

// expandOutdoor turns the profile into outdoor events every outdoorStep
// where the level moved, so the player needs nothing new. It reports a
// scenario that also sets outdoor PM2.5 with events: two owners of one
// value would fight.
func (d *decoder) expandOutdoor(s *Scenario, pts []OutdoorPoint) {
	if len(pts) == 0 {
		return
	}
	for _, e := range s.Events {
		if e.Outdoor != nil && (e.Outdoor.PM25 != nil || e.Outdoor.PM1 != nil || e.Outdoor.PM4 != nil || e.Outdoor.PM10 != nil) {
			d.errs = append(d.errs, &Error{File: d.file, Line: e.Line,
				Msg: "outdoor event sets PM while the outdoor profile also does; give outdoor PM in one of them"})
			return
		}
	}
	last := math.NaN()
	for at := time.Duration(0); at <= s.Duration; at += outdoorStep {
		v, line := profileAt(pts, at)
		if math.Abs(v-last) < 0.05 {
			continue
		}
		last = v
		s.Events = append(s.Events, Event{At: at, Line: line, Outdoor: &Outdoor{PM25: &v}})
	}
}

// profileAt interpolates the profile at t, flat before the first point and
// after the last; line is the point the value comes from.
func profileAt(pts []OutdoorPoint, t time.Duration) (float64, int) {
	if t <= pts[0].At {
		return pts[0].PM25, pts[0].Line
	}
	for i := 1; i < len(pts); i++ {
		a, b := pts[i-1], pts[i]
		if t <= b.At {
			f := float64(t-a.At) / float64(b.At-a.At)
			return a.PM25 + f*(b.PM25-a.PM25), a.Line
		}
	}
	l := pts[len(pts)-1]
	return l.PM25, l.Line
}
