package metrics

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/snapshot"
)

// exposures exports the exposure record of each zone and pollutant: what an
// auditor graphs and what the recording rules turn into shift figures.
// Unknown values (no data in the window) are left out, never exported as 0.
type exposures struct {
	// Concentrations, one family per unit (see units).
	value, stel, twa8h, mean8h, shiftTWA, stelPeak, limitTWA, limitSTEL, alarmLevel, dose perUnit
	// Unitless, seconds and timestamps.
	stelCov, cov8h, shiftCov, overAlarm, overAlarmAbove, overSTEL, excursions, rf, start, end *prometheus.Desc
	measuredTotal, overAlarmTotal, overAlarmAboveTotal, overSTELTotal                         *prometheus.Desc
	violation, mixture                                                                        *prometheus.Desc
}

// units are the concentration units of the pollutants with an exposure
// record: the metric name's suffix and the unit in the help.
var units = []struct{ suffix, unit string }{{"ugm3", "µg/m³"}, {"ppm", "ppm"}}

func unitSuffix(q sample.Quantity) (string, bool) {
	switch q.Unit() {
	case "µg/m³":
		return "ugm3", true
	case "ppm":
		return "ppm", true
	}
	return "", false
}

// perUnit is one metric in each concentration unit.
type perUnit map[string]*prometheus.Desc

// newPerUnit makes the family for each unit: name and help have one %s,
// the unit's suffix and the unit.
func newPerUnit(n namer, name, help string, labels ...string) perUnit {
	p := perUnit{}
	for _, u := range units {
		p[u.suffix] = n.desc(fmt.Sprintf(name, u.suffix), fmt.Sprintf(help, u.unit), labels...)
	}
	return p
}

var exposureLabels = []string{"zone", "pollutant"}

func newExposures(n namer) *exposures {
	l := exposureLabels
	return &exposures{
		value:      newPerUnit(n, "exposure_concentration_%s", "The zone's concentration the exposure record holds (the mean of its good sensors), in %s; absent when unknown. The export writes each minute's mean.", l...),
		stel:       newPerUnit(n, "exposure_stel_%s", "Rolling 15 min time-weighted average (the STEL window) over its measured part, in %s; absent with no data in the window.", l...),
		twa8h:      newPerUnit(n, "exposure_twa_8h_%s", "Rolling 8 h TWA by the OSHA formula Σ CᵢTᵢ / 8 h, in %s; unmeasured time adds nothing.", l...),
		mean8h:     newPerUnit(n, "exposure_mean_8h_%s", "Mean over the measured part of the last 8 h, in %s.", l...),
		shiftTWA:   newPerUnit(n, "exposure_shift_twa_%s", "Current shift's TWA so far by the OSHA formula E = Σ CᵢTᵢ / 8 h, in %s.", l...),
		stelPeak:   newPerUnit(n, "exposure_shift_stel_peak_%s", "Highest 15 min TWA in the current shift, in %s.", l...),
		limitTWA:   newPerUnit(n, "exposure_shift_twa_limit_%s", "TWA limit for the current shift after the Brief & Scala reduction, in %s; absent: no limit.", l...),
		limitSTEL:  newPerUnit(n, "exposure_stel_limit_%s", "STEL (15 min) limit, in %s; absent: no limit.", l...),
		alarmLevel: newPerUnit(n, "exposure_alarm_level_%s", "Level above which time counts as over the alarm level, in %s; absent: none.", l...),
		dose:       newPerUnit(n, "exposure_dose_%s_seconds_total", "Dose since ventd started (the journal export: since midnight UTC): ∫ concentration dt over the measured time, in %s × seconds. increase() over a shift / 28800 is the shift's OSHA TWA.", l...),

		stelCov:             n.desc("exposure_stel_coverage_ratio", "Share of the last 15 min with valid data.", l...),
		cov8h:               n.desc("exposure_coverage_8h_ratio", "Share of the last 8 h with valid data.", l...),
		shiftCov:            n.desc("exposure_shift_coverage_ratio", "Share of the current shift so far with valid data.", l...),
		overAlarm:           n.desc("exposure_shift_over_alarm_seconds", "Time in the current shift with the value above the alarm level, or every sensor above a range whose top is at or above it (exposure_shift_over_alarm_above_range_seconds of it).", l...),
		overAlarmAbove:      n.desc("exposure_shift_over_alarm_above_range_seconds", "The part of exposure_shift_over_alarm_seconds with every sensor above its range (dense smoke: no value measured, the air at least the range's top, which is at or above the alarm level).", l...),
		overSTEL:            n.desc("exposure_shift_stel_over_limit_seconds", "Time in the current shift with the 15 min TWA above the STEL limit.", l...),
		excursions:          n.desc("exposure_shift_stel_excursions", "STEL excursions in the current shift (ACGIH: at most 4, at least 60 min apart).", l...),
		rf:                  n.desc("exposure_shift_reduction_factor", "Brief & Scala reduction factor for the current shift's length (12 h: 0.5).", l...),
		start:               n.desc("exposure_shift_start_timestamp_seconds", "Start of the current shift, Unix time.", l...),
		end:                 n.desc("exposure_shift_end_timestamp_seconds", "End of the current shift, Unix time.", l...),
		measuredTotal:       n.desc("exposure_measured_seconds_total", "Time with valid data since ventd started (the journal export: since midnight UTC); increase() over a window / its length is the coverage.", l...),
		overAlarmTotal:      n.desc("exposure_over_alarm_seconds_total", "Time with the value above the alarm level, or every sensor above a range whose top is at or above it, since ventd started (the journal export: since midnight UTC).", l...),
		overAlarmAboveTotal: n.desc("exposure_over_alarm_above_range_seconds_total", "The part of exposure_over_alarm_seconds_total with every sensor above its range (no value measured; the range's top at or above the alarm level), since ventd started (the journal export: since midnight UTC).", l...),
		overSTELTotal:       n.desc("exposure_stel_over_limit_seconds_total", "Time with the 15 min TWA above the STEL limit, since ventd started (the journal export: since midnight UTC).", l...),
		violation:           n.desc("exposure_shift_violation", "1 if the current shift breaks a limit: twa, stel, stel_excursions, twa_excursions.", "zone", "pollutant", "kind"),
		mixture:             n.desc("exposure_shift_mixture_index", "OSHA mixture index Σ Eᵢ/Lᵢ for the current shift over the pollutants with a TWA limit; above 1 is over.", "zone"),
	}
}

func (e *exposures) describe(ch chan<- *prometheus.Desc) {
	for _, p := range []perUnit{e.value, e.stel, e.twa8h, e.mean8h, e.shiftTWA, e.stelPeak, e.limitTWA, e.limitSTEL, e.alarmLevel, e.dose} {
		for _, d := range p {
			ch <- d
		}
	}
	for _, d := range []*prometheus.Desc{e.stelCov, e.cov8h, e.shiftCov, e.overAlarm, e.overAlarmAbove, e.overSTEL, e.excursions, e.rf, e.start, e.end,
		e.measuredTotal, e.overAlarmTotal, e.overAlarmAboveTotal, e.overSTELTotal, e.violation, e.mixture} {
		ch <- d
	}
}

func (e *exposures) collect(s *snapshot.Snapshot, ch chan<- prometheus.Metric) {
	for _, m := range s.Mixture {
		gauge(ch, e.mixture, m.Index, m.Zone)
	}
	for _, x := range s.Exposure {
		u, ok := unitSuffix(x.Quantity)
		if !ok {
			continue
		}
		l := []string{x.Zone, string(x.Quantity)}
		g := func(d *prometheus.Desc, v float64) { gauge(ch, d, v, l...) }
		known := func(d *prometheus.Desc, c exposure.Conc) {
			if c.Known() {
				g(d, float64(c))
			}
		}
		positive := func(d *prometheus.Desc, v float64) {
			if v > 0 {
				g(d, v)
			}
		}
		known(e.value[u], x.Value)
		known(e.stel[u], x.STEL)
		g(e.stelCov, x.STELCoverage/100)
		g(e.twa8h[u], x.TWA8h)
		known(e.mean8h[u], x.Mean8h)
		g(e.cov8h, x.Coverage8h/100)
		t := x.Totals
		counter(ch, e.dose[u], t.Dose, l...)
		counter(ch, e.measuredTotal, t.Measured.Std().Seconds(), l...)
		counter(ch, e.overAlarmTotal, t.OverAlarm.Std().Seconds(), l...)
		counter(ch, e.overAlarmAboveTotal, t.OverAlarmAboveRange.Std().Seconds(), l...)
		counter(ch, e.overSTELTotal, t.OverSTEL.Std().Seconds(), l...)
		sh := x.Shift
		if sh == nil {
			continue
		}
		positive(e.alarmLevel[u], sh.Limits.Alarm)
		positive(e.limitSTEL[u], sh.Limits.STEL)
		positive(e.limitTWA[u], sh.AdjustedTWALimit)
		g(e.shiftTWA[u], sh.TWA)
		g(e.shiftCov, sh.Coverage/100)
		g(e.overAlarm, sh.TimeOverAlarm.Std().Seconds())
		g(e.overAlarmAbove, sh.TimeOverAlarmAboveRange.Std().Seconds())
		g(e.overSTEL, sh.TimeOverSTEL.Std().Seconds())
		known(e.stelPeak[u], sh.STELPeak)
		g(e.excursions, float64(sh.AboveSTEL.Count))
		g(e.rf, sh.ReductionFactor)
		g(e.start, float64(sh.Start.Unix()))
		g(e.end, float64(sh.End.Unix()))
		for _, v := range []struct {
			kind string
			on   bool
		}{{"twa", sh.Violations.TWA}, {"stel", sh.Violations.STEL},
			{"stel_excursions", sh.Violations.STELExcursions}, {"twa_excursions", sh.Violations.TWAExcursions}} {
			gauge(ch, e.violation, boolFloat(v.on), x.Zone, string(x.Quantity), v.kind)
		}
	}
}
