package exposure

import (
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/sample"
)

// ConfigLimits returns q's limits as a site configured them: the
// occupational limits from exposure.limits and the alarm level from
// thresholds, with the source an auditor reads. The daemon and the export
// both use it, so a rebuilt shift is judged by the same limits as the live
// one.
func ConfigLimits(cfg *config.Config, q sample.Quantity) Limits {
	var l config.Limit
	switch q {
	case sample.CO2:
		l = cfg.Exposure.Limits.CO2
	case sample.PM25:
		l = cfg.Exposure.Limits.PM25
	case sample.PM10:
		l = cfg.Exposure.Limits.PM10
	}
	lim := Limits{TWA: l.TWA, STEL: l.STEL, Source: "site configuration (exposure.limits)"}
	if def, ok := DefaultLimits(q); ok && def.TWA == l.TWA && def.STEL == l.STEL {
		lim.Source = def.Source
	}
	switch q {
	case sample.PM25:
		lim.Alarm = cfg.Thresholds.PM25.Alarm
	case sample.CO2:
		lim.Alarm = cfg.Thresholds.CO2.Alarm
	}
	return lim
}

// ConfigSchedule returns the site's shift schedule from the config.
func ConfigSchedule(cfg *config.Config) (Schedule, error) {
	loc, err := cfg.Shifts.Location()
	if err != nil {
		return Schedule{}, err
	}
	sc := Schedule{Length: cfg.Shifts.Length, Location: loc}
	for _, st := range cfg.Shifts.Starts {
		sc.Starts = append(sc.Starts, time.Duration(st))
	}
	return sc, nil
}

// RangeTop is the least top of the specified range of zone's sensors that
// measure q, in q's unit after each sensor's calibration factor: while
// every one of them reads above its range, the zone's air holds at least
// this. 0 when no sensor there reads above a range (only particle sensors
// do: a CO2 reading past an SCD4x's range is a fault, not heavy smoke).
func RangeTop(cfg *config.Config, zone string, q sample.Quantity) float64 {
	top := 0.0
	for _, s := range cfg.Sensors {
		if s.Zone != zone || !s.Type.Measures(q) || q.Unit() != "µg/m³" {
			continue
		}
		cal := s.PMCalibration
		if cal <= 0 {
			cal = 1 // unset: readings as measured, as the sensor layer takes them
		}
		if t := sample.PMRangeTop * cal; top == 0 || t < top {
			top = t
		}
	}
	return top
}

// DefaultRangeTop is RangeTop for a zone of q's sensors at their
// calibration factor's default (1), for a journal read without the site's
// configuration.
func DefaultRangeTop(q sample.Quantity) float64 {
	if q.Unit() != "µg/m³" {
		return 0
	}
	return sample.PMRangeTop
}
