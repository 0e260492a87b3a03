package exposure

import (
	"errors"
	"fmt"
	"time"
)

// Resume continues a shift from its summary as the tracker computed it
// before a restart (kept in the journal each minute), so that a restart
// changes no figure of the shift beyond the data lost with it: the TWA
// integral, coverage, time over the alarm level and the STEL limit, the
// STEL peak, the excursions and the gaps are taken as they were, exactly.
// Call it on a fresh tracker, before replaying the journal's minutes with
// AddInterval to rebuild the rolling windows: the replayed minutes then
// count only in the windows for the time the summary already covers, and
// the time from the summary's end to the next data is a gap. Give it the
// finished shifts the replay reaches too: they stay as the journal has
// them.
func (t *Tracker) Resume(s Summary) error {
	if t.started {
		return fmt.Errorf("%s: Resume after data was added; resume first, then replay the minutes", t.name)
	}
	if s.Finished {
		// In the journal already: nothing continues, and a replay of
		// the minutes must not finish it again from the part of them it
		// reaches (a restart rewrote the last shift from its last hours).
		t.settled = append(t.settled, s.Start)
		return nil
	}
	sh, ok := t.opts.Schedule.ShiftAt(s.Start)
	if !ok || !sh.Start.Equal(s.Start) || s.Until.After(sh.End) {
		return fmt.Errorf("%s: Resume: no shift of the schedule runs %s to %s: %w",
			t.name, s.Start.Format(time.RFC3339), s.Until.Format(time.RFC3339), ErrScheduleChanged)
	}
	if s.Until.Before(s.Start) {
		return fmt.Errorf("%s: Resume: summary until %s lies before its start", t.name, s.Until.Format(time.RFC3339))
	}
	t.open = append(t.open, t.resumed(s, sh))
	return nil
}

// ErrScheduleChanged is Resume's answer for a shift the schedule no longer
// has: the site changed its shifts or their time zone.
var ErrScheduleChanged = errors.New("the shift schedule changed")

// Close finishes s, a running shift of a schedule that changed since (a
// Resume refused it), at its own end: the time from its summary's end on
// is a gap in it. Its record is then complete and can be sealed, and no
// later shift counts its time again (see RecordShiftsFrom).
func (t *Tracker) Close(s Summary) Summary {
	if s.Finished {
		return s
	}
	a := t.resumed(s, Shift{Start: s.Start, End: s.End})
	a.add(at(s.Until), at(s.End), 0, gap)
	return t.summarize(a, s.End, false)
}

// RecordShiftsFrom starts the shifts' record at from, when the journal
// holds the time before it in shifts of another schedule: a replay before
// from feeds the rolling windows only, a shift of this schedule that ended
// before from is not made again, and one running at from counts the time
// before it as a gap. Call it after Resume and before the replay.
func (t *Tracker) RecordShiftsFrom(from time.Time) { t.from = from }

// resumed is the accumulator of shift sh continued from its summary s.
func (t *Tracker) resumed(s Summary, sh Shift) *shiftAcc {
	a := newShiftAcc(sh, t.opts.Limits)
	a.acct, a.resumed = at(s.Until), at(s.Until)
	a.sum = s.TWA * float64(8*time.Hour)
	a.covered = s.Covered.Std()
	a.overAlarm, a.overSTEL = s.TimeOverAlarm.Std(), s.TimeOverSTEL.Std()
	// A part larger than the whole, or below 0, is no tracker's (an
	// edited row): the whole stands.
	a.overAlarmAbove = min(max(s.TimeOverAlarmAboveRange.Std(), 0), a.overAlarm)
	a.peak, a.peakAt = s.STELPeak, at(s.STELPeakAt)
	a.aboveSTEL.resume(s.AboveSTEL)
	a.aboveTWA.resume(s.AboveTWA)
	a.gaps.list = append([]Gap(nil), s.Gaps...)
	a.gaps.total, a.gaps.omitted = s.GapTotal.Std(), s.GapsOmitted
	if n := len(a.gaps.list); n > 0 {
		last := a.gaps.list[n-1]
		a.gaps.lastEnd, a.gaps.listed = at(last.Start.Add(last.Length.Std())), s.GapsOmitted == 0
	}
	return a
}

// resume continues the log from a report.
func (e *excursionLog) resume(r Excursions) {
	e.count, e.omitted, e.tooClose = r.Count, r.Omitted, r.TooClose
	e.periods = append([]Excursion(nil), r.Periods...)
	if n := len(e.periods); n > 0 {
		e.cur = e.periods[n-1]
		e.end = at(e.cur.End)
		if e.cur.Ongoing {
			e.in = true
			e.periods = e.periods[:n-1]
		}
	}
}

// Interrupted finishes s, the summary of a shift that was still running
// when ventd last wrote it, at the shift's end: ventd stopped during it
// and did not run again before it ended, so nothing else will finish it.
// The time from s.Until to the end is a gap (never clean air), and every
// figure is the one measured. A finished summary is returned as it is.
func Interrupted(s Summary) Summary {
	if s.Finished || !s.Until.Before(s.End) || s.Until.Before(s.Start) {
		return s
	}
	t := &Tracker{name: "exposure " + string(s.Quantity) + "/" + s.Zone, opts: Opts{Quantity: s.Quantity, Zone: s.Zone, Limits: s.Limits},
		series: &Series{Quantity: s.Quantity, Unit: s.Quantity.Unit(), Zone: s.Zone}, cursor: never, openUntil: never}
	return t.Close(s)
}
