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
	StuckAfter time.Duration
}

// Set is every configured sensor of a room, sharing each zone's
// temperature and humidity for humidity compensation.
type Set struct {
	list []*Sensor
	env  *environment
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
	set := &Set{env: newEnvironment()}
	for _, sc := range cfgs {
		log := o.Log.With("sensor", sc.Name)
		var dev device
		switch sc.Type {
		case config.SPS30:
			dev = &sps30Device{name: sc.Name, clk: o.Clock, cal: sc.PMCalibration, log: log}
		case config.SCD40, config.SCD41:
			dev = &scd4xDevice{clk: o.Clock, zone: sc.Zone, env: set.env, offset: sc.CO2OffsetPPM, asc: sc.ASC, altitude: sc.AltitudeM}
		case config.SDP810, config.SDP31:
			dev = &sdpDevice{clk: o.Clock}
		case config.SGP40:
			dev = newSGP4x(sc.Name, sc.Zone, sgp4x.SGP40, o.Clock, set.env, log)
		case config.SGP41:
			dev = newSGP4x(sc.Name, sc.Zone, sgp4x.SGP41, o.Clock, set.env, log)
		default:
			return nil, fmt.Errorf("sensor %s: unsupported type %q", sc.Name, sc.Type)
		}
		if k, ok := dev.(keeper); ok {
			k.restore(o.Saved)
		}
		sc := sc
		s := &Sensor{cfg: sc, dev: dev, log: log, bus: func() (i2c.Bus, error) { return open(sc) },
			errs: map[string]uint64{}}
		if mainQuantity(sc.Type) != "" && o.StuckAfter > 0 {
			var err error
			if s.stuck, err = alarm.NewStuckDetector(0, o.StuckAfter); err != nil {
				return nil, fmt.Errorf("sensor %s: %w", sc.Name, err)
			}
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

// Update polls every sensor once; each takes its time from the clock
// (transfers and execution times), so now is read per sensor.
func (set *Set) Update(now func() time.Time) {
	for _, s := range set.list {
		s.Update(now())
	}
}

// SetBusy tells the sensors of a zone whether an emission event (a
// session, a purge) is under way there: the VOC index stops learning and
// the SPS30 puts off its fan cleaning.
func (s *Sensor) SetBusy(busy bool) {
	if l, ok := s.dev.(learner); ok {
		l.setLearning(!busy)
	}
	if q, ok := s.dev.(quietable); ok {
		q.setQuiet(!busy)
	}
}

// Keep returns the state a restart must not lose, by key.
func (set *Set) Keep() map[string]string {
	out := map[string]string{}
	for _, s := range set.list {
		if ser := s.dev.serial(); ser != "" {
			out["sensor."+s.cfg.Name+".serial"] = ser
		}
		if k, ok := s.dev.(keeper); ok {
			for key, v := range k.keep() {
				out[key] = v
			}
		}
	}
	return out
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
