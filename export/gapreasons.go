package export

import (
	"time"

	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/journal"
	ventrecord "github.com/ventd/ventd/record"
)

// ShiftGap is one gap of a shift's record (exposure.Summary.Gaps) with its
// reason, the journal's word for it (daemon_down, starting, sensor_fault,
// above_range…), as the gaps section has it. A gap of the record that
// spans several of the journal's (ventd down, then starting) is listed as
// one part per reason.
type ShiftGap struct {
	Start  time.Time         `json:"start"`
	Length exposure.Duration `json:"length_s"`
	Reason string            `json:"reason"`
}

// GapUnrecorded is the reason of a part of a shift's gap that no gap row
// of the journal covers: before ventd's first start in the shift, or in a
// journal written before ventd recorded every start and stop.
const GapUnrecorded = "unrecorded"

// gapTolerance is how close a journal's gap, kept to the millisecond, must
// come to the record's (to the nanosecond) to take its part: slivers under
// it go to the neighbouring part rather than stand as gaps of their own.
const gapTolerance = time.Millisecond

// withReasons splits s's gaps by the journal's gap rows that apply to its
// zone and quantity (rows, by start), each part with its row's reason.
func withReasons(s *exposure.Summary, rows []journal.Gap) []ShiftGap {
	var mine []journal.Gap
	for _, g := range rows {
		if (g.Zone == "" || g.Zone == s.Zone) && (g.Quantity == "" || g.Quantity == string(s.Quantity)) {
			mine = append(mine, g)
		}
	}
	out := make([]ShiftGap, 0, len(s.Gaps))
	for _, g := range s.Gaps {
		from, end := g.Start, g.Start.Add(g.Length.Std())
		add := func(to time.Time, reason string) {
			if d := to.Sub(from); d > 0 {
				if n := len(out); n > 0 && out[n-1].Reason == reason && out[n-1].Start.Add(out[n-1].Length.Std()).Equal(from) {
					out[n-1].Length += exposure.Duration(d)
				} else {
					out = append(out, ShiftGap{Start: from.UTC(), Length: exposure.Duration(d), Reason: reason})
				}
			}
			from = to
		}
		for _, r := range mine {
			if !r.End.After(from) || !r.Start.Before(end) {
				continue
			}
			if r.Start.Sub(from) >= gapTolerance {
				add(r.Start, GapUnrecorded)
			}
			to := r.End
			if end.Sub(to) < gapTolerance {
				to = end
			}
			add(to, r.Reason)
			if !from.Before(end) {
				break
			}
		}
		if from.Before(end) {
			if n := len(out); n > 0 && end.Sub(from) < gapTolerance && out[n-1].Start.Add(out[n-1].Length.Std()).Equal(from) {
				out[n-1].Length += exposure.Duration(end.Sub(from))
			} else {
				add(end, GapUnrecorded)
			}
		}
	}
	return out
}

// addGapReasons gives every shift's gaps their reasons from the journal's
// gap rows over the shifts' span.
func addGapReasons(j *journal.Journal, out []Shift) error {
	if len(out) == 0 {
		return nil
	}
	lo, hi := out[0].Start, out[0].End
	for _, r := range out {
		lo, hi = minTime(lo, r.Start), maxTime(hi, r.End)
	}
	rows, err := j.Gaps(lo.Add(-exposure.STELWindow), hi) // a shift's first STEL windows reach back before it
	if err != nil {
		return err
	}
	for i := range out {
		out[i].Gaps = withReasons(&out[i].Summary, rows)
		aboveRangeInSTEL(&out[i], rows)
	}
	return nil
}

// aboveRangeInSTEL marks r's STEL peak a lower bound when every sensor
// read above its range (an above_range gap) in any of the shift's STEL
// windows: that time is left out of the 15 min average, though the air
// held at least the range's top, so a window's STEL understates it, and
// the true peak may be in a window too little measured to count at all.
// STELPeakAboveRange is how much of the peak's own window it was.
func aboveRangeInSTEL(r *Shift, rows []journal.Gap) {
	s := &r.Summary
	var inShift, inPeak time.Duration
	for _, g := range rows {
		if g.Reason != ventrecord.GapAboveRange || g.Zone != "" && g.Zone != s.Zone || g.Quantity != "" && g.Quantity != string(s.Quantity) {
			continue
		}
		inShift += overlap(g.Start, g.End, s.Start.Add(-exposure.STELWindow), s.Until)
		if s.STELPeak.Known() {
			inPeak += overlap(g.Start, g.End, s.STELPeakAt.Add(-exposure.STELWindow), s.STELPeakAt)
		}
	}
	if inShift > 0 {
		r.STELPeakLowerBound = true
	}
	if s.STELPeak.Known() {
		d := exposure.Duration(inPeak)
		r.STELPeakAboveRange = &d
	}
}

// overlap is the length of [a, b) within [lo, hi).
func overlap(a, b, lo, hi time.Time) time.Duration {
	return max(0, minTime(b, hi).Sub(maxTime(a, lo)))
}
