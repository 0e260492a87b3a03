package report

import (
	"math"
	"time"

	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/export"
	ventrecord "github.com/ventd/ventd/record"
)

// series is what one plot shows: a pollutant in a zone over a shift.
type series struct {
	row    export.Shift
	until  time.Time // the end of the record: the shift's end, or now for a running one
	mean   []runXY   // minute means, one run per stretch without a missing minute
	max    []runXY   // minute maxima, likewise
	stel   []runXY   // the rolling 15 min average at each minute's end
	gaps   []span    // what the figures count as unmeasured (the summary's gaps)...
	above  []span    // ...but those with every sensor above its range: dense smoke, not "no data"
	yMax   float64   // the highest value drawn
	points int
}

type xy struct {
	t time.Time
	v float64
}

type runXY []xy

type span struct{ from, to time.Time }

// readSeries reads the minutes of row's shift, and of the 15 min before
// it for the first 15 min average. The average at a minute's end is the
// mean over the measured part of the 15 minutes before, as
// exposure.Snapshot.STEL defines it, here from minute means.
func readSeries(r *export.Records, row export.Shift) (*series, error) {
	s := &series{row: row, until: row.End}
	if row.Until.Before(s.until) && !row.Until.IsZero() {
		s.until = row.Until
	}
	type slot struct {
		start    time.Time
		sum, cov float64 // Σ mean × covered seconds, Σ covered seconds
	}
	var window []slot  // the minutes of the last 15
	var prev time.Time // start of the previous minute drawn
	err := r.EachMinute(row.Start.Add(-exposure.STELWindow), s.until, row.Zone, string(row.Quantity), func(m export.Minute) error {
		if !(m.CoveredSeconds > 0) || !finite(m.Mean) || !finite(m.Max) {
			// Nothing measured (a gap), or a row no ventd writes (an
			// edit, a damaged file: verify names it): a NaN or an
			// infinity would hang the plot's axis.
			return nil
		}
		end := m.Start.Add(time.Minute)
		window = append(window, slot{m.Start, m.Mean * m.CoveredSeconds, m.CoveredSeconds})
		for len(window) > 0 && window[0].start.Before(end.Add(-exposure.STELWindow)) {
			window = window[1:]
		}
		var sum, cov float64
		for _, w := range window {
			sum, cov = sum+w.sum, cov+w.cov
		}
		if m.Start.Before(row.Start) {
			return nil
		}
		broken := prev.IsZero() || m.Start.Sub(prev) > time.Minute
		s.mean = extend(s.mean, broken, xy{m.Start.Add(30 * time.Second), m.Mean})
		s.max = extend(s.max, broken, xy{m.Start.Add(30 * time.Second), m.Max})
		if cov > 0 {
			st := sum / cov
			s.stel = extend(s.stel, broken, xy{end, st})
			s.yMax = max(s.yMax, st)
		}
		s.yMax = max(s.yMax, m.Max)
		s.points++
		prev = m.Start
		return nil
	})
	s.gaps, s.above = gapSpans(row)
	return s, err
}

// gapSpans are the shift's gaps to shade: above, the time every sensor
// read above its range (the air at least the range's top), and gaps, the
// rest (nothing known). Grey for both had dense smoke read as ventd not
// running.
func gapSpans(row export.Shift) (gaps, above []span) {
	for _, g := range row.Gaps {
		sp := span{g.Start, g.Start.Add(g.Length.Std())}
		if g.Reason == ventrecord.GapAboveRange {
			above = append(above, sp)
		} else {
			gaps = append(gaps, sp)
		}
	}
	return gaps, above
}

func extend(runs []runXY, broken bool, p xy) []runXY {
	if broken || len(runs) == 0 {
		return append(runs, runXY{p})
	}
	runs[len(runs)-1] = append(runs[len(runs)-1], p)
	return runs
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
