package control

import (
	"math"
	"time"

	"github.com/ventd/ventd/sample"
)

// outdoorAir is what an outdoor (or supply-air) PM2.5 sensor tells the
// law: how the staff area's clean air is moving. Without one, the law can
// only carry on through a session the trend it saw in quiet air, and on a
// day whose outdoor air comes and goes it cannot tell a rise from the
// tail of a session. With one, the staff area's clean air is taken to move
// as the outdoor air does, seen through the staff area's own air change
// (a lag) and its filtering and deposition (a gain).
//
// The lag is the staff area's air change: the fans' air (known from their
// duty and rated flow) and its general ventilation (not configured: one of
// a few candidates, generalACH). The gain is not configured either. Both
// are learned in quiet air, minute by minute, from the staff level against
// the outdoor air lagged through each candidate: the candidate whose
// straight line (gain and offset: sensor error, the room's own dust)
// leaves the least of the staff level unexplained is used; its gain is
// the least-squares slope, drawn toward gainPrior until the outdoor air
// has moved enough to say. Until then the gain is uncertain, and the
// law takes the side that keeps booth smoke in sight: a rise moves the
// clean air by the gain's low end, a fall by its high end. A clean air
// rising too fast would hide the smoke under it; one rising too slowly
// chases a little outdoor air, as the law without the sensor chased all
// of it.
type outdoorAir struct {
	ok   bool
	out  ema       // the outdoor PM2.5, smoothed
	lag  []float64 // out through each of generalACH
	prev []float64 // lag at the last period, for this period's step
	// lagRate keeps each lag's factors: the fans' air changes with
	// their duty, which often holds.
	lagRate []expKept
	// The minute in progress: when it started, and whether it stayed
	// quiet.
	minStart time.Duration
	quiet    bool
	// The fit's sums over quiet minutes, per candidate, fading over
	// fitTime: Σ1, Σx, Σy, Σx², Σxy, Σy².
	sw, sx, sy, sxx, sxy, syy []float64
	age                       time.Duration
}

// generalACH are the staff area's own ventilation (air changes per hour
// besides the fans') the law chooses among: a sealed room to a well
// ventilated one.
var generalACH = []float64{1, 2, 4, 8}

const (
	// gainPrior is the gain assumed before the outdoor air has moved: at
	// a few air changes an hour a staff area keeps nearly all the outdoor
	// PM2.5 it takes in (deposition removes a few per cent an hour); a
	// filtered supply keeps less, which the fit learns.
	gainPrior = 1.0
	// gainBand is how far the gain may be from gainPrior before the
	// outdoor air has moved: a supply filter keeps less, the two sensors'
	// unit error moves it either way.
	gainBand = 0.15
	// priorWeight is how much outdoor movement (Σ(x − x̄)² over quiet
	// minutes, (µg/m³)²) weighs as much as gainPrior: outdoor air some
	// 5 µg/m³ from its mean for 40 quiet minutes. Less than that is
	// within what the staff level's noise and the last of a session's
	// smoke can fake: 2 µg/m³ of outdoor change on a steady day taught a
	// gain of 0.39 where the room keeps all of it, and the next plume was
	// chased as smoke.
	priorWeight = 1000
	// fitTime is how long the fit remembers: a day's weather, not a
	// season's (a filter clogs, a window is opened for the summer).
	fitTime = 12 * time.Hour
	// defaultACH (an index into generalACH) is used until one candidate
	// has explained more than the others: 4 air changes an hour, a
	// typical office's outdoor air.
	defaultACH = 2
)

func newOutdoorAir() outdoorAir {
	n := len(generalACH)
	f := func() []float64 { return make([]float64, n) }
	return outdoorAir{out: ema{tau: time.Minute}, lag: f(), prev: f(), lagRate: make([]expKept, n),
		sw: f(), sx: f(), sy: f(), sxx: f(), sxy: f(), syy: f()}
}

// read takes this period's outdoor samples: the mean of the trusted ones.
// With none trusted the law goes on without (ok false). fanACH is the air
// changes an hour the fans give the staff area at their present duty.
func (o *outdoorAir) read(now time.Time, in map[string]sample.Sample, names []string, fanACH float64, dt time.Duration, t Tuning) {
	sum, n := 0.0, 0
	for _, name := range names {
		if smp, ok := in[name]; ok && smp.Valid(now, t.MaxAge) {
			sum += smp.Value
			n++
		}
	}
	wasOK := o.ok
	o.ok = n > 0
	if !o.ok {
		return
	}
	o.out.add(sum/float64(n), dt)
	copy(o.prev, o.lag)
	for i, ach := range generalACH {
		if !wasOK || o.age == 0 {
			o.lag[i] = o.out.v // (re)starting: no step out of nothing
		} else {
			o.lag[i] += (o.out.v - o.lag[i]) * (1 - o.lagRate[i].exp(-dt.Hours()*(fanACH+ach)))
		}
	}
	if !wasOK {
		copy(o.prev, o.lag)
		o.quiet = false // a minute with a gap in it is not fitted
	}
	o.age += dt
}

// best is the candidate whose line leaves the least of the staff level
// unexplained, and its gain.
func (o *outdoorAir) best() (int, float64) {
	bi, least := defaultACH, math.Inf(1)
	for i := range generalACH {
		sxx, sxy, syy := o.centred(i)
		if sxx <= 0 {
			continue
		}
		g := o.gain(i)
		if left := syy - 2*g*sxy + g*g*sxx; left < least {
			bi, least = i, left
		}
	}
	return bi, o.gain(bi)
}

// centred returns candidate i's sums about their means: Σ(x−x̄)²,
// Σ(x−x̄)(y−ȳ), Σ(y−ȳ)².
func (o *outdoorAir) centred(i int) (sxx, sxy, syy float64) {
	w := o.sw[i]
	if w <= 0 {
		return 0, 0, 0
	}
	mx, my := o.sx[i]/w, o.sy[i]/w
	return max(o.sxx[i]-w*mx*mx, 0), o.sxy[i] - w*mx*my, max(o.syy[i]-w*my*my, 0)
}

// gain is candidate i's least-squares slope, drawn toward gainPrior,
// within 0..1.5 (a staff area cannot keep more outdoor smoke than it
// takes in, beyond the two sensors' unit error).
func (o *outdoorAir) gain(i int) float64 {
	sxx, sxy, _ := o.centred(i)
	return clamp((sxy+priorWeight*gainPrior)/(sxx+priorWeight), 0, 1.5)
}

// step is how far the staff area's clean air moved this period by the
// outdoor air: the chosen candidate's step times its gain, at the low end
// of what the gain may be for a rise and the high end for a fall.
func (o *outdoorAir) step() float64 {
	if !o.ok {
		return 0
	}
	i, g := o.best()
	d := o.lag[i] - o.prev[i]
	sxx, _, _ := o.centred(i)
	band := gainBand * priorWeight / (sxx + priorWeight)
	if d > 0 {
		return max(g-band, 0) * d
	}
	return (g + band) * d
}

// fit adds this period to the minute in progress; quiet says the staff
// level is the clean air alone (no booth smoke in it, no tail left). A
// minute quiet throughout adds its last level, against each candidate's
// lagged outdoor air, to the fit.
func (o *outdoorAir) fit(level float64, quiet bool) {
	if !o.ok || math.IsNaN(level) {
		o.quiet = false
		return
	}
	o.quiet = o.quiet && quiet
	if o.age-o.minStart < time.Minute {
		return
	}
	if o.quiet {
		fade := 1 - follow(o.age-o.minStart, fitTime)
		for i, x := range o.lag {
			o.sw[i] = o.sw[i]*fade + 1
			o.sx[i] = o.sx[i]*fade + x
			o.sy[i] = o.sy[i]*fade + level
			o.sxx[i] = o.sxx[i]*fade + x*x
			o.sxy[i] = o.sxy[i]*fade + x*level
			o.syy[i] = o.syy[i]*fade + level*level
		}
	}
	o.minStart, o.quiet = o.age, quiet
}
