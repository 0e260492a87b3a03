package exposure

import "time"

// Caps on the lists kept per shift. Totals and counts stay exact past them.
const (
	maxGaps       = 256
	maxExcursions = 32
	maxFinished   = 16
)

// ACGIH excursion rule.
const (
	maxExcursionsPerDay = 4
	minExcursionSpacing = 60 * time.Minute
)

// shiftAcc accumulates one shift from its start up to acct.
type shiftAcc struct {
	shift     Shift
	lim       Limits
	stelFrom  int64   // Unix ns 15 min into the shift: its first whole STEL window
	acct      instant // accounted up to here
	sum       float64 // ∫ c dt over measured time, concentration × ns
	covered   time.Duration
	overAlarm time.Duration
	// overAlarmAbove is the part of overAlarm with every sensor above its
	// range (no value known, but its top at or above the alarm level).
	overAlarmAbove time.Duration
	overSTEL       time.Duration
	peak           Conc
	peakAt         instant
	aboveSTEL      excursionLog
	aboveTWA       excursionLog
	gaps           gapLog
	// resumed is where a summary restored by Resume ends: the time before
	// it is already in the figures and is not counted again. never: not
	// resumed.
	resumed instant
}

func newShiftAcc(s Shift, lim Limits) *shiftAcc {
	return &shiftAcc{shift: s, lim: lim, stelFrom: s.Start.Add(STELWindow).UnixNano(), acct: at(s.Start), peak: Unknown,
		peakAt:    never,
		aboveSTEL: excursionLog{level: lim.STEL, end: never}, aboveTWA: excursionLog{level: lim.TWA, end: never},
		gaps: gapLog{lastEnd: never}, resumed: never}
}

// add accounts [p, q), which lies within the shift, as k at c.
func (a *shiftAcc) add(p, q instant, c float64, k span) {
	if q.ns <= a.resumed.ns {
		return // already in the resumed figures
	}
	if p.ns < a.resumed.ns {
		p = a.resumed
	}
	if p.ns > a.acct.ns { // the tracker started after the shift did
		a.gaps.add(a.acct, p)
	}
	d := q.sub(p)
	if k == measured {
		a.sum += c * float64(d)
		a.covered += d
		if a.lim.Alarm > 0 && c > a.lim.Alarm {
			a.overAlarm += d
		}
	} else {
		a.gaps.add(p, q)
		if k == aboveRange && overTop(a.lim.Alarm, c) {
			a.overAlarm += d
			a.overAlarmAbove += d
		}
	}
	a.acct = q
}

// stelAt takes the rolling 15 min TWA evaluated at the end b of a second of
// this shift; known is false when the window held no valid data. It
// reports whether it counted the second as over the STEL limit.
func (a *shiftAcc) stelAt(b instant, stel float64, known bool) (over bool) {
	if b.ns <= a.resumed.ns {
		return // evaluated before the restart, and in the resumed figures
	}
	if b.ns < a.stelFrom {
		// A shift's STEL is over 15 min periods within the shift: a window
		// reaching back into the shift before is air this shift's staff
		// did not breathe.
		return
	}
	if known && (!a.peak.Known() || stel > float64(a.peak)) {
		a.peak, a.peakAt = Conc(stel), b
	}
	overSTEL := known && a.lim.STEL > 0 && stel > a.lim.STEL
	if overSTEL {
		a.overSTEL += time.Second
	}
	a.aboveSTEL.step(b, overSTEL, stel)
	a.aboveTWA.step(b, known && a.lim.TWA > 0 && stel > a.lim.TWA, stel)
	return overSTEL
}

// excursionLog finds the separate periods with the 15 min TWA above level.
type excursionLog struct {
	level float64
	in    bool
	count int
	// cur is the current, or else the last, period; its End is in end,
	// which moves every second while a period lasts.
	cur      Excursion
	end      instant
	periods  []Excursion
	omitted  int
	tooClose bool
}

func (e *excursionLog) step(b instant, above bool, v float64) {
	switch {
	case above && !e.in:
		// An end of the zero time (a resumed count with no period listed)
		// is as far back as can be: no spacing to check.
		if e.count > 0 && e.end.loc != nil && b.sub(e.end) < minExcursionSpacing {
			e.tooClose = true
		}
		e.in, e.count = true, e.count+1
		e.cur = Excursion{Start: b.time(), Peak: v, Ongoing: true}
		e.end = b
	case above:
		e.end = b
		e.cur.Peak = max(e.cur.Peak, v)
	case e.in:
		e.in = false
		e.end, e.cur.Ongoing = b, false
		e.record(e.current())
	}
}

// current is cur with its end.
func (e *excursionLog) current() Excursion {
	x := e.cur
	x.End = e.end.time()
	return x
}

func (e *excursionLog) record(x Excursion) {
	if len(e.periods) < maxExcursions {
		e.periods = append(e.periods, x)
	} else {
		e.omitted++
	}
}

func (e *excursionLog) report() Excursions {
	r := Excursions{Level: e.level, Count: e.count, Omitted: e.omitted,
		TooMany: e.count > maxExcursionsPerDay, TooClose: e.tooClose}
	r.Periods = append([]Excursion(nil), e.periods...)
	if e.in {
		if len(r.Periods) < maxExcursions {
			r.Periods = append(r.Periods, e.current())
		} else {
			r.Omitted++
		}
	}
	return r
}

// gapLog lists gaps, merging adjacent ones, up to maxGaps; the total stays
// exact past the cap.
type gapLog struct {
	list    []Gap
	omitted int
	total   time.Duration
	lastEnd instant // end of the latest gap, listed or not; never: none yet
	listed  bool    // whether that gap is the last one in list
}

func (g *gapLog) add(p, q instant) {
	d := q.sub(p)
	if d <= 0 {
		return
	}
	g.total += d
	contiguous := g.lastEnd.ns == p.ns
	switch {
	case contiguous && g.listed:
		g.list[len(g.list)-1].Length += Duration(d)
	case contiguous:
		// extends a gap past the cap: already counted in omitted
	case len(g.list) < maxGaps:
		g.list = append(g.list, Gap{Start: p.time(), Length: Duration(d)})
		g.listed = true
	default:
		g.omitted++
		g.listed = false
	}
	g.lastEnd = q
}

func (a *shiftAcc) entries() int {
	return len(a.gaps.list) + len(a.aboveSTEL.periods) + len(a.aboveTWA.periods)
}
