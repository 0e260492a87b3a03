package sensor

import (
	"fmt"
	"time"

	"periph.io/x/conn/v3/i2c"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/drivers/scd4x"
	"github.com/ventd/ventd/sample"
)

// scd4xDevice is an SCD40/SCD41 with the site's CO2 offset, ASC and
// altitude, which are set at every start and never persisted in the
// sensor: no EEPROM wear, and the config stays the one truth.
type scd4xDevice struct {
	clk      clock.Clock
	zone     string
	env      *environment
	offset   float64
	asc      bool
	altitude int
	dev      *scd4x.Dev
	ser      string
}

// openWait is the stop open sends first and waits out (datasheet: 500 ms).
func (s *scd4xDevice) openWait() time.Duration { return scd4x.StopWait }

func (s *scd4xDevice) open(bus i2c.Bus, addr uint16) error {
	dev, err := scd4x.New(bus, &scd4x.Opts{Addr: addr, Clock: s.clk})
	if err != nil {
		return err
	}
	if ser, err := dev.Serial(); err == nil {
		s.ser = fmt.Sprintf("%012x", ser)
	}
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

func (s *scd4xDevice) poll(now time.Time, dst []value) ([]value, error) {
	var r scd4x.Reading
	if err := s.dev.Sense(&r); err != nil {
		return nil, err
	}
	co2 := checkRange(sample.CO2, r.CO2+s.offset, minCO2, 40000)
	t := checkRange(sample.Temperature, r.Temperature, -10, 60)
	rh := checkRange(sample.Humidity, r.Humidity, 0, 100)
	if t.quality != sample.Good || rh.quality != sample.Good {
		// A frame with an impossible word (all zeros read -45 °C and 0 ppm)
		// is not air data, nor a climate to compensate the VOC sensor with.
		co2.quality, t.quality, rh.quality = sample.OutOfRange, sample.OutOfRange, sample.OutOfRange
	} else {
		s.env.set(s.zone, r.Temperature, r.Humidity, now)
	}
	return append(dst, co2, t, rh), nil
}

// minCO2 is the least CO2 a working sensor reads: outdoor air holds over
// 400 ppm and indoor air more, so a reading under 200 (an SCD4x that
// returns 0 after a fault) is the sensor's, not the room's.
const minCO2 = 200

func (s *scd4xDevice) halt() error {
	if s.dev == nil {
		return nil
	}
	return s.dev.Halt()
}

func (s *scd4xDevice) serial() string { return s.ser }

// recalibrateSteps is the datasheet's forced recalibration: stop periodic
// measurement, wait 500 ms, recalibrate, wait 400 ms, read the correction,
// start again. Each step only sends; the caller waits between them.
func (s *scd4xDevice) recalibrateSteps(reference int) []calStep {
	return []calStep{
		{run: func() (int, error) { return 0, s.dev.BeginStop() }, wait: scd4x.StopWait},
		{run: func() (int, error) { return 0, s.dev.BeginForcedRecalibration(reference) }, wait: scd4x.RecalibrationWait},
		{run: func() (int, error) {
			corr, err := s.dev.ForcedRecalibrationResult(reference)
			if serr := s.dev.Start(); serr != nil && err == nil {
				err = serr
			}
			return corr, err
		}},
	}
}
