package sps30

import (
	"fmt"
	"strings"
)

// Status is the device status register (datasheet: Read Device Status
// Register). The sensor checks
// fan and laser once a second while measuring and sets a bit when a check
// fails twice in succession.
type Status uint32

// The status bits. Any of them means the readings cannot be trusted.
const (
	// FanSpeedWarning: the fan runs too fast or too slow (not checked
	// while it spins up or cleans). Clears itself when the speed recovers.
	FanSpeedWarning Status = 1 << 21
	// LaserFailure: the laser current is out of range (very high
	// temperature, or a defective laser). Clears itself when it recovers.
	LaserFailure Status = 1 << 5
	// FanFailure: the fan is switched on but not turning (blocked or
	// broken). Stays set until ClearStatus.
	FanFailure Status = 1 << 4
)

// OK reports whether no bit is set.
func (s Status) OK() bool { return s == 0 }

// Problems lists the set bits in words, most serious first.
func (s Status) Problems() []string {
	var p []string
	if s&FanFailure != 0 {
		p = append(p, "fan failure: fan switched on but not turning (blocked or broken)")
	}
	if s&LaserFailure != 0 {
		p = append(p, "laser failure: laser current out of range")
	}
	if s&FanSpeedWarning != 0 {
		p = append(p, "fan speed warning: fan speed out of range")
	}
	for bit := range 32 {
		b := Status(1) << bit
		if s&b != 0 && b != FanFailure && b != LaserFailure && b != FanSpeedWarning {
			p = append(p, fmt.Sprintf("reserved bit %d set", bit))
		}
	}
	return p
}

// String is "ok" or the problems, separated by "; ".
func (s Status) String() string {
	if s.OK() {
		return "ok"
	}
	return strings.Join(s.Problems(), "; ")
}
