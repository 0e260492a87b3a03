package sensor

import (
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"periph.io/x/conn/v3/i2c"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/drivers/sps30"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/sample"
)

// sps30Device is an SPS30 with the site's calibration factor and fan
// cleaning on ventd's own schedule: the SPS30 counts its auto-clean
// interval from power-up, so a Pi that reboots more often than weekly
// would never clean it (canairio #69). ventd counts measuring time, keeps
// it across restarts, and cleans weekly when no session is under way.
type sps30Device struct {
	name       string
	clk        clock.Clock
	cal        float64
	log        *slog.Logger
	dev        *sps30.Dev
	ser        string
	problems   []string
	failing    bool // the problems include a failed fan or laser
	nextStatus time.Time
	noStatus   bool // firmware before 2.2: no status register to read

	run     time.Duration // measuring time since the last cleaning
	lastRun time.Time
	quiet   bool
	cleaned []record.Calibration
}

// cleanEvery is the SPS30's default auto-clean interval (datasheet: one
// week of measuring).
const cleanEvery = 7 * 24 * time.Hour

// statusEvery: reading the status register costs a transfer, and a fan
// failure shows up in the data anyway within seconds.
const statusEvery = 10 * time.Second

func (s *sps30Device) runKey() string { return "sensor." + s.name + ".fan_run_s" }

func (s *sps30Device) open(bus i2c.Bus, addr uint16) error {
	dev, err := sps30.New(bus, &sps30.Opts{Addr: addr, Clock: s.clk})
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
	s.dev, s.nextStatus, s.lastRun, s.problems, s.failing = dev, time.Time{}, time.Time{}, nil, false
	return nil
}

// maybeClean starts a fan cleaning when a week of measuring is due and
// the zone is quiet. The 10 s of cleaning give no data, which counts as
// unknown air (fans to their safe duty): a brief, weekly cost.
func (s *sps30Device) maybeClean(now time.Time) {
	if !s.lastRun.IsZero() && now.After(s.lastRun) {
		s.run += clock.Sub(now, s.lastRun)
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
	s.cleaned = append(s.cleaned, record.Calibration{Time: now, Sensor: s.name, Serial: s.ser, Kind: "fan_clean",
		Reference: math.NaN(), Correction: math.NaN(), By: record.Ventd,
		Note: fmt.Sprintf("scheduled SPS30 fan cleaning after %s of measuring", s.run.Round(time.Hour))})
	s.run = 0
}

// statusUnsupported reports whether a refused status read is the
// firmware's: the status register came with 2.2 (datasheet, March 2020),
// and earlier firmware refuses its commands. The version is asked only
// then, so a sensor that has the register costs no extra transfer. Such a
// sensor's failed fan or laser shows only in its readings, which stay near
// zero whatever the smoke; the log says so once.
func (s *sps30Device) statusUnsupported(err error) bool {
	if Kind(err) != KindNACK {
		return false
	}
	v, verr := s.dev.FirmwareVersion()
	if verr != nil || v.Major > 2 || v.Major == 2 && v.Minor >= 2 {
		return false
	}
	s.noStatus = true
	s.log.Warn("SPS30 firmware has no status register (2.2 or later has): a blocked fan or failed laser will show only as readings that stay near zero; replace the sensor with a newer one when you can",
		"firmware", v.String())
	return true
}

func (s *sps30Device) poll(now time.Time, dst []value) ([]value, error) {
	s.maybeClean(now)
	if !s.noStatus && !now.Before(s.nextStatus) {
		st, err := s.dev.Status()
		if err != nil && s.statusUnsupported(err) {
			st, err = 0, nil
		}
		if err != nil {
			return nil, err
		}
		s.nextStatus = now.Add(statusEvery)
		s.problems = st.Problems()
		s.failing = st&(sps30.FanFailure|sps30.LaserFailure) != 0
		if st != 0 {
			// The fan bit (and any reserved one) stays set until
			// cleared, and the SPS30 sets it again within two seconds
			// while the fan still fails: clear it, and the next status
			// read says whether it does. (A bit left from before a
			// restart costs the same 10 s; clearing it at open as well
			// would move every later measurement of the simulated rooms
			// by one transfer's time, and every ventbench figure with
			// it, for no gain.)
			if err := s.dev.ClearStatus(); err != nil {
				return nil, err
			}
		}
	}
	if s.failing {
		// A blocked fan or a failed laser reads near zero in any smoke:
		// nothing it measures counts until the status is clear again. A
		// fan speed warning alone (a fan turning too slowly or fast) is
		// shown, and the readings stand.
		return nil, fmt.Errorf("%w: %s", ErrDeviceStatus, strings.Join(s.problems, "; "))
	}
	var r sps30.Reading
	if err := s.dev.Sense(&r); err != nil {
		return nil, err
	}
	// The SPS30 is specified to 1000 µg/m³; above it, the booth is
	// smokier than the sensor can tell, which the controller treats as
	// unknown air and so runs the fan safe (full), and the alarms as at
	// least the reading (checkPM).
	c := s.cal
	// Each value set in place (setPM): appended, the four were made on
	// the stack first and copied in moves the processor stalls on.
	n := len(dst)
	dst = slices.Grow(dst, 4)[:n+4]
	dst[n].setPM(sample.PM1, r.MassPM1*c, sample.PMRangeTop*c)
	dst[n+1].setPM(sample.PM25, r.MassPM25*c, sample.PMRangeTop*c)
	dst[n+2].setPM(sample.PM4, r.MassPM4*c, sample.PMRangeTop*c)
	dst[n+3].setPM(sample.PM10, r.MassPM10*c, sample.PMRangeTop*c)
	return dst, nil
}

func (s *sps30Device) halt() error {
	if s.dev == nil {
		return nil
	}
	return s.dev.Halt()
}

func (s *sps30Device) serial() string     { return s.ser }
func (s *sps30Device) status() []string   { return s.problems }
func (s *sps30Device) checksItself() bool { return !s.noStatus }
func (s *sps30Device) setQuiet(q bool)    { s.quiet = q }

func (s *sps30Device) keepTo(out map[string]string) {
	out[s.runKey()] = strconv.FormatFloat(s.run.Seconds(), 'f', 0, 64)
}

func (s *sps30Device) restore(saved func(string) (string, bool)) {
	if v, ok := saved(s.runKey()); ok {
		if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 && secs < 1e9 {
			s.run = time.Duration(secs * float64(time.Second))
		}
	}
}

func (s *sps30Device) takeCalibrations() []record.Calibration {
	c := s.cleaned
	s.cleaned = nil
	return c
}
