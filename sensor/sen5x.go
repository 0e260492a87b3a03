package sensor

import (
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"time"

	"periph.io/x/conn/v3/i2c"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/drivers/sen5x"
	"github.com/ventd/ventd/sample"
)

// sen5xDevice is a SEN54 or SEN55: PM as an SPS30 measures it (with the
// site's calibration factor), humidity and temperature (shared with the
// zone's SGP4x for its compensation), and the VOC and NOx indices, which
// the sensor computes itself. Its VOC learning is kept across restarts by
// reading the algorithm's state from the sensor and writing it back
// before measurement starts again.
//
// The sensor keeps its own weekly fan cleaning (counted from power-up):
// unlike the SPS30's, ventd does not schedule it.
type sen5xDevice struct {
	name string
	typ  config.SensorType
	clk  clock.Clock
	cal  float64
	zone string
	env  *environment
	log  *slog.Logger
	dev  *sen5x.Dev
	ser  string

	started    time.Time
	nextStatus time.Time
	reg        sen5x.Status

	// state is the VOC algorithm's learned state, read from the sensor
	// every stateEvery, at saved when read.
	state     [sen5x.VOCStateSize]byte
	stateAt   time.Time
	nextState time.Time
	// restored is set while measurement runs on a state written back at
	// open; restart asks the sensor layer to open the sensor again.
	restored, restart bool
}

const (
	// stateEvery is how often the VOC state is read: as often as the
	// daemon saves its state.
	stateEvery = time.Minute
	// stateMaxAge: Sensirion restores a VOC state only after a short
	// interruption; after 10 minutes the air may have changed.
	stateMaxAge = 10 * time.Minute
	// sen5xWarmup is how long after Start an unknown index is the
	// sensor starting (the gas index algorithm's blackout and the NOx
	// sensor's conditioning), not a fault.
	sen5xWarmup = 2 * time.Minute
)

func (s *sen5xDevice) stateKey() string { return "sensor." + s.name + ".voc_state" }

// openWait: Stop (if measuring) 200 ms, product name and serial 50 ms
// each, Start 50 ms, the VOC state 20 ms twice.
func (s *sen5xDevice) openWait() time.Duration { return 390 * time.Millisecond }

func (s *sen5xDevice) open(bus i2c.Bus, addr uint16) error {
	dev, err := sen5x.New(bus, &sen5x.Opts{Addr: addr, Clock: s.clk})
	if err != nil {
		return err
	}
	if want := strings.ToUpper(string(s.typ)); dev.Variant().String() != want {
		have := strings.ToLower(dev.Variant().String())
		if !config.SensorType(have).IsSEN5x() {
			return fmt.Errorf("sen5x: the sensor at 0x%02x is a %s, the config says %s: ventd reads the SEN54 and SEN55, not the %s; fit one of them (or an SPS30)",
				addr, dev.Variant(), s.typ, dev.Variant())
		}
		return fmt.Errorf("sen5x: the sensor at 0x%02x is a %s, the config says %s: change its type to %s",
			addr, dev.Variant(), s.typ, have)
	}
	s.ser = dev.Serial()
	now := s.clk.Now()
	if dev.Stop() == nil {
		// It was measuring (ventd restarted, the sensor did not): its
		// own state is the freshest.
		if st, err := dev.VOCState(); err == nil {
			s.state, s.stateAt = st, now
		}
	}
	s.restored, s.restart = false, false
	if !s.stateAt.IsZero() && now.Sub(s.stateAt) < stateMaxAge {
		if err := dev.SetVOCState(s.state); err != nil {
			s.log.Warn("could not write the VOC index state back; the index learns the room again (about 12 h)", "err", err)
		} else {
			s.restored = true
		}
	}
	if err := dev.Start(); err != nil {
		return err
	}
	s.dev, s.started, s.nextStatus, s.nextState, s.reg = dev, time.Time{}, time.Time{}, now.Add(stateEvery), 0
	return nil
}

func (s *sen5xDevice) poll(now time.Time, dst []value) ([]value, error) {
	if s.started.IsZero() {
		s.started = now
	}
	if !now.Before(s.nextStatus) {
		st, err := s.dev.Status()
		if err != nil {
			return nil, err
		}
		if st.Failing() {
			// The fan bit stays set until cleared: clear it, and the
			// next status read says whether it still fails.
			if _, err := s.dev.ReadAndClearStatus(); err != nil {
				return nil, err
			}
		}
		s.reg, s.nextStatus = st, now.Add(statusEvery)
	}
	if s.reg.PMFailing() {
		// No airflow or no light reads near zero in any smoke.
		return nil, fmt.Errorf("%w: %s", ErrDeviceStatus, s.reg)
	}
	var r sen5x.Reading
	if err := s.dev.Sense(&r); err != nil {
		return nil, err
	}
	warm := now.Sub(s.started) < sen5xWarmup
	gasErr := s.reg&(sen5x.GasSensorError) != 0
	if !now.Before(s.nextState) && !math.IsNaN(r.VOCIndex) && !gasErr {
		// Kept only from a period whose reading came through whole, the
		// index known: a state read amid garbage (its CRCs can pass)
		// would be written back at the next open.
		if st, err := s.dev.VOCState(); err == nil {
			s.state, s.stateAt = st, now
		}
		s.nextState = now.Add(stateEvery)
	}
	if s.restored && !warm && math.IsNaN(r.VOCIndex) && !gasErr {
		// The state written back at open leaves the index unknown past
		// its warm-up: a state corrupted on its way (its 8 bytes are the
		// sensor's own, which ventd cannot check) would hold it unknown
		// for good, and be kept and written back at every restart. Open
		// the sensor again without it: starting measurement resets its
		// VOC algorithm.
		s.log.Warn("VOC index still unknown after its warm-up on the learned state written back; dropping the state, the index learns the room again (about 12 h)")
		s.state, s.stateAt, s.restored, s.restart = [sen5x.VOCStateSize]byte{}, time.Time{}, false, true
	}
	c := s.cal
	cleaning := s.reg&sen5x.FanCleaning != 0
	for _, pm := range []struct {
		q sample.Quantity
		v float64
	}{{sample.PM1, r.MassPM1}, {sample.PM25, r.MassPM25}, {sample.PM4, r.MassPM4}, {sample.PM10, r.MassPM10}} {
		switch {
		case math.IsNaN(pm.v) || cleaning:
			dst = append(dst, unknown(pm.q, warm || cleaning, "PM"))
		default:
			// Specified to 1000 µg/m³, as the SPS30 (checkPM).
			dst = append(dst, checkPM(pm.q, pm.v*c, sample.PMRangeTop*c))
		}
	}
	rhtErr := s.reg&sen5x.RHTError != 0
	t := known(sample.Temperature, r.Temperature, -10, 60, warm, rhtErr, s.reg)
	rh := known(sample.Humidity, r.Humidity, 0, 100, warm, rhtErr, s.reg)
	if t.quality == sample.Good && rh.quality == sample.Good {
		s.env.set(s.zone, r.Temperature, r.Humidity, now)
	}
	dst = append(dst, t, rh, known(sample.VOCIndex, r.VOCIndex, 1, 500, warm, gasErr, s.reg))
	if s.typ == config.SEN55 {
		dst = append(dst, known(sample.NOxIndex, r.NOxIndex, 1, 500, warm, gasErr, s.reg))
	}
	return dst, nil
}

var errUnknown = errors.New("the sensor reports it as unknown")

// unknown is a value the sensor sent as unknown: starting up, or (after
// its warm-up) a fault of that part of the sensor.
func unknown(q sample.Quantity, warm bool, what string) value {
	if warm {
		return value{q: q, quality: sample.Warmup}
	}
	return value{q: q, quality: sample.Fault, err: fmt.Errorf("%s: %w (0xFFFF/0x7FFF) after its warm-up", what, errUnknown)}
}

// known is checkRange for a value that may be unknown, or whose part of
// the sensor reports a fault in the status register.
func known(q sample.Quantity, v, lo, hi float64, warm, failing bool, st sen5x.Status) value {
	switch {
	case failing:
		return value{q: q, quality: sample.Fault, err: fmt.Errorf("%w: %s", ErrDeviceStatus, st)}
	case math.IsNaN(v):
		return unknown(q, warm, string(q))
	}
	return checkRange(q, v, lo, hi)
}

func (s *sen5xDevice) halt() error {
	if s.dev == nil {
		return nil
	}
	if st, err := s.dev.VOCState(); err == nil {
		s.state, s.stateAt = st, s.clk.Now()
	}
	return s.dev.Halt()
}

func (s *sen5xDevice) serial() string   { return s.ser }
func (s *sen5xDevice) wantsOpen() bool  { return s.restart }
func (s *sen5xDevice) status() []string { return s.reg.Problems() }

// checksItself: every SEN5x has the status register.
func (s *sen5xDevice) checksItself() bool { return true }

// keep saves the VOC state with when it was read: "hex@unix seconds".
func (s *sen5xDevice) keepTo(out map[string]string) {
	if s.stateAt.IsZero() {
		return
	}
	out[s.stateKey()] = hex.EncodeToString(s.state[:]) + "@" + strconv.FormatInt(s.stateAt.Unix(), 10)
}

func (s *sen5xDevice) restore(saved func(string) (string, bool)) {
	v, ok := saved(s.stateKey())
	if !ok {
		return
	}
	h, at, ok := strings.Cut(v, "@")
	b, err := hex.DecodeString(h)
	secs, serr := strconv.ParseInt(at, 10, 64)
	if !ok || err != nil || serr != nil || len(b) != sen5x.VOCStateSize {
		s.log.Warn("ignoring the saved SEN5x VOC index state; the index re-learns (about 12 h)", "saved", v)
		return
	}
	copy(s.state[:], b)
	s.stateAt = time.Unix(secs, 0)
}
