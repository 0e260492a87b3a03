package control

import (
	"math"
	"time"
)

// avoidable follows how much of the staff area's avoidable smoke the fans
// leave there: what its staff breathe beyond what full extraction would
// leave, as a share of what the fans at their minimum would add. Where
// that share runs above avoidTarget (several booths sending smoke into one
// staff area, which each fan's own booth seldom asks to clear) the staff's
// smoke is priced higher (tighten), so every fan clears it sooner.
//
// Neither counterfactual is run; both follow from mass balances the law
// can measure. The staff area (volume V) takes in smoke at a rate L and
// loses it with the fans' air Q(u) and its own ventilation Qg:
// V·dE/dt = L − (Q(u)+Qg)·E. At another duty x, with the same L, the
// difference D = E_x − E obeys V·dD/dt = (Q(u)−Q_x)·E − (Q_x+Qg)·D + ΔL:
// a low-pass filter of the excess the law reads, with no derivative of
// noisy readings in it. ΔL is what the booths leak more (or less) at duty
// x: each booth's excess B follows the same balance with its own fans'
// air, and leaks c·B to the staff area. c and Qg are fitted to the staff
// area's own balance, V·dE/dt = c·B − (Q(u)+Qg)·E, from what its sensor
// reads while the booths hold smoke and while it clears.
//
// The estimate is rough. On ventbench's rooms the fitted leak is within
// a few percent of the simulated one (10 and 15 m³/h), the ventilation
// within a factor of two, and the share reads low, by up to about half,
// where the law reads the air right; far too low under outdoor smoke it
// takes for clean air (plume-arrives: 0.004 against 0.07). So it adds
// air freely (tighten) but takes little away (relax): only below a third
// of avoidTarget, at most to half the air's worth, and never the air that
// clears outdoor smoke (staffArea.gap). Where the staff keep almost none
// of the smoke the fans could remove (a tiny fan run near full all day,
// a relay held on by the staff's smoke) that air is bought for less.
type avoidable struct {
	dFull, dMin float64   // E_full − E and E_min − E, µg/m³
	bFull, bMin []float64 // each booth's B_full − B and B_min − B
	// Their filters' factors, kept (lowPass): the air through them
	// changes with the leak fit, a minute at least.
	kFull, kMin   expKept
	kbFull, kbMin []expKept
	act           ema // the staff excess, averaged over avoidTime
	full, least   ema // the same at full and at minimum duty
	age           time.Duration
	// tighten (avoidLow to 1) scales the staff excess that asks for
	// full speed.
	tighten float64
	// relax (1 to relaxHigh) scales the booth excess that asks for full
	// speed: where the staff keep far less of the avoidable smoke than
	// the goal allows, the booths' tails are bought at less air.
	relax float64

	// The booths' leak c and the staff area's own ventilation Qg (both
	// m³/h), fitted to the staff area's balance over each fitWindow:
	// V·ΔE + ∫Q·E dt = c·∫B dt − Qg·∫E dt (B: the booths' summed excess).
	fit      leakFit
	c, qg    float64
	win      fitWindowSums
	winStart time.Time
}

const (
	// avoidTarget is the share of the avoidable smoke above which the
	// staff's smoke is priced up: ventbench's goal is 5 % of the gap
	// between minimum and full duty, and the estimate reads low by up to
	// about half.
	avoidTarget = 0.03
	// avoidTime is what the share is judged over: a few hours of
	// sessions, the time scale of an 8 h TWA.
	avoidTime = 3 * time.Hour
	// avoidAdjust is how fast the price follows the share: slow against
	// a session and its tail, fast against a shift. The share is not
	// acted on before a first avoidAdjust of data.
	avoidAdjust = time.Hour
	// avoidLow is the most the price tightens: full speed at a quarter of
	// the staff excess it would otherwise take.
	avoidLow = 0.25
	// relaxBelow is the share below which the booths' price relaxes (and
	// the booth smoke in the staff air with it): a third of avoidTarget,
	// so a share that reads low by half (above) still leaves the staff
	// well under avoidTarget. At half avoidTarget, and at relaxHigh 3,
	// ventbench's staff TWA rose past its goal on faults-mixed (0.051)
	// and rooms fell from below the baselines' frontier to a tie.
	relaxBelow = avoidTarget / 3
	// relaxHigh is the most the booths' price relaxes: full speed at
	// this many times BoothFullExcess (and the staff's excess part at
	// this many times its price).
	relaxHigh = 2.0
	// avoidMinGap (µg/m³, averaged over avoidTime) is the least
	// difference between minimum and full duty a share is read from.
	avoidMinGap = 0.2
	// fitWindow is one term of the leak fit: long against the sensor's
	// noise in ΔE, short against a session.
	fitWindow = time.Minute
	// defaultStaffACH stands for the staff area's own ventilation until
	// it is measured.
	defaultStaffACH = 2.0
	// rangeTop is the SPS30's range: above it the shared guard sends any
	// law to full, so the minimum's booth cannot leak more than that.
	rangeTop = 1000.0
)

func newAvoidable() avoidable {
	return avoidable{tighten: 1, relax: 1,
		act: ema{tau: avoidTime}, full: ema{tau: avoidTime}, least: ema{tau: avoidTime}}
}

// boothAir is one booth for avoidable: its excess (µg/m³), volume (m³)
// and the fans' air through it now, at full and at minimum duty (m³/h).
type boothAir struct{ excess, vol, q, qFull, qMin float64 }

// step takes one period: the staff excess e that the fans could remove
// (µg/m³), whether the staff area holds a source of its own, the fans' air from the staff area now, at full and
// at minimum duty (m³/h), the staff area's volume (m³) and the booths.
func (a *avoidable) step(now time.Time, dt time.Duration, e float64, source bool, q, qFull, qMin, vol float64, booths []boothAir) {
	if vol <= 0 || dt <= 0 || math.IsNaN(e) {
		return
	}
	smoke := 0.0
	for _, b := range booths {
		if b.excess > 0 {
			smoke += b.excess
		}
	}
	a.learnLeak(now, dt, e, smoke, q, vol, source)
	c, qg := a.c, a.qg
	if len(a.bFull) != len(booths) {
		a.bFull, a.bMin = make([]float64, len(booths)), make([]float64, len(booths))
		a.kbFull, a.kbMin = make([]expKept, len(booths)), make([]expKept, len(booths))
	}
	leakFull, leakMin := 0.0, 0.0
	for i, b := range booths {
		if b.vol <= 0 || math.IsNaN(b.excess) {
			continue
		}
		ex := maxOf(b.excess, 0)
		a.bFull[i] = lowPassKept(a.bFull[i], (b.q-b.qFull)*ex, b.qFull+c, b.vol, dt, &a.kbFull[i])
		a.bMin[i] = lowPassKept(a.bMin[i], (b.q-b.qMin)*ex, b.qMin+c, b.vol, dt, &a.kbMin[i])
		leakFull += c * (maxOf(ex+a.bFull[i], 0) - ex)
		leakMin += c * (minOf(ex+a.bMin[i], rangeTop) - ex)
	}
	a.dFull = lowPassKept(a.dFull, (q-qFull)*e+leakFull, qFull+qg, vol, dt, &a.kFull)
	a.dMin = lowPassKept(a.dMin, (q-qMin)*e+leakMin, qMin+qg, vol, dt, &a.kMin)
	a.act.add(e, dt)
	a.full.add(maxOf(e+a.dFull, 0), dt)
	a.least.add(maxOf(e+a.dMin, e), dt)

	a.age += dt
	if r := a.share(); !math.IsNaN(r) && a.age >= avoidAdjust {
		a.tighten *= math.Exp((avoidTarget - r) / avoidTarget * dt.Seconds() / avoidAdjust.Seconds())
		a.tighten = clamp(a.tighten, avoidLow, 1)
		a.relax = relaxStep(a.relax, r, dt)
	}
}

// relaxStep moves the booths' price factor m by one period dt at share
// r: up while r is below relaxBelow, down while above, at a rate
// proportional to the distance (an e-fold in avoidAdjust at r = 0),
// within 1 and relaxHigh.
func relaxStep(m, r float64, dt time.Duration) float64 {
	m *= math.Exp((relaxBelow - r) / relaxBelow * dt.Seconds() / avoidAdjust.Seconds())
	return clamp(m, 1, relaxHigh)
}

// lowPass advances d by dt along V·dd/dt = in − out·d (in per hour, out
// in m³/h, V in m³), exactly for in and out held over dt.
func lowPass(d, in, out, vol float64, dt time.Duration) float64 {
	return lowPassKept(d, in, out, vol, dt, &expKept{})
}

// lowPassKept is lowPass, its exponential kept in k.
func lowPassKept(d, in, out, vol float64, dt time.Duration, k *expKept) float64 {
	if out <= 0 {
		return d + in*dt.Hours()/vol
	}
	f := k.exp(-out / vol * dt.Hours())
	return d*f + in/out*(1-f)
}

// share is the part of the avoidable smoke left in the staff area over the
// last avoidTime; NaN while there was too little of it to tell.
func (a *avoidable) share() float64 {
	gap := a.least.v - a.full.v
	if !a.act.ok || gap < avoidMinGap {
		return math.NaN()
	}
	return (a.act.v - a.full.v) / gap
}

// fitWindowSums is one fitWindow of the staff area's balance.
type fitWindowSums struct {
	e0, b, e, qe float64 // E at the start; ∫B, ∫E, ∫Q·E dt (dt in hours)
	skip         bool    // a source or a gap in the window: not used
}

// leakFit is the least-squares fit of y = c·x1 − Qg·x2 over fitWindows,
// older ones forgotten over avoidTime.
type leakFit struct{ s11, s12, s22, y1, y2 float64 }

func (f *leakFit) add(x1, x2, y, keep float64) {
	f.s11, f.s12, f.s22 = f.s11*keep+x1*x1, f.s12*keep+x1*x2, f.s22*keep+x2*x2
	f.y1, f.y2 = f.y1*keep+x1*y, f.y2*keep+x2*y
}

// solve returns c and Qg, both at least 0. Until both have been seen
// apart (booth smoke with the staff area clean, the staff area clearing
// with the booths quiet), Qg is taken as qgDefault.
func (f *leakFit) solve(qgDefault float64) (c, qg float64) {
	if f.s11 <= 0 {
		return 0, qgDefault
	}
	det := f.s11*f.s22 - f.s12*f.s12
	if f.s22 > 0 && det > 0.05*f.s11*f.s22 {
		c = (f.y1*f.s22 - f.y2*f.s12) / det
		qg = -(f.s11*f.y2 - f.s12*f.y1) / det
		switch {
		case qg < 0:
			return maxOf(f.y1/f.s11, 0), 0
		case c < 0:
			return 0, maxOf(-f.y2/f.s22, 0)
		}
		return c, qg
	}
	return maxOf((f.y1+qgDefault*f.s12)/f.s11, 0), qgDefault
}

// learnLeak adds this period to the window and, at its end, the window to
// the fit: e is the staff excess, smoke the booths' summed excess, q the
// fans' air (m³/h), vol the staff area's volume.
func (a *avoidable) learnLeak(now time.Time, dt time.Duration, e, smoke, q, vol float64, source bool) {
	if a.winStart.IsZero() || dt > fitWindow {
		a.winStart, a.win = now, fitWindowSums{e0: e}
		a.c, a.qg = a.fit.solve(defaultStaffACH * vol)
		return
	}
	h := dt.Hours()
	a.win.b += smoke * h
	a.win.e += e * h
	a.win.qe += q * e * h
	a.win.skip = a.win.skip || source
	if now.Sub(a.winStart) < fitWindow {
		return
	}
	if !a.win.skip {
		y := vol*(e-a.win.e0) + a.win.qe
		a.fit.add(a.win.b, a.win.e, y, math.Exp(-fitWindow.Seconds()/avoidTime.Seconds()))
		a.c, a.qg = a.fit.solve(defaultStaffACH * vol)
	}
	a.winStart, a.win = now, fitWindowSums{e0: e}
}
