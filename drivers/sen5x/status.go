package sen5x

import (
	"fmt"
	"strings"
)

// Status is the device status register (datasheet: Read Device Status,
// 0xD206). The sensor checks its fan, laser, RH/T and gas sensors while
// measuring.
type Status uint32

// The status bits.
const (
	// FanSpeedWarning: the fan runs too fast or too slow. Clears itself.
	FanSpeedWarning Status = 1 << 21
	// FanCleaning: a fan cleaning is running (no new PM values for 10 s).
	// Information, not a fault.
	FanCleaning Status = 1 << 19
	// GasSensorError: the VOC/NOx sensor failed (SEN54, SEN55).
	GasSensorError Status = 1 << 7
	// RHTError: the humidity and temperature sensor does not answer
	// (SEN54, SEN55).
	RHTError Status = 1 << 6
	// LaserFailure: the laser current is out of range.
	LaserFailure Status = 1 << 5
	// FanFailure: the fan is switched on but not turning, or its speed
	// cannot be measured. Stays set until cleared.
	FanFailure Status = 1 << 4
)

// Failing reports whether a bit is set that makes some readings untrue.
func (s Status) Failing() bool {
	return s&(GasSensorError|RHTError|LaserFailure|FanFailure) != 0
}

// PMFailing reports whether the PM readings are untrue: no airflow or no
// light reads near zero in any smoke.
func (s Status) PMFailing() bool { return s&(LaserFailure|FanFailure) != 0 }

// Problems lists the set bits in words, most serious first. FanCleaning is
// not a problem and is not listed.
func (s Status) Problems() []string {
	var p []string
	known := []struct {
		bit  Status
		text string
	}{
		{FanFailure, "fan failure: fan switched on but not turning (blocked or broken)"},
		{LaserFailure, "laser failure: laser current out of range"},
		{GasSensorError, "gas sensor error: the VOC/NOx sensor failed"},
		{RHTError, "RH/T error: the humidity and temperature sensor does not answer"},
		{FanSpeedWarning, "fan speed warning: fan speed out of range"},
	}
	all := FanCleaning
	for _, k := range known {
		all |= k.bit
		if s&k.bit != 0 {
			p = append(p, k.text)
		}
	}
	for bit := range 32 {
		if b := Status(1) << bit; s&b != 0 && all&b == 0 {
			p = append(p, fmt.Sprintf("reserved bit %d set", bit))
		}
	}
	return p
}

// String is "ok" or the problems, separated by "; ".
func (s Status) String() string {
	if p := s.Problems(); len(p) > 0 {
		return strings.Join(p, "; ")
	}
	return "ok"
}
