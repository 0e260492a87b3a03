package scd41sim

import (
	"math"
	"time"

	"github.com/ventd/ventd/testbench/air"
)

const (
	tau         = 60 * time.Second // response time τ63, periodic measurement
	noiseCO2    = 5.0              // σ ppm: about ±10 ppm at 2σ
	noiseT      = 0.02             // σ °C
	noiseRH     = 0.1              // σ %RH
	ascTarget   = 400              // ppm the lowest reading of a period is taken as (factory)
	ascInitial  = 44 * time.Hour   // first ASC period
	ascStandard = 156 * time.Hour  // later ASC periods
	seaLevelPa  = 101325.0
)

// advance runs the measurements that fell due up to now. The device is
// lazy: it measures when the bus next talks to it, with each measurement
// stamped at its own tick, so the result is the same as a sensor that
// measured on time.
func (d *Device) advance(now time.Time) {
	if d.mode == periodic || d.mode == lowPower {
		iv := intervalPeriodic
		if d.mode == lowPower {
			iv = intervalLowPower
		}
		for !d.nextTick.After(now) {
			co2 := d.measure(d.nextTick, false)
			d.ascTick(iv, co2)
			d.nextTick = d.nextTick.Add(iv)
		}
	}
	if !d.shotAt.IsZero() && !now.Before(d.shotAt) {
		d.measure(d.shotAt, d.shotRHT)
		d.shotAt = time.Time{}
	}
}

// updateCell lets the CO2 in the measurement cell follow the air to t,
// holding the air at its value mid-way through the step so a change lands
// at the right time whatever the step length.
func (d *Device) updateCell(t time.Time) air.State {
	a := d.src.Air(t)
	if !d.cellInit {
		d.cell, d.cellInit = a.CO2, true
	} else if dt := t.Sub(d.cellTime); dt > 0 {
		mid := d.src.Air(d.cellTime.Add(dt / 2)).CO2
		d.cell += (1 - math.Exp(-dt.Seconds()/tau.Seconds())) * (mid - d.cell)
	}
	d.cellTime = t
	return a
}

// baroPa is the standard-atmosphere pressure at h metres.
func baroPa(h float64) float64 { return seaLevelPa * math.Pow(1-2.25577e-5*h, 5.25588) }

// co2 is the noise-free CO2 the sensor reports from its cell.
func (d *Device) co2() float64 {
	assumed := baroPa(float64(d.ram.altitude))
	if d.pressure != 0 {
		assumed = float64(d.pressure) * 100
	}
	// The cell counts molecules, which scale with pressure; the sensor
	// divides by the pressure it was told.
	c := d.cell * baroPa(d.opts.Altitude) / assumed
	return c + d.CalibrationError(c) + d.frc + d.asc
}

// measure fills the buffer with a measurement at t and returns the
// noise-free CO2 for ASC.
func (d *Device) measure(t time.Time, rhtOnly bool) float64 {
	a := d.updateCell(t)
	d.ready = true
	if d.stuck && d.last != [3]uint16{} {
		d.buf = d.last
		return math.NaN()
	}
	co2 := d.co2()
	out := co2
	if !d.opts.Quiet {
		out += d.rng.NormFloat64() * noiseCO2
	}
	if rhtOnly {
		out = 0 // measure_single_shot_rht_only reports 0 ppm
	}
	t1, rh := d.temperatureHumidity(a)
	d.buf = [3]uint16{clampWord(math.Round(out)), clampWord(math.Round((t1 + 45) * 65535 / 175)), clampWord(math.Round(rh * 65535 / 100))}
	d.last = d.buf
	return co2
}

// temperatureHumidity is what the sensor reports for the air a: its own
// heat raises its temperature and lowers the RH it sees; the temperature
// offset takes the heat back out of both.
func (d *Device) temperatureHumidity(a air.State) (t, rh float64) {
	ts := a.Temperature + d.opts.SelfHeating
	rhs := a.Humidity * psat(a.Temperature) / psat(ts)
	t = ts - 175*float64(d.ram.tempOffset)/65535
	rh = rhs * psat(ts) / psat(t)
	if !d.opts.Quiet {
		t += d.rng.NormFloat64() * noiseT
		rh += d.rng.NormFloat64() * noiseRH
	}
	return t, math.Max(0, math.Min(100, rh))
}

// psat is the saturation vapour pressure over water (Magnus), hPa.
func psat(t float64) float64 { return 6.112 * math.Exp(17.62*t/(243.12+t)) }

func clampWord(v float64) uint16 {
	return uint16(math.Max(0, math.Min(65535, v)))
}

// ascTick runs automatic self-calibration: over each period of measuring
// (the initial period, 44 h unless set, then the standard one, 156 h) it
// keeps the lowest reading, and at the end of the period shifts the
// output so that reading becomes the ASC target, 400 ppm unless set. A room that never sees fresh air
// drifts low this way, which is why ventd offers ASC off and FRC.
func (d *Device) ascTick(iv time.Duration, co2 float64) {
	if !d.ram.asc || math.IsNaN(co2) {
		return
	}
	if d.ascRun == 0 || co2 < d.ascMin {
		d.ascMin = co2
	}
	d.ascRun += iv
	period := time.Duration(d.ram.ascStandardH) * time.Hour
	if d.ascDone == 0 {
		period = time.Duration(d.ram.ascInitialH) * time.Hour
	}
	if d.ascRun >= period {
		d.asc += float64(d.ram.ascTarget) - d.ascMin
		d.ascDone++
		d.ascRun = 0
	}
}
