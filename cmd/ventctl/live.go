package main

import (
	"fmt"
	"time"

	"periph.io/x/conn/v3/i2c"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/drivers/gasindex"
	"github.com/ventd/ventd/drivers/scd4x"
	"github.com/ventd/ventd/drivers/sdp8xx"
	"github.com/ventd/ventd/drivers/sgp4x"
	"github.com/ventd/ventd/drivers/sps30"
	"github.com/ventd/ventd/sample"
)

// field is one value a live sensor read.
type field struct {
	q    sample.Quantity
	v    float64
	note string // instead of a value: warming up...
}

// live is one configured sensor driven by its real driver, as the
// daemon's loop drives it, minus the loop's fault handling: ventctl shows
// errors instead.
type live interface {
	// open initialises the sensor and starts it measuring; it returns the
	// serial number.
	open(bus i2c.Bus, addr uint16, clk clock.Clock) (string, error)
	// poll returns new values, or sensirion.ErrNotReady.
	poll(now time.Time, env roomEnv) ([]field, error)
	// halt leaves the sensor idle.
	halt() error
}

// roomEnv is each zone's latest temperature and humidity, for the SGP4x's
// humidity compensation.
type roomEnv map[string][2]float64

func (r roomEnv) get(zone string) (t, rh float64) {
	if v, ok := r[zone]; ok {
		return v[0], v[1]
	}
	for _, v := range r {
		return v[0], v[1]
	}
	return 25, 50 // the datasheet's uncompensated defaults
}

func newLive(sc config.Sensor) (live, error) {
	switch sc.Type {
	case config.SPS30:
		cal := sc.PMCalibration
		if cal == 0 {
			cal = 1
		}
		return &liveSPS30{cal: cal}, nil
	case config.SCD40, config.SCD41:
		return &liveSCD4x{offset: sc.CO2OffsetPPM, zone: sc.Zone}, nil
	case config.SGP40:
		return &liveSGP4x{variant: sgp4x.SGP40, zone: sc.Zone}, nil
	case config.SGP41:
		return &liveSGP4x{variant: sgp4x.SGP41, zone: sc.Zone}, nil
	case config.SDP810, config.SDP31:
		return &liveSDP{}, nil
	}
	return nil, fmt.Errorf("unsupported sensor type %q", sc.Type)
}

type liveSPS30 struct {
	dev *sps30.Dev
	cal float64
}

func (s *liveSPS30) open(bus i2c.Bus, addr uint16, clk clock.Clock) (string, error) {
	dev, err := sps30.New(bus, &sps30.Opts{Addr: addr, Clock: clk})
	if err != nil {
		return "", err
	}
	ser, _ := dev.Serial()
	if err := dev.Start(); err != nil {
		return "", err
	}
	s.dev = dev
	return ser, nil
}

func (s *liveSPS30) poll(time.Time, roomEnv) ([]field, error) {
	var r sps30.Reading
	if err := s.dev.Sense(&r); err != nil {
		return nil, err
	}
	c := s.cal
	return []field{{q: sample.PM1, v: r.MassPM1 * c}, {q: sample.PM25, v: r.MassPM25 * c},
		{q: sample.PM4, v: r.MassPM4 * c}, {q: sample.PM10, v: r.MassPM10 * c}}, nil
}

func (s *liveSPS30) halt() error { return s.dev.Halt() }

type liveSCD4x struct {
	dev    *scd4x.Dev
	offset float64
	zone   string
}

func (s *liveSCD4x) open(bus i2c.Bus, addr uint16, clk clock.Clock) (string, error) {
	dev, err := scd4x.New(bus, &scd4x.Opts{Addr: addr, Clock: clk})
	if err != nil {
		return "", err
	}
	ser, _ := dev.Serial()
	if err := dev.Start(); err != nil {
		return "", err
	}
	s.dev = dev
	return fmt.Sprintf("%012x", ser), nil
}

func (s *liveSCD4x) poll(_ time.Time, env roomEnv) ([]field, error) {
	var r scd4x.Reading
	if err := s.dev.Sense(&r); err != nil {
		return nil, err
	}
	env[s.zone] = [2]float64{r.Temperature, r.Humidity}
	return []field{{q: sample.CO2, v: r.CO2 + s.offset}, {q: sample.Temperature, v: r.Temperature}, {q: sample.Humidity, v: r.Humidity}}, nil
}

func (s *liveSCD4x) halt() error { return s.dev.Halt() }

// conditioning is the SGP41's NOx conditioning after power-up (datasheet:
// 10 s, never longer).
const conditioning = 10 * time.Second

type liveSGP4x struct {
	dev      *sgp4x.Dev
	variant  sgp4x.Variant
	zone     string
	started  time.Time
	voc, nox *gasindex.Algorithm
}

func (s *liveSGP4x) open(bus i2c.Bus, addr uint16, clk clock.Clock) (string, error) {
	dev, err := sgp4x.New(bus, &sgp4x.Opts{Addr: addr, Clock: clk, Variant: s.variant})
	if err != nil {
		return "", err
	}
	ser, _ := dev.Serial()
	s.dev, s.started = dev, clk.Now()
	// The index learns the room's usual air over hours; a live read
	// starts from scratch (ventd keeps its learned state).
	s.voc, s.nox = gasindex.NewVOC(time.Second), gasindex.NewNOx(time.Second)
	return fmt.Sprintf("%012x", ser), nil
}

func (s *liveSGP4x) poll(now time.Time, env roomEnv) ([]field, error) {
	t, rh := env.get(s.zone)
	if s.variant == sgp4x.SGP41 && now.Sub(s.started) < conditioning-time.Second {
		if _, err := s.dev.Condition(rh, t); err != nil {
			return nil, err
		}
		return []field{{q: sample.VOCIndex, note: "conditioning (10 s)"}}, nil
	}
	raw, err := s.dev.MeasureRaw(rh, t)
	if err != nil {
		return nil, err
	}
	out := []field{index(sample.VOCIndex, s.voc.Process(int32(raw.VOC)), raw.VOC)}
	if s.variant == sgp4x.SGP41 {
		out = append(out, index(sample.NOxIndex, s.nox.Process(int32(raw.NOx)), raw.NOx))
	}
	return out, nil
}

// index is a gas index value; 0 is the algorithm's start-up blackout.
func index(q sample.Quantity, v int32, raw uint16) field {
	if v == 0 {
		return field{q: q, note: fmt.Sprintf("warming up (raw %d ticks)", raw)}
	}
	return field{q: q, v: float64(v)}
}

func (s *liveSGP4x) halt() error { return s.dev.Halt() }

type liveSDP struct{ dev *sdp8xx.Dev }

func (s *liveSDP) open(bus i2c.Bus, addr uint16, clk clock.Clock) (string, error) {
	dev, err := sdp8xx.New(bus, &sdp8xx.Opts{Addr: addr, Clock: clk})
	if err != nil {
		return "", err
	}
	if err := dev.Start(); err != nil {
		return "", err
	}
	s.dev = dev
	return fmt.Sprintf("%x", dev.Serial()), nil
}

func (s *liveSDP) poll(time.Time, roomEnv) ([]field, error) {
	var r sdp8xx.Reading
	if err := s.dev.Sense(&r); err != nil {
		return nil, err
	}
	return []field{{q: sample.Pressure, v: r.Pressure}}, nil
}

func (s *liveSDP) halt() error { return s.dev.Halt() }
