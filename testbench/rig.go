package testbench

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"periph.io/x/conn/v3/i2c"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/drivers/fan"
	"github.com/ventd/ventd/testbench/air"
	"github.com/ventd/ventd/testbench/i2csim"
	"github.com/ventd/ventd/testbench/room"
	"github.com/ventd/ventd/testbench/scd41sim"
	"github.com/ventd/ventd/testbench/scenario"
	"github.com/ventd/ventd/testbench/sdpsim"
	"github.com/ventd/ventd/testbench/sen5xsim"
	"github.com/ventd/ventd/testbench/sgp41sim"
	"github.com/ventd/ventd/testbench/sps30sim"
)

// RigOpts tune a Rig.
type RigOpts struct {
	// Seed draws each simulated sensor's unit-to-unit error and noise.
	Seed uint64
	// Loop repeats the scenario forever (ventd -sim runs for days).
	Loop bool
	// Room overrides the room model derived from the config.
	Room *room.Config
	// ScenarioStart is when the scenario's time zero falls; zero means
	// the clock's time at NewRig. Later lets the daemon settle first.
	ScenarioStart time.Time
	// WiredInverted says how a fan's PWM wire is wired in the simulated
	// room: true through an inverting stage (an open-drain transistor).
	// A fan not listed is wired as its config says (sysfs_pwm.invert), so
	// a duty reaches it as set; listed the other way, the duty reaches it
	// inverted (100 % runs it at its slowest), as a miswired fan's does.
	WiredInverted map[string]bool
}

// Rig is a simulated room wired as ventd's hardware. On a simulated clock
// it plays its scenario as the clock moves (clock.Sim.OnAdvance), so the
// daemon's loop runs exactly as on a Pi, with nothing to call.
type Rig struct {
	Room    *room.Room
	clk     clock.Clock
	buses   map[string]*i2csim.Bus
	sensors map[string]simSensor
	drifts  map[string]*driftSource // PM sensors, for sensor_drift
	player  *scenario.Player
	// wiredInverted is RigOpts.WiredInverted.
	wiredInverted map[string]bool
	// onPurge serves a scenario's purge events (OnPurge).
	onPurge func(zone string, cancel bool) error

	mu      sync.Mutex
	err     error    // the first error playing the scenario
	active  []string // what is happening, sorted; rebuilt when events play
	stepped bool
}

// simSensor is one simulated device and where it sits.
type simSensor struct {
	bus  *i2csim.Bus
	addr uint16
	dev  interface{ SetStuck(bool) }
}

// NewRig builds the simulated room for cfg: a zone per configured zone, a
// simulated fan per fan, a simulated device per sensor on a simulated bus
// per bus name, with sc playing from the clock's current time.
func NewRig(cfg *config.Config, clk clock.Clock, sc *scenario.Scenario, opts RigOpts) (*Rig, error) {
	rc := RoomConfig(cfg)
	if opts.Room != nil {
		rc = *opts.Room
	}
	rm, err := room.New(rc, clk.Now())
	if err != nil {
		return nil, err
	}
	r := &Rig{Room: rm, clk: clk, buses: map[string]*i2csim.Bus{}, sensors: map[string]simSensor{}, drifts: map[string]*driftSource{}, wiredInverted: opts.WiredInverted}
	for i, s := range cfg.Sensors {
		if s.Mux != nil {
			return nil, fmt.Errorf("sensor %s: the simulator has no I2C mux; put simulated sensors on separate buses", s.Name)
		}
		bus, ok := r.buses[s.Bus]
		if !ok {
			bus = i2csim.New("sim-i2c-"+s.Bus, clk.Sleep)
			r.buses[s.Bus] = bus
		}
		src := rm.Zone(s.Zone)
		if z := cfg.Zone(s.Zone); z != nil && z.Kind == config.Outdoor {
			src = rm.OutdoorSource()
		}
		seed := opts.Seed*1000 + uint64(i) + 1
		var dev interface {
			i2csim.Device
			SetStuck(bool)
		}
		switch s.Type {
		case config.SPS30:
			ds := &driftSource{src: src}
			r.drifts[s.Name] = ds
			dev = sps30sim.New(clk, ds, sps30sim.Opts{Seed: seed})
		case config.SEN54, config.SEN55:
			ds := &driftSource{src: src}
			r.drifts[s.Name] = ds
			dev = sen5xsim.New(clk, ds, sen5xsim.Opts{Seed: seed, Product: strings.ToUpper(string(s.Type))})
		case config.SCD40, config.SCD41:
			dev = scd41sim.New(clk, src, scd41sim.Opts{Seed: seed, SCD40: s.Type == config.SCD40})
		case config.SDP810, config.SDP31:
			product := "SDP810-500Pa"
			if s.Type == config.SDP31 {
				product = "SDP31"
			}
			dev = sdpsim.New(clk, rm.PressureSource(s.Zone), sdpsim.Opts{Seed: seed, Product: product})
		case config.SGP40, config.SGP41:
			dev = sgp41sim.New(clk, src, sgp41sim.Opts{Seed: seed, SGP40: s.Type == config.SGP40})
		default:
			return nil, fmt.Errorf("sensor %s: no simulated %s", s.Name, s.Type)
		}
		addr := uint16(s.Address)
		bus.Attach(addr, dev)
		r.sensors[s.Name] = simSensor{bus: bus, addr: addr, dev: dev}
	}
	if sc != nil {
		if err := sc.Validate(rc, sensorNames(cfg)); err != nil {
			return nil, err
		}
		start := opts.ScenarioStart
		if start.IsZero() {
			start = clk.Now()
		}
		r.player = scenario.NewPlayer(sc, r, start, &scenario.PlayerOpts{Loop: opts.Loop, Outdoor: rc.Outdoor})
		if sim, ok := clk.(*clock.Sim); ok {
			sim.OnAdvance(func(now time.Time) { r.Step(now) })
		}
	}
	return r, nil
}

func sensorNames(cfg *config.Config) []string {
	var out []string
	for _, s := range cfg.Sensors {
		out = append(out, s.Name)
	}
	return out
}

// RoomConfig derives a room model from a ventd config: each zone with its
// volume; each booth beside the first staff zone with a door to it; staff
// zones ventilated at 4 air changes an hour; fans with their max flow. An
// outdoor zone is no zone of the room: its sensors read the outdoor air.
func RoomConfig(cfg *config.Config) room.Config {
	rc := room.Default()
	rc.Zones, rc.Fans, rc.Doors = nil, nil, nil
	staff := ""
	for _, z := range cfg.Zones {
		if z.Kind == config.Staff && staff == "" {
			staff = z.Name
		}
	}
	for _, z := range cfg.Zones {
		if z.Kind == config.Outdoor {
			continue
		}
		zc := room.ZoneConfig{Name: z.Name, VolumeM3: z.VolumeM3, DepositionPerHour: room.TypicalDeposition()}
		if z.Kind == config.Booth {
			zc.Kind, zc.Neighbour, zc.LeakageM3h = room.Booth, staff, 10
			rc.Doors = append(rc.Doors, room.DoorConfig{Name: z.Name + "-door", Between: [2]string{z.Name, staff}, OpenExchangeM3h: 150})
		} else {
			zc.Kind, zc.GeneralVentilationM3h = room.Staff, 4*z.VolumeM3
		}
		rc.Zones = append(rc.Zones, zc)
	}
	for _, f := range cfg.Fans {
		rc.Fans = append(rc.Fans, room.FanConfig{Name: f.Name, Zones: f.Zones, MaxFlowM3h: f.MaxFlowM3H, MaxRPM: 3000})
	}
	return rc
}

// Bus implements daemon.Hardware.
func (r *Rig) Bus(s config.Sensor) (i2c.Bus, error) {
	b, ok := r.buses[s.Bus]
	if !ok {
		return nil, fmt.Errorf("no simulated I2C bus %q", s.Bus)
	}
	return b, nil
}

// SimBus returns the simulated bus by its config name, for fault injection.
func (r *Rig) SimBus(name string) *i2csim.Bus { return r.buses[name] }

// Fan implements daemon.Hardware. A fan the config puts on a relay is
// switched through ventd's relay driver, on or off at full speed; any
// other backend is a fan whose speed follows the duty.
func (r *Rig) Fan(f config.Fan) (fan.Output, error) {
	fn := r.Room.Fan(f.Name)
	if fn == nil {
		return nil, fmt.Errorf("no simulated fan %q", f.Name)
	}
	if f.Backend == config.BackendRelay && f.Relay != nil {
		coil := relayCoil{fan: fn, name: "sim-" + f.Relay.Pin, activeLow: f.Relay.ActiveLow}
		return fan.NewRelay(coil, fan.RelayOpts{Threshold: config.RelayOnDuty / 100, MinHold: f.Relay.Hold(), ActiveLow: f.Relay.ActiveLow, Clock: r.clk})
	}
	configured := f.SysfsPWM != nil && f.SysfsPWM.Invert
	if wired, ok := r.wiredInverted[f.Name]; ok && wired != configured {
		return invertedWire{fn}, nil
	}
	return fn, nil
}

// invertedWire is a fan whose PWM wire inverts what its config does not
// (or the other way round): the duty reaches the fan as 1 − duty.
type invertedWire struct{ *room.Fan }

func (w invertedWire) String() string { return w.Fan.String() + " (wired inverted)" }

func (w invertedWire) SetDuty(d float64) error {
	if !(d >= 0 && d <= 1) {
		return w.Fan.SetDuty(d) // the fan's own error for a duty out of range
	}
	return w.Fan.SetDuty(1 - d)
}

// OnPurge hands the scenario's purge events to serve, the daemon's
// request queue: staff asking for a purge, as from the status page. It is
// called on the goroutine that moves the simulated clock, at the event's
// time, so serve must not wait on the control loop.
func (r *Rig) OnPurge(serve func(zone string, cancel bool) error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.onPurge = serve
}

// Purge implements scenario.Purger.
func (r *Rig) Purge(zone string, cancel bool) error {
	r.mu.Lock()
	serve := r.onPurge
	r.mu.Unlock()
	if serve == nil {
		return errors.New("no daemon takes requests from this simulated room")
	}
	return serve(zone, cancel)
}

// Tach implements daemon.Hardware: every simulated fan has one.
func (r *Rig) Tach(f config.Fan) (fan.Tachometer, error) {
	fn := r.Room.Fan(f.Name)
	if fn == nil {
		return nil, fmt.Errorf("no simulated fan %q", f.Name)
	}
	return fn, nil
}

// Step plays the scenario up to now. On a simulated clock the rig calls it
// itself as the clock moves; call it by hand on any other clock.
func (r *Rig) Step(now time.Time) error {
	if r.player == nil {
		return nil
	}
	before := r.player.Played()
	err := r.player.Step(now)
	if err == nil && r.player.Played() == before && r.stepped {
		return nil
	}
	r.stepped = true
	var out []string
	for _, a := range r.player.Active() {
		out = append(out, a.String())
	}
	sort.Strings(out)
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil && r.err == nil {
		r.err = err
	}
	r.active = out
	return err
}

// Err returns the first error playing the scenario, nil if none.
func (r *Rig) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// Active describes what is happening in the room now, for the record.
func (r *Rig) Active() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.active
}

// The scenario's target: the room takes the air events, the rig the
// sensor faults.

// AdvanceTo lets the player bring the room to each event's exact time.
func (r *Rig) AdvanceTo(t time.Time) { r.Room.AdvanceTo(t) }

func (r *Rig) SetOccupants(zone string, n int)             { r.Room.SetOccupants(zone, n) }
func (r *Rig) StartSession(zone string, s room.Session)    { r.Room.StartSession(zone, s) }
func (r *Rig) StopSession(zone string)                     { r.Room.StopSession(zone) }
func (r *Rig) SetDoor(name string, open bool)              { r.Room.SetDoor(name, open) }
func (r *Rig) SetFanStalled(name string, stalled bool)     { r.Room.SetFanStalled(name, stalled) }
func (r *Rig) SetFanFlow(name string, share float64) error { return r.Room.SetFanFlow(name, share) }
func (r *Rig) SetOutdoor(s air.State)                      { r.Room.SetOutdoor(s) }

// SensorFault turns a fault on a simulated sensor on or off: disconnect,
// nack (every transfer refused), corrupt (every read's CRC broken), stuck
// (the value freezes), fan_failure (SPS30 fan stops, status bit set).
func (r *Rig) SensorFault(sensor, kind string, on bool) error {
	s, ok := r.sensors[sensor]
	if !ok {
		return fmt.Errorf("sensor fault: no sensor %q", sensor)
	}
	switch kind {
	case "disconnect":
		if on {
			s.bus.Disconnect(s.addr)
		} else {
			s.bus.Reconnect(s.addr)
		}
	case "nack", "corrupt":
		if !on {
			s.bus.ClearFaults(s.addr)
			return nil
		}
		k := i2csim.FaultNACK
		if kind == "corrupt" {
			k = i2csim.FaultCorrupt
		}
		s.bus.Inject(s.addr, i2csim.Fault{Kind: k})
	case "stuck":
		s.dev.SetStuck(on)
	case "fan_failure":
		p, ok := s.dev.(interface{ SetFanFailure(bool) })
		if !ok {
			return fmt.Errorf("sensor fault fan_failure: %s has no fan (an SPS30 or a SEN5x has)", sensor)
		}
		p.SetFanFailure(on)
	default:
		return errors.New("sensor fault: unknown kind " + kind)
	}
	return nil
}
