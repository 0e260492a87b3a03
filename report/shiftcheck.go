package report

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/journal"
)

// CheckShiftIn returns an error when the journal holds shifts in [from,
// to) and none starts at hhmm (Options.Shift) in loc, naming the starts it
// does hold: a report for a start no shift has was written with no shift
// in it, which reads as a quiet shift to whoever does not count them. Nil
// when hhmm is empty, or the journal holds no shift there to compare with.
func CheckShiftIn(j *journal.Journal, from, to time.Time, hhmm string, loc *time.Location) error {
	if hhmm == "" {
		return nil
	}
	rows, err := j.Shifts(from, to)
	if err != nil {
		return err
	}
	var starts []string
	for _, r := range rows {
		if !from.IsZero() && r.Start.Before(from) {
			continue // as the report leaves it out (see build)
		}
		if startsAt(r.Start, hhmm, loc) {
			return nil
		}
		if s := r.Start.In(loc).Format("15:04"); !slices.Contains(starts, s) {
			starts = append(starts, s)
		}
	}
	if len(starts) == 0 {
		return nil
	}
	slices.Sort(starts)
	msg := fmt.Sprintf("shift %s: no shift in the journal %s starts at %s (%s); the shifts there start at %s", hhmm, windowText(from, to, loc), hhmm, loc, strings.Join(starts, ", "))
	if near, ok := config.Nearest(hhmm, starts); ok {
		msg += ": did you mean " + near + "?"
	}
	return &noShiftError{msg}
}

// ErrNoSuchShift is CheckShiftIn's answer for a start no shift has: a
// mistake in the request, not in the journal.
var ErrNoSuchShift = errors.New("no shift starts there")

type noShiftError struct{ msg string }

func (e *noShiftError) Error() string        { return e.msg }
func (e *noShiftError) Is(target error) bool { return target == ErrNoSuchShift }

// windowText names the window [from, to) in loc's days.
func windowText(from, to time.Time, loc *time.Location) string {
	switch {
	case from.IsZero() && to.IsZero():
		return "as a whole"
	case to.IsZero():
		return "from " + from.In(loc).Format("2006-01-02")
	case from.IsZero():
		return "up to " + to.Add(-time.Nanosecond).In(loc).Format("2006-01-02")
	}
	f, l := from.In(loc).Format("2006-01-02"), to.Add(-time.Nanosecond).In(loc).Format("2006-01-02")
	if f == l {
		return "on " + f
	}
	return "from " + f + " to " + l
}
