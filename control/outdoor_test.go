package control

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/sample"
)

// outdoorRig plays a staff area whose clean air follows the outdoor air
// through its air change (fans plus general ventilation) with a gain, as a
// well-mixed room does: dC/dt = ach·(gain·out − C).
type outdoorRig struct {
	now              time.Time
	out, clean       float64
	fanACH, general  float64
	gain             float64
	rng              *rand.Rand
	s                staffArea
	tu               Tuning
	noSensor, broken bool
}

func newOutdoorRig(t *testing.T, general, gain float64) *outdoorRig {
	r := &outdoorRig{now: time.Unix(1.7e9, 0), out: 10, fanACH: 3, general: general, gain: gain,
		rng: rand.New(rand.NewPCG(1, 2)), tu: simParams(t, nil).Tuning,
		s: staffArea{worst: ema{tau: staffSmooth}, cleanest: ema{tau: staffSmooth}, outdoor: newOutdoorAir()}}
	r.clean = gain * r.out
	return r
}

// step plays a second: smoke is the booth smoke in the staff area.
func (r *outdoorRig) step(smoke float64, active bool) {
	r.now = r.now.Add(time.Second)
	r.clean += (r.gain*r.out - r.clean) * (1 - math.Exp(-(r.fanACH+r.general)/3600))
	in := map[string]sample.Sample{
		"staff-pm": {Sensor: "staff-pm", Value: r.clean + smoke + 0.5*r.rng.NormFloat64(), Time: r.now, Quality: sample.Good},
	}
	if !r.noSensor {
		q := sample.Good
		if r.broken {
			q = sample.Fault
		}
		in["outdoor-pm"] = sample.Sample{Sensor: "outdoor-pm", Value: r.out + 0.5*r.rng.NormFloat64(), Time: r.now, Quality: q}
	}
	r.s.read(r.now, in, []Staff{{Zone: "staff", PM: []string{"staff-pm"}}}, time.Second, r.tu)
	r.s.outdoor.read(r.now, in, []string{"outdoor-pm"}, r.fanACH, time.Second, r.tu)
	r.s.learn(time.Second, active, 0, r.tu)
}

// The staff area's ventilation and the share of outdoor PM2.5 it keeps are
// learned from quiet air while the outdoor air moves: from a sealed room
// to a well ventilated one, and from a filtered supply keeping 40 % to a
// staff sensor reading 10 % above the outdoor one. The fans give 3 air
// changes an hour besides.
func TestOutdoorFitLearnsGainAndVentilation(t *testing.T) {
	for _, general := range generalACH {
		for _, gain := range []float64{0.4, 0.9, 1.1} {
			r := newOutdoorRig(t, general, gain)
			r.quietDay(10, 40, 25, 60, 15, 35)
			i, g := r.s.outdoor.best()
			if generalACH[i] != general || math.Abs(g-gain) > 0.03 {
				t.Errorf("general ventilation %g ACH, gain %g: learned %g ACH, gain %.3f", general, gain, generalACH[i], g)
			}
		}
	}
}

// quietDay plays an hour of quiet air in which the outdoor air moves, so
// that the law learns how the staff area follows it.
func (r *outdoorRig) quietDay(levels ...float64) {
	for _, lv := range levels {
		r.out = lv
		for range 30 * 60 {
			r.step(0, false)
		}
	}
}

// A plume rising through a long session is outdoor air, not booth smoke:
// with an outdoor sensor the clean air rises with it and the booth's
// 3 µg/m³ stays the excess. Without one the law has only the trend it
// learned in quiet air (none: the air was steady) and takes the plume for
// smoke, pulling more of it in. Before the outdoor air has ever moved the
// gain is a guess, taken low for a rise (never hiding the smoke under a
// clean air that rose too far): some of the plume is then chased.
func TestOutdoorSensorSeesAPlumeRiseInASession(t *testing.T) {
	excess := map[string]float64{}
	for _, c := range []string{"no sensor", "gain unknown", "gain learned"} {
		r := newOutdoorRig(t, 4, 0.9)
		r.noSensor = c == "no sensor"
		if c == "gain learned" {
			r.quietDay(10, 40, 15, 50, 10)
		} else {
			r.quietDay(10, 10)
		}
		start := r.out
		for i := range 60 * 60 {
			r.out = start + 90*float64(i)/3600 // up 90 µg/m³ in the hour
			r.step(3, true)
		}
		excess[c] = r.s.excess
		if ex := r.s.excess; ex < 2.5 {
			t.Errorf("%s: excess %.2f at the end of the plume's rise; the booth's 3 are hidden (clean air %.1f, true %.1f)", c, ex, r.s.clean, r.clean)
		}
	}
	if excess["gain learned"] > 4.5 || excess["gain unknown"] > excess["no sensor"]/2 {
		t.Errorf("excess at the end of the rise %v; want about the booth's 3 with the gain learned, and under half the plume without the sensor while it is not", excess)
	}
}

// A plume clearing through a session: the clean air falls with it, so the
// booth smoke stays in sight instead of hidden under a clean air left high.
func TestOutdoorSensorSeesAPlumeClearInASession(t *testing.T) {
	for _, learned := range []bool{false, true} {
		r := newOutdoorRig(t, 4, 0.9)
		r.out = 100
		r.clean = r.gain * r.out
		if learned {
			r.quietDay(100, 60, 100, 70, 100)
		} else {
			r.quietDay(100, 100)
		}
		for i := range 60 * 60 {
			r.out = 100 - 90*float64(i)/3600
			r.step(3, true)
		}
		if ex := r.s.excess; ex < 2.5 || (learned && ex > 4.5) {
			t.Errorf("gain learned %v: excess %.2f at the end of the plume's clearing; want the booth's 3 (clean air %.1f, true %.1f)", learned, ex, r.s.clean, r.clean)
		}
	}
}

// An outdoor sensor that fails leaves the law where it was without one:
// the learned trend carries the clean air, and nothing moves it by an
// outdoor air nobody reads.
func TestOutdoorSensorLostFallsBackToTheTrend(t *testing.T) {
	r := newOutdoorRig(t, 4, 0.9)
	for range 30 * 60 {
		r.step(0, false)
	}
	r.broken = true
	r.s.rise = 0.001 // as if learned
	before := r.s.clean
	r.out = 80 // unread
	for range 10 * 60 {
		r.step(3, true)
	}
	if r.s.outdoor.ok {
		t.Fatal("outdoor air still trusted with its sensor reading bad")
	}
	if got, want := r.s.clean-before, 0.001*600; math.Abs(got-want) > 0.3 {
		t.Fatalf("clean air moved %.2f in 10 min of session; want the trend's %.2f", got, want)
	}
}

// An outdoor zone's SPS30 is the law's outdoor air, not a staff sensor.
func TestParamsForOutdoorZone(t *testing.T) {
	p := simParams(t, func(c *config.Config) {
		c.Zones = append(c.Zones, config.Zone{Name: "outside", Kind: config.Outdoor})
		c.Sensors = append(c.Sensors, config.Sensor{Name: "outdoor-pm", Type: config.SPS30, Bus: "sim2", Zone: "outside", Address: 0x69})
	})
	if !slices.Equal(p.Outdoor, []string{"outdoor-pm"}) || len(p.Staff) != 1 || slices.Contains(p.Staff[0].PM, "outdoor-pm") || p.Staff[0].VolumeM3 != 60 {
		t.Fatalf("outdoor %q, staff %+v", p.Outdoor, p.Staff)
	}
}
