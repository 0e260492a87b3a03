package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/ventd/ventd/control/exposure"
)

// exposures exports the exposure record: what an auditor graphs. Unknown
// values (no data in the window) are left out, never exported as zero.
type exposures struct {
	src Source

	stel, twa8h, mean8h, cov8h, stelCov               *prometheus.Desc
	shiftTWA, shiftCov, overAlarm, overSTEL, stelPeak *prometheus.Desc
	excursions, limitTWA, limitSTEL, shiftStart, rf   *prometheus.Desc
	violation, mixture                                *prometheus.Desc
}

func newExposures(src Source) *exposures {
	l := []string{"zone", "quantity"}
	return &exposures{
		src:        src,
		stel:       desc("exposure_stel", "Rolling 15 min time-weighted average (STEL window), in the quantity's unit; gaps left out.", l...),
		stelCov:    desc("exposure_stel_coverage_ratio", "Share of the last 15 min with valid data.", l...),
		twa8h:      desc("exposure_twa_8h", "Rolling 8 h TWA by the OSHA formula (Σ CᵢTᵢ / 8 h; unmeasured time adds nothing).", l...),
		mean8h:     desc("exposure_mean_8h", "Mean over the measured part of the last 8 h.", l...),
		cov8h:      desc("exposure_coverage_8h_ratio", "Share of the last 8 h with valid data.", l...),
		shiftTWA:   desc("exposure_shift_twa", "Current shift's TWA so far, OSHA formula E = Σ CᵢTᵢ / 8 h.", l...),
		shiftCov:   desc("exposure_shift_coverage_ratio", "Share of the current shift so far with valid data.", l...),
		overAlarm:  desc("exposure_shift_over_alarm_seconds", "Time in the current shift with the value above the alarm threshold.", l...),
		overSTEL:   desc("exposure_shift_stel_over_limit_seconds", "Time in the current shift with the 15 min TWA above the STEL limit.", l...),
		stelPeak:   desc("exposure_shift_stel_peak", "Highest 15 min TWA in the current shift.", l...),
		excursions: desc("exposure_shift_stel_excursions", "STEL excursions in the current shift (ACGIH: at most 4, 60 min apart).", l...),
		limitTWA:   desc("exposure_shift_twa_limit", "TWA limit for the current shift after the Brief & Scala reduction (absent: no limit).", l...),
		limitSTEL:  desc("exposure_stel_limit", "STEL limit (absent: no limit).", l...),
		rf:         desc("exposure_shift_reduction_factor", "Brief & Scala reduction factor for the shift's length.", l...),
		shiftStart: desc("exposure_shift_start_timestamp_seconds", "Start of the current shift.", l...),
		mixture:    desc("exposure_shift_mixture_index", "OSHA mixture index Σ Eᵢ/Lᵢ for the current shift over the pollutants with a TWA limit; above 1 is over.", "zone"),
		violation:  desc("exposure_shift_violation", "1 if the current shift breaks a limit: twa, stel, stel_excursions, twa_excursions.", "zone", "quantity", "kind"),
	}
}

func (e *exposures) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{e.stel, e.stelCov, e.twa8h, e.mean8h, e.cov8h, e.shiftTWA, e.shiftCov,
		e.overAlarm, e.overSTEL, e.stelPeak, e.excursions, e.limitTWA, e.limitSTEL, e.rf, e.shiftStart, e.violation, e.mixture} {
		ch <- d
	}
}

func (e *exposures) Collect(ch chan<- prometheus.Metric) {
	s := e.src()
	if s == nil {
		return
	}
	for _, m := range s.Mixture {
		ch <- prometheus.MustNewConstMetric(e.mixture, prometheus.GaugeValue, m.Index, m.Zone)
	}
	for _, x := range s.Exposure {
		l := []string{x.Zone, string(x.Quantity)}
		gauge := func(d *prometheus.Desc, v float64) {
			ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, l...)
		}
		known := func(d *prometheus.Desc, c exposure.Conc) {
			if c.Known() {
				gauge(d, float64(c))
			}
		}
		known(e.stel, x.STEL)
		gauge(e.stelCov, x.STELCoverage/100)
		gauge(e.twa8h, x.TWA8h)
		known(e.mean8h, x.Mean8h)
		gauge(e.cov8h, x.Coverage8h/100)
		sh := x.Shift
		if sh == nil {
			continue
		}
		gauge(e.shiftTWA, sh.TWA)
		gauge(e.shiftCov, sh.Coverage/100)
		gauge(e.overAlarm, sh.TimeOverAlarm.Std().Seconds())
		gauge(e.overSTEL, sh.TimeOverSTEL.Std().Seconds())
		known(e.stelPeak, sh.STELPeak)
		gauge(e.excursions, float64(sh.AboveSTEL.Count))
		if sh.AdjustedTWALimit > 0 {
			gauge(e.limitTWA, sh.AdjustedTWALimit)
		}
		if sh.Limits.STEL > 0 {
			gauge(e.limitSTEL, sh.Limits.STEL)
		}
		gauge(e.rf, sh.ReductionFactor)
		gauge(e.shiftStart, float64(sh.Start.Unix()))
		for kind, v := range map[string]bool{"twa": sh.Violations.TWA, "stel": sh.Violations.STEL,
			"stel_excursions": sh.Violations.STELExcursions, "twa_excursions": sh.Violations.TWAExcursions} {
			ch <- prometheus.MustNewConstMetric(e.violation, prometheus.GaugeValue, boolFloat(v), x.Zone, string(x.Quantity), kind)
		}
	}
}
