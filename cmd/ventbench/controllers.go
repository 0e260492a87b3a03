package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/ventd/ventd/control"
)

// controller is one law ventbench runs, by name, and the family it belongs
// to: ventd, a bound, or a baseline family whose members trace the
// frontier ventd is measured against.
type controller struct {
	name   string
	family string
	newLaw func(p control.Params) (control.Law, error)
	// setting is what the name leaves out that changes its results (an
	// on/off baseline's switch-off level, from -onoff-hysteresis), for
	// the cache's key.
	setting string
}

// The families.
const (
	famVentd = "ventd"
	famBound = "bound" // full, min (with the guard), min-nominal (without)
	famOnOff = "onoff" // on/off with hysteresis at several thresholds
	famProp  = "prop"  // proportional on booth PM2.5 over several bands
	famFixed = "fixed" // a sweep of fixed duties
)

// The baseline families' members. On/off switches back off a third of the
// way down to zero or hysteresis µg/m³ lower, whichever is less, so the
// low thresholds still switch off in clean air.
var (
	onOffThresholds = []float64{15, 20, 25, 35, 50, 100}
	propBands       = [][2]float64{{10, 25}, {10, 50}, {10, 100}, {10, 200}}
	fixedDuties     = []float64{40, 60, 80}
)

// allControllers lists every controller ventbench knows.
func allControllers(hysteresis float64) []controller {
	fixed := func(duty func(f control.FanSpec) float64, bare bool) func(control.Params) (control.Law, error) {
		return func(p control.Params) (control.Law, error) {
			return control.PerFan(p, func(f control.FanSpec, t control.Tuning) (control.FanLaw, error) {
				if bare {
					return control.NewBare(f, t, duty(f))
				}
				return control.NewFixed(f, t, duty(f))
			})
		}
	}
	cs := []controller{
		{name: "ventd", family: famVentd, newLaw: func(p control.Params) (control.Law, error) { return control.NewRoom(p) }},
		{name: "full", family: famBound, newLaw: fixed(func(f control.FanSpec) float64 { return f.MaxDuty }, false)},
		{name: "min", family: famBound, newLaw: fixed(func(f control.FanSpec) float64 { return f.MinDuty }, false)},
		{name: "min-nominal", family: famBound, newLaw: fixed(func(f control.FanSpec) float64 { return f.MinDuty }, true)},
	}
	for _, on := range onOffThresholds {
		off := on - min(hysteresis, on/3)
		cs = append(cs, controller{name: "onoff" + num0(on), family: famOnOff, setting: fmt.Sprintf("off at %g", off), newLaw: func(p control.Params) (control.Law, error) {
			return control.PerFan(p, func(f control.FanSpec, t control.Tuning) (control.FanLaw, error) {
				return control.NewOnOff(f, t, on, off)
			})
		}})
	}
	for _, b := range propBands {
		cs = append(cs, controller{name: "prop" + num0(b[0]) + "-" + num0(b[1]), family: famProp, newLaw: func(p control.Params) (control.Law, error) {
			return control.PerFan(p, func(f control.FanSpec, t control.Tuning) (control.FanLaw, error) {
				return control.NewProportional(f, t, b[0], b[1])
			})
		}})
	}
	for _, d := range fixedDuties {
		cs = append(cs, controller{name: "fixed" + num0(d), family: famFixed,
			newLaw: fixed(func(f control.FanSpec) float64 { return clampDuty(f, d/100) }, false)})
	}
	return cs
}

func clampDuty(f control.FanSpec, d float64) float64 { return max(f.MinDuty, min(f.MaxDuty, d)) }

func num0(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// pickControllers builds the controllers list names, where a family name
// (bound, onoff, prop, fixed, baselines = all three families) stands for
// all its members. The bounds are always run: every ratio needs them.
func pickControllers(list string, hysteresis float64) ([]controller, error) {
	all := allControllers(hysteresis)
	var out []controller
	add := func(c controller) {
		if !slices.ContainsFunc(out, func(o controller) bool { return o.name == c.name }) {
			out = append(out, c)
		}
	}
	for _, c := range all {
		if c.family == famBound {
			add(c)
		}
	}
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		found := false
		for _, c := range all {
			if c.name == name || c.family == name || name == "baselines" && c.family != famVentd && c.family != famBound || name == "all" {
				add(c)
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("no controller %q; choose from all, ventd, bound, baselines, %s, %s, %s or one of %s",
				name, famOnOff, famProp, famFixed, strings.Join(names(all), ", "))
		}
	}
	return out, nil
}

func names(cs []controller) []string {
	var n []string
	for _, c := range cs {
		n = append(n, c.name)
	}
	return n
}
