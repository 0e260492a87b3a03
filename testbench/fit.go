package testbench

import (
	"fmt"
	"slices"
	"strings"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/testbench/scenario"
)

// FitScenario returns sc as it plays in the room of to when sc was written
// for the room of from: the built-in days and ventbench's scenarios are
// written for config.Sim's room (booth "booth", staff area "staff", door
// "booth-door", fan "booth-exhaust", sensors "booth-pm"...), and a site
// trying its own config on them (ventd -sim -config, ventbench -config)
// names its parts otherwise. Names to's room has are kept; the others are
// given to's parts:
//
//   - a session in a booth to lacks goes to to's booths in turn, so a day
//     written for one booth spreads its sessions over six;
//   - occupants of a staff zone to lacks go to its first staff zone;
//   - a door, a fan fault or a sensor fault or drift in a booth follows
//     that booth's latest session (the door staff open after a session is
//     that session's booth's); a sensor becomes the one of the same type in
//     the zone it maps to, and a fan one that exhausts it;
//   - an event whose fan or sensor has no counterpart in to is left out.
//
// notes say each renaming and each event left out, once. When every name
// fits, sc itself comes back with no notes.
func FitScenario(sc *scenario.Scenario, from, to *config.Config) (fitted *scenario.Scenario, notes []string) {
	f := &fitter{from: from, to: to, booths: names(to.ZonesOf(config.Booth)), latest: map[string]string{},
		fixed: map[string]string{}, said: map[string]bool{}}
	if staff := to.ZonesOf(config.Staff); len(staff) > 0 {
		f.staff = staff[0].Name
	}
	out := *sc
	out.Events = make([]scenario.Event, 0, len(sc.Events))
	changed := false
	for _, e := range sc.Events {
		g, keep := f.event(e)
		changed = changed || !keep || g != e
		if keep {
			out.Events = append(out.Events, g)
		}
	}
	if !changed {
		return sc, nil
	}
	return &out, f.notes
}

type fitter struct {
	from, to *config.Config
	booths   []string          // to's booths, in config order
	staff    string            // to's first staff zone
	next     int               // the booth the next moved session goes to
	latest   map[string]string // from's booth → to's booth of its latest session
	fixed    map[string]string // a fan or sensor once renamed keeps its new name (its fault clears there)
	said     map[string]bool
	notes    []string
}

func (f *fitter) note(format string, a ...any) {
	if s := fmt.Sprintf(format, a...); !f.said[s] {
		f.said[s] = true
		f.notes = append(f.notes, s)
	}
}

// event returns e with its names fitted to f.to; keep is false when it has
// no counterpart there.
func (f *fitter) event(e scenario.Event) (out scenario.Event, keep bool) {
	keep = true
	switch {
	case e.Session != nil:
		renamed(&e.Session, func(s *scenario.Session) *string { return &s.Zone }, always(f.sessionZone))
	case e.Occupants != nil:
		renamed(&e.Occupants, func(o *scenario.Occupants) *string { return &o.Zone }, always(f.zone))
	case e.Purge != nil && e.Purge.Zone != "":
		renamed(&e.Purge, func(p *scenario.Purge) *string { return &p.Zone }, always(f.zone))
	case e.Door != nil:
		keep = renamed(&e.Door, func(d *scenario.Door) *string { return &d.Name }, f.door)
	case e.FanFault != nil:
		keep = renamed(&e.FanFault, func(ff *scenario.FanFault) *string { return &ff.Fan }, f.fan)
	case e.SensorFault != nil:
		keep = renamed(&e.SensorFault, func(sf *scenario.SensorFault) *string { return &sf.Sensor }, f.sensor)
	case e.Drift != nil:
		keep = renamed(&e.Drift, func(dr *scenario.Drift) *string { return &dr.Sensor }, f.sensor)
	}
	return e, keep
}

// renamed maps the name field of **p with m and, when that changes it,
// points *p at a copy with the new name (the scenario given is not
// changed). It returns m's keep.
func renamed[T any](p **T, field func(*T) *string, m func(string) (string, bool)) bool {
	name, keep := m(*field(*p))
	if name != *field(*p) {
		c := **p
		*field(&c) = name
		*p = &c
	}
	return keep
}

// always is m for renamed, keeping every event.
func always(m func(string) string) func(string) (string, bool) {
	return func(s string) (string, bool) { return m(s), true }
}

// sessionZone moves a session in from's booth z to to's next booth in turn.
func (f *fitter) sessionZone(z string) string {
	if f.to.Zone(z) != nil {
		return z
	}
	if fz := f.from.Zone(z); fz == nil || fz.Kind != config.Booth || len(f.booths) == 0 {
		return f.zone(z)
	}
	b := f.booths[f.next%len(f.booths)]
	f.next++
	f.latest[z] = b
	if len(f.booths) > 1 {
		f.note("sessions in %q go to %s in turn", z, strings.Join(f.booths, ", "))
	} else {
		f.note("sessions in %q go to %q", z, b)
	}
	return b
}

// zone maps from's zone z to to's: a booth to the booth of its latest
// session (or the first), a staff zone to the first staff zone. A zone
// from does not have stays as it is, for the scenario's own check to name.
func (f *fitter) zone(z string) string {
	if f.to.Zone(z) != nil {
		return z
	}
	fz := f.from.Zone(z)
	switch {
	case fz == nil:
		return z
	case fz.Kind == config.Booth && len(f.booths) > 0:
		if b, ok := f.latest[z]; ok {
			return b
		}
		return f.booths[0]
	case fz.Kind == config.Staff && f.staff != "":
		f.note("%q is %q here", z, f.staff)
		return f.staff
	}
	return z
}

// door maps a door of from's booth to the door of the booth it maps to
// (testbench.RoomConfig names a booth's door after it).
func (f *fitter) door(name string) (string, bool) {
	if slices.ContainsFunc(f.to.ZonesOf(config.Booth), func(z *config.Zone) bool { return z.Name+"-door" == name }) {
		return name, true
	}
	for _, z := range f.from.ZonesOf(config.Booth) {
		if z.Name+"-door" == name && len(f.booths) > 0 {
			d := f.zone(z.Name) + "-door"
			f.note("door %q is the door of the booth its sessions went to", name)
			return d, true
		}
	}
	return name, true // the scenario's check names it
}

// fan maps one of from's fans to a fan of to's that exhausts the booth the
// fan's first zone maps to.
func (f *fitter) fan(name string) (string, bool) {
	if fanNamed(f.to, name) != nil {
		return name, true
	}
	if n, ok := f.fixed["fan "+name]; ok {
		return n, true
	}
	ff := fanNamed(f.from, name)
	if ff == nil || len(ff.Zones) == 0 {
		return name, true
	}
	if fans := f.to.FansFor(f.zone(ff.Zones[0])); len(fans) > 0 {
		f.fixed["fan "+name] = fans[0].Name
		f.note("fan %q is %q here", name, fans[0].Name)
		return fans[0].Name, true
	}
	f.note("left out: faults of fan %q (no fan here exhausts the booth it maps to)", name)
	return "", false
}

// sensor maps one of from's sensors to to's sensor of the same type in the
// zone the sensor's zone maps to.
func (f *fitter) sensor(name string) (string, bool) {
	if sensorNamed(f.to, name) != nil {
		return name, true
	}
	if n, ok := f.fixed["sensor "+name]; ok {
		return n, true
	}
	fs := sensorNamed(f.from, name)
	if fs == nil {
		return name, true
	}
	for _, s := range f.to.SensorsIn(f.zone(fs.Zone)) {
		if s.Type == fs.Type {
			f.fixed["sensor "+name] = s.Name
			f.note("sensor %q is %q here", name, s.Name)
			return s.Name, true
		}
	}
	f.note("left out: faults of sensor %q (no %s in the zone it maps to)", name, fs.Type)
	return "", false
}

func names(zs []*config.Zone) []string {
	out := make([]string, len(zs))
	for i, z := range zs {
		out[i] = z.Name
	}
	return out
}

func fanNamed(c *config.Config, name string) *config.Fan {
	if i := slices.IndexFunc(c.Fans, func(f config.Fan) bool { return f.Name == name }); i >= 0 {
		return &c.Fans[i]
	}
	return nil
}

func sensorNamed(c *config.Config, name string) *config.Sensor {
	if i := slices.IndexFunc(c.Sensors, func(s config.Sensor) bool { return s.Name == name }); i >= 0 {
		return &c.Sensors[i]
	}
	return nil
}
