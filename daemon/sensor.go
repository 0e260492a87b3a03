package daemon

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"syscall"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/drivers/sensirion"
	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/snapshot"
)

// device is one kind of sensor as the loop sees it.
type device interface {
	// open (re)initialises the sensor and starts it measuring.
	open() error
	// poll returns new values, or sensirion.ErrNotReady when there are none.
	poll(now time.Time) ([]value, error)
	// halt stops measuring, leaving the sensor idle.
	halt() error
	// serial identifies the unit, once open.
	serial() string
	// status lists device-reported problems (SPS30 fan failure...).
	status() []string
}

// value is one quantity a poll produced.
type value struct {
	q       sample.Quantity
	v       float64
	quality sample.Quality
}

// failuresBeforeReopen: Tasmota's escalation for Sensirion sensors: retry,
// then stop and re-initialise. A failure always marks the data faulty at
// once (the fan goes safe); reopening is how the sensor gets back.
const failuresBeforeReopen = 3

// sensor tracks one configured sensor's health and latest samples.
type sensor struct {
	cfg    config.Sensor
	dev    device
	log    *slog.Logger
	opened bool

	latest      map[sample.Quantity]sample.Sample
	order       []sample.Quantity
	failures    int // consecutive
	errs        map[string]uint64
	errsCopy    map[string]uint64 // shared by snapshots until errs changes
	lastSuccess time.Time
	lastErr     error
	frozen      error // set while the stuck detector says the reading is frozen
}

func newSensor(cfg config.Sensor, dev device, log *slog.Logger) *sensor {
	return &sensor{
		cfg: cfg, dev: dev, log: log.With("sensor", cfg.Name),
		latest: map[sample.Quantity]sample.Sample{},
		errs:   map[string]uint64{},
	}
}

// update polls the sensor once, retrying a failed read once at once (a
// single corrupt frame should not send the fans to full).
func (s *sensor) update(now time.Time) {
	if !s.opened {
		if err := s.dev.open(); err != nil {
			s.fail(now, fmt.Errorf("init: %w", err))
			return
		}
		s.opened = true
		s.log.Info("sensor started", "type", s.cfg.Type, "serial", s.dev.serial())
	}
	vals, err := s.dev.poll(now)
	if err != nil && !errors.Is(err, sensirion.ErrNotReady) {
		s.count(err)
		vals, err = s.dev.poll(now)
	}
	switch {
	case errors.Is(err, sensirion.ErrNotReady):
		s.markStale(now)
	case err != nil:
		s.fail(now, err)
	default:
		if s.failures > 0 {
			s.log.Info("sensor recovered", "after_failures", s.failures)
		}
		s.failures, s.lastErr, s.lastSuccess = 0, nil, now
		for _, v := range vals {
			s.set(sample.Sample{Sensor: s.cfg.Name, Zone: s.cfg.Zone, Quantity: v.q, Value: v.v, Time: now, Quality: v.quality})
		}
	}
}

func (s *sensor) set(smp sample.Sample) {
	if _, ok := s.latest[smp.Quantity]; !ok {
		s.order = append(s.order, smp.Quantity)
	}
	s.latest[smp.Quantity] = smp
}

// markStale downgrades samples older than the sensor's stale time.
func (s *sensor) markStale(now time.Time) {
	for q, smp := range s.latest {
		if smp.Quality == sample.Good && now.Sub(smp.Time) > s.cfg.StaleAfter {
			smp.Quality = sample.Stale
			smp.Err = fmt.Errorf("no new reading for %s", now.Sub(smp.Time).Round(time.Second))
			s.latest[q] = smp
		}
	}
}

// fail marks every sample faulty: a sensor that cannot be read is unknown
// air, and the fans must go to their safe duty now, not when data ages out.
func (s *sensor) fail(now time.Time, err error) {
	s.count(err)
	s.failures++
	if s.failures == 1 || s.failures%60 == 0 {
		s.log.Warn("sensor read failed; fans go to their safe duty until it recovers",
			"err", err, "consecutive", s.failures, "hint", hint(err))
	}
	s.lastErr = err
	for q, smp := range s.latest {
		smp.Quality, smp.Err = sample.Fault, err
		s.latest[q] = smp
	}
	if s.failures%failuresBeforeReopen == 0 && s.opened {
		// Stop and re-initialise on the next period.
		s.dev.halt()
		s.opened = false
	}
}

func (s *sensor) count(err error) {
	s.errs[errKind(err)]++
	s.errsCopy = nil
}

func errKind(err error) string {
	switch {
	case errors.Is(err, sensirion.ErrCRC):
		return "crc"
	case isNACK(err):
		return "nack"
	case errors.Is(err, errDeviceStatus):
		return "status"
	}
	return "other"
}

// errDeviceStatus marks a read the device itself flagged as bad.
var errDeviceStatus = errors.New("device reports a fault")

// isNACK recognises a device that did not acknowledge: EREMOTEIO from
// Linux's i2c-dev (periph formats it with %v, so also by its text).
func isNACK(err error) bool {
	return errors.Is(err, syscall.EREMOTEIO) || strings.Contains(err.Error(), "remote I/O error")
}

// hint says what a technician can do about err.
func hint(err error) string {
	switch errKind(err) {
	case "nack":
		return "the sensor does not answer: check its cable and power, and that its address is right (ventctl scan)"
	case "crc":
		return "data arrives corrupted: check the cable length (under 50 cm for I2C), pull-ups and interference"
	case "status":
		return "the sensor reports a fault itself: see the status list; replace the sensor if it persists"
	}
	return "see the error"
}

// samples returns the latest sample of every quantity, in first-seen order.
func (s *sensor) samples() []sample.Sample {
	out := make([]sample.Sample, 0, len(s.order))
	for _, q := range s.order {
		out = append(out, s.trusted(s.latest[q]))
	}
	return out
}

// trusted downgrades a good sample of a sensor found frozen: a reading
// that has not changed at all for the stuck time is not a measurement,
// and a frozen booth sensor could hide smoke.
func (s *sensor) trusted(smp sample.Sample) sample.Sample {
	if s.frozen != nil && smp.Quality == sample.Good {
		smp.Quality, smp.Err = sample.Fault, s.frozen
	}
	return smp
}

// sample returns the latest sample of q, or a fault sample when the sensor
// has none (not yet read, or never worked): absence is never clean air.
func (s *sensor) sample(q sample.Quantity, now time.Time) sample.Sample {
	if smp, ok := s.latest[q]; ok {
		return s.trusted(smp)
	}
	err := s.lastErr
	if err == nil {
		err = errors.New("no reading yet")
	}
	return sample.Sample{Sensor: s.cfg.Name, Zone: s.cfg.Zone, Quantity: q, Quality: sample.Fault, Err: err}
}

func (s *sensor) snapshot() snapshot.Sensor {
	out := snapshot.Sensor{
		Name: s.cfg.Name, Type: string(s.cfg.Type), Zone: s.cfg.Zone, Bus: s.cfg.Bus,
		Address: s.cfg.Address.String(), Serial: s.dev.serial(),
		Up: s.opened && s.failures == 0, LastSuccess: s.lastSuccess,
		Status: s.dev.status(),
	}
	if s.cfg.Mux != nil {
		out.Bus = fmt.Sprintf("%s/mux%s.%d", s.cfg.Bus, s.cfg.Mux.Address, s.cfg.Mux.Channel)
	}
	if s.errsCopy == nil {
		// Snapshots are immutable once published, so each change of the
		// counts gets a fresh copy; unchanged counts share it.
		s.errsCopy = make(map[string]uint64, len(s.errs))
		for k, v := range s.errs {
			s.errsCopy[k] = v
		}
	}
	out.Errors = s.errsCopy
	if s.lastErr != nil {
		out.Error = s.lastErr.Error()
	}
	return out
}
