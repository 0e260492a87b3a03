// Package sample is the unit of data between the drivers and everything
// downstream: one measured value with its unit, place, time and quality.
package sample

import (
	"errors"
	"fmt"
	"time"

	"github.com/ventd/ventd/clock"
)

// PMRangeTop is the particle mass concentration, µg/m³, that the SPS30
// and the SEN5x are specified to measure (datasheets: 0–1000 µg/m³).
// Above it, times the site's calibration factor, a reading is
// ErrAboveRange: heavy smoke, its value out of specification.
const PMRangeTop = 1000

// ErrAboveRange is the Err of an OutOfRange sample whose value is above
// what the sensor is specified to measure but within what a working one
// reports: an SPS30 in a booth full of smoke reads over 1000 µg/m³. The
// air holds at least Value; it is not a faulty sensor. The fans treat it as
// unknown air all the same (full speed), and alarms as at least Value.
var ErrAboveRange = errors.New("above the sensor's specified range")

// Quantity is what a sample measures.
type Quantity string

// The quantities ventd reads. Units are fixed per quantity (see Unit).
const (
	PM1         Quantity = "pm1"
	PM25        Quantity = "pm25"
	PM4         Quantity = "pm4"
	PM10        Quantity = "pm10"
	CO2         Quantity = "co2"
	VOCIndex    Quantity = "voc_index"
	NOxIndex    Quantity = "nox_index"
	Temperature Quantity = "temperature"
	Humidity    Quantity = "humidity"
	// Pressure is the booth's differential pressure against the staff
	// area, Pa; negative means air flows into the booth.
	Pressure Quantity = "pressure"
)

// Unit returns the unit every sample of q carries.
func (q Quantity) Unit() string {
	switch q {
	case PM1, PM25, PM4, PM10:
		return "µg/m³"
	case CO2:
		return "ppm"
	case VOCIndex, NOxIndex:
		return "index"
	case Temperature:
		return "°C"
	case Humidity:
		return "%RH"
	case Pressure:
		return "Pa"
	}
	return ""
}

// Suffix is what text puts after a value of q: a space and its unit, or
// nothing for an index, which has no unit ("VOC index 95", not "95 index").
func (q Quantity) Suffix() string {
	switch u := q.Unit(); u {
	case "", "index":
		return ""
	default:
		return " " + u
	}
}

// Quality says whether a sample can be trusted as a measurement of the air.
// Anything but Good is treated as unknown air, never as clean air.
type Quality int

const (
	Good       Quality = iota // a fresh, checked measurement
	Warmup                    // the sensor is warming up or learning (VOC index first minutes)
	Stale                     // no new measurement within the sensor's stale time
	Fault                     // the read failed: NACK, CRC error, device status fault
	OutOfRange                // a value outside what the sensor can measure
)

func (q Quality) String() string {
	switch q {
	case Good:
		return "good"
	case Warmup:
		return "warmup"
	case Stale:
		return "stale"
	case Fault:
		return "fault"
	case OutOfRange:
		return "out_of_range"
	}
	return fmt.Sprintf("quality(%d)", int(q))
}

// Sample is one measured value.
type Sample struct {
	Sensor   string // the sensor's configured name
	Zone     string // the zone the sensor sits in
	Quantity Quantity
	Value    float64   // in Quantity.Unit()
	Time     time.Time // when it was measured
	Quality  Quality
	Err      error // why Quality is not Good, when a read failed
}

// Valid reports whether s is a good measurement no older than maxAge at now.
func (s *Sample) Valid(now time.Time, maxAge time.Duration) bool {
	return s.Quality == Good && !s.Time.IsZero() && clock.Sub(now, s.Time) <= maxAge
}

// AtLeast reports whether s, no older than maxAge at now, says the air
// holds at least Value: a good measurement, or one above its sensor's
// range (ErrAboveRange). Alarms read it so; the fans and the exposure
// record take only Valid samples.
func (s *Sample) AtLeast(now time.Time, maxAge time.Duration) bool {
	fresh := !s.Time.IsZero() && clock.Sub(now, s.Time) <= maxAge
	return fresh && (s.Quality == Good || s.AboveRange())
}

// AboveRange reports whether s is out of range above its sensor's
// specified range, as heavy smoke reads (ErrAboveRange), rather than a
// value no working sensor gives.
func (s *Sample) AboveRange() bool {
	return s.Quality == OutOfRange && errors.Is(s.Err, ErrAboveRange)
}

// MarshalText writes the quality's name, as JSON and logs show it.
func (q Quality) MarshalText() ([]byte, error) { return []byte(q.String()), nil }

// UnmarshalText reads a quality's name.
func (q *Quality) UnmarshalText(b []byte) error {
	for c := Good; c <= OutOfRange; c++ {
		if c.String() == string(b) {
			*q = c
			return nil
		}
	}
	return fmt.Errorf("unknown sample quality %q: want good, warmup, stale, fault or out_of_range", b)
}
