package daemon

import (
	"math"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/scenario"
)

// The first half hour of the eight-booth room's ordinary day: every fan is
// as rated, and booth6's first clearing (its door opened for two minutes as
// its session ended) measured 23 % of its rated air over three 15 s
// intervals of that one clearing. That was enough to raise the low-airflow
// warning ten minutes into the shift and keep it for an hour; the booth
// measured 105 % once it had cleared a few more times. One clearing is not
// a measurement to send the facilities manager to check a filter on.
func TestAirflowWarningWaitsForSeveralClearings(t *testing.T) {
	cfg, err := config.Load("../testbench/rooms/booths-8.yaml")
	if err != nil {
		t.Fatal(err)
	}
	sc, err := scenario.Load("../testbench/rooms/booths-8-day.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// As ventbench runs a day: 45 min of the empty room first.
	h := dayHarness(t, cfg, sc, "", t0.Add(-45*time.Minute), testbench.RigOpts{Seed: 1, ScenarioStart: t0}, nil)
	h.run(45 * time.Minute)
	for range 30 * 60 {
		s := h.run(time.Second)
		for _, a := range s.Alarms.Alarms {
			if a.RuleID == alarm.AirflowRule(a.Subject) {
				t.Fatalf("%v into an ordinary day with every fan as rated: %s", s.Time.Sub(t0), a.Message)
			}
		}
	}
}

// TestAirflowGoesByTheClearingsMedian: the low-airflow warning reads the
// median of what the last two clearings left and the one under way, so
// one clearing that reads oddly (the long-sessions day: 0.97, then 0.06 as
// a session smoked on into it) neither raises it nor clears a real one.
func TestAirflowGoesByTheClearingsMedian(t *testing.T) {
	var r boothRules
	at := t0
	clearing := func(shares ...float64) {
		at = at.Add(10 * time.Minute) // a new clearing, minutes after the last
		for _, s := range shares {
			r.countClearings(&control.Decay{Share: s, Observations: r.obs + 1, Last: at})
			at = at.Add(15 * time.Second)
		}
	}
	clearing(0.95, 0.97)
	clearing(0.9)
	if s := r.share(); !math.IsNaN(s) {
		t.Errorf("after two clearings: %v, want none yet", s)
	}
	clearing(0.97, 0.06)
	if s := r.share(); s != 0.9 {
		t.Errorf("one odd clearing: share %v, want 0.9 (the median)", s)
	}
	// A filter clogging: the next clearings all read low.
	clearing(0.4)
	if s := r.share(); s != 0.4 {
		t.Errorf("two low clearings of three: share %v, want 0.4", s)
	}
	clearing(0.45)
	if s := r.share(); s != 0.4 {
		t.Errorf("three low clearings: share %v, want 0.4", s)
	}
}
