package exposure

import (
	"fmt"
	"math"
	"time"

	"github.com/ventd/ventd/sample"
)

// Limits are the exposure limits for one pollutant, in its unit. Zero means
// "no such limit": the value is still computed and reported, but nothing is
// compared against it.
type Limits struct {
	// TWA is the 8 h time-weighted average limit (OSHA PEL, ACGIH TLV-TWA).
	TWA float64 `json:"twa"`
	// STEL is the 15 min short-term exposure limit (ACGIH TLV-STEL).
	STEL float64 `json:"stel"`
	// Alarm is the instantaneous level above which time is counted as
	// "time over alarm".
	Alarm float64 `json:"alarm"`
	// Source says where the numbers come from, for the audit report.
	Source string `json:"source"`
}

// defaults are the limits shipped with ventd; each site may override them.
var defaults = map[sample.Quantity]Limits{
	sample.CO2: {
		TWA:   5000,
		STEL:  30000,
		Alarm: 5000,
		Source: "ACGIH TLV 5000 ppm 8 h TWA, 30000 ppm 15 min STEL; OSHA PEL 5000 ppm TWA " +
			"(29 CFR 1910.1000 Table Z-1). Time over alarm counts time above the 5000 ppm TWA level.",
	},
	sample.PM25: {
		Alarm: 125.5,
		Source: "No occupational limit exists for drug smoke: TWA and STEL are reported without a limit. " +
			"Time over alarm counts time above 125.5 µg/m³ (US EPA 2024 AQI \"very unhealthy\" breakpoint).",
	},
}

// DefaultLimits returns ventd's default limits for q, and false when ventd
// has none (e.g. the VOC Index, a relative signal that is not an exposure
// measure).
func DefaultLimits(q sample.Quantity) (Limits, bool) {
	l, ok := defaults[q]
	return l, ok
}

func (l Limits) validate() error {
	for _, f := range []struct {
		name string
		v    float64
	}{{"TWA", l.TWA}, {"STEL", l.STEL}, {"Alarm", l.Alarm}} {
		if math.IsNaN(f.v) || math.IsInf(f.v, 0) || f.v < 0 {
			return fmt.Errorf("exposure limit %s is %v; use a concentration ≥ 0 (0 = no limit)", f.name, f.v)
		}
	}
	return nil
}

// ReductionFactor is the Brief & Scala factor for a shift of length h:
// RF = (8/h) × (24 − h)/16, so 10 h → 0.7 and 12 h → 0.5. The TWA limit is
// multiplied by it for shifts longer than 8 h, both for the shorter recovery
// time between shifts and the longer exposure. Shifts of 8 h or less get 1:
// the model does not raise limits for short shifts. Shifts of 24 h or more
// get 0 (no recovery time at all).
func ReductionFactor(h time.Duration) float64 {
	if h <= 8*time.Hour {
		return 1
	}
	hours := h.Hours()
	rf := (8 / hours) * (24 - hours) / 16
	return max(rf, 0)
}
