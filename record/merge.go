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
	m := mine(older)
	return m, m.absorb(newer)
}

// absorb merges newer into m in place (what Merge returns), for a record
// its owner made with mine and nobody else has seen yet: an output's
// queue appends each later record's events to the lists it made instead
// of copying them all again for each record, which made an output that
// stays behind cost the square of its backlog.
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
