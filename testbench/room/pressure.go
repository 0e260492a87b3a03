package room

import (
	"math"
	"time"
)

// Booth pressure.
//
// The concentration model needs only flows; a differential pressure sensor
// (SDP810) needs the pressure those flows take. A booth's exhaust fans draw
// Q out of it; the same Q must come back in through its openings to the
// neighbouring staff zone: the leakage paths, the transfer grille and any
// open door. Each opening is an orifice,
//
//	Q = Cd·A·√(2ΔP/ρ)   so   ΔP = ρ/2 · (Q / ΣCd·A)²
//
// with the openings in parallel (their effective areas add, all seeing the
// one ΔP). The booth sits ΔP below its neighbour. The staff zone's own
// ventilation is balanced and its make-up air free, so the neighbour is
// taken to be at outdoor pressure and a door from the booth to outdoors
// relieves the booth like one to the staff zone.
//
// Why a transfer grille: ZoneConfig.LeakageM3h read as the flow through the
// gaps at the 4 Pa reference gives the gaps an effective area
// Cd·A = (10 m³/h)/√(2·4/ρ) ≈ 0.0011 m² in the default room. That is far
// too tight for the fan: 75 m³/h (25 % duty) through it takes 225 Pa and
// 300 m³/h takes 3,600 Pa — a booth door no one could open, and more static
// pressure than a room exhaust fan develops. Real booths are built with a
// transfer grille or an undercut door for exactly this; the leakage figure
// describes only the gaps. So every booth gets a transfer opening of
// effective area transferCdA besides its gaps, sized so that the default
// fan at full flow holds the booth at about −15 Pa.
//
// What the model leaves out: the fan's flow does not sag against these few
// pascals (a fan develops hundreds), the air's inertia and compressibility
// settle in milliseconds so the pressure follows the fan's wheel speed at
// once, and wind and stack effect are ignored.
const (
	// airDensity is ρ of air at 20 °C and sea level, kg/m³.
	airDensity = 1.2
	// leakageRefPa is the pressure at which ZoneConfig.LeakageM3h is
	// taken to flow, the common reference for building leakage.
	leakageRefPa = 4.0
	// transferCdA is the effective area Cd·A of a booth's transfer opening,
	// m²: 0.0156 m² is a grille of about 0.026 m² free area (160 × 160 mm)
	// at the sharp-edged orifice's Cd ≈ 0.61, or a door undercut of
	// 850 × 30 mm. With the default room's gaps it gives −15.0 Pa at
	// 300 m³/h, −3.7 Pa at 150 m³/h and −0.94 Pa at 75 m³/h.
	transferCdA = 0.0156
	// openDoorCdA is the effective area of an open door, m²: 0.9 × 2.0 m
	// at Cd ≈ 0.6. Against it the pressure collapses to millipascals.
	openDoorCdA = 1.08
)

// BoothPressure returns the pressure of zone relative to its neighbour at
// time t, in Pa, advancing the room to t first: negative while exhaust
// fans draw on a booth, near zero with a door open or the fans stopped.
// A staff zone has no exhaust of its own and reads 0; a zone the room does
// not have reads NaN.
func (r *Room) BoothPressure(zone string, t time.Time) float64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	i, err := r.zoneIndex(zone)
	if err != nil {
		return math.NaN()
	}
	r.advance(t)
	return r.boothPressure(i)
}

// PressureSource returns, for a simulated differential pressure sensor
// (testbench/sdpsim) measuring zone against its neighbour, the true
// pressure and the temperature at the sensor. The sensor is taken to sit
// on the neighbour's side with one tube into the booth, so it reads the
// neighbour's temperature. PressureSource returns nil for a name the room
// does not have.
func (r *Room) PressureSource(zone string) func(t time.Time) (pressurePa, tempC float64) {
	i, err := r.zoneIndex(zone)
	if err != nil {
		return nil
	}
	at := i
	if nb := r.zones[i].neighbour; nb >= 0 {
		at = nb
	}
	return func(t time.Time) (float64, float64) {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.advance(t)
		return r.boothPressure(i), r.stateOf(at).Temperature
	}
}

// boothPressure is the pressure of zone i now. The caller holds the lock.
func (r *Room) boothPressure(i int) float64 {
	z := &r.zones[i]
	if z.cfg.Kind != Booth {
		return 0
	}
	q := 0.0 // m³/h drawn out of the booth
	for _, f := range r.fans {
		if f.stalled || f.speed == 0 {
			continue
		}
		for _, b := range f.zones {
			if b == i {
				q += f.speed * f.flow * f.cfg.MaxFlowM3h / float64(len(f.zones))
			}
		}
	}
	if q <= 0 {
		return 0
	}
	area := leakageCdA(z.cfg.LeakageM3h) + transferCdA
	for _, d := range r.doors {
		if d.open && (d.places[0] == i || d.places[1] == i) {
			area += openDoorCdA
		}
	}
	v := q / 3600 / area // m/s through the openings
	return -airDensity / 2 * v * v
}

// leakageCdA is the effective area of gaps that pass q m³/h at the
// reference pressure.
func leakageCdA(q float64) float64 {
	return q / 3600 / math.Sqrt(2*leakageRefPa/airDensity)
}
