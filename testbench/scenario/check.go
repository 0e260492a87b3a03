package scenario

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ventd/ventd/testbench/room"
)

// Validate checks the scenario on its own (times, one action per event,
// known fault kinds) and against the room it will play in: every zone, fan
// and door it names must exist in cfg. sensors lists the sensor names the
// daemon has; nil skips that check. All mistakes come back at once, each
// with the line of its event.
func (s *Scenario) Validate(cfg room.Config, sensors []string) error {
	return s.check(&cfg, sensors).err()
}

// check returns every mistake; cfg nil skips the names.
func (s *Scenario) check(cfg *room.Config, sensors []string) ErrorList {
	file := s.File
	if file == "" {
		file = "scenario " + s.Name
	}
	var errs ErrorList
	bad := func(line int, format string, a ...any) {
		errs = append(errs, &Error{File: file, Line: line, Msg: fmt.Sprintf(format, a...)})
	}
	if s.Duration <= 0 {
		bad(0, "duration %v; a scenario must run for some time", s.Duration)
	}

	var zones, fans, doors []string
	if cfg != nil {
		for _, z := range cfg.Zones {
			zones = append(zones, z.Name)
		}
		for _, f := range cfg.Fans {
			fans = append(fans, f.Name)
		}
		for _, d := range cfg.Doors {
			doors = append(doors, d.Name)
		}
	}
	// known reports a name missing from the room; nil lists are unchecked.
	known := func(line int, where, what, name string, names []string, check bool) {
		switch {
		case name == "":
			bad(line, "%s: %s is empty", where, what)
		case check && !slices.Contains(names, name):
			bad(line, "%s: no %s %q (have: %s)", where, what, name, strings.Join(names, ", "))
		}
	}

	// A zone holds one session at a time (the room plays the later one
	// instead of the first): two that overlap would be counted as two and
	// smoke as one.
	var sessions []*Event
	for i := range s.Events {
		if e := &s.Events[i]; e.Session != nil && e.Session.Duration > 0 {
			sessions = append(sessions, e)
		}
	}
	slices.SortStableFunc(sessions, func(a, b *Event) int { return cmp.Compare(a.At, b.At) })
	sessionEnds := map[string]*Event{}
	for _, e := range sessions {
		if prev, ok := sessionEnds[e.Session.Zone]; ok && e.At < prev.At+prev.Session.Duration {
			bad(e.Line, "session at %v in %s starts before the one at %v ends (%v): a zone holds one session at a time; give one session with the emission rates added",
				e.At, e.Session.Zone, prev.At, prev.At+prev.Session.Duration)
		}
		if prev, ok := sessionEnds[e.Session.Zone]; !ok || e.At+e.Session.Duration > prev.At+prev.Session.Duration {
			sessionEnds[e.Session.Zone] = e
		}
	}
	outdoorSaid := map[string]bool{}
	for _, e := range s.Events {
		what := e.what()
		where := fmt.Sprintf("%s at %v", what, e.At)
		if n := countActions(&e); n != 1 {
			bad(e.Line, "event at %v has %d actions; want exactly one", e.At, n)
			continue
		}
		if e.At < 0 || e.At > s.Duration {
			bad(e.Line, "%s: at %v is outside the scenario (0 to %v)", where, e.At, s.Duration)
		}
		var lasts time.Duration
		switch {
		case e.Session != nil:
			v := e.Session
			known(e.Line, where, "zone", v.Zone, zones, cfg != nil)
			if v.Duration <= 0 {
				bad(e.Line, "%s: duration %v; a session lasts some minutes, e.g. duration: 4m", where, v.Duration)
			}
			for _, r := range []float64{v.PM25MgPerMin, v.VOCMgPerMin, v.NOxMgPerMin, v.CO2LPerS} {
				if !(r >= 0) || math.IsInf(r, 0) {
					bad(e.Line, "%s: emission rates must be 0 or more, got %+v", where, v.Session)
					break
				}
			}
			for _, r := range []struct {
				key    string
				v, max float64
				what   string
			}{
				{"pm25_mg_per_min", v.PM25MgPerMin, maxMgPerMin, "a pipe gives about 0.5 to 20"},
				{"voc_mg_per_min", v.VOCMgPerMin, maxMgPerMin, "a pipe gives a few"},
				{"nox_mg_per_min", v.NOxMgPerMin, maxMgPerMin, "a lighter gives well under 1"},
				{"co2_l_per_s", v.CO2LPerS, maxCO2LPerS, "a person breathes out about 0.005"},
			} {
				if r.v > r.max {
					bad(e.Line, "%s: %s %g is more than anything smoked in a booth gives (%s; at most %g): the figures would describe no room", where, r.key, r.v, r.what, r.max)
					break // the rates left out follow pm25's: one error says it
				}
			}
			lasts = v.Duration
		case e.Occupants != nil:
			known(e.Line, where, "zone", e.Occupants.Zone, zones, cfg != nil)
			if e.Occupants.Count < 0 {
				bad(e.Line, "%s: count %d is negative", where, e.Occupants.Count)
			} else if e.Occupants.Count > maxOccupants {
				bad(e.Line, "%s: count %d is more people than a room holds (at most %d)", where, e.Occupants.Count, maxOccupants)
			}
			lasts = e.Occupants.For
		case e.Door != nil:
			known(e.Line, where, "door", e.Door.Name, doors, cfg != nil)
			lasts = e.Door.For
		case e.FanFault != nil:
			known(e.Line, where, "fan", e.FanFault.Fan, fans, cfg != nil)
			if f := e.FanFault.FlowPercent; f != nil && *f > 100 {
				bad(e.Line, "%s: flow_percent %g above 100; a fan moves at most its rated air (a larger fan is a room config with a larger max_flow_m3h)", where, *f)
			}
			lasts = e.FanFault.For
		case e.SensorFault != nil:
			v := e.SensorFault
			known(e.Line, where, "sensor", v.Sensor, sensors, sensors != nil)
			if !slices.Contains(faultKinds, v.Kind) {
				bad(e.Line, "%s: kind %q; want one of %s", where, v.Kind, strings.Join(faultKinds, ", "))
			}
			if v.Clear && v.For > 0 {
				bad(e.Line, "%s: clear with for; a clear has nothing to end, drop one", where)
			}
			lasts = v.For
		case e.Drift != nil:
			known(e.Line, where, "sensor", e.Drift.Sensor, sensors, sensors != nil)
			if e.Drift.Over <= 0 {
				bad(e.Line, "%s: over %v; say how long the drift takes to build up, e.g. over: 4h", where, e.Drift.Over)
			}
			if e.Drift.Percent <= -100 {
				bad(e.Line, "%s: percent %g would make the sensor read nothing or less", where, e.Drift.Percent)
			}
			if math.Abs(e.Drift.OffsetUgm3) > maxDriftUgm3 || e.Drift.Percent > maxDriftPercent {
				bad(e.Line, "%s: ugm3 %g, percent %g: a drifting sensor is off by tens of µg/m³ or percent (at most ±%g µg/m³ and +%g %%); more is a broken sensor (sensor_fault)",
					where, e.Drift.OffsetUgm3, e.Drift.Percent, float64(maxDriftUgm3), float64(maxDriftPercent))
			}
			lasts = e.Drift.Over
		case e.Purge != nil:
			if z := e.Purge.Zone; z != "" {
				known(e.Line, where, "zone", z, zones, cfg != nil)
			}
		case e.Outdoor != nil:
			if h := e.Outdoor.Humidity; h != nil && *h > 100 {
				bad(e.Line, "%s: humidity %g above 100%%", where, *h)
			}
			o := e.Outdoor
			for _, r := range []struct {
				key     string
				v       *float64
				lo, hi  float64
				example string
			}{
				{"pm1", o.PM1, 0, maxOutdoorPM, "the worst wildfire smoke reads some hundreds"},
				{"pm25", o.PM25, 0, maxOutdoorPM, "the worst wildfire smoke reads some hundreds"},
				{"pm4", o.PM4, 0, maxOutdoorPM, "the worst wildfire smoke reads some hundreds"},
				{"pm10", o.PM10, 0, maxOutdoorPM, "a dust storm reads some thousands"},
				{"co2", o.CO2, 0, maxOutdoorCO2, "outdoor air holds about 420 ppm"},
				{"temperature", o.Temperature, -60, 60, "in °C"},
			} {
				// The outdoor profile's minutes share its line: say it once.
				if k := fmt.Sprint(e.Line, r.key); r.v != nil && (*r.v < r.lo || *r.v > r.hi) && !outdoorSaid[k] {
					outdoorSaid[k] = true
					bad(e.Line, "%s: %s %g is outside what outdoor air reads (%g to %g; %s)", where, r.key, *r.v, r.lo, r.hi, r.example)
				}
			}
			lasts = e.Outdoor.For
		}
		if lasts < 0 {
			bad(e.Line, "%s: negative length %v", where, lasts)
		} else if end := e.At + lasts; end > s.Duration {
			bad(e.Line, "%s: lasts until %v, past the end of the scenario (%v); shorten it or lengthen duration",
				where, end, s.Duration)
		}
	}
	return errs
}

// The bounds of a scenario's figures: generous beyond any room, so that
// a typo (1e300, a count in the millions) is refused rather than played
// as a day whose figures mean nothing (the sensors saturate, and the
// record of an impossible day reads cleaner than a quiet one).
const (
	maxMgPerMin     = 10000 // 10 g a minute: a short puff at a sensor is tested at 2400
	maxCO2LPerS     = 10    // 36 m³ of CO2 an hour
	maxOccupants    = 500   // people in one zone
	maxDriftUgm3    = 1000  // a sensor's offset, µg/m³
	maxDriftPercent = 1000  // a sensor's gain error, %
	maxOutdoorPM    = 10000 // µg/m³, beyond a dust storm's
	maxOutdoorCO2   = 10000 // ppm
)

func countActions(e *Event) int {
	n := 0
	for _, set := range []bool{e.Session != nil, e.Occupants != nil, e.Door != nil,
		e.FanFault != nil, e.SensorFault != nil, e.Drift != nil, e.Outdoor != nil, e.Purge != nil} {
		if set {
			n++
		}
	}
	return n
}

// sortEvents puts events in time order, keeping the written order of
// events at the same offset.
func sortEvents(evs []Event) {
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].At < evs[j].At })
}
