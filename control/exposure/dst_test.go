package exposure

import (
	"testing"
	"time"
	_ "time/tzdata"
)

// A start time that happens twice on the night the clocks go back is taken
// as its first occurrence in Vancouver (README: "01:30–09:30 is 9 h") but as
// its second east of Greenwich (Berlin, Sydney): time.Date leaves the choice
// unspecified ("not guaranteed"), and Go's implementation picks by the sign
// of the offset. The same roster then puts the repeated hour in the shift
// that starts at that time in one zone and in the shift before it in another.
func TestDSTRepeatedStartTakenTheSameWayEverywhere(t *testing.T) {
	for _, c := range []struct {
		zone  string
		start time.Duration // a start inside the repeated hour
		day   string        // the day the clocks go back
	}{
		{"America/Vancouver", 90 * time.Minute, "2026-11-01"},
		{"Europe/Berlin", 150 * time.Minute, "2026-10-25"},
		{"Australia/Sydney", 150 * time.Minute, "2026-04-05"},
	} {
		loc, err := time.LoadLocation(c.zone)
		if err != nil {
			t.Fatal(err)
		}
		day, _ := time.ParseInLocation("2006-01-02", c.day, loc)
		p := &Schedule{Starts: []time.Duration{c.start, c.start + 8*time.Hour, c.start + 16*time.Hour}, Length: 8 * time.Hour, Location: loc}
		sh, ok := p.ShiftAt(day.Add(c.start + 3*time.Hour)) // well inside the shift that starts in the repeated hour
		if !ok {
			t.Fatalf("%s: no shift", c.zone)
		}
		t.Logf("%s: %s", c.zone, sh)
		if sh.Length() != 9*time.Hour {
			t.Errorf("%s: the shift starting at the repeated %s is %v (%s); in Vancouver it is 9 h (its first occurrence)",
				c.zone, sh.Start.Format("15:04"), sh.Length(), sh)
		}
	}
}

// A start time the clocks skip (spring forward) moves an hour early west of
// Greenwich (Vancouver 02:30 -> 01:30 PST) and an hour late east of it
// (Berlin 02:30 -> 03:30 CEST). The roster's meaning is the moment the
// clocks jump (the crew before works until the clock reads 03:00).
func TestDSTSkippedStartAtTheChange(t *testing.T) {
	for _, c := range []struct {
		zone   string
		start  time.Duration
		day    string
		change time.Time // the instant the clocks jump
	}{
		{"America/Vancouver", 150 * time.Minute, "2026-03-08", time.Date(2026, 3, 8, 10, 0, 0, 0, time.UTC)},
		{"Europe/Berlin", 150 * time.Minute, "2026-03-29", time.Date(2026, 3, 29, 1, 0, 0, 0, time.UTC)},
		{"Australia/Sydney", 150 * time.Minute, "2026-10-04", time.Date(2026, 10, 3, 16, 0, 0, 0, time.UTC)},
	} {
		loc, _ := time.LoadLocation(c.zone)
		p := &Schedule{Starts: []time.Duration{c.start, c.start + 8*time.Hour, c.start + 16*time.Hour}, Length: 8 * time.Hour, Location: loc}
		sh, ok := p.ShiftAt(c.change.Add(90 * time.Minute))
		if !ok {
			t.Fatalf("%s: no shift", c.zone)
		}
		t.Logf("%s: %s (%v)", c.zone, sh, sh.Length())
		if !sh.Start.Equal(c.change) {
			t.Errorf("%s: the %s shift on %s starts %s, %v from the change at %s", c.zone, fmtTOD(c.start), c.day,
				sh.Start.In(loc).Format("15:04 MST"), sh.Start.Sub(c.change), c.change.In(loc).Format("15:04 MST"))
		}
	}
}

func fmtTOD(d time.Duration) string {
	return time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).Add(d).Format("15:04")
}

// A 23 h shift lasts 24 h on the night the clocks go back: a reduction
// factor of 0, an adjusted TWA limit of 0 ("no limit" in the summary)
// while any exposure flagged a violation. Schedules are 22 h at most.
func TestDSTLongShiftRefused(t *testing.T) {
	loc, _ := time.LoadLocation("America/Vancouver")
	if err := (&Schedule{Starts: []time.Duration{7 * time.Hour}, Length: 23 * time.Hour, Location: loc}).Validate(); err == nil {
		t.Error("a 23 h schedule accepted")
	}
	p := &Schedule{Starts: []time.Duration{7 * time.Hour}, Length: 22 * time.Hour, Location: loc}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	sh, ok := p.ShiftAt(time.Date(2026, 10, 31, 12, 0, 0, 0, loc))
	if !ok || sh.Length() != 23*time.Hour || sh.ReductionFactor() <= 0 {
		t.Errorf("a 22 h shift on the fall-back night: %v %v, RF %v", sh, sh.Length(), sh.ReductionFactor())
	}
}
