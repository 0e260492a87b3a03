package room

import (
	"math"
	"time"

	"github.com/ventd/ventd/testbench/air"
)

// Species carried per zone. Particles are size bands, not cumulative
// fractions, so each band can deposit at its own rate.
const (
	bandPM1  = iota // below 1 µm, µg/m³
	bandPM25        // 1–2.5 µm
	bandPM4         // 2.5–4 µm
	bandPM10        // 4–10 µm
	gasCO2          // ppm
	gasVOC          // ppb ethanol-equivalent
	gasNOx          // ppb NO2-equivalent
	nSpecies
)

// conc is one zone's concentrations, indexed by the species above.
type conc [nSpecies]float64

// Smoke is mostly fine: sidestream smoke's mass median diameter is a few
// tenths of a micron. These are the cumulative fractions relative to PM2.5.
const (
	smokePM1  = 0.90
	smokePM4  = 1.03
	smokePM10 = 1.05
)

// Per-person emissions. CO2: DESIGN.md (about 0.005 L/s at light activity).
// VOC: human bioeffluents (acetone, isoprene, skin oils) are a few mg/h.
const (
	CO2PerPersonLPerS  = 0.005
	VOCPerPersonMgPerH = 2.0
)

// Occupants warm and humidify their zone a little; the walls and the
// ventilation take most of it, so the effect is small and slow.
const (
	degCPerPerson   = 0.3
	rhPerPerson     = 1.0
	thermalLag      = 15 * time.Minute
	baseTemperature = 21.0
	baseHumidity    = 45.0
)

// µg/m³ per ppb at 25 °C and 1 atm (24.45 L/mol): ethanol (46.07 g/mol),
// which the SGP41's VOC signal is scaled to, and NO2 (46.01 g/mol).
const (
	ugPerPPBVOC = 46.07 / 24.45
	ugPerPPBNOx = 46.01 / 24.45
)

// Session is one person smoking in a zone.
type Session struct {
	// PM25MgPerMin is the PM2.5 emitted; PM1, PM4 and PM10 follow smoke's
	// size mix. Drug pipes: 1–5 mg/min is the working estimate; a cigarette
	// burns about 5 mg/min.
	PM25MgPerMin float64
	// VOCMgPerMin is volatile organics, ethanol-equivalent.
	VOCMgPerMin float64
	// NOxMgPerMin is nitrogen oxides, NO2-equivalent.
	NOxMgPerMin float64
	// CO2LPerS is the smoker's breath and the lighter's flame.
	CO2LPerS float64
	// Duration ends the session on its own; 0 runs until StopSession.
	Duration time.Duration
}

// TypicalSession is a pipe session emitting pm25MgPerMin of PM2.5 for d,
// with VOC and NOx in rough proportion to the particles (no measurements of
// drug smoke exist; these follow tobacco sidestream smoke in order of
// magnitude) and the CO2 of one person plus a small butane flame.
func TypicalSession(pm25MgPerMin float64, d time.Duration) Session {
	return Session{
		PM25MgPerMin: pm25MgPerMin,
		VOCMgPerMin:  0.5 * pm25MgPerMin,
		NOxMgPerMin:  0.1 * pm25MgPerMin,
		CO2LPerS:     CO2PerPersonLPerS + 0.0025,
		Duration:     d,
	}
}

// sanitized returns s with negative or NaN rates set to zero, since the
// control inputs have no error to report them with.
func (s Session) sanitized() Session {
	for _, p := range []*float64{&s.PM25MgPerMin, &s.VOCMgPerMin, &s.NOxMgPerMin, &s.CO2LPerS} {
		if !(*p >= 0) || math.IsInf(*p, 0) {
			*p = 0
		}
	}
	if s.Duration < 0 {
		s.Duration = 0
	}
	return s
}

// emission returns the session's source strength per species, in species
// units × m³ per hour.
func (s Session) emission() conc {
	pm := s.PM25MgPerMin * 1000 * 60 // µg/h
	return conc{
		bandPM1:  pm * smokePM1,
		bandPM25: pm * (1 - smokePM1),
		bandPM4:  pm * (smokePM4 - 1),
		bandPM10: pm * (smokePM10 - smokePM4),
		gasCO2:   s.CO2LPerS * 3.6e6, // L/s → m³/h → ppm·m³/h
		gasVOC:   s.VOCMgPerMin * 1000 * 60 / ugPerPPBVOC,
		gasNOx:   s.NOxMgPerMin * 1000 * 60 / ugPerPPBNOx,
	}
}

// occupantEmission is the source strength of n people.
func occupantEmission(n int) conc {
	var g conc
	g[gasCO2] = float64(n) * CO2PerPersonLPerS * 3.6e6
	g[gasVOC] = float64(n) * VOCPerPersonMgPerH * 1000 / ugPerPPBVOC
	return g
}

// toConc splits air into size bands and gases. Bands that come out
// negative (inconsistent cumulative fractions) are clipped to zero.
func toConc(s air.State) conc {
	return conc{
		bandPM1:  math.Max(s.PM1, 0),
		bandPM25: math.Max(s.PM25-s.PM1, 0),
		bandPM4:  math.Max(s.PM4-s.PM25, 0),
		bandPM10: math.Max(s.PM10-s.PM4, 0),
		gasCO2:   math.Max(s.CO2, 0),
		gasVOC:   math.Max(s.VOC, 0),
		gasNOx:   math.Max(s.NOx, 0),
	}
}

// state turns bands back into the cumulative fractions a sensor reports.
func (c conc) state(tempC, rh float64) air.State {
	return air.State{
		PM1:         c[bandPM1],
		PM25:        c[bandPM1] + c[bandPM25],
		PM4:         c[bandPM1] + c[bandPM25] + c[bandPM4],
		PM10:        c[bandPM1] + c[bandPM25] + c[bandPM4] + c[bandPM10],
		CO2:         c[gasCO2],
		VOC:         c[gasVOC],
		NOx:         c[gasNOx],
		Temperature: tempC,
		Humidity:    rh,
	}
}
