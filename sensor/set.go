package sensor

import (
	"fmt"
	"log/slog"
	"time"

	"periph.io/x/conn/v3/i2c"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/drivers/sgp4x"
	"github.com/ventd/ventd/record"
)

// Opener opens the I2C bus a configured sensor sits on, mux applied.
type Opener func(config.Sensor) (i2c.Bus, error)

// Opts tune a Set.
type Opts struct {
	Clock clock.Clock
	Log   *slog.Logger
	// Saved returns state kept from the last run (the gas index's learned
	// baseline, the SPS30's measuring time); nil: none.
	Saved func(key string) (string, bool)
	// StuckAfter is how long a reading may stay identical before it
	// counts as frozen (alarms.sensor_stuck_after); 0 turns the check off.
	// A type whose working unit never holds a reading that long
	// (config.SensorType.StillAtMost: the SPS30, 5 min) is frozen after
	// that shorter time; a still 0 on a self-checking unit stays exempt.
	StuckAfter time.Duration
	// Period is how often Update is called (control.period); 0 means 1 s.
	// The SGP4x's gas index algorithm is told its sampling interval, 1 s
	// at least: it learns and filters by it.
	Period time.Duration
}

// Set is every configured sensor of a room, sharing each zone's
// temperature and humidity for humidity compensation.
type Set struct {
	list []*Sensor
	env  *environment
	log  *slog.Logger
	// slow holds the buses found slow or hung, each with the index in
	// list of the sensor whose turn it is: such a bus gets one read a
	// period at most, after the period's decisions (UpdateSlow).
	slow     map[string]int
	fast     map[string]int  // a slow bus's reads in time since its last slow one
	done     map[string]bool // buses found slow this period
	readSlow bool            // a read this period was slow
	turn     int             // where the search for a slow bus's turn starts
}

// New builds a sensor for each configuration. It touches no hardware: a
// sensor opens on its first Update, so one that is missing at start only
// counts as a fault.
func New(cfgs []config.Sensor, open Opener, o Opts) (*Set, error) {
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Saved == nil {
		o.Saved = func(string) (string, bool) { return "", false }
	}
	set := &Set{env: newEnvironment(), log: o.Log, slow: map[string]int{}, fast: map[string]int{}, done: map[string]bool{}}
	for _, sc := range cfgs {
		log := o.Log.With("sensor", sc.Name)
		var dev device
		switch sc.Type {
		case config.SPS30:
			dev = &sps30Device{name: sc.Name, clk: o.Clock, cal: sc.PMCalibration, log: log}
		case config.SCD40, config.SCD41:
			dev = &scd4xDevice{clk: o.Clock, zone: sc.Zone, env: set.env, offset: sc.CO2OffsetPPM, asc: sc.ASC, altitude: sc.AltitudeM}
		case config.SEN54, config.SEN55:
			dev = &sen5xDevice{name: sc.Name, typ: sc.Type, clk: o.Clock, cal: sc.PMCalibration, zone: sc.Zone, env: set.env, log: log}
		case config.SDP810, config.SDP31:
			dev = &sdpDevice{clk: o.Clock}
		case config.SGP40:
			dev = newSGP4x(sc.Name, sc.Zone, sgp4x.SGP40, o.Clock, set.env, log, o.Period)
		case config.SGP41:
			dev = newSGP4x(sc.Name, sc.Zone, sgp4x.SGP41, o.Clock, set.env, log, o.Period)
		default:
			return nil, fmt.Errorf("sensor %s: unsupported type %q", sc.Name, sc.Type)
		}
		if k, ok := dev.(keeper); ok {
			k.restore(o.Saved)
		}
		sc := sc
		s := &Sensor{cfg: sc, dev: dev, can: abilitiesOf(dev), log: log, clk: o.Clock, bus: func() (i2c.Bus, error) { return open(sc) },
			errs: map[string]uint64{}, serialKey: "sensor." + sc.Name + ".serial"}
		s.watched = sc.Type.Watched()
		if s.watched != "" && o.StuckAfter > 0 {
			after := o.StuckAfter
			if still := sc.Type.StillAtMost(); still > 0 && still < after {
				after = still
			}
			var err error
			if s.stuck, err = alarm.NewStuckDetector(0, after); err != nil {
				return nil, fmt.Errorf("sensor %s: %w", sc.Name, err)
			}
			s.resumeStill(o.Saved, o.Clock.Now(), after)
		}
		set.list = append(set.list, s)
	}
	return set, nil
}

// All returns the sensors in config order.
func (set *Set) All() []*Sensor { return set.list }

// Get returns the sensor named name, nil when there is none.
func (set *Set) Get(name string) *Sensor {
	for _, s := range set.list {
		if s.cfg.Name == name {
			return s
		}
	}
	return nil
}

// Update polls every sensor once, but those on a slow bus; each takes its
// time from the clock (transfers and execution times), so now is read per
// sensor.
//
// A bus that is slow or hung (a sensor holding SCL low makes every
// transfer on a Pi wait for the kernel's timeout, about a second) would
// hold up every sensor after it and every fan: a room's sensors on hung
// buses made periods of a minute, long enough for the watchdog, and a
// healthy staff sensor's reading went stale while the loop waited. Once a
// read takes SlowRead, the rest of its bus waits for UpdateSlow.
func (set *Set) Update(now func() time.Time) {
	clear(set.done)
	set.readSlow = false
	for i, s := range set.list {
		if _, slow := set.slow[s.cfg.Bus]; !slow {
			set.poll(i, s, now)
		} else {
			// Not read this period: its readings age as an unread
			// sensor's do, never good past its stale time.
			s.markStale(now())
		}
	}
}

// UpdateSlow reads one sensor on a slow bus, the buses and each bus's
// sensors in turn, unless a read of this period's Update was slow. The
// loop calls it once the period's decisions are out, so the wait delays
// no fan and ages no other sensor's reading.
func (set *Set) UpdateSlow(now func() time.Time) {
	if set.readSlow || len(set.slow) == 0 {
		return
	}
	for k := range set.list {
		i := (set.turn + k) % len(set.list)
		s := set.list[i]
		if next, ok := set.slow[s.cfg.Bus]; ok && next == i && !set.done[s.cfg.Bus] {
			set.turn = (i + 1) % len(set.list)
			set.poll(i, s, now)
			return
		}
	}
}

// poll reads list[i] and notes whether its bus is slow.
func (set *Set) poll(i int, s *Sensor, now func() time.Time) {
	s.Update(now())

	bus := s.cfg.Bus
	_, was := set.slow[bus]
	switch {
	case s.slowRead > 0:
		if !was {
			set.log.Warn("I2C bus slow or hung: its sensors wait, read one a period in turn, until it answers in time",
				"bus", bus, "sensor", s.cfg.Name, "read_took", s.slowRead.Round(time.Millisecond), "err", s.lastErr,
				"hint", "a sensor holding the clock line low, a bad cable or a failing part: unplug the bus's sensors one at a time (ventctl scan)")
		}
		set.slow[bus] = set.nextOn(bus, i)
		set.fast[bus] = 0
		set.done[bus] = true
		set.readSlow = true
	case was:
		// One quick read proves only that sensor quick: the bus is back
		// when each of its sensors has answered in time, in turn (else a
		// slow sensor first on the bus and a quick one after it unmark
		// and mark it by turns, and the sensors after them are never
		// read).
		set.fast[bus]++
		if set.fast[bus] < set.onBus(bus) {
			set.slow[bus] = set.nextOn(bus, i)
			return
		}
		delete(set.slow, bus)
		delete(set.fast, bus)
		set.log.Info("I2C bus answers in time again", "bus", bus, "sensor", s.cfg.Name)
	}
}

// onBus is how many sensors are on bus.
func (set *Set) onBus(bus string) int {
	n := 0
	for _, s := range set.list {
		if s.cfg.Bus == bus {
			n++
		}
	}
	return n
}

// nextOn is the index of the sensor after list[i] on bus, round the list.
func (set *Set) nextOn(bus string, i int) int {
	for k := 1; k <= len(set.list); k++ {
		if j := (i + k) % len(set.list); set.list[j].cfg.Bus == bus {
			return j
		}
	}
	return i
}

// SetBusy tells the sensors of a zone whether an emission event (a
// session, a purge) is under way there: the VOC index stops learning and
// the SPS30 puts off its fan cleaning.
func (s *Sensor) SetBusy(busy bool) {
	if l := s.can.learner; l != nil {
		l.setLearning(!busy)
	}
	if q := s.can.quietable; q != nil {
		q.setQuiet(!busy)
	}
}

// Keep returns the state a restart must not lose, by key.
func (set *Set) Keep() map[string]string {
	out := map[string]string{}
	set.KeepTo(out)
	return out
}

// KeepTo puts the state a restart must not lose into out, by key, for a
// caller that saves it every minute into a map of its own.
func (set *Set) KeepTo(out map[string]string) {
	for _, s := range set.list {
		if ser := s.dev.serial(); ser != "" {
			out[s.serialKey] = ser
		}
		if s.stuck != nil {
			out[s.stillKey()] = s.still(s.clk.Now())
		}
		if k, ok := s.dev.(keeper); ok {
			k.keepTo(out)
		}
	}
}

// TakeCalibrations returns the maintenance done since the last call (fan
// cleanings, finished recalibrations), to journal.
func (set *Set) TakeCalibrations() []record.Calibration {
	var out []record.Calibration
	for _, s := range set.list {
		if j, ok := s.dev.(journaler); ok {
			out = append(out, j.takeCalibrations()...)
		}
		out = append(out, s.journal...)
		s.journal = nil
	}
	return out
}

// Close stops every sensor, leaving them idle.
func (set *Set) Close() {
	for _, s := range set.list {
		s.Close()
	}
}
