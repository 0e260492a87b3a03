package control

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/sample"
)

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// world is the input a law sees, made by the simplest physics that has the
// features the law relies on: a well-mixed booth and staff area
// (DESIGN.md's dC/dt = G/V − (Q/V)(C − C_in)) coupled by the fan's
// transfer air and a leak, the fan's flow following its duty, outdoor air
// through the staff area's own ventilation, and sensors with a gain, an
// offset, a 3 s lag and noise. It is the tests' signal generator, stepped
// a second at a time; the law under test closes the loop through the fan.
type world struct {
	t   *testing.T
	law Law
	p   Params
	now time.Time
	rng *rand.Rand

	boothV, staffV       float64 // m³
	flow                 float64 // m³/h at full duty
	leak, staffVent      float64 // m³/h
	outdoor              float64 // µg/m³
	staffSource          float64 // µg/s of PM2.5 emitted in the staff area (a pipe lit there)
	source               float64 // µg/s into the booth
	booth, staff         float64 // true µg/m³
	boothRead, staffRead float64 // lagged sensor state
	boothGain, boothOff  float64
	staffOff             float64 // a staff sensor reading high (drift, a smoker beside it)
	noise                float64 // sd, µg/m³
	relNoise             float64 // and this share of the reading (an SPS30's grows with the level)
	// boothRange is the booth sensor's specified range (0: none): a
	// reading above it comes as out of range, above range (ErrAboveRange).
	boothRange float64
	// What the sensors send; a test can override a quality or freeze one.
	boothQuality, staffQuality sample.Quality
	staffFrozen                bool    // the staff sensor repeats its last reading, fresh each second
	staffSent                  float64 // the staff sensor's last reading
	boothFrozen                bool    // the booth sensor repeats boothFrozenAt, fresh each second
	boothFrozenAt              float64
	flowFactor                 float64 // a clogged filter: < 1
	boothStale                 bool    // the booth sensor's samples stop coming
	boothSeen                  time.Time
	duty                       float64
	relay                      bool          // the fan is on a relay: full at duty ≥ SwitchDuty, else off
	period                     time.Duration // the control period (1 s)
	fullPa                     float64       // booth pressure at full flow
	trace                      []Decision
}

// simParams is ParamsFor(config.Sim()) with config edits applied first.
func simParams(t *testing.T, edit func(*config.Config)) Params {
	t.Helper()
	cfg := config.Sim()
	if edit != nil {
		edit(cfg)
	}
	p, err := ParamsFor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func newWorld(t *testing.T, p Params) *world {
	t.Helper()
	law, err := NewRoom(p)
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, law: law, p: p, now: t0, rng: rand.New(rand.NewPCG(1, 2)),
		boothV: p.Booths[0].VolumeM3, staffV: 60, flow: p.Fans[0].MaxFlowM3h, leak: 10, staffVent: 240,
		outdoor: 8, booth: 8, staff: 8, boothRead: 8, staffRead: 8, boothGain: 1, flowFactor: 1, duty: p.Fans[0].SafeDuty,
		noise: sps30Noise, relNoise: sps30RelNoise, period: time.Second, fullPa: -15}
	return w
}

// run steps the world and the law for d, one second at a time, and returns
// the last decision of the first fan.
func (w *world) run(d time.Duration) Decision {
	for end := w.now.Add(d); w.now.Before(end); {
		for next := w.now.Add(w.period); w.now.Before(next); {
			w.step()
		}
		w.decide()
	}
	return w.trace[len(w.trace)-1]
}

// air is the share of its full flow the fan moves.
func (w *world) air() float64 {
	switch {
	case !w.relay:
		return w.duty
	case w.duty >= SwitchDuty:
		return 1
	}
	return 0
}

// step advances the room and the sensors by a second.
func (w *world) step() {
	const dt = 1.0                              // s
	q := w.flow * w.air() * w.flowFactor / 3600 // m³/s
	leak, vent := w.leak/3600, w.staffVent/3600
	db := w.source/w.boothV + (q+leak)*(w.staff-w.booth)/w.boothV
	ds := (w.staffSource + leak*(w.booth-w.staff) + (vent+q)*(w.outdoor-w.staff)) / w.staffV
	w.booth += db * dt
	w.staff += ds * dt
	a := 1 - math.Exp(-dt/3)
	w.boothRead += a * (w.booth - w.boothRead)
	w.staffRead += a * (w.staff - w.staffRead)
	w.now = w.now.Add(time.Second)
	if !w.boothStale {
		w.boothSeen = w.now
	}
}

// decide gives the law the latest samples and applies its decision.
func (w *world) decide() {
	noise := func(v float64) float64 {
		return (w.noise + w.relNoise*v) * math.Max(-2, math.Min(2, w.rng.NormFloat64()))
	}
	// An SPS30 sends IEEE single-precision floats, clamped at the bottom
	// of its range.
	read := func(v float64) float64 { return float64(float32(math.Max(v+noise(v), 0))) }
	booth := read(w.boothRead*w.boothGain + w.boothOff)
	if w.boothFrozen {
		booth = w.boothFrozenAt
	}
	staff := read(w.staffRead + w.staffOff)
	if w.staffFrozen {
		staff = w.staffSent
	}
	w.staffSent = staff
	boothQuality, boothErr := w.boothQuality, error(nil)
	if w.boothRange > 0 && booth > w.boothRange && boothQuality == sample.Good {
		boothQuality, boothErr = sample.OutOfRange, fmt.Errorf("%w: reads %.0f µg/m³", sample.ErrAboveRange, booth)
	}
	in := []sample.Sample{
		{Sensor: "booth-pm", Zone: "booth", Quantity: sample.PM25, Time: w.boothSeen, Quality: boothQuality,
			Value: booth, Err: boothErr},
		{Sensor: "staff-pm", Zone: "staff", Quantity: sample.PM25, Time: w.now, Quality: w.staffQuality,
			Value: staff},
		// A pressure sensor, read only where the config has one: the
		// orifice law of the booth's transfer grille.
		{Sensor: "booth-dp", Zone: "booth", Quantity: sample.Pressure, Time: w.now, Quality: sample.Good,
			Value: w.fullPa * w.air() * w.air() * w.flowFactor * w.flowFactor},
	}
	ds := w.law.Update(w.now, in)
	w.duty = ds[0].Duty
	w.trace = append(w.trace, ds[0])
}

// session emits mgPerMin of PM2.5 into the booth for d.
func (w *world) session(mgPerMin float64, d time.Duration) Decision {
	w.source = mgPerMin * 1000 / 60
	last := w.run(d)
	w.source = 0
	return last
}

// since returns the decisions of the last d.
func (w *world) since(d time.Duration) []Decision {
	n := int(d / w.period)
	return w.trace[max(len(w.trace)-n, 0):]
}

// The harness's sensors have the simulated SPS30's noise
// (testbench/sps30sim's sense: 0.2 µg/m³ + 0.8 % of the level, 1σ, cut at
// 2σ) unless a test sets its own. Noise-free air stands exactly still,
// which no working sensor's reading does, and the law takes a booth
// reading that stands exactly still with no staff sensor moving for a
// frozen sensor (frozen.go).
const (
	sps30Noise    = 0.2
	sps30RelNoise = 0.008
)
