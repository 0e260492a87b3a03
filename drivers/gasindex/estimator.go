package gasindex

// estimator is the reference's mean/variance estimator: it learns the raw
// signal's usual level (mean, kept as offset + small remainder so float32
// keeps its precision) and spread (std).
//
// Products that feed an addition are wrapped in float32(...) throughout this
// file and lowpass: the explicit conversion stops Go from fusing them into an
// FMA on arm64, which would round differently from the C reference.
type estimator struct {
	initialized bool
	mean        float32 // relative to srawOffset
	srawOffset  float32
	std         float32

	// Learning rates from the tuning: long-term and initial.
	gammaMean, gammaVariance               float32
	gammaInitialMean, gammaInitialVariance float32
	// Learning rates for the current step, after start-up blend and gating.
	stepGammaMean, stepGammaVariance float32

	uptimeGamma   float32 // s of learning; selects initial vs long-term rates
	uptimeGating  float32 // s since gating was last forced open
	gatingMinutes float32 // how long gating has held, net of the allowed ratio
}

func (e *estimator) setParameters(a *Algorithm) {
	hours := a.interval / 3600
	e.initialized = false
	e.mean = 0
	e.srawOffset = 0
	e.std = a.stdInitial
	e.gammaMean = ((additionalGammaMeanScaling * gammaScaling) * hours) / (a.tauMeanHours + hours)
	e.gammaVariance = (gammaScaling * hours) / (a.tauVarianceHours + hours)
	tauInitialMean := tauInitialMeanVOC
	if a.kind == NOx {
		tauInitialMean = tauInitialMeanNOx
	}
	e.gammaInitialMean = ((additionalGammaMeanScaling * gammaScaling) * a.interval) / (tauInitialMean + a.interval)
	e.gammaInitialVariance = (gammaScaling * a.interval) / (tauInitialVariance + a.interval)
	e.stepGammaMean = 0
	e.stepGammaVariance = 0
	e.uptimeGamma = 0
	e.uptimeGating = 0
	e.gatingMinutes = 0
}

// getMean is the learned mean in the reference's units (ticks above the
// signal minimum): its state0.
func (e *estimator) getMean() float32 { return e.mean + e.srawOffset }

// sigmoid is the estimator's logistic step: near 1 well below x0, near 0 well
// above it, with steepness k.
func sigmoid(x0, k, sample float32) float32 {
	x := k * (sample - x0)
	if x < -50 {
		return 1
	} else if x > 50 {
		return 0
	}
	return 1 / (1 + expf(x))
}

// calculateGamma sets this step's learning rates: fast at start-up, slow
// afterwards, and near zero while the index is above the gating threshold
// (an event is not usual air), unless gating has held too long.
func (e *estimator) calculateGamma(a *Algorithm) {
	uptimeLimit := fix16Max - a.interval
	if e.uptimeGamma < uptimeLimit {
		e.uptimeGamma = e.uptimeGamma + a.interval
	}
	if e.uptimeGating < uptimeLimit {
		e.uptimeGating = e.uptimeGating + a.interval
	}
	p := &a.p
	sigmoidGammaMean := sigmoid(p.initDurationMean, initTransitionMean, e.uptimeGamma)
	gammaMean := e.gammaMean + float32((e.gammaInitialMean-e.gammaMean)*sigmoidGammaMean)
	gatingThresholdMean := p.gatingThreshold +
		float32((gatingThresholdInitial-p.gatingThreshold)*sigmoid(p.initDurationMean, initTransitionMean, e.uptimeGating))
	sigmoidGatingMean := sigmoid(gatingThresholdMean, gatingThresholdTransition, a.index)
	e.stepGammaMean = sigmoidGatingMean * gammaMean

	sigmoidGammaVariance := sigmoid(p.initDurationVariance, initTransitionVariance, e.uptimeGamma)
	gammaVariance := e.gammaVariance +
		float32((e.gammaInitialVariance-e.gammaVariance)*(sigmoidGammaVariance-sigmoidGammaMean))
	gatingThresholdVariance := p.gatingThreshold +
		float32((gatingThresholdInitial-p.gatingThreshold)*sigmoid(p.initDurationVariance, initTransitionVariance, e.uptimeGating))
	sigmoidGatingVariance := sigmoid(gatingThresholdVariance, gatingThresholdTransition, a.index)
	e.stepGammaVariance = sigmoidGatingVariance * gammaVariance

	e.gatingMinutes = e.gatingMinutes +
		float32((a.interval/60)*(float32((1-sigmoidGatingMean)*(1+gatingMaxRatio))-gatingMaxRatio))
	if e.gatingMinutes < 0 {
		e.gatingMinutes = 0
	}
	if e.gatingMinutes > a.gatingMaxMinutes {
		e.uptimeGating = 0
	}
}

func (e *estimator) process(a *Algorithm, sraw float32) {
	if !e.initialized {
		e.initialized = true
		e.srawOffset = sraw
		e.mean = 0
		return
	}
	if e.mean >= 100 || e.mean <= -100 {
		e.srawOffset = e.srawOffset + e.mean
		e.mean = 0
	}
	sraw = sraw - e.srawOffset
	e.calculateGamma(a)
	delta := (sraw - e.mean) / gammaScaling
	var c float32
	if delta < 0 {
		c = e.std - delta
	} else {
		c = e.std + delta
	}
	var scale float32 = 1
	if c > 1440 {
		scale = (c / 1440) * (c / 1440)
	}
	e.std = sqrtf(scale*(gammaScaling-e.stepGammaVariance)) *
		sqrtf(float32(e.std*(e.std/(gammaScaling*scale)))+float32(((e.stepGammaVariance*delta)/scale)*delta))
	e.mean = e.mean + (e.stepGammaMean*delta)/additionalGammaMeanScaling
}

// lowpass is the reference's adaptive low-pass filter: it follows fast
// changes with a 20 s time constant and smooths a steady signal with up to
// 500 s.
type lowpass struct {
	a1, a2      float32
	initialized bool
	x1, x2, x3  float32
}

func (l *lowpass) setParameters(interval float32) {
	l.a1 = interval / (lpTauFast + interval)
	l.a2 = interval / (lpTauSlow + interval)
	l.initialized = false
}

func (l *lowpass) process(interval, sample float32) float32 {
	if !l.initialized {
		l.x1, l.x2, l.x3 = sample, sample, sample
		l.initialized = true
	}
	l.x1 = float32((1-l.a1)*l.x1) + float32(l.a1*sample)
	l.x2 = float32((1-l.a2)*l.x2) + float32(l.a2*sample)
	absDelta := l.x1 - l.x2
	if absDelta < 0 {
		absDelta = -1 * absDelta
	}
	f1 := expf(lpAlpha * absDelta)
	tauA := float32((lpTauSlow-lpTauFast)*f1) + lpTauFast
	a3 := interval / (interval + tauA)
	l.x3 = float32((1-a3)*l.x3) + float32(a3*sample)
	return l.x3
}
