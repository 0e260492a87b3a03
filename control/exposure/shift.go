package exposure

import (
	"errors"
	"fmt"
	"slices"
	"time"
)

// Schedule is a site's shift pattern: shifts start at fixed times of day on
// the local wall clock and last Length on the wall clock.
//
// Because the length is counted on the wall clock, a 19:00–07:00 night shift
// still ends at 07:00 on the night the clocks change: it then lasts 11 h or
// 13 h, and consecutive shifts never leave a hole or overlap. Shift.Length
// is the real elapsed time, which is what exposure and the Brief & Scala
// factor depend on.
type Schedule struct {
	// Starts are the shift start times as time since local midnight on the
	// wall clock: 7*time.Hour is 07:00.
	Starts []time.Duration
	// Length is the nominal length of every shift, less than 24 h.
	Length time.Duration
	// Location is the site's time zone; nil means time.Local.
	Location *time.Location

	// last is ShiftAt's answer for an interval of time around the
	// instant it was last asked about: the control loop asks every
	// second, and the answer changes a few times a day.
	last shiftWindow
}

// shiftWindow is ShiftAt's answer (shift, ok) for every instant in
// [from, until), with the schedule it was computed for, so that a
// schedule changed after a lookup is never answered from the old one.
type shiftWindow struct {
	from, until time.Time
	shift       Shift
	ok          bool
	starts      []time.Duration
	length      time.Duration
	loc         *time.Location
}

// holds reports whether w answers for t under p.
func (w *shiftWindow) holds(p *Schedule, t time.Time) bool {
	return !w.until.IsZero() && !t.Before(w.from) && t.Before(w.until) &&
		w.length == p.Length && w.loc == p.Location && slices.Equal(w.starts, p.Starts)
}

// Shift is one shift: [Start, End).
type Shift struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Length is the real elapsed length of the shift (11 h or 13 h for a
// nominal 12 h night shift across a DST change).
func (s Shift) Length() time.Duration { return s.End.Sub(s.Start) }

// Contains reports whether t falls within [Start, End).
func (s Shift) Contains(t time.Time) bool { return !t.Before(s.Start) && t.Before(s.End) }

// ReductionFactor is the Brief & Scala factor for this shift's real length.
func (s Shift) ReductionFactor() float64 { return ReductionFactor(s.Length()) }

func (s Shift) String() string {
	return s.Start.Format("2006-01-02 15:04 MST") + " – " + s.End.Format("2006-01-02 15:04 MST")
}

// Validate reports what is wrong with the schedule, if anything.
func (p Schedule) Validate() error {
	if len(p.Starts) == 0 {
		return errors.New("Schedule.Starts is empty; give the shift start times, e.g. 07:00 and 19:00")
	}
	for i, st := range p.Starts {
		if st < 0 || st >= 24*time.Hour || st%time.Second != 0 {
			return fmt.Errorf("Schedule.Starts[%d] is %v; use a whole-second time of day from 0 to 23:59:59", i, st)
		}
		if slices.Contains(p.Starts[:i], st) {
			return fmt.Errorf("Schedule.Starts[%d] (%v) is listed twice; list each start once", i, st)
		}
	}
	if p.Length <= 0 || p.Length > 22*time.Hour || p.Length%time.Second != 0 {
		// 22 h at most: on the night the clocks go back a shift runs an
		// hour longer, and at 24 h the Brief & Scala factor is 0.
		return fmt.Errorf("Schedule.Length is %v; use a whole-second length above 0 and at most 22h", p.Length)
	}
	return nil
}

func (p Schedule) loc() *time.Location {
	if p.Location == nil {
		return time.Local
	}
	return p.Location
}

// WallClock returns when the wall clock in loc reads the day y-m-d plus sec
// seconds (past 86400 it rolls into the next days), as a roster means it.
// Where the clocks go back and that time comes twice, the first; where
// they jump over it, the moment of the jump: the crew before works until
// the clock reads the time after it. (time.Date leaves both cases
// unspecified, and Go's answer differs by side of Greenwich: a 02:30 start
// an hour early in Vancouver and an hour late in Berlin on the spring
// night, and the repeated 01:30 taken first in Vancouver, the repeated
// 02:30 second in Berlin and Sydney.)
func WallClock(y int, m time.Month, d, sec int, loc *time.Location) time.Time {
	want := time.Date(y, m, d, 0, 0, sec, 0, time.UTC)
	wall := func(t time.Time) time.Time {
		l := t.In(loc)
		return time.Date(l.Year(), l.Month(), l.Day(), l.Hour(), l.Minute(), l.Second(), 0, time.UTC)
	}
	t := time.Date(y, m, d, 0, 0, sec, 0, loc)
	if wall(t).Equal(want) {
		// Once, or twice: the earlier reading of the same time is at most
		// the offset's change before (an hour; 30 minutes on Lord Howe).
		for _, back := range [...]time.Duration{30 * time.Minute, time.Hour, 2 * time.Hour} {
			if e := t.Add(-back); wall(e).Equal(want) {
				return e
			}
		}
		return t
	}
	// Skipped: the first second whose wall clock reads want or later.
	// Around a change the wall clock only rises; a day long either way,
	// for a zone that skipped one (Samoa, 30 Dec 2011).
	lo, hi := t.Add(-26*time.Hour), t.Add(26*time.Hour)
	for hi.Sub(lo) > time.Second {
		mid := lo.Add(hi.Sub(lo) / 2).Truncate(time.Second)
		if wall(mid).Before(want) {
			lo = mid
		} else {
			hi = mid
		}
	}
	return hi
}

// around returns the shifts starting on the local days before, of and after
// t, sorted by start. Every shift containing t is among them, because a
// shift is shorter than a day.
func (p Schedule) around(t time.Time) []Shift {
	loc := p.loc()
	lt := t.In(loc)
	y, m, d := lt.Date()
	out := make([]Shift, 0, 3*len(p.Starts))
	for dd := d - 1; dd <= d+1; dd++ {
		for _, st := range p.Starts {
			sec := int(st / time.Second)
			start := WallClock(y, m, dd, sec, loc)
			end := WallClock(y, m, dd, sec+int(p.Length/time.Second), loc)
			if end.After(start) { // a start inside a skipped DST hour can collapse a very short shift
				out = append(out, Shift{Start: start, End: end})
			}
		}
	}
	slices.SortFunc(out, func(a, b Shift) int { return a.Start.Compare(b.Start) })
	return out
}

// ShiftAt returns the shift containing t, and false when t falls between
// shifts. Where shifts overlap (a handover), it returns the one that started
// last.
//
// ShiftAt remembers its answer until the next shift starts or ends (or
// the local day changes, going back), which spares the calendar arithmetic
// of every lookup in between; so a Schedule must not be used by two
// goroutines at once. Copies are independent.
func (p *Schedule) ShiftAt(t time.Time) (Shift, bool) {
	if p.last.holds(p, t) {
		return p.last.shift, p.last.ok
	}
	all := p.around(t)
	w := shiftWindow{length: p.Length, loc: p.Location, starts: slices.Clone(p.Starts)}
	for i := len(all) - 1; i >= 0; i-- {
		if all[i].Contains(t) {
			w.shift, w.ok = all[i], true
			break
		}
	}
	// The set of shifts containing t changes only where one starts or
	// ends. around(t) holds every shift that starts or ends from t's
	// local midnight until after the next local day's first start, so
	// between its nearest boundaries on either side of t (and not before
	// that midnight) the answer holds.
	lt := t.In(p.loc())
	y, m, d := lt.Date()
	w.from = time.Date(y, m, d, 0, 0, 0, 0, p.loc())
	for _, s := range all {
		for _, b := range [2]time.Time{s.Start, s.End} {
			if !b.After(t) && b.After(w.from) {
				w.from = b
			}
			if b.After(t) && (w.until.IsZero() || b.Before(w.until)) {
				w.until = b
			}
		}
	}
	if w.until.IsZero() { // cannot happen with a valid schedule: keep nothing
		return w.shift, w.ok
	}
	p.last = w
	return w.shift, w.ok
}

// active returns every shift containing t (more than one during an overlap)
// and the next instant after t at which that set changes.
func (p Schedule) active(t time.Time) (in []Shift, change time.Time) {
	all := p.around(t)
	for _, s := range all {
		switch {
		case s.Contains(t):
			in = append(in, s)
			if change.IsZero() || s.End.Before(change) {
				change = s.End
			}
		case s.Start.After(t):
			if change.IsZero() || s.Start.Before(change) {
				change = s.Start
			}
		}
	}
	if change.IsZero() { // cannot happen with a valid schedule; move on a day to be safe
		change = t.Add(24 * time.Hour)
	}
	return in, change
}
