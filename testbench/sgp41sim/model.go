package sgp41sim

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/ventd/ventd/clock"
)

// The raw signal model. The ticks are proportional to the logarithm of the
// sensing layer's resistance, and a MOx layer's resistance follows a power
// law of the gas concentration, so the signal moves linearly with
// log(concentration): VOCs reduce the layer and lower SRAW_VOC, NOx
// oxidises it and raises SRAW_NOX.
//
// The constants are chosen, not measured. Clean air (air.Clean: 50 ppb VOC,
// 5 ppb NOx) sits at the datasheets' typical baselines. The VOC slope is set
// by what Sensirion's VOC algorithm makes of it: it scales a deviation by
// the learned standard deviation plus 220 ticks, so in steady air about
// 150 ticks below the mean already reads 200. At 125 ticks per e-fold a
// unit that has learnt an hour of clean air reads, a minute into a step,
// about 135 at 100 ppb, 240 at 500 ppb, 330 at 2,000 ppb and 375 at
// 5,000 ppb: a smoking session is "a few hundred", and the index does not
// saturate at 500 for ordinary smoke.
const (
	vocBase  = 27000.0 // SRAW_VOC at vocClean
	vocClean = 50.0    // ppb
	vocKnee  = 20.0    // ppb: below this the layer hardly responds
	vocSlope = 125.0   // ticks per e-fold of (VOC + knee)

	noxBase  = 16000.0
	noxClean = 5.0
	noxKnee  = 5.0
	noxSlope = 900.0

	// Per-unit offsets (1σ), as between parts of one reel.
	vocUnitSD = 300.0
	noxUnitSD = 150.0

	// Residual error of the on-chip compensation when the humidity and
	// temperature sent differ from the true air, per %RH and per °C. Water
	// vapour lowers the MOx resistance, so humid air read as dry reads low.
	vocPerRH = 1.0
	vocPerC  = 0.5
	noxPerRH = 1.0
	noxPerC  = 0.5

	// An SGP41 measured without its 10 s of conditioning shows a NOx offset
	// that fades over minutes.
	noxSettle    = 2000.0
	noxSettleTau = 90 * time.Second
)

// signal is the state of the two pixels between measurements.
type signal struct {
	vocOffset, noxOffset float64
	voc, nox             float64 // lagged signal, ticks, before noise
	last                 time.Time
	valid                bool
	stuck                bool
	out                  [2]uint16 // last answer, repeated while stuck
	haveOut              bool
}

func (s *signal) unitOffsets(rng *rand.Rand) {
	s.vocOffset = rng.NormFloat64() * vocUnitSD
	s.noxOffset = rng.NormFloat64() * noxUnitSD
}

// reset forgets the layer's state: after the heater was off, the next
// measurement starts from the air as it is.
func (s *signal) reset() { s.valid = false }

// sense measures the air now with compensation words rhT and tT.
func (s *signal) sense(d *Device, now time.Time, rhT, tT uint16) (voc, nox uint16) {
	if s.stuck && s.haveOut {
		return s.out[0], s.out[1]
	}
	a := d.src.Air(now)
	compRH := float64(rhT) * 100 / 65535
	compT := float64(tT)*175/65535 - 45
	dRH, dT := a.Humidity-compRH, a.Temperature-compT

	tv := vocBase + s.vocOffset - vocSlope*math.Log((math.Max(a.VOC, 0)+vocKnee)/(vocClean+vocKnee)) -
		vocPerRH*dRH - vocPerC*dT
	tn := noxBase + s.noxOffset + noxSlope*math.Log((math.Max(a.NOx, 0)+noxKnee)/(noxClean+noxKnee)) -
		noxPerRH*dRH - noxPerC*dT

	if !s.valid {
		s.voc, s.nox, s.valid = tv, tn, true
	} else if dt := clock.Sub(now, s.last); dt > 0 {
		k := 1 - math.Exp(-dt.Seconds()/d.o.ResponseTime.Seconds())
		s.voc += (tv - s.voc) * k
		s.nox += (tn - s.nox) * k
	}
	s.last = now

	n := d.o.Noise
	v := s.voc + d.rng.NormFloat64()*n
	x := s.nox + d.rng.NormFloat64()*n
	if d.measuring {
		x += d.settleAmp * math.Exp(-now.Sub(d.measureStart).Seconds()/noxSettleTau.Seconds())
	}
	s.out = [2]uint16{clampTicks(v), clampTicks(x)}
	s.haveOut = true
	return s.out[0], s.out[1]
}

func clampTicks(v float64) uint16 {
	return uint16(math.Round(math.Min(math.Max(v, 0), 65535)))
}
