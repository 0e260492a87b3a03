package scenario

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ventd/ventd/testbench/air"
	"github.com/ventd/ventd/testbench/room"
)

// Target is what a scenario acts on. *room.Room implements all but
// SensorFault; the daemon wraps the room and adds the faults, which it
// injects into the simulated bus and devices.
//
// A target that also has AdvanceTo(time.Time) (the room does) is advanced
// to each event's exact time before the event is applied, so events land
// on time however coarsely Step is called.
type Target interface {
	SetOccupants(zone string, n int)
	StartSession(zone string, s room.Session)
	StopSession(zone string)
	SetDoor(name string, open bool)
	SetFanStalled(fan string, stalled bool)
	// SetFanFlow sets the share of its rated air the fan moves, 0 to 1.
	SetFanFlow(fan string, share float64) error
	SetOutdoor(air.State)
	SensorFault(sensor, kind string, on bool) error
	// SensorDrift starts d on its sensor at the target's current time.
	SensorDrift(d Drift) error
}

// PlayerOpts configures a Player.
type PlayerOpts struct {
	// Loop starts the scenario over each time it ends, for a simulation
	// that runs for days.
	Loop bool
	// Outdoor is the outdoor air the scenario's outdoor events change;
	// the zero value means room.Default().Outdoor.
	Outdoor air.State
}

// Player plays a scenario onto a target as simulated time passes. It has
// no goroutine: the caller calls Step with the current time.
type Player struct {
	sc      *Scenario
	target  Target
	start   time.Time
	loop    bool
	actions []action
	next    int // index into actions
	cycle   int // completed loops
	done    bool

	outdoor air.State
	// What an event with `for` replaced, by event index, to put back.
	wasCount   map[int]int
	wasOutdoor map[int]air.State
	wasFlow    map[int]float64
	occupants  map[string]int
	flow       map[string]float64 // each fan's share of its rated air, 1 unless set
	active     map[string]*Activity
}

// action is one call on the target: an event's start, or the end its
// `for` (or a session's duration) implies.
type action struct {
	at  time.Duration
	end bool
	ev  int // index into sc.Events
}

// Activity is an event under way, for a status line.
type Activity struct {
	What  string
	Since time.Time
	Until time.Time // zero: until another event ends it
}

func (a Activity) String() string {
	if a.Until.IsZero() {
		return a.What
	}
	return a.What + " until " + a.Until.Format("15:04:05")
}

// NewPlayer returns a player of s onto target, with the scenario starting
// at start. opts may be nil.
func NewPlayer(s *Scenario, target Target, start time.Time, opts *PlayerOpts) *Player {
	if opts == nil {
		opts = &PlayerOpts{}
	}
	p := &Player{sc: s, target: target, start: start, loop: opts.Loop && s.Duration > 0,
		outdoor: opts.Outdoor, occupants: map[string]int{}, active: map[string]*Activity{},
		wasCount: map[int]int{}, wasOutdoor: map[int]air.State{}, wasFlow: map[int]float64{}, flow: map[string]float64{}}
	if p.outdoor == (air.State{}) {
		p.outdoor = room.Default().Outdoor
	}
	for i, e := range s.Events {
		p.actions = append(p.actions, action{at: e.At, ev: i})
		if d := e.Length(); d > 0 {
			p.actions = append(p.actions, action{at: e.At + d, end: true, ev: i})
		}
	}
	// Ends before starts at the same instant, so that a door closing at
	// 32m and opening again at 32m is left open.
	sort.SliceStable(p.actions, func(i, j int) bool {
		a, b := p.actions[i], p.actions[j]
		if a.at != b.at {
			return a.at < b.at
		}
		return a.end && !b.end
	})
	return p
}

// Length is how long an event lasts before its end action; 0 for none.
func (e *Event) Length() time.Duration {
	switch {
	case e.Session != nil:
		return e.Session.Duration
	case e.Occupants != nil:
		return e.Occupants.For
	case e.Door != nil:
		return e.Door.For
	case e.FanFault != nil:
		return e.FanFault.For
	case e.SensorFault != nil:
		return e.SensorFault.For
	case e.Drift != nil:
		return e.Drift.Over
	case e.Outdoor != nil:
		return e.Outdoor.For
	}
	return 0
}

// Step applies, in order, every event due at or before t that has not been
// applied yet. Errors from the target's SensorFault are returned together;
// the other events are still applied.
func (p *Player) Step(t time.Time) error {
	var errs []error
	adv, _ := p.target.(interface{ AdvanceTo(time.Time) })
	for !p.done {
		if p.next == len(p.actions) {
			if !p.loop {
				p.done = true
				break
			}
			p.cycle++
			p.next = 0
			continue
		}
		a := p.actions[p.next]
		at := p.start.Add(time.Duration(p.cycle)*p.sc.Duration + a.at)
		if at.After(t) {
			break
		}
		p.next++
		if adv != nil {
			adv.AdvanceTo(at)
		}
		if err := p.apply(a, at); err != nil {
			e := &p.sc.Events[a.ev]
			errs = append(errs, fmt.Errorf("scenario %s: line %d: %s at %v: %w", p.sc.Name, e.Line, e.what(), e.At, err))
		}
	}
	return errors.Join(errs...)
}

// Played counts the actions played so far, over every loop: it changes
// exactly when Step applied something.
func (p *Player) Played() int { return p.cycle*len(p.actions) + p.next }

// Done reports whether a non-looping scenario has played every event.
func (p *Player) Done() bool { return p.done }

// Active lists the events under way, oldest first.
func (p *Player) Active() []Activity {
	var l []Activity
	for _, a := range p.active {
		l = append(l, *a)
	}
	sort.Slice(l, func(i, j int) bool {
		if !l[i].Since.Equal(l[j].Since) {
			return l[i].Since.Before(l[j].Since)
		}
		return l[i].What < l[j].What
	})
	return l
}

// Outdoor returns the outdoor air as the scenario has set it.
func (p *Player) Outdoor() air.State { return p.outdoor }

// begin records an activity under key; until zero means open-ended.
func (p *Player) begin(key, what string, at time.Time, d time.Duration) {
	a := &Activity{What: what, Since: at}
	if d > 0 {
		a.Until = at.Add(d)
	}
	p.active[key] = a
}

func (p *Player) apply(a action, at time.Time) error {
	e := &p.sc.Events[a.ev]
	tg := p.target
	switch {
	case e.Session != nil:
		v := e.Session
		key := "session/" + v.Zone
		if a.end {
			// The room ends the session itself; the player only keeps its
			// list, unless a newer session has taken the zone.
			if act := p.active[key]; act != nil && act.Since.Equal(at.Add(-v.Duration)) {
				delete(p.active, key)
			}
			return nil
		}
		tg.StartSession(v.Zone, v.Session)
		p.begin(key, fmt.Sprintf("session in %s (%.1f mg/min PM2.5)", v.Zone, v.PM25MgPerMin), at, v.Duration)
	case e.Occupants != nil:
		v := e.Occupants
		n := v.Count
		if a.end {
			n = p.wasCount[a.ev]
		} else {
			p.wasCount[a.ev] = p.occupants[v.Zone]
		}
		p.occupants[v.Zone] = n
		tg.SetOccupants(v.Zone, n)
	case e.Door != nil:
		v := e.Door
		open := v.Open != a.end
		tg.SetDoor(v.Name, open)
		key := "door/" + v.Name
		switch {
		case a.end:
			delete(p.active, key)
		case v.Open || v.For > 0:
			p.begin(key, "door "+v.Name+" "+map[bool]string{true: "open", false: "held shut"}[v.Open], at, v.For)
		default:
			delete(p.active, key)
		}
	case e.FanFault != nil:
		v := e.FanFault
		if v.FlowPercent != nil {
			key := "fan/" + v.Fan + "/flow"
			share := *v.FlowPercent / 100
			if a.end {
				// What the fan moved before this fault: a clog that was
				// there before a timed one stays when it ends.
				share = p.wasFlow[a.ev]
			} else {
				was, ok := p.flow[v.Fan]
				if !ok {
					was = 1
				}
				p.wasFlow[a.ev] = was
			}
			p.flow[v.Fan] = share
			if share < 1 {
				lasts := v.For
				if a.end {
					lasts = 0 // back to the standing fault, which has no end
				}
				p.begin(key, fmt.Sprintf("fan %s moving %g %% of its rated air", v.Fan, share*100), at, lasts)
			} else {
				delete(p.active, key)
			}
			return tg.SetFanFlow(v.Fan, share)
		}
		tg.SetFanStalled(v.Fan, v.Stall != a.end)
		key := "fan/" + v.Fan
		if !a.end && v.Stall {
			p.begin(key, "fan "+v.Fan+" stalled", at, v.For)
		} else {
			delete(p.active, key)
		}
	case e.SensorFault != nil:
		v := e.SensorFault
		on := !v.Clear && !a.end
		key := "sensor/" + v.Sensor + "/" + v.Kind
		if on {
			p.begin(key, "sensor "+v.Sensor+" "+strings.ReplaceAll(v.Kind, "_", " "), at, v.For)
		} else {
			delete(p.active, key)
		}
		return tg.SensorFault(v.Sensor, v.Kind, on)
	case e.Drift != nil:
		v := e.Drift
		key := "drift/" + v.Sensor
		if a.end {
			delete(p.active, key) // the drift stays; it stops growing
			return nil
		}
		p.begin(key, fmt.Sprintf("sensor %s drifting to %+g µg/m³ %+g%%", v.Sensor, v.OffsetUgm3, v.Percent), at, v.Over)
		return tg.SensorDrift(*v)
	case e.Outdoor != nil:
		if a.end {
			p.outdoor = p.wasOutdoor[a.ev]
			tg.SetOutdoor(p.outdoor)
			delete(p.active, "outdoor")
			return nil
		}
		p.wasOutdoor[a.ev] = p.outdoor
		p.outdoor = e.Outdoor.apply(p.outdoor)
		tg.SetOutdoor(p.outdoor)
		if e.Outdoor.For > 0 {
			p.begin("outdoor", fmt.Sprintf("outdoor air PM2.5 %.0f µg/m³", p.outdoor.PM25), at, e.Outdoor.For)
		}
	case e.Purge != nil:
		// Asked of the daemon, not the room: a target without one (a bare
		// room) cannot serve it, and says so rather than drop it.
		pt, ok := tg.(Purger)
		if !ok {
			return errors.New("nothing serves purge requests in this room: play the scenario in a room wired to a daemon")
		}
		return pt.Purge(e.Purge.Zone, e.Purge.Cancel)
	}
	return nil
}

// Purger is a Target that serves staff's purge requests (a room wired to a
// daemon: testbench.Rig).
type Purger interface {
	Purge(zone string, cancel bool) error
}

// apply returns air with the fields o sets replaced. A new PM2.5 alone
// scales PM1, PM4 and PM10 with it, keeping the size mix; the cumulative
// fractions are then kept in order.
func (o *Outdoor) apply(s air.State) air.State {
	if o.PM25 != nil {
		scale := 1.0
		if s.PM25 > 0 {
			scale = *o.PM25 / s.PM25
		}
		old := s
		s.PM25 = *o.PM25
		if s.PM25 > 0 && old.PM25 == 0 {
			// No mix to keep: call it all fine smoke-like particles.
			s.PM1, s.PM4, s.PM10 = 0.75*s.PM25, s.PM25, s.PM25
		} else {
			s.PM1, s.PM4, s.PM10 = old.PM1*scale, old.PM4*scale, old.PM10*scale
		}
	}
	for dst, src := range map[*float64]*float64{
		&s.PM1: o.PM1, &s.PM4: o.PM4, &s.PM10: o.PM10, &s.CO2: o.CO2, &s.VOC: o.VOC,
		&s.NOx: o.NOx, &s.Temperature: o.Temperature, &s.Humidity: o.Humidity,
	} {
		if src != nil {
			*dst = *src
		}
	}
	s.PM25 = max(s.PM25, s.PM1)
	s.PM4 = max(s.PM4, s.PM25)
	s.PM10 = max(s.PM10, s.PM4)
	return s
}
