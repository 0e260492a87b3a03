package metrics

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/ventd/ventd/control"
)

// fans exports what each fan is commanded to do and why.
type fans struct {
	src   Source
	duty  *prometheus.Desc
	rpm   *prometheus.Desc
	mode  *prometheus.Desc
	entry *prometheus.Desc
	fault *prometheus.Desc
}

var modes = []control.Mode{control.ModeNormal, control.ModeBoost, control.ModePurge, control.ModeSafe}

func newFans(src Source) *fans {
	return &fans{
		src:   src,
		duty:  desc("fan_duty_ratio", "Commanded fan duty, 0 (off) to 1 (full).", "fan"),
		rpm:   desc("fan_rpm", "Fan speed from the tachometer.", "fan"),
		mode:  desc("fan_mode", "1 for the fan's current control mode.", "fan", "mode"),
		entry: desc("booth_seconds_to_entry", "Estimated seconds until the booth is below the entry threshold (0: now, -1: unknown).", "fan"),
		fault: desc("fan_output_ok", "0 if the last attempt to set the fan failed.", "fan"),
	}
}

func (f *fans) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{f.duty, f.rpm, f.mode, f.entry, f.fault} {
		ch <- d
	}
}

func (f *fans) Collect(ch chan<- prometheus.Metric) {
	s := f.src()
	if s == nil {
		return
	}
	for _, fn := range s.Fans {
		ch <- prometheus.MustNewConstMetric(f.duty, prometheus.GaugeValue, fn.Duty, fn.Name)
		if fn.RPM != nil {
			ch <- prometheus.MustNewConstMetric(f.rpm, prometheus.GaugeValue, *fn.RPM, fn.Name)
		}
		for _, m := range modes {
			ch <- prometheus.MustNewConstMetric(f.mode, prometheus.GaugeValue, boolFloat(string(m) == string(fn.Mode)), fn.Name, string(m))
		}
		ch <- prometheus.MustNewConstMetric(f.entry, prometheus.GaugeValue, fn.SecondsToEntry, fn.Name)
		ch <- prometheus.MustNewConstMetric(f.fault, prometheus.GaugeValue, boolFloat(fn.Error == ""), fn.Name)
	}
}
