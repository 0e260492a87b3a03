package daemon

import (
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"sync"
	"time"

	"periph.io/x/conn/v3/i2c"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/drivers/gasindex"
	"github.com/ventd/ventd/drivers/scd4x"
	"github.com/ventd/ventd/drivers/sdp8xx"
	"github.com/ventd/ventd/drivers/sgp4x"
	"github.com/ventd/ventd/drivers/sps30"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/sample"
)

// newDevice builds the loop's view of one configured sensor.
func (d *Daemon) newDevice(sc config.Sensor, env *environment) (device, error) {
	open := func() (busFor, error) {
		b, err := d.hw.Bus(sc)
		if err != nil {
			return busFor{}, fmt.Errorf("sensor %s: %w", sc.Name, err)
		}
		return busFor{bus: b, addr: uint16(sc.Address)}, nil
	}
	switch sc.Type {
	case config.SPS30:
		p := &sps30Device{open0: open, clk: d.clk, cal: sc.PMCalibration, name: sc.Name, rec: d.rec, log: d.log.With("sensor", sc.Name)}
		if v, ok := d.rec.metaValue(p.runKey()); ok {
			if secs, err := strconv.ParseFloat(v, 64); err == nil {
				p.run = time.Duration(secs * float64(time.Second))
			}
		}
		return p, nil
	case config.SCD40, config.SCD41:
		return &scd4xDevice{open0: open, clk: d.clk, zone: sc.Zone, env: env, offset: sc.CO2OffsetPPM, asc: sc.ASC, altitude: sc.AltitudeM}, nil
	case config.SDP810, config.SDP31:
		return &sdpDevice{open0: open, clk: d.clk}, nil
	case config.SGP40, config.SGP41:
		g := &sgp4xDevice{open0: open, clk: d.clk, zone: sc.Zone, env: env, variant: sgp4x.SGP41}
		if sc.Type == config.SGP40 {
			g.variant = sgp4x.SGP40
		}
		g.restore(d.rec.learned(sc.Name), d.log.With("sensor", sc.Name))
		return g, nil
	}
	return nil, fmt.Errorf("sensor %s: unsupported type %q", sc.Name, sc.Type)
}

// checkRange marks values a sensor cannot measure: they are not air data.
func checkRange(q sample.Quantity, v, lo, hi float64) value {
	if math.IsNaN(v) || v < lo || v > hi {
		return value{q: q, v: v, quality: sample.OutOfRange}
	}
	return value{q: q, v: v}
}

// environment shares each zone's temperature and humidity from its SCD4x
// with the SGP4x there, which needs them for humidity compensation.
type environment struct {
	mu   sync.Mutex
	zone map[string]envReading
}

type envReading struct {
	t, rh float64
	at    time.Time
}

func newEnvironment() *environment { return &environment{zone: map[string]envReading{}} }

func (e *environment) set(zone string, t, rh float64, at time.Time) {
	e.mu.Lock()
	e.zone[zone] = envReading{t, rh, at}
	e.mu.Unlock()
}

// get returns the zone's T and RH if measured within the last minute, else
// the freshest other zone's (a booth often has no SCD4x of its own, and the room's
// air is near enough for compensation), else the datasheet's
// uncompensated defaults (25 °C, 50 %RH).
func (e *environment) get(zone string, now time.Time) (t, rh float64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	fresh := func(r envReading) bool { return now.Sub(r.at) < time.Minute }
	if r, ok := e.zone[zone]; ok && fresh(r) {
		return r.t, r.rh
	}
	var newest envReading
	for _, r := range e.zone {
		if r.at.After(newest.at) {
			newest = r
		}
	}
	if fresh(newest) {
		return newest.t, newest.rh
	}
	return 25, 50
}

// --- SPS30 ---

type sps30Device struct {
	open0      func() (busFor, error)
	clk        clock.Clock
	cal        float64
	dev        *sps30.Dev
	ser        string
	problems   []string
	nextStatus time.Time

	// Fan cleaning on ventd's own schedule: the SPS30 counts its
	// auto-clean interval from power-up, so a Pi that reboots more often
	// than weekly would never clean it (canairio #69). ventd counts
	// measuring time in the journal and cleans weekly, when no session
	// is under way.
	name    string
	rec     *recorder
	log     *slog.Logger
	run     time.Duration // measuring time since the last cleaning
	lastRun time.Time
	quiet   bool // set by the loop: no session or purge in the zone
}

// cleanEvery is the SPS30's default auto-clean interval (datasheet: one
// week of measuring).
const cleanEvery = 7 * 24 * time.Hour

func (s *sps30Device) runKey() string { return "sensor." + s.name + ".fan_run_s" }

// statusEvery: reading the status register costs a transfer, and a fan
// failure shows up in the data anyway within seconds.
const statusEvery = 10 * time.Second

func (s *sps30Device) open() error {
	b, err := s.open0()
	if err != nil {
		return err
	}
	dev, err := sps30.New(b.bus, &sps30.Opts{Addr: b.addr, Clock: s.clk})
	if err != nil {
		return err
	}
	if ser, err := dev.Serial(); err == nil {
		s.ser = ser
	}
	// ventd keeps the cleaning schedule; the sensor's own would restart
	// at every power cycle.
	if err := dev.SetAutoCleanInterval(0); err != nil {
		return err
	}
	if err := dev.Start(); err != nil {
		return err
	}
	s.dev, s.nextStatus, s.lastRun = dev, time.Time{}, time.Time{}
	return nil
}

// maybeClean starts a fan cleaning when a week of measuring is due and
// the booth is quiet. The 10 s of cleaning give no data, which the loop
// treats as unknown air (fans to their safe duty): a brief, weekly cost.
func (s *sps30Device) maybeClean(now time.Time) {
	if !s.lastRun.IsZero() && now.After(s.lastRun) {
		s.run += now.Sub(s.lastRun)
	}
	s.lastRun = now
	if s.run < cleanEvery || !s.quiet {
		return
	}
	if err := s.dev.CleanFan(); err != nil {
		s.log.Warn("SPS30 fan cleaning failed; retrying next period", "err", err)
		return
	}
	s.log.Info("SPS30 fan cleaning started (10 s without readings)", "measured_for", s.run.Round(time.Hour))
	s.rec.addCalibration(journal.Calibration{Time: now, Sensor: s.name, Serial: s.ser, Kind: "fan_clean",
		Reference: math.NaN(), Correction: math.NaN(), Who: "ventd",
		Note: fmt.Sprintf("scheduled SPS30 fan cleaning after %s of measuring", s.run.Round(time.Hour))})
	s.run = 0
}

func (s *sps30Device) poll(now time.Time) ([]value, error) {
	s.maybeClean(now)
	if !now.Before(s.nextStatus) {
		st, err := s.dev.Status()
		if err != nil {
			return nil, err
		}
		s.nextStatus = now.Add(statusEvery)
		s.problems = st.Problems()
		if len(s.problems) > 0 {
			return nil, fmt.Errorf("%w: %v", errDeviceStatus, s.problems)
		}
	}
	var r sps30.Reading
	if err := s.dev.Sense(&r); err != nil {
		return nil, err
	}
	// The SPS30 is specified to 1000 µg/m³; above it, the booth is
	// smokier than the sensor can tell, which the controller treats as
	// unknown air and so runs the fan safe (full).
	c := s.cal
	return []value{
		checkRange(sample.PM1, r.MassPM1*c, 0, 1000*c),
		checkRange(sample.PM25, r.MassPM25*c, 0, 1000*c),
		checkRange(sample.PM4, r.MassPM4*c, 0, 1000*c),
		checkRange(sample.PM10, r.MassPM10*c, 0, 1000*c),
	}, nil
}

func (s *sps30Device) halt() error {
	if s.dev == nil {
		return nil
	}
	return s.dev.Halt()
}

func (s *sps30Device) serial() string   { return s.ser }
func (s *sps30Device) status() []string { return s.problems }

// --- SCD4x ---

type scd4xDevice struct {
	open0    func() (busFor, error)
	clk      clock.Clock
	zone     string
	env      *environment
	offset   float64
	asc      bool
	altitude int
	dev      *scd4x.Dev
	ser      string
}

func (s *scd4xDevice) open() error {
	b, err := s.open0()
	if err != nil {
		return err
	}
	dev, err := scd4x.New(b.bus, &scd4x.Opts{Addr: b.addr, Clock: s.clk})
	if err != nil {
		return err
	}
	if ser, err := dev.Serial(); err == nil {
		s.ser = fmt.Sprintf("%012x", ser)
	}
	// Set at every start and never persisted: no EEPROM wear, and the
	// config stays the one truth.
	if err := dev.SetASC(s.asc); err != nil {
		return err
	}
	if err := dev.SetAltitude(s.altitude); err != nil {
		return err
	}
	if err := dev.Start(); err != nil {
		return err
	}
	s.dev = dev
	return nil
}

func (s *scd4xDevice) poll(now time.Time) ([]value, error) {
	var r scd4x.Reading
	if err := s.dev.Sense(&r); err != nil {
		return nil, err
	}
	s.env.set(s.zone, r.Temperature, r.Humidity, now)
	return []value{
		checkRange(sample.CO2, r.CO2+s.offset, 0, 40000),
		checkRange(sample.Temperature, r.Temperature, -10, 60),
		checkRange(sample.Humidity, r.Humidity, 0, 100),
	}, nil
}

func (s *scd4xDevice) halt() error {
	if s.dev == nil {
		return nil
	}
	return s.dev.Halt()
}

func (s *scd4xDevice) serial() string   { return s.ser }
func (s *scd4xDevice) status() []string { return nil }

// --- SGP4x ---

// conditioning is how long the SGP41 heats its NOx pixel after power-up
// (datasheet: 10 s, never longer).
const conditioning = 10 * time.Second

type sgp4xDevice struct {
	open0   func() (busFor, error)
	clk     clock.Clock
	zone    string
	env     *environment
	variant sgp4x.Variant
	dev     *sgp4x.Dev
	ser     string
	started time.Time
	voc     *gasindex.Algorithm
	nox     *gasindex.Algorithm
}

// restore loads learned gas index state, so a restart does not re-learn.
func (g *sgp4xDevice) restore(saved map[string]gasindex.State, log interface {
	Warn(string, ...any)
}) {
	g.voc = gasindex.NewVOC(time.Second)
	g.nox = gasindex.NewNOx(time.Second)
	for name, a := range map[string]*gasindex.Algorithm{"voc": g.voc, "nox": g.nox} {
		if st, ok := saved[name]; ok {
			if err := a.SetState(st); err != nil {
				log.Warn("saved gas index state not usable; re-learning", "algorithm", name, "err", err)
			}
		}
	}
}

func (g *sgp4xDevice) learned() map[string]gasindex.State {
	if g.voc == nil {
		return nil
	}
	m := map[string]gasindex.State{"voc": g.voc.State()}
	if g.variant == sgp4x.SGP41 {
		m["nox"] = g.nox.State()
	}
	return m
}

// freeze stops the VOC index learning during known emission events, so a
// room where people smoke all day does not learn smoke as "usual air".
func (g *sgp4xDevice) freeze(on bool) {
	g.voc.SetLearning(!on)
	g.nox.SetLearning(!on)
}

func (g *sgp4xDevice) open() error {
	b, err := g.open0()
	if err != nil {
		return err
	}
	dev, err := sgp4x.New(b.bus, &sgp4x.Opts{Addr: b.addr, Clock: g.clk, Variant: g.variant})
	if err != nil {
		return err
	}
	if ser, err := dev.Serial(); err == nil {
		g.ser = fmt.Sprintf("%012x", ser)
	}
	g.dev, g.started = dev, time.Time{}
	return nil
}

func (g *sgp4xDevice) poll(now time.Time) ([]value, error) {
	t, rh := g.env.get(g.zone, now)
	if g.started.IsZero() {
		g.started = now
	}
	if g.variant == sgp4x.SGP41 && now.Sub(g.started) < conditioning-time.Second {
		if _, err := g.dev.Condition(rh, t); err != nil {
			return nil, err
		}
		return []value{{q: sample.VOCIndex, quality: sample.Warmup}, {q: sample.NOxIndex, quality: sample.Warmup}}, nil
	}
	raw, err := g.dev.MeasureRaw(rh, t)
	if err != nil {
		return nil, err
	}
	out := []value{index(sample.VOCIndex, g.voc.Process(int32(raw.VOC)))}
	if g.variant == sgp4x.SGP41 {
		out = append(out, index(sample.NOxIndex, g.nox.Process(int32(raw.NOx))))
	}
	return out, nil
}

// index turns a gas index into a value: 0 is the algorithm's start-up
// blackout, not clean air.
func index(q sample.Quantity, v int32) value {
	if v == 0 {
		return value{q: q, quality: sample.Warmup}
	}
	return checkRange(q, float64(v), 1, 500)
}

func (g *sgp4xDevice) halt() error {
	if g.dev == nil {
		return nil
	}
	return g.dev.Halt()
}

func (g *sgp4xDevice) serial() string   { return g.ser }
func (g *sgp4xDevice) status() []string { return nil }

// --- SDP8xx / SDP3x differential pressure ---

type sdpDevice struct {
	open0 func() (busFor, error)
	clk   clock.Clock
	dev   *sdp8xx.Dev
}

func (p *sdpDevice) open() error {
	b, err := p.open0()
	if err != nil {
		return err
	}
	dev, err := sdp8xx.New(b.bus, &sdp8xx.Opts{Addr: b.addr, Clock: p.clk})
	if err != nil {
		return err
	}
	if err := dev.Start(); err != nil {
		return err
	}
	p.dev = dev
	return nil
}

func (p *sdpDevice) poll(now time.Time) ([]value, error) {
	var r sdp8xx.Reading
	if err := p.dev.Sense(&r); err != nil {
		return nil, err
	}
	// ±500 Pa is the widest SDP range; a booth never sees more than tens.
	return []value{checkRange(sample.Pressure, r.Pressure, -500, 500)}, nil
}

func (p *sdpDevice) halt() error {
	if p.dev == nil {
		return nil
	}
	return p.dev.Halt()
}

func (p *sdpDevice) serial() string {
	if p.dev == nil {
		return ""
	}
	return fmt.Sprintf("%x", p.dev.Serial())
}

func (p *sdpDevice) status() []string { return nil }

// busFor is a sensor's bus and address.
type busFor struct {
	bus  i2c.Bus
	addr uint16
}
