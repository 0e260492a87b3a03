package main

import (
	"fmt"
	"strings"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control"
)

// controller is one law ventbench runs, by name.
type controller struct {
	name   string
	newLaw func(f config.Fan, p control.FanParams) (control.Law, error)
}

var controllerNames = []string{"ventd", "full", "min", "onoff", "fixed50"}

// pickControllers builds the controllers named in list. The onoff baseline
// switches at the config's PM2.5 warning level, as installations switch
// at the level they are told to worry about.
func pickControllers(list string, cfg *config.Config, hysteresis float64) ([]controller, error) {
	warn := cfg.Thresholds.PM25.Warning
	var out []controller
	for _, name := range strings.Split(list, ",") {
		name = strings.TrimSpace(name)
		c := controller{name: name}
		switch name {
		case "ventd":
			c.newLaw = func(_ config.Fan, p control.FanParams) (control.Law, error) { return control.NewFan(p) }
		case "full":
			c.newLaw = func(_ config.Fan, p control.FanParams) (control.Law, error) { return control.NewFixed(p, p.MaxDuty) }
		case "min":
			c.newLaw = func(_ config.Fan, p control.FanParams) (control.Law, error) { return control.NewFixed(p, p.MinDuty) }
		case "fixed50":
			c.newLaw = func(_ config.Fan, p control.FanParams) (control.Law, error) {
				return control.NewFixed(p, max(p.MinDuty, min(p.MaxDuty, 0.5)))
			}
		case "onoff":
			c.newLaw = func(_ config.Fan, p control.FanParams) (control.Law, error) {
				return control.NewOnOff(p, warn, max(warn-hysteresis, 0))
			}
		default:
			return nil, fmt.Errorf("no controller %q; choose from %s", name, strings.Join(controllerNames, ", "))
		}
		out = append(out, c)
	}
	return out, nil
}
