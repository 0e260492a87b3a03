package alarm

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/sample"
)

var t0 = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

func mustEngine(t testing.TB, rules ...Rule) *Engine {
	t.Helper()
	e, err := NewEngine(rules)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// pmRule is the default staff PM2.5 warning, written out.
func pmRule() Rule {
	return Rule{
		ID: "staff/pm25/warning", Level: LevelWarning, Subject: "staff", Quantity: sample.PM25,
		Direction: Above, Threshold: 35, Hysteresis: 3.5,
		OnDelay: 30 * time.Second, OffDelay: time.Minute,
	}
}

// run feeds f(elapsed) to rule id once a second for d, from start, and
// returns the events.
func run(t testing.TB, e *Engine, id RuleID, start time.Time, d time.Duration, f func(time.Duration) float64) []Event {
	t.Helper()
	var evs []Event
	for el := time.Duration(0); el < d; el += time.Second {
		got, err := e.Evaluate(start.Add(el), id, f(el), true)
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, got...)
	}
	return evs
}

func kinds(evs []Event) []Kind {
	var k []Kind
	for _, ev := range evs {
		k = append(k, ev.Kind)
	}
	return k
}

func count(evs []Event, k Kind) int {
	n := 0
	for _, ev := range evs {
		if ev.Kind == k {
			n++
		}
	}
	return n
}

// excursion is 50 µg/m³ from 10 s for length, 20 otherwise.
func excursion(length time.Duration) func(time.Duration) float64 {
	return func(el time.Duration) float64 {
		if el >= 10*time.Second && el < 10*time.Second+length {
			return 50
		}
		return 20
	}
}

func TestDelays(t *testing.T) {
	cases := []struct {
		name      string
		length    time.Duration
		raisedAt  time.Duration // -1: never
		clearedAt time.Duration // -1: never
	}{
		{"20 s excursion under 30 s on-delay", 20 * time.Second, -1, -1},
		{"30 s excursion: 30 samples span 29 s", 30 * time.Second, -1, -1},
		{"31 s excursion raises at exactly 30 s", 31 * time.Second, 40 * time.Second, 41*time.Second + time.Minute},
		{"5 min excursion, clears 60 s after it ends", 5 * time.Minute, 40 * time.Second, 10*time.Second + 5*time.Minute + time.Minute},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := mustEngine(t, pmRule())
			evs := run(t, e, "staff/pm25/warning", t0, 10*time.Minute, excursion(c.length))
			var raised, cleared time.Duration = -1, -1
			for _, ev := range evs {
				switch ev.Kind {
				case Raised:
					raised = ev.Time.Sub(t0)
				case Cleared:
					cleared = ev.Time.Sub(t0)
				}
			}
			if raised != c.raisedAt || cleared != c.clearedAt {
				t.Errorf("raised at %v, cleared at %v; want %v, %v (events %v)", raised, cleared, c.raisedAt, c.clearedAt, kinds(evs))
			}
		})
	}
}

func TestOffDelayRestartsOnReturn(t *testing.T) {
	e := mustEngine(t, pmRule())
	// Above for 1 min, then below for 50 s, above for 5 s, below for good:
	// the 50 s dip must not clear (off-delay 60 s) and the clear comes 60 s
	// after the last return.
	evs := run(t, e, "staff/pm25/warning", t0, 5*time.Minute, func(el time.Duration) float64 {
		switch {
		case el < time.Minute:
			return 50
		case el < 110*time.Second:
			return 20
		case el < 115*time.Second:
			return 50
		}
		return 20
	})
	if got := kinds(evs); len(got) != 2 || got[0] != Raised || got[1] != Cleared {
		t.Fatalf("events %v, want raised, cleared", got)
	}
	if at := evs[1].Time.Sub(t0); at != 175*time.Second {
		t.Errorf("cleared at %v, want 175s", at)
	}
}

func TestHysteresis(t *testing.T) {
	// A rule without hysteresis or delays clears as soon as the value dips
	// below the threshold; one with 3.5 of hysteresis does not clear at 33.
	for _, c := range []struct {
		hyst    float64
		cleared bool
	}{{0, true}, {3.5, false}} {
		r := pmRule()
		r.OnDelay, r.OffDelay, r.Hysteresis = 0, 0, c.hyst
		e := mustEngine(t, r)
		evs := run(t, e, r.ID, t0, 10*time.Second, func(el time.Duration) float64 {
			if el < 5*time.Second {
				return 36
			}
			return 33
		})
		if got := count(evs, Cleared) == 1; got != c.cleared {
			t.Errorf("hysteresis %v: cleared=%v, want %v (%v)", c.hyst, got, c.cleared, kinds(evs))
		}
	}
}

// TestNoChattering feeds an hour of noisy signal hovering at the threshold:
// the default delays and hysteresis must keep the raises to a handful where
// a bare threshold chatters hundreds of times, and must still raise for a
// noisy signal that is above the threshold on average.
func TestNoChattering(t *testing.T) {
	cases := []struct {
		name           string
		amp, mean      float64
		period         time.Duration
		noise          float64
		minRaises      int
		maxRaises      int
		bareChattering bool // the signal makes a bare threshold chatter
	}{
		{"noise at the threshold", 0, 35, time.Hour, 3, 1, 1, true},
		{"slow sine and noise", 3, 35, 20 * time.Minute, 2, 1, 3, true},
		{"fast sine and noise", 4, 35, time.Minute, 2, 1, 1, true},
		{"noise just below", 0, 33, time.Hour, 2, 0, 2, true},
		{"noisy, clearly above", 0, 38, time.Hour, 3, 1, 1, true},
		{"noisy, clearly below", 0, 25, time.Hour, 3, 0, 0, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(1, 2))
			signal := make([]float64, 3600)
			for i := range signal {
				ph := 2 * math.Pi * float64(i) / c.period.Seconds()
				signal[i] = c.mean + c.amp*math.Sin(ph) + c.noise*rng.NormFloat64()
			}
			f := func(el time.Duration) float64 { return signal[int(el/time.Second)] }

			e := mustEngine(t, pmRule())
			raises := count(run(t, e, "staff/pm25/warning", t0, time.Hour, f), Raised)

			bare := pmRule()
			bare.OnDelay, bare.OffDelay, bare.Hysteresis = 0, 0, 0
			naive := count(run(t, mustEngine(t, bare), bare.ID, t0, time.Hour, f), Raised)

			t.Logf("raises: %d with defaults, %d with a bare threshold", raises, naive)
			if raises < c.minRaises || raises > c.maxRaises {
				t.Errorf("%d raises in an hour, want %d to %d", raises, c.minRaises, c.maxRaises)
			}
			if c.bareChattering && naive < 20 {
				t.Errorf("bare threshold raised only %d times: the signal does not test chattering", naive)
			}
		})
	}
}

func TestReRaiseNewID(t *testing.T) {
	e := mustEngine(t, pmRule())
	evs := run(t, e, "staff/pm25/warning", t0, 20*time.Minute, func(el time.Duration) float64 {
		if el%(10*time.Minute) < 2*time.Minute {
			return 60
		}
		return 10
	})
	var ids []uint64
	var last uint64
	for _, ev := range evs {
		if ev.ID <= last {
			t.Errorf("event id %d after %d: not increasing", ev.ID, last)
		}
		last = ev.ID
		if ev.Kind == Raised {
			ids = append(ids, ev.AlarmID)
			if ev.AlarmID != ev.ID {
				t.Errorf("raised event %d for alarm %d: want the same id", ev.ID, ev.AlarmID)
			}
		}
	}
	if len(ids) != 2 || ids[1] <= ids[0] {
		t.Errorf("alarm ids %v, want two increasing", ids)
	}
}

func TestInvalidHoldsState(t *testing.T) {
	e := mustEngine(t, pmRule())
	id := RuleID("staff/pm25/warning")
	run(t, e, id, t0, time.Minute, func(time.Duration) float64 { return 60 })
	if len(e.Active()) != 1 {
		t.Fatal("no alarm after a minute at 60")
	}
	// Ten minutes without valid data: the alarm must stay.
	for el := time.Minute; el < 11*time.Minute; el += time.Second {
		evs, err := e.Evaluate(t0.Add(el), id, math.NaN(), false)
		if err != nil || evs != nil {
			t.Fatalf("invalid data at %v: %v, %v", el, evs, err)
		}
	}
	if len(e.Active()) != 1 {
		t.Fatal("alarm cleared during a gap")
	}

	// Pending raise: 20 s above, a gap, 20 s above must not raise: the
	// delay restarts after the gap.
	e = mustEngine(t, pmRule())
	run(t, e, id, t0, 20*time.Second, func(time.Duration) float64 { return 60 })
	if _, err := e.Evaluate(t0.Add(20*time.Second), id, 0, false); err != nil {
		t.Fatal(err)
	}
	evs := run(t, e, id, t0.Add(21*time.Second), 20*time.Second, func(time.Duration) float64 { return 60 })
	if len(evs) != 0 {
		t.Errorf("raised across a gap: %v", kinds(evs))
	}
	// NaN marked valid is a caller bug: an error, and the state holds.
	if _, err := e.Evaluate(t0.Add(time.Minute), id, math.NaN(), true); err == nil {
		t.Error("NaN marked valid: no error")
	}
}

func TestBelowRule(t *testing.T) {
	r := Rule{ID: "booth/flow/low", Level: LevelWarning, Subject: "booth", Direction: Below,
		Threshold: 100, Hysteresis: 10, OnDelay: 5 * time.Second,
		Message: "{subject}: flow {value} %, below {threshold} %", Back: "{subject}: flow back to {value} % ({level} level {threshold} %)"}
	e := mustEngine(t, r)
	evs := run(t, e, r.ID, t0, time.Minute, func(el time.Duration) float64 {
		switch {
		case el < 10*time.Second:
			return 150
		case el < 30*time.Second:
			return 90 - el.Seconds() // falls to 61
		case el < 40*time.Second:
			return 105 // in the band: no clear
		}
		return 120
	})
	if got := kinds(evs); len(got) != 2 || got[0] != Raised || got[1] != Cleared {
		t.Fatalf("events %v, want raised, cleared", got)
	}
	if evs[0].Time.Sub(t0) != 15*time.Second || evs[1].Time.Sub(t0) != 40*time.Second {
		t.Errorf("raised %v cleared %v, want 15s, 40s", evs[0].Time.Sub(t0), evs[1].Time.Sub(t0))
	}
	if a := e.Summary(t0); len(a.Alarms) != 0 {
		t.Errorf("still active: %+v", a.Alarms)
	}
	// A value that is no sample quantity says it is back in its own words
	// (it read "cleared:  in booth is back to 120  (warning level 100 )").
	if want := "cleared: booth: flow back to 120 % (warning level 100 %)"; evs[1].Message != want {
		t.Errorf("cleared message %q, want %q", evs[1].Message, want)
	}
	// Without them the rule is refused, saying what to add.
	r.Back = ""
	if _, err := NewEngine([]Rule{r}); err == nil || !strings.Contains(err.Error(), "give Back") {
		t.Errorf("a rule on a value with no quantity and no Back: %v", err)
	}
}

func TestClockStepBack(t *testing.T) {
	e := mustEngine(t, pmRule())
	id := RuleID("staff/pm25/warning")
	run(t, e, id, t0, 20*time.Second, func(time.Duration) float64 { return 60 })
	// The clock steps back an hour: the 20 s run must not count, and no
	// negative duration may raise or panic.
	evs := run(t, e, id, t0.Add(-time.Hour), 25*time.Second, func(time.Duration) float64 { return 60 })
	if len(evs) != 0 {
		t.Errorf("raised after clock step: %v", kinds(evs))
	}
	evs = run(t, e, id, t0.Add(-time.Hour+25*time.Second), 10*time.Second, func(time.Duration) float64 { return 60 })
	if count(evs, Raised) != 1 {
		t.Errorf("no raise 30 s after the step: %v", kinds(evs))
	}
}

func TestWrongCalls(t *testing.T) {
	e := mustEngine(t, pmRule(), Rule{ID: "sensor/x/stale", Level: LevelFault, Subject: "x", Direction: WhenTrue})
	if _, err := e.Evaluate(t0, "nope", 1, true); err == nil {
		t.Error("unknown rule: no error")
	}
	if _, err := e.Evaluate(t0, "sensor/x/stale", 1, true); err == nil {
		t.Error("Evaluate on a condition rule: no error")
	}
	if _, err := e.SetCondition(t0, "staff/pm25/warning", true, 1); err == nil {
		t.Error("SetCondition on a value rule: no error")
	}
	if _, err := e.SetCondition(t0, "nope", true, 1); err == nil {
		t.Error("SetCondition on an unknown rule: no error")
	}
}
