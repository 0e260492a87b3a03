package record

import (
	"maps"
	"slices"
)

// Merge returns one record standing for older followed by newer, for an
// output that fell behind: newer's state (it supersedes older's), and the
// events of both in order. Neither argument is changed. When the merged
// record would hold more than a bound of minute aggregates, the oldest are
// left out and their number returned.
func Merge(older, newer *Period) (merged *Period, dropped int) {
	m := *newer
	m.Covers = older.covers() + newer.covers()
	m.Transitions = concat(older.Transitions, newer.Transitions)
	m.Minutes = concat(older.Minutes, newer.Minutes)
	if n := len(m.Minutes) - maxMergedMinutes; n > 0 {
		dropped = n
		m.Minutes = append([]Minute(nil), m.Minutes[n:]...)
	}
	m.Gaps = concat(older.Gaps, newer.Gaps)
	m.Actions = concat(older.Actions, newer.Actions)
	m.Calibrations = concat(older.Calibrations, newer.Calibrations)
	m.Shifts = concat(older.Shifts, newer.Shifts)
	m.Clock = concat(older.Clock, newer.Clock)
	m.ConfigChanges = concat(older.ConfigChanges, newer.ConfigChanges)
	m.Ventilation = concat(older.Ventilation, newer.Ventilation)
	if len(older.Saved) > 0 && len(newer.Saved) > 0 {
		m.Saved = make(map[string]string, len(older.Saved)+len(newer.Saved))
		for k, v := range older.Saved {
			m.Saved[k] = v
		}
		for k, v := range newer.Saved {
			m.Saved[k] = v
		}
	} else if len(older.Saved) > 0 {
		m.Saved = older.Saved
	}
	return &m, dropped
}

// absorb merges newer into m in place, as m = Merge(m, newer) would, for
// a record its output's queue made by merging (mine, below) that nobody
// else has seen yet: the queue appends each later record's events to the
// lists it made instead of copying them all again for each record, which
// made an output that stays behind cost the square of its backlog.
func (m *Period) absorb(newer *Period) (dropped int) {
	old := *m
	*m = *newer
	m.Covers = old.covers() + newer.covers()
	m.Transitions = append(old.Transitions, newer.Transitions...)
	m.Minutes = append(old.Minutes, newer.Minutes...)
	if n := len(m.Minutes) - maxMergedMinutes; n > 0 {
		// Dropped from the front in place: the array is let go when an
		// append outgrows it, so a record stuck at the bound copies its
		// minutes once every several thousand merged, not at each.
		dropped = n
		clear(m.Minutes[:n])
		m.Minutes = m.Minutes[n:]
	}
	m.Gaps = append(old.Gaps, newer.Gaps...)
	m.Actions = append(old.Actions, newer.Actions...)
	m.Calibrations = append(old.Calibrations, newer.Calibrations...)
	m.Shifts = append(old.Shifts, newer.Shifts...)
	m.Clock = append(old.Clock, newer.Clock...)
	m.ConfigChanges = append(old.ConfigChanges, newer.ConfigChanges...)
	m.Ventilation = append(old.Ventilation, newer.Ventilation...)
	m.Saved = old.Saved
	if len(newer.Saved) > 0 && m.Saved == nil {
		m.Saved = make(map[string]string, len(newer.Saved))
	}
	for k, v := range newer.Saved {
		m.Saved[k] = v
	}
	return dropped
}

// mine returns a copy of p whose event lists and saved state are its own,
// for the queue to absorb later records into (a published record's lists
// are shared by every output and never appended to).
func mine(p *Period) *Period {
	m := *p
	m.Transitions = slices.Clone(p.Transitions)
	m.Minutes = slices.Clone(p.Minutes)
	m.Gaps = slices.Clone(p.Gaps)
	m.Actions = slices.Clone(p.Actions)
	m.Calibrations = slices.Clone(p.Calibrations)
	m.Shifts = slices.Clone(p.Shifts)
	m.Clock = slices.Clone(p.Clock)
	m.ConfigChanges = slices.Clone(p.ConfigChanges)
	m.Ventilation = slices.Clone(p.Ventilation)
	m.Saved = maps.Clone(p.Saved)
	return &m
}

func (p *Period) covers() int {
	if p.Covers < 1 {
		return 1
	}
	return p.Covers
}

// concat returns a followed by b in a new slice when both have elements,
// else whichever has: published slices are shared and never appended to.
func concat[T any](a, b []T) []T {
	switch {
	case len(a) == 0:
		return b
	case len(b) == 0:
		return a
	}
	out := make([]T, 0, len(a)+len(b))
	return append(append(out, a...), b...)
}
