package record

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
