package gasindex

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Kind says which of the two signals an Algorithm processes.
type Kind int

const (
	VOC Kind = iota // VOC Index from SRAW_VOC; 100 is the learned usual air.
	NOx             // NOx Index from SRAW_NOX; 1 is the learned usual air.
)

func (k Kind) String() string {
	switch k {
	case VOC:
		return "voc"
	case NOx:
		return "nox"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// MarshalText writes "voc" or "nox", so saved states stay readable.
func (k Kind) MarshalText() ([]byte, error) {
	if k != VOC && k != NOx {
		return nil, fmt.Errorf("gasindex: unknown algorithm kind %d", int(k))
	}
	return []byte(k.String()), nil
}

// UnmarshalText accepts "voc" or "nox" in any case.
func (k *Kind) UnmarshalText(b []byte) error {
	switch strings.ToLower(string(b)) {
	case "voc":
		*k = VOC
	case "nox":
		*k = NOx
	default:
		return fmt.Errorf("gasindex: unknown algorithm kind %q (want \"voc\" or \"nox\")", b)
	}
	return nil
}

// The reference's constants. They are variables, not constants, on purpose:
// Go evaluates constant expressions exactly and rounds once, whereas C rounds
// every float operation, so an expression like 1 + gatingMaxRatio must be
// computed at run time to give the reference's float32 result.
var (
	initialBlackout            float32 = 45
	srawStdBonusVOC            float32 = 220
	srawStdNOx                 float32 = 2000
	tauInitialMeanVOC          float32 = 20
	tauInitialMeanNOx          float32 = 1200
	initTransitionMean         float32 = 0.01
	tauInitialVariance         float32 = 2500
	initTransitionVariance     float32 = 0.01
	gatingThresholdInitial     float32 = 510
	gatingThresholdTransition  float32 = 0.09
	gatingMaxRatio             float32 = 0.3
	sigmoidL                   float32 = 500
	lpTauFast                  float32 = 20
	lpTauSlow                  float32 = 500
	lpAlpha                    float32 = -0.2
	persistenceUptimeGamma     float32 = 3 * 3600
	gammaScaling               float32 = 64
	additionalGammaMeanScaling float32 = 8
	fix16Max                   float32 = 32767
)

// Per-kind constants of the reference.
type kindParams struct {
	srawMinimum          int32
	initDurationMean     float32 // s
	initDurationVariance float32 // s
	gatingThreshold      float32 // index
	sigmoidK, sigmoidX0  float32
	offsetDefault        float32
	tauInitialMean       float32 // s
}

var params = [...]kindParams{
	VOC: {20000, 3600 * 0.75, 3600 * 1.45, 340, -0.0065, 213, 100, 20},
	NOx: {10000, 3600 * 4.75, 3600 * 5.70, 30, -0.0101, 614, 1, 1200},
}

// Algorithm is one instance of the gas index algorithm: one per signal per
// sensor. It is not safe for concurrent use; the driver that reads the sensor
// owns it.
type Algorithm struct {
	kind     Kind
	p        kindParams
	interval float32 // s
	learning bool

	// Tuning, in the reference's float form.
	indexOffset      float32
	indexGain        float32
	tauMeanHours     float32
	tauVarianceHours float32
	gatingMaxMinutes float32
	stdInitial       float32

	uptime float32 // s since reset, counted only through the blackout
	sraw   float32 // last valid raw signal minus the minimum
	index  float32 // last index before rounding; gates the estimator

	est estimator
	// The mean and deviation the mox model normalises by: the estimator's,
	// copied after each update as the reference does.
	moxMean, moxStd float32
	lp              lowpass
}

// NewVOC returns a VOC Index algorithm for samples taken every
// samplingInterval (zero means the SGP4x default of 1 s; Sensirion tested
// 1 s and 10 s). It panics on a negative interval, a programming error.
func NewVOC(samplingInterval time.Duration) *Algorithm { return newAlgorithm(VOC, samplingInterval) }

// NewNOx returns a NOx Index algorithm; see NewVOC for samplingInterval.
func NewNOx(samplingInterval time.Duration) *Algorithm { return newAlgorithm(NOx, samplingInterval) }

func newAlgorithm(k Kind, interval time.Duration) *Algorithm {
	if interval < 0 {
		panic(fmt.Sprintf("gasindex: New%s: negative sampling interval %v; pass the sensor's measurement period, e.g. time.Second", k, interval))
	}
	if interval == 0 {
		interval = time.Second
	}
	a := &Algorithm{kind: k, p: params[k], interval: float32(interval.Seconds()), learning: true}
	a.setTuning(DefaultTuning(k))
	a.Reset()
	return a
}

// Kind reports which signal a processes.
func (a *Algorithm) Kind() Kind { return a.kind }

// SamplingInterval is the interval a was built for.
func (a *Algorithm) SamplingInterval() time.Duration {
	return time.Duration(float64(a.interval) * float64(time.Second))
}

// String names the algorithm, e.g. "gasindex(voc, 1s)".
func (a *Algorithm) String() string {
	return fmt.Sprintf("gasindex(%s, %v)", a.kind, a.SamplingInterval())
}

// Reset forgets everything learned and restarts the blackout, keeping the
// tuning. Sensirion advises it after an interruption of measurements longer
// than a few minutes that is not bridged with SetState.
func (a *Algorithm) Reset() {
	a.uptime = 0
	a.sraw = 0
	a.index = 0
	a.initInstances()
}

// initInstances is the reference's GasIndexAlgorithm__init_instances.
func (a *Algorithm) initInstances() {
	a.est.setParameters(a)
	a.moxStd, a.moxMean = a.est.std, a.est.getMean()
	a.lp.setParameters(a.interval)
}

// SetLearning turns adaptation of the learned baseline on (the default) or off.
//
// While off, Process still computes the index against the baseline learned so
// far, but the mean/variance estimator does not move: no update of mean or
// deviation, and its uptime and gating clocks stand still. This is for known
// emission events — a smoking session in the booth, a purge — that the
// estimator would otherwise partly learn as usual air: its own gating freezes
// it only while the index is high, and only for 3 h, so a long smoky day
// drags the baseline up and later smoke reads lower. Freezing is done by
// skipping the estimator rather than by forcing its gating sigmoids to zero
// (the nevermore-controller hack that klipper-sgp40 PR #13 tried), which also
// advances the gating-duration clock and, as that PR found, is easy to get
// wrong in a way that pegs the output.
//
// The one exception: the estimator still takes its first sample after the
// blackout as its starting baseline, because without one there is no index
// at all. Pair freezing with SetState restoring a clean-air baseline.
func (a *Algorithm) SetLearning(on bool) { a.learning = on }

// Learning reports whether the baseline adapts; see SetLearning.
func (a *Algorithm) Learning() bool { return a.learning }

// Process takes one raw signal sample (SRAW_VOC or SRAW_NOX ticks, humidity
// compensated by the sensor) and returns the index: 0 during the initial
// blackout, then 1..500. Call it once per sampling interval. Samples of 0 or
// 65000 and above are treated as missing and the previous one is reused.
func (a *Algorithm) Process(sraw int32) int32 {
	if a.uptime <= initialBlackout {
		a.uptime = a.uptime + a.interval
	} else {
		if sraw > 0 && sraw < 65000 {
			if sraw < a.p.srawMinimum+1 {
				sraw = a.p.srawMinimum + 1
			} else if sraw > a.p.srawMinimum+32767 {
				sraw = a.p.srawMinimum + 32767
			}
			a.sraw = float32(sraw - a.p.srawMinimum)
		}
		if a.kind == VOC || a.est.initialized {
			a.index = a.sigmoidScaled(a.moxModel(a.sraw))
		} else {
			a.index = a.indexOffset
		}
		a.index = a.lp.process(a.interval, a.index)
		if a.index < 0.5 {
			a.index = 0.5
		}
		if a.sraw > 0 && (a.learning || !a.est.initialized) {
			a.est.process(a, a.sraw)
			a.moxStd, a.moxMean = a.est.std, a.est.getMean()
		}
	}
	return int32(a.index + 0.5)
}

// moxModel normalises the raw signal by the learned mean and deviation.
func (a *Algorithm) moxModel(sraw float32) float32 {
	if a.kind == NOx {
		return ((sraw - a.moxMean) / srawStdNOx) * a.indexGain
	}
	return ((sraw - a.moxMean) / (-1 * (a.moxStd + srawStdBonusVOC))) * a.indexGain
}

// sigmoidScaled maps the normalised signal onto 0..500 so that the learned
// mean lands on the index offset.
func (a *Algorithm) sigmoidScaled(sample float32) float32 {
	x := a.p.sigmoidK * (sample - a.p.sigmoidX0)
	switch {
	case x < -50:
		return sigmoidL
	case x > 50:
		return 0
	case sample >= 0:
		var shift float32
		if a.p.offsetDefault == 1 {
			shift = (float32(500) / float32(499)) * (1 - a.indexOffset)
		} else {
			shift = (sigmoidL - float32(5*a.indexOffset)) / 4
		}
		return ((sigmoidL + shift) / (1 + expf(x))) - shift
	default:
		return (a.indexOffset / a.p.offsetDefault) * (sigmoidL / (1 + expf(x)))
	}
}

// expf and sqrtf stand in for C's float functions. sqrt through float64 is
// exactly sqrtf (correctly rounded); exp through float64 is correctly rounded
// except in rare near-ties, where glibc's expf may differ by one bit.
func expf(x float32) float32  { return float32(math.Exp(float64(x))) }
func sqrtf(x float32) float32 { return float32(math.Sqrt(float64(x))) }
