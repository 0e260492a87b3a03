package metrics

import (
	"math"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ventd/ventd/control"
	"github.com/ventd/ventd/snapshot"
)

// fans exports what each fan is commanded to do and why, and what that
// costs.
type fans struct {
	rated                      map[string]float64
	energy                     *energy
	duty, rpm, mode, entry, ok *prometheus.Desc
	power, joules              *prometheus.Desc
}

var modes = []control.Mode{control.ModeNormal, control.ModeBoost, control.ModePurge, control.ModeSafe}

const affinityNote = "estimated, not measured: fans[].rated_power_w × duty³ by the fan affinity law " +
	"(power ∝ speed³, speed taken as proportional to the commanded duty)"

func newFans(n namer, rated map[string]float64, e *energy) *fans {
	return &fans{
		rated:  rated,
		energy: e,
		duty:   n.desc("fan_duty_ratio", "Commanded fan duty, 0 (off) to 1 (full).", "fan"),
		rpm:    n.desc("fan_rpm", "Fan speed from the tachometer, revolutions per minute.", "fan"),
		mode:   n.desc("fan_mode", "1 for the fan's current control mode.", "fan", "mode"),
		entry:  n.desc("booth_seconds_to_entry", "Estimated seconds until the booths the fan serves are below the entry threshold (0: now); absent while not falling.", "fan"),
		ok:     n.desc("fan_output_ok", "0 if the last attempt to set the fan's duty failed.", "fan"),
		power:  n.desc("fan_power_watts", "Fan power, "+affinityNote+".", "fan"),
		joules: n.desc("fan_energy_joules_total", "Fan energy since ventd started, "+affinityNote+", integrated over each control period.", "fan"),
	}
}

func (f *fans) describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{f.duty, f.rpm, f.mode, f.entry, f.ok, f.power, f.joules} {
		ch <- d
	}
}

func (f *fans) collect(s *snapshot.Snapshot, ch chan<- prometheus.Metric) {
	for _, fn := range s.Fans {
		gauge(ch, f.duty, fn.Duty, fn.Name)
		if fn.RPM != nil {
			gauge(ch, f.rpm, *fn.RPM, fn.Name)
		}
		for _, m := range modes {
			gauge(ch, f.mode, boolFloat(string(m) == string(fn.Mode)), fn.Name, string(m))
		}
		if fn.SecondsToEntry >= 0 {
			gauge(ch, f.entry, fn.SecondsToEntry, fn.Name)
		}
		gauge(ch, f.ok, boolFloat(fn.Error == ""), fn.Name)
		if p, ok := f.rated[fn.Name]; ok && p > 0 {
			gauge(ch, f.power, p*math.Pow(fn.Duty, 3), fn.Name)
			counter(ch, f.joules, f.energy.joules(fn.Name), fn.Name)
		}
	}
}
