package exposure

import (
	"math"
	"testing"
	"time"

	"github.com/ventd/ventd/sample"
)

// t0 is 08:00 UTC, the start of the day shift in day8.
var t0 = time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)

// day8 is one 8 h shift a day at 08:00 UTC.
var day8 = Schedule{Starts: []time.Duration{8 * time.Hour}, Length: 8 * time.Hour, Location: time.UTC}

func newTracker(tb testing.TB, lim Limits, sch Schedule) *Tracker {
	tb.Helper()
	tr, err := New(Opts{Quantity: sample.CO2, Zone: "staff", Limits: lim, Schedule: sch})
	if err != nil {
		tb.Fatal(err)
	}
	return tr
}

// feed adds 1 s samples of c from `from` for d and returns the end.
func feed(tb testing.TB, tr *Tracker, from time.Time, d time.Duration, c float64) time.Time {
	tb.Helper()
	for at := from; at.Before(from.Add(d)); at = at.Add(time.Second) {
		if err := tr.Add(at, c); err != nil {
			tb.Fatal(err)
		}
	}
	return from.Add(d)
}

// flush ends the held sample at tm.
func flush(tb testing.TB, tr *Tracker, tm time.Time) {
	tb.Helper()
	if err := tr.Gap(tm, tm); err != nil {
		tb.Fatal(err)
	}
}

func finished(tb testing.TB, tr *Tracker) []Summary {
	tb.Helper()
	s, dropped := tr.TakeFinished()
	if dropped != 0 {
		tb.Fatalf("%d finished summaries dropped", dropped)
	}
	return s
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }
