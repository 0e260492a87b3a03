package export

import (
	"time"

	"github.com/ventd/ventd/journal"
)

// window is a half-open span [from, to); a zero side is open.
type window struct{ from, to time.Time }

// days splits [from, to) into windows a day long over the span the
// journal has minutes for, plus one window before and one after it for
// records outside (there are seldom any): the sections other than minutes
// are read a window at a time, so an export's memory holds a day's rows
// whatever its length. Consecutive windows share their ends, and every
// section is ordered by time, so the rows come out as one read of
// [from, to) would give them.
func days(j *journal.Journal, from, to time.Time) ([]window, error) {
	first, last, err := j.Range()
	if err != nil || first.IsZero() {
		return []window{{from, to}}, err
	}
	lo, hi := first, last.Add(time.Minute)
	if !from.IsZero() && from.After(lo) {
		lo = from
	}
	if !to.IsZero() && to.Before(hi) {
		hi = to
	}
	if !lo.Before(hi) {
		return []window{{from, to}}, nil
	}
	ws := []window{{from, lo}}
	for t := lo; t.Before(hi); {
		next := t.Add(24 * time.Hour)
		if next.After(hi) {
			next = hi
		}
		ws = append(ws, window{t, next})
		t = next
	}
	return append(ws, window{hi, to}), nil
}
