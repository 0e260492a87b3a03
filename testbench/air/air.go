// Package air is the contract between the simulated room and the simulated
// sensors: the true state of the air at a sensor's location, before any
// sensor noise, lag or error.
package air

import "time"

// State is the true air at one place and instant.
type State struct {
	// Particulate mass concentrations, µg/m³.
	PM1, PM25, PM4, PM10 float64
	// CO2 in ppm.
	CO2 float64
	// VOC and NOx in ppb (ethanol- and NO2-equivalent), as the SGP41 sees them.
	VOC, NOx float64
	// Temperature in °C and relative humidity in %.
	Temperature, Humidity float64
}

// Source gives the true air at time t. The room model implements it per
// zone; tests use Fixed or Func.
type Source interface {
	Air(t time.Time) State
}

// Fixed is a Source whose air never changes.
type Fixed State

// Air returns the fixed state.
func (f Fixed) Air(time.Time) State { return State(f) }

// Func adapts a function to Source.
type Func func(t time.Time) State

// Air calls f.
func (f Func) Air(t time.Time) State { return f(t) }

// Clean is typical indoor air with the windows open: the defaults a
// simulated sensor reads when nothing else is given.
var Clean = State{PM1: 3, PM25: 5, PM4: 6, PM10: 8, CO2: 420, VOC: 50, NOx: 5, Temperature: 21, Humidity: 45}
