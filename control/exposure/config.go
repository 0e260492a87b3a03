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
