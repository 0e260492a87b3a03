package room

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ventd/ventd/testbench/air"
)

// Room is the simulated room. It is safe for concurrent use; time moves
// only when someone asks for a later instant.
type Room struct {
	mu  sync.Mutex
	cfg Config
	now time.Time
	// start and elapsed give Now without the lock: now is always
	// start.Add(elapsed), elapsed being the sum of the steps, which
	// advance stores after it moves now. Adding the steps one by one and
	// adding their sum give the same Time (Add carries the nanoseconds
	// into the seconds, and into a monotonic reading if any, exactly);
	// TestNowIsStartAdd checks the two are ==. Someone reads the room's
	// time on every clock advance.
	start   time.Time
	elapsed atomic.Int64

	zones []zone
	fans  []*Fan
	doors []door

	outdoor      conc
	outdoorState air.State

	// The flows and what derives from them, selected again when dirty
	// (a fan's speed, a stall or a door changed); see selectFlows.
	dirty     bool
	flows     *flowState
	cache     []*flowState // settled networks, with their propagators
	transient *flowState   // the network of a step while a fan spins up
	key       []uint64
	tick      uint64

	// stepAir, when set, replaces the model's concentration update; the
	// tests set it to the previous algorithm to compare the two.
	stepAir func(dt time.Duration)

	// warmth keeps the occupants' warmth's decay by step length;
	// freshDecay, which the tests set, takes it and the fans' spin-up
	// decay anew every step, as before they were kept, to compare.
	warmth     decays
	freshDecay bool

	// Working memory, so that a step allocates nothing.
	flowScratch matrix
	expmScratch *expmScratch
	depScratch  []float64
	vectors     [6][]conc
}

type zone struct {
	cfg        ZoneConfig
	neighbour  int // zone index, -1: outdoors
	deposition [nGroups]float64
	c          conc
	occupants  int
	session    *activeSession
	source     conc // occupants plus session, species·m³/h
	rate       conc // source per volume, species/h
	// depositionOf is each species' deposition rate; maxDeposition the
	// largest.
	depositionOf  conc
	maxDeposition float64
	// warmth and damp are what the occupants add to temperature and
	// humidity, lagging their arrival.
	warmth, damp float64
}

type activeSession struct {
	Session
	end time.Time // zero: until stopped
}

type door struct {
	cfg    DoorConfig
	places [2]int // zone index, -1: outdoors
	open   bool
}

// New builds the room described by cfg at time start, every zone holding
// outdoor air, nobody in it, and every fan at full duty: a 4-wire fan runs
// flat out until something drives its PWM input (its pull-up), which is
// also the safe state for extraction.
func New(cfg Config, start time.Time) (*Room, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	r := &Room{cfg: cfg, now: start, start: start, dirty: true}
	index := map[string]int{Outdoor: -1}
	for i, zc := range cfg.Zones {
		index[zc.Name] = i
	}
	r.outdoorState = cfg.Outdoor
	r.outdoor = toConc(cfg.Outdoor)
	for _, zc := range cfg.Zones {
		z := zone{cfg: zc, neighbour: -1, c: r.outdoor}
		if zc.Neighbour != "" {
			z.neighbour = index[zc.Neighbour]
		}
		d := zc.DepositionPerHour
		z.deposition = [nGroups]float64{d.PM1, d.PM25, d.PM4, d.PM10, 0}
		for s := range nSpecies {
			z.depositionOf[s] = z.deposition[group(s)]
			z.maxDeposition = max(z.maxDeposition, z.depositionOf[s])
		}
		if zc.TemperatureC == 0 && zc.HumidityRH == 0 {
			z.cfg.TemperatureC, z.cfg.HumidityRH = baseTemperature, baseHumidity
		}
		r.zones = append(r.zones, z)
	}
	for _, fc := range cfg.Fans {
		f := newFan(r, fc)
		if f.spinUp == 0 {
			f.spinUp = 3 * time.Second
		}
		for _, zn := range fc.Zones {
			f.zones = append(f.zones, index[zn])
		}
		r.fans = append(r.fans, f)
	}
	for _, dc := range cfg.Doors {
		r.doors = append(r.doors, door{cfg: dc, open: dc.Open,
			places: [2]int{index[dc.Between[0]], index[dc.Between[1]]}})
	}
	n := len(r.zones)
	r.key = make([]uint64, r.flowKeyLen())
	r.transient = newFlowState(n, len(r.key))
	r.flowScratch = newMatrix(n + 1)
	r.expmScratch = newExpmScratch(n)
	r.depScratch = make([]float64, n)
	for i := range r.vectors {
		r.vectors[i] = make([]conc, n)
	}
	return r, nil
}

// Config returns the configuration the room was built from.
func (r *Room) Config() Config { return r.cfg }

// Now returns the room's current time.
func (r *Room) Now() time.Time { return r.start.Add(time.Duration(r.elapsed.Load())) }

// AdvanceTo integrates the room up to t. A t at or before the room's time
// does nothing: the room never runs backwards.
func (r *Room) AdvanceTo(t time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.advance(t)
}

func (r *Room) advance(t time.Time) {
	for r.now.Before(t) {
		dt := r.nextStep(t)
		if dt > 0 {
			r.step(dt)
			r.now = r.now.Add(dt)
			r.elapsed.Add(int64(dt))
		}
		for i := range r.zones {
			z := &r.zones[i]
			if s := z.session; s != nil && !s.end.IsZero() && !s.end.After(r.now) {
				z.session = nil
				r.updateSource(i)
			}
		}
	}
}

// State returns the air in zone at the room's current time.
func (r *Room) State(zone string) (air.State, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	i, err := r.zoneIndex(zone)
	if err != nil {
		return air.State{}, err
	}
	return r.stateOf(i), nil
}

func (r *Room) stateOf(i int) air.State {
	z := &r.zones[i]
	return z.c.state(z.cfg.TemperatureC+z.warmth, min(z.cfg.HumidityRH+z.damp, 100))
}

// Zone returns the air source for a zone, for a simulated sensor placed
// there; its Air(t) advances the room to t first. Zone returns nil for a
// name the room does not have.
func (r *Room) Zone(name string) air.Source {
	for i := range r.zones {
		if r.zones[i].cfg.Name == name {
			return zoneSource{r, i}
		}
	}
	return nil
}

type zoneSource struct {
	r *Room
	i int
}

func (s zoneSource) Air(t time.Time) air.State {
	s.r.mu.Lock()
	defer s.r.mu.Unlock()
	s.r.advance(t)
	return s.r.stateOf(s.i)
}

// Fan returns the fan output for the named fan, or nil if there is none.
func (r *Room) Fan(name string) *Fan {
	for _, f := range r.fans {
		if f.cfg.Name == name {
			return f
		}
	}
	return nil
}

// The control inputs below are what a scenario plays. They take effect at
// the room's current time and ignore names the room does not have (a
// scenario checks its names against the Config before it plays).

// SetOccupants sets how many people are in zone (besides a smoker, whose
// breath comes with the session).
func (r *Room) SetOccupants(zone string, n int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if i, err := r.zoneIndex(zone); err == nil {
		r.zones[i].occupants = max(n, 0)
		r.updateSource(i)
	}
}

// StartSession starts a smoking session in zone, replacing any under way
// there.
func (r *Room) StartSession(zone string, s Session) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if i, err := r.zoneIndex(zone); err == nil {
		a := &activeSession{Session: s.sanitized()}
		if a.Duration > 0 {
			a.end = r.now.Add(a.Duration)
		}
		r.zones[i].session = a
		r.updateSource(i)
	}
}

// StopSession ends the session in zone, if any.
func (r *Room) StopSession(zone string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if i, err := r.zoneIndex(zone); err == nil {
		r.zones[i].session = nil
		r.updateSource(i)
	}
}

// SetDoor opens or closes the named door.
func (r *Room) SetDoor(name string, open bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range r.doors {
		if d := &r.doors[i]; d.cfg.Name == name && d.open != open {
			d.open = open
			r.dirty = true
		}
	}
}

// SetOutdoor changes the outdoor air. Cumulative PM fractions that shrink
// with size are clipped to a consistent mix.
func (r *Room) SetOutdoor(s air.State) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.outdoor = toConc(s)
	r.outdoorState = r.outdoor.state(s.Temperature, s.Humidity)
}

// Outdoor returns the outdoor air.
func (r *Room) Outdoor() air.State {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.outdoorState
}

// OutdoorSource returns the outdoor air as a source, for a simulated
// sensor outside or in the supply duct (a zone of kind outdoor in ventd's
// config). It reads what the scenario last set: outdoor air does not
// depend on the room.
func (r *Room) OutdoorSource() air.Source { return outdoorSource{r} }

type outdoorSource struct{ r *Room }

func (s outdoorSource) Air(time.Time) air.State { return s.r.Outdoor() }

// SetFanStalled jams or frees the named fan. A stalled fan moves no air and
// its tachometer reads zero, whatever its duty.
func (r *Room) SetFanStalled(name string, stalled bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, f := range r.fans {
		if f.cfg.Name == name && f.stalled != stalled {
			f.stalled = stalled
			if stalled {
				f.speed = 0 // a jammed rotor stops at once
			}
			r.dirty = true
		}
	}
}

// SetFanFlow sets the share of its rated air the named fan moves at any
// speed, 0 to 1: less than 1 is a clogged filter, a crushed or loose
// duct, a damper shut by mistake; 1 is the fan as rated. The wheel still
// turns at its speed and the tachometer reads it: nothing but the air
// (how fast smoke clears, the booth's pressure) shows the loss.
func (r *Room) SetFanFlow(name string, share float64) error {
	if !(share >= 0 && share <= 1) {
		return fmt.Errorf("room: fan %q: flow share %g: want 0 to 1", name, share)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, f := range r.fans {
		if f.cfg.Name == name {
			if f.flow != share {
				f.flow = share
				r.dirty = true
			}
			return nil
		}
	}
	return fmt.Errorf("room: no fan %q (fans: %v)", name, r.fanNames())
}

func (r *Room) fanNames() []string {
	names := make([]string, len(r.fans))
	for i, f := range r.fans {
		names[i] = f.cfg.Name
	}
	return names
}

func (r *Room) zoneIndex(name string) (int, error) {
	for i := range r.zones {
		if r.zones[i].cfg.Name == name {
			return i, nil
		}
	}
	return 0, fmt.Errorf("room: no zone %q (zones: %v)", name, zoneNames(r.cfg.Zones))
}

func (r *Room) updateSource(i int) {
	z := &r.zones[i]
	z.source = occupantEmission(z.occupants)
	if z.session != nil {
		g := z.session.emission()
		for s := range z.source {
			z.source[s] += g[s]
		}
	}
	for s := range z.rate {
		z.rate[s] = z.source[s] / z.cfg.VolumeM3
	}
}
