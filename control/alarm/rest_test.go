package alarm

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ventd/ventd/sample"
)

// A Batch skips a clear input to a rule at rest (Engine.rest): an engine
// that skips them must raise, clear, latch, hold and acknowledge as one
// that feeds every input, event for event, whatever the inputs (values in
// the band, invalid, NaN and infinite ones, conditions with details that
// change), the clock (going back now and then) and the acknowledgements
// between them.
func TestRestingRulesAnswerAsFedOnes(t *testing.T) {
	rules := []Rule{
		pmRule(),
		{ID: "staff/co2/alarm", Level: LevelAlarm, Subject: "staff", Quantity: sample.CO2, Direction: Above,
			Threshold: 1000, Hysteresis: 50, OnDelay: 3 * time.Second, OffDelay: 5 * time.Second, Latching: true,
			FlapCount: 2, FlapWindow: time.Minute},
		{ID: "booth/airflow", Level: LevelWarning, Subject: "booth", Direction: Below, Threshold: 60,
			Back: "{subject}: airflow back to {value} %"},
		{ID: "booth/pressure", Level: LevelWarning, Subject: "booth", Quantity: sample.Pressure, Direction: Below,
			Threshold: -2, Hysteresis: 1, OnDelay: 2 * time.Second},
		{ID: "sensor/s1/stale", Level: LevelFault, Subject: "s1", Direction: WhenTrue, OnDelay: 5 * time.Second},
		{ID: "sensor/s1/stuck", Level: LevelFault, Subject: "s1", Direction: WhenTrue, Message: "{subject}: {detail}",
			Latching: true},
		{ID: "fan/f1/stall", Level: LevelAlarm, Subject: "f1", Direction: WhenTrue, OffDelay: 3 * time.Second,
			FlapCount: 2, FlapWindow: 30 * time.Second, Message: "{subject} stalled: {detail}"},
	}
	for seed := range uint64(20) {
		fed, resting := mustEngine(t, rules...), mustEngine(t, rules...)
		fed.noRest = true
		rng := rand.New(rand.NewPCG(seed, 7))
		now := t0
		// Each rule keeps to an input for a while, as a sensor does.
		level := make([]float64, len(rules))
		for step := 0; step < 4000; step++ {
			switch r := rng.IntN(100); {
			case r == 0:
				now = now.Add(-time.Duration(rng.IntN(20)) * time.Second) // the clock steps back
			case r < 5:
				now = now.Add(time.Duration(rng.IntN(30)) * time.Second)
			default:
				now = now.Add(time.Second)
			}
			if rng.IntN(50) == 0 {
				for i, r := range rules {
					switch r.Direction {
					case WhenTrue:
						level[i] = float64(rng.IntN(2))
					default:
						level[i] = r.Threshold + r.Hysteresis*(rng.Float64()*4-2) + (rng.Float64()*6 - 3)
					}
				}
			}
			type answer struct {
				evs []Event
				err string
			}
			feed := func(e *Engine) (out []answer) {
				rng := rand.New(rand.NewPCG(seed, uint64(step))) // the same draws for both engines
				h := e.Hold()
				for i, r := range rules {
					in := e.Input(r.ID)
					var evs []Event
					var err error
					switch v := level[i]; {
					case r.Direction != WhenTrue:
						valid := rng.IntN(20) > 0
						switch rng.IntN(200) {
						case 0:
							v = math.NaN()
						case 1:
							v = math.Inf(1 - 2*rng.IntN(2))
						}
						evs, err = h.Evaluate(in, now, v+rng.Float64()-0.5, valid)
					case rng.IntN(2) == 0:
						evs, err = h.SetCondition(in, now, v > 0, float64(step))
					default:
						detail := fmt.Sprint("detail ", rng.IntN(3))
						evs, err = h.SetConditionDetail(in, now, v > 0, float64(step), detail)
					}
					a := answer{evs: evs}
					if err != nil {
						a.err = err.Error()
					}
					out = append(out, a)
				}
				h.Release()
				if rng.IntN(30) == 0 {
					evs, err := e.AcknowledgeAll(now, "tester", "")
					a := answer{evs: evs}
					if err != nil {
						a.err = err.Error()
					}
					out = append(out, a)
				}
				return out
			}
			want, got := feed(fed), feed(resting)
			// Printed: an alarm's NaN peak is never DeepEqual to itself.
			if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
				t.Fatalf("seed %d, step %d: resting rules answered\n%+v\nfed ones\n%+v", seed, step, got, want)
			}
			if g, w := fmt.Sprintf("%+v", resting.Summary(now)), fmt.Sprintf("%+v", fed.Summary(now)); g != w {
				t.Fatalf("seed %d, step %d: summaries differ:\n%+v\n%+v", seed, step, g, w)
			}
		}
	}
}
