package export

import (
	"fmt"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/journal"
	ventrecord "github.com/ventd/ventd/record"
	"github.com/ventd/ventd/sample"
)

// MinutesNote is the note on every shift rebuilt from minutes.
const MinutesNote = "rebuilt from minute means: stel_peak is a lower bound of the live 1 s figure; " +
	"time over alarm, time STEL over limit and excursions are approximate (peaks shorter than a minute are averaged away); " +
	"time over alarm includes the above_range gaps where the sensors' range top is at or above the alarm level, as live; " +
	"TWA, coverage and gaps follow from the minutes"

// rebuild computes a shift's summary the way the daemon does after a
// restart: a tracker fed with the journal's minutes (each its mean over its
// covered seconds) and gaps (the above_range ones at top, the range's top),
// from 15 min before the shift so the first STEL window is full. A shift
// still running at now is summarised up to now.
func rebuild(j *journal.Journal, zone, quantity string, sh exposure.Shift, lim exposure.Limits, top float64, now time.Time) (exposure.Summary, string, error) {
	length := sh.End.Sub(sh.Start)
	start := sh.Start.UTC()
	tod := start.Sub(start.Truncate(24 * time.Hour))
	// A one-start schedule in UTC reproduces exactly this shift, whatever
	// the site's zone and its DST changes did to its length.
	sched := exposure.Schedule{Starts: []time.Duration{tod}, Length: length, Location: time.UTC}
	tr, err := exposure.New(exposure.Opts{Quantity: sample.Quantity(quantity), Zone: zone, Limits: lim, Schedule: sched})
	if err != nil {
		return exposure.Summary{}, "", fmt.Errorf("shift %s %s from %s: %w", zone, quantity, start.Format(time.RFC3339), err)
	}
	until := sh.End
	if now.Before(until) {
		until = now
	}
	if !until.After(sh.Start) {
		return exposure.Summary{}, "", fmt.Errorf("shift %s %s from %s has not started at %s", zone, quantity,
			start.Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	warm := sh.Start.Add(-exposure.STELWindow)
	ms, err := j.Minutes(warm, until, zone, quantity)
	if err != nil {
		return exposure.Summary{}, "", err
	}
	all, err := j.Gaps(warm, until)
	if err != nil {
		return exposure.Summary{}, "", err
	}
	var gaps []journal.Gap
	for _, g := range all {
		if (g.Zone == "" || g.Zone == zone) && (g.Quantity == "" || g.Quantity == quantity) {
			gaps = append(gaps, g)
		}
	}
	f := feeder{tr: tr, gaps: gaps, top: top}
	for _, m := range ms {
		f.gapsBefore(m.Start)
		f.minute(m)
	}
	f.gapsBefore(until)
	note := MinutesNote
	if f.refused > 0 {
		note += fmt.Sprintf("; %d minutes refused by the tracker (%v) and counted as gaps", f.refused, f.firstErr)
	}
	if until.Equal(sh.End) {
		if f.cursor.Before(sh.End) { // else the last minute already took the tracker past the end
			if err := tr.Gap(maxTime(f.cursor, sh.Start), sh.End); err != nil {
				return exposure.Summary{}, "", err
			}
		}
		done, _ := tr.TakeFinished()
		for _, s := range done {
			if s.Start.Equal(sh.Start) {
				return s, note, nil
			}
		}
		return exposure.Summary{}, "", fmt.Errorf("shift %s %s from %s: the tracker did not finish it", zone, quantity, start.Format(time.RFC3339))
	}
	s, ok := tr.Current(until)
	if !ok {
		return exposure.Summary{}, "", fmt.Errorf("shift %s %s from %s: not running at %s", zone, quantity, start.Format(time.RFC3339), until.Format(time.RFC3339))
	}
	return s, note + "; running: figures up to the generation time", nil
}

// feeder hands minutes and gaps (of one zone and pollutant, by start) to a
// tracker in time order. A minute stands for [start, start + covered
// seconds); a gap is clipped to the next minute with data, since data wins
// over a gap recorded around it. An above_range gap's time counts as the
// live tracker counted it (exposure.Tracker.AddAboveRange), at top.
type feeder struct {
	tr   *exposure.Tracker
	gaps []journal.Gap
	top  float64
	// filled is the end of the latest minute with data: the above_range
	// time within it was placed after its data, and is not placed again.
	filled   time.Time
	cursor   time.Time
	next     int // first gap not yet fed
	refused  int
	firstErr error
}

func (f *feeder) gapsBefore(t time.Time) {
	for ; f.next < len(f.gaps) && f.gaps[f.next].Start.Before(t); f.next++ {
		g := f.gaps[f.next]
		from, to := maxTime(g.Start, f.cursor), g.End
		if to.After(t) {
			to = t
		}
		switch {
		case g.Reason == ventrecord.GapAboveRange:
			if from = maxTime(from, f.filled); to.After(from) && f.tr.AboveRangeInterval(from, to.Sub(from), f.top) == nil {
				f.cursor = to
			}
		case to.After(from) && f.tr.Gap(from, to) == nil:
			f.cursor = to
		}
		if g.End.After(t) { // the rest of it may lie after the next minute
			return
		}
	}
}

func (f *feeder) minute(m journal.Minute) {
	d := time.Duration(m.CoveredSeconds * float64(time.Second))
	if d <= 0 || m.Start.Before(f.cursor) {
		return
	}
	if err := f.tr.AddInterval(m.Start, d, m.Mean); err != nil {
		f.refused++
		if f.firstErr == nil {
			f.firstErr = err
		}
		return
	}
	f.cursor = m.Start.Add(d)
	// A minute row keeps how long its data lasted, not where in the
	// minute it fell: the minute's time above the range follows its data,
	// so that each keeps its length.
	end := m.Start.Add(time.Minute)
	if a := min(f.aboveRange(m.Start, end), end.Sub(f.cursor)); a > 0 && f.tr.AboveRangeInterval(f.cursor, a, f.top) == nil {
		f.cursor = f.cursor.Add(a)
	}
	f.filled = end
}

// aboveRange is the time of the above_range gaps within [from, to), all
// among the gaps not fed yet (gapsBefore(from) fed those ending before).
func (f *feeder) aboveRange(from, to time.Time) time.Duration {
	var d time.Duration
	for _, g := range f.gaps[f.next:] {
		if !g.Start.Before(to) {
			break
		}
		if g.Reason == ventrecord.GapAboveRange {
			if o := minTime(g.End, to).Sub(maxTime(g.Start, from)); o > 0 {
				d += o
			}
		}
	}
	return d
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// rangeTopFor returns the top of the range of zone's sensors of q under
// cfg (exposure.RangeTop, as the daemon takes it), or of ventd's PM
// sensors at their default calibration without a configuration.
func rangeTopFor(cfg *config.Config, zone string, q sample.Quantity) float64 {
	if cfg == nil {
		return exposure.DefaultRangeTop(q)
	}
	return exposure.RangeTop(cfg, zone, q)
}

// limitsFor returns the limits the daemon uses for q under cfg (the same
// rule as daemon.limitsFor), or ventd's defaults without a configuration.
func limitsFor(cfg *config.Config, q sample.Quantity) exposure.Limits {
	if cfg == nil {
		l, ok := exposure.DefaultLimits(q)
		if !ok {
			return exposure.Limits{Source: "none (ventd has no default limit for " + string(q) + "; no configuration given to the export)"}
		}
		l.Source = "ventd defaults (no configuration given to the export): " + l.Source
		return l
	}
	return exposure.ConfigLimits(cfg, q)
}
