package sps30sim

import (
	"math"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/drivers/sensirion"
)

// Particle model for deriving number concentrations from mass: spheres of
// unit density 1.6 g/cm³ (typical of combustion and ambient aerosol), with
// a representative diameter per size bin.
const (
	density = 1.6 // g/cm³
	// Share of the particles below 1 µm that are below 0.5 µm; optical
	// counters report most of the count in the smallest bin.
	shareBelow05 = 0.85
)

// Representative diameters (µm) of the bins 0.3–0.5, 0.5–1, 1–2.5,
// 2.5–4 and 4–10 µm.
var binDiameter = [5]float64{0.4, 0.75, 1.6, 3.2, 6.3}

// particleMass is the mass in µg of one sphere of diameter d µm.
func particleMass(d float64) float64 {
	vol := math.Pi / 6 * d * d * d * 1e-12 // µm³ to cm³
	return vol * density * 1e6             // g to µg
}

// below1Mass and binMass are particleMass of the diameters derive uses,
// the same numbers, taken once: derive runs every simulated second of
// every sensor. Neither is ever written.
var (
	below1Mass = particleMass((binDiameter[0] + binDiameter[1]) / 2)
	binMass    = [5]float64{2: particleMass(binDiameter[2]), 3: particleMass(binDiameter[3]), 4: particleMass(binDiameter[4])}
)

// advance runs the measurement ticks due up to now.
func (d *Device) advance(now time.Time) {
	if d.mode != modeMeasuring {
		return
	}
	// After a long unattended gap only the last minutes matter: the lag has
	// forgotten the rest. Skip the ticks before them, keeping the
	// auto-cleaning schedule.
	if gap := clock.Sub(now, d.nextTick); gap > time.Hour {
		skip := (gap - 2*time.Minute) / interval
		d.nextTick = d.nextTick.Add(skip * interval)
		if d.autoClean > 0 && d.autoCleanDue.Before(d.nextTick) {
			per := time.Duration(d.autoClean) * time.Second
			n := d.nextTick.Sub(d.autoCleanDue)/per + 1
			d.autoCleanDue = d.autoCleanDue.Add(n * per)
		}
	}
	for !d.nextTick.After(now) {
		d.tick(d.nextTick)
		d.nextTick = d.nextTick.Add(interval)
	}
}

// tick is one second of measurement ending at t.
func (d *Device) tick(t time.Time) {
	if d.autoClean > 0 && !t.Before(d.autoCleanDue) {
		d.cleanUntil = t.Add(cleanDuration)
		d.autoCleanDue = t.Add(time.Duration(d.autoClean) * time.Second)
	}
	cleaning := t.Before(d.cleanUntil)
	d.checkHealth(t, cleaning)
	if cleaning {
		// The fan runs at full speed to blow the dust out: no new
		// measurement, the last values are held.
		return
	}
	truth := d.src.Air(t)
	in := [4]float64{truth.PM1, truth.PM25, truth.PM4, truth.PM10}
	if d.fanFail {
		in = [4]float64{} // no airflow: no particles cross the beam
	}
	if d.opts.Ideal || d.opts.Lag < 0 {
		d.lag = in
	} else {
		a := d.lagStep
		for i := range d.lag {
			d.lag[i] += a * (in[i] - d.lag[i])
		}
	}
	if d.stuck && d.haveValue {
		d.ready = true
		return
	}
	var mass [4]float64
	if !d.laserFail { // no light, no signal
		for i, v := range d.lag {
			m := max(d.sense(v), 0)
			if i > 0 {
				m = max(m, mass[i-1]) // PM1 ≤ PM2.5 ≤ PM4 ≤ PM10 by definition
			}
			mass[i] = m
		}
	}
	d.last = derive(mass)
	d.haveValue, d.ready = true, true
}

// sense adds this unit's error to a mass concentration v (µg/m³). The error
// is mostly a gain (optical sensors misjudge particle type), with a small
// offset and noise, all kept inside the datasheet accuracy of ±10 µg/m³
// below 100 µg/m³ and ±10 % above: at most 1.4 µg/m³ + 8.6 % of v.
func (d *Device) sense(v float64) float64 {
	if d.opts.Ideal {
		return v
	}
	sd := 0.2 + 0.008*v
	noise := max(-2, min(2, d.rng.NormFloat64())) * sd
	return v*(1+0.07*d.bias) + 1.0*d.offset + noise
}

// derive turns cumulative masses PM1, PM2.5, PM4, PM10 into the ten values
// the sensor reports: the masses, number concentrations NC0.5, NC1.0,
// NC2.5, NC4.0, NC10 (#/cm³, cumulative from 0.3 µm) and the typical
// (number-weighted mean) particle size in µm.
func derive(mass [4]float64) [10]float64 {
	// Mass per bin in µg/cm³ (1 µg/m³ = 1e-6 µg/cm³).
	bins := [4]float64{mass[0], mass[1] - mass[0], mass[2] - mass[1], mass[3] - mass[2]}
	var count [5]float64
	below1 := bins[0] * 1e-6 / below1Mass
	count[0] = shareBelow05 * below1
	count[1] = (1 - shareBelow05) * below1
	for i := 1; i < 4; i++ {
		count[i+1] = bins[i] * 1e-6 / binMass[i+1]
	}
	var v [10]float64
	copy(v[:4], mass[:])
	var total, weighted float64
	for i, c := range count {
		total += c
		weighted += c * binDiameter[i]
		v[4+i] = total
	}
	if total > 0 { // no particles, no size: the sensor reports 0

		v[9] = weighted / total
	}
	return v
}

// encodeValues frames the last measurement in the output format chosen at
// Start Measurement.
func (d *Device) encodeValues() []byte {
	if d.format == formatUint16 {
		words := make([]uint16, 10)
		for i, v := range d.last {
			if i == 9 {
				v *= 1000 // typical size in nm
			}
			words[i] = uint16(max(0, min(65535, math.Round(v))))
		}
		d.answer = sensirion.EncodeWords(d.answer[:0], words...) // see answer
		return d.answer
	}
	words := make([]uint16, 0, 20)
	for _, v := range d.last {
		b := math.Float32bits(float32(v))
		words = append(words, uint16(b>>16), uint16(b))
	}
	d.answer = sensirion.EncodeWords(d.answer[:0], words...) // see answer
	return d.answer
}

// checkHealth updates the device status register once a second, as the
// datasheet describes: a fault seen twice in succession sets its bit; the
// fan speed is not checked while the fan spins up or cleans; the fan bit
// stays set until cleared, the others clear themselves.
func (d *Device) checkHealth(t time.Time, cleaning bool) {
	if d.laserFail {
		d.laserTicks++
		if d.laserTicks >= 2 {
			d.status |= statusLaser
		}
	} else {
		d.laserTicks = 0
		d.status &^= statusLaser
	}
	if cleaning || clock.Sub(t, d.started) <= fanStartup {
		return
	}
	if d.fanFail {
		d.fanBadTicks++
		if d.fanBadTicks >= 2 {
			d.status |= statusFan | statusSpeed
		}
	} else {
		d.fanBadTicks = 0
		d.status &^= statusSpeed
	}
}
