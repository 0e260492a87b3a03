package exposure

import (
	"encoding/json"
	"time"

	"github.com/ventd/ventd/sample"
)

// Summary is the exposure record of one shift, finished or so far.
//
// TWA is the OSHA equivalent exposure E = Σ CᵢTᵢ / 8 h over the measured
// time: the number an auditor compares with the (adjusted) TWA limit.
// MeanCovered is Σ CᵢTᵢ / Σ Tᵢ, the mean over the measured time: what the
// shift TWA would be if the unmeasured time were like the measured time. The
// two differ whenever the shift is not exactly 8 h fully measured. Time in a
// gap adds nothing to TWA; Coverage and Gaps say how much of the shift that
// was, so a low TWA over a badly covered shift is never mistaken for clean
// air.
type Summary struct {
	Quantity sample.Quantity `json:"quantity"`
	Unit     string          `json:"unit"`
	Zone     string          `json:"zone"`

	Start    time.Time `json:"start"`
	End      time.Time `json:"end"`
	Length   Duration  `json:"length_s"` // real length (DST changes it)
	Until    time.Time `json:"until"`    // accounted up to; End once finished
	Finished bool      `json:"finished"`
	// Complete: the shift is over and every second of it was measured, so
	// TWA is a full OSHA shift TWA rather than a lower bound.
	Complete bool `json:"complete"`

	TWA         float64 `json:"twa_osha"`     // E = Σ CᵢTᵢ / 8 h, so far
	MeanCovered Conc    `json:"mean_covered"` // Σ CᵢTᵢ / measured time; null if nothing was measured

	Limits           Limits  `json:"limits"`
	ReductionFactor  float64 `json:"reduction_factor"`   // Brief & Scala RF for Length
	AdjustedTWALimit float64 `json:"adjusted_twa_limit"` // RF × Limits.TWA; 0 = no limit

	STELPeak   Conc      `json:"stel_peak"` // highest 15 min TWA; null if never known
	STELPeakAt time.Time `json:"stel_peak_at"`
	// TimeOverAlarm is the time with the instantaneous value above
	// Limits.Alarm, and with every sensor above its range where the range's
	// top is at or above it: the air held at least the top, so it was over
	// the level though no value is known. TimeOverAlarmAboveRange is that
	// part (time with no value: in the gaps, not in Covered), so that a
	// report can say how much of the figure it is.
	TimeOverAlarm           Duration `json:"time_over_alarm_s"`
	TimeOverAlarmAboveRange Duration `json:"time_over_alarm_above_range_s"`
	// TimeOverSTEL is the time with the 15 min TWA, over the window's
	// measured part, above Limits.STEL: an average, so time with no value
	// (above the range included) adds nothing to it.
	TimeOverSTEL Duration   `json:"time_stel_over_limit_s"`
	AboveSTEL    Excursions `json:"excursions_above_stel"`
	AboveTWA     Excursions `json:"excursions_above_twa"`
	Violations   Violations `json:"violations"`

	Elapsed     Duration `json:"elapsed_s"`    // Until − Start
	Covered     Duration `json:"covered_s"`    // time with valid data
	Coverage    float64  `json:"coverage_pct"` // 100 × Covered / Elapsed
	Gaps        []Gap    `json:"gaps"`
	GapTotal    Duration `json:"gap_total_s"`
	GapsOmitted int      `json:"gaps_omitted"` // gaps counted in GapTotal but not listed (list is capped)
}

// summarize reports acc up to until. With live, the held sample counts up to
// until (capped at MaxSampleInterval) and the time after it as a gap, without
// changing the tracker.
func (t *Tracker) summarize(acc *shiftAcc, until time.Time, live bool) Summary {
	sum, covered, overAlarm, overAbove := acc.sum, acc.covered, acc.overAlarm, acc.overAlarmAbove
	gaps := acc.gaps
	gaps.list = append([]Gap(nil), acc.gaps.list...) // the virtual part must not touch acc
	if u := at(until); live && u.ns > acc.acct.ns {
		from := acc.acct
		if t.pending {
			end := earlierOf(t.cursor.add(t.maxIv), u)
			if s := laterOf(from, t.cursor); end.ns > s.ns {
				gaps.add(from, s)
				d := end.sub(s)
				switch {
				case t.pendAbove:
					gaps.add(s, end)
					if overTop(acc.lim.Alarm, t.pendC) {
						overAlarm += d
						overAbove += d
					}
				default:
					sum += t.pendC * float64(d)
					covered += d
					if acc.lim.Alarm > 0 && t.pendC > acc.lim.Alarm {
						overAlarm += d
					}
				}
				from = end
			}
		}
		gaps.add(from, u)
	}
	lim := acc.lim
	rf := acc.shift.ReductionFactor()
	s := Summary{
		Quantity: t.opts.Quantity, Unit: t.opts.Quantity.Unit(), Zone: t.opts.Zone,
		Start: acc.shift.Start, End: acc.shift.End, Length: Duration(acc.shift.Length()),
		Until: until, Finished: !until.Before(acc.shift.End),
		TWA:         sum / float64(8*time.Hour),
		MeanCovered: Unknown,
		Limits:      lim, ReductionFactor: rf, AdjustedTWALimit: rf * lim.TWA,
		STELPeak: acc.peak, STELPeakAt: acc.peakAt.time(),
		TimeOverAlarm: Duration(overAlarm), TimeOverAlarmAboveRange: Duration(overAbove), TimeOverSTEL: Duration(acc.overSTEL),
		AboveSTEL: acc.aboveSTEL.report(), AboveTWA: acc.aboveTWA.report(),
		Elapsed: Duration(until.Sub(acc.shift.Start)), Covered: Duration(covered),
		Gaps: gaps.list, GapTotal: Duration(gaps.total), GapsOmitted: gaps.omitted,
	}
	if covered > 0 {
		s.MeanCovered = Conc(sum / float64(covered))
	}
	s.Complete = s.Finished && s.Covered == s.Elapsed
	if s.Elapsed > 0 {
		s.Coverage = 100 * float64(covered) / float64(s.Elapsed)
	}
	s.Violations = Violations{
		TWA:            lim.TWA > 0 && s.TWA > s.AdjustedTWALimit,
		STEL:           acc.overSTEL > 0,
		STELExcursions: s.AboveSTEL.TooMany || s.AboveSTEL.TooClose,
		TWAExcursions:  s.AboveTWA.TooMany || s.AboveTWA.TooClose,
	}
	return s
}

// Current returns the summary so far of the shift containing now, and
// false between shifts. The sample held at now counts up to now; the STEL
// peak, excursions and time over STEL are those evaluated so far (they lag
// by at most one sample interval).
func (t *Tracker) Current(now time.Time) (Summary, bool) {
	now, _ = t.notBefore(now)
	sh, ok := t.opts.Schedule.ShiftAt(now)
	if !ok {
		return Summary{}, false
	}
	var acc *shiftAcc
	for _, a := range t.open {
		if a.shift == sh {
			acc = a
		}
	}
	if acc == nil { // a shift nothing was accounted in yet (made only then: the loop asks every minute)
		acc = newShiftAcc(sh, t.opts.Limits)
	}
	return t.summarize(acc, now, true), true
}

// Snapshot is the state of one tracker at an instant, for /api/state and
// /metrics. Rolling windows end at now and start on a whole second (STEL)
// or minute (8 h) boundary.
type Snapshot struct {
	// Series says what is tracked where: its fields read as Snapshot's
	// own (Quantity, Unit, Zone), in JSON too. A tracker's snapshots share
	// its one (never nil from a tracker): the loop puts a snapshot of each
	// tracker in every period's record.
	*Series
	Time time.Time `json:"time"`

	// Value is the latest valid sample while it still stands for the air
	// (MaxSampleInterval), null after.
	Value   Conc      `json:"value"`
	ValueAt time.Time `json:"value_at"`

	// STEL is the mean over the measured part of the last 15 min: a gap
	// in the window is left out, not counted as clean air. Unknown (null)
	// while less than STELMinMeasured of the window is measured;
	// STELCoverage says how much is.
	STEL         Conc    `json:"stel"`
	STELCoverage float64 `json:"stel_coverage_pct"`

	// TWA8h is Σ CᵢTᵢ over the last 8 h divided by 8 h (the OSHA formula
	// on a rolling window); Mean8h is the mean over its measured part.
	TWA8h      float64 `json:"twa_8h"`
	Mean8h     Conc    `json:"mean_8h"`
	Coverage8h float64 `json:"coverage_8h_pct"`

	// OverAlarm: Value above Limits.Alarm, or every sensor above a range
	// whose top is at or above it (Value is then null: no value is known).
	OverAlarm bool `json:"over_alarm"`
	OverSTEL  bool `json:"over_stel"` // STEL above Limits.STEL

	Shift *Summary `json:"shift"` // the current shift so far; null between shifts

	// Totals are cumulative since the tracker started (or ResetTotals),
	// the held sample counted up to now: Prometheus counters.
	Totals Totals `json:"totals"`
}

// UnmarshalJSON reads what Snapshot's JSON is, and gives the result a
// Series even where the text names none of its fields: a reader of
// s.Zone must find "", not a nil pointer.
func (s *Snapshot) UnmarshalJSON(b []byte) error {
	type plain Snapshot
	v := plain{Series: &Series{}}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*s = Snapshot(v)
	return nil
}

// Series is the pollutant a tracker follows, its unit and the zone.
// Immutable once in a snapshot.
type Series struct {
	Quantity sample.Quantity `json:"quantity"`
	Unit     string          `json:"unit"`
	Zone     string          `json:"zone"`
}

// Snapshot returns the current values at now. It changes nothing. A now
// before the latest data is taken as the time of the latest data.
func (t *Tracker) Snapshot(now time.Time) Snapshot {
	s := t.Rolling(now)
	if sh, ok := t.Current(s.Time); ok {
		s.Shift = &sh
	}
	return s
}

// Rolling is Snapshot without the shift summary (Shift is nil): the held
// value, the rolling windows and the totals. The summary is most of a
// snapshot's size, and a caller that publishes one every second (the
// daemon) takes it with Current only when it wants a fresh one.
func (t *Tracker) Rolling(now time.Time) Snapshot {
	var s Snapshot
	t.RollingTo(&s, now)
	return s
}

// RollingTo sets every field of *s to what Rolling returns, for a caller
// that keeps the snapshot in a record it is building: a snapshot is a few
// hundred bytes with pointers, and the daemon copied each one twice a
// period on its way into the record.
func (t *Tracker) RollingTo(s *Snapshot, now time.Time) {
	now, nowNs := t.notBefore(now)
	lim := &t.opts.Limits
	s.Series, s.Time = t.series, now
	s.Value, s.ValueAt, s.OverAlarm = Unknown, time.Time{}, false
	s.STEL, s.STELCoverage, s.OverSTEL = Unknown, 0, false
	s.TWA8h, s.Mean8h, s.Coverage8h = 0, Unknown, 0
	s.Shift = nil
	switch held := t.pending && nowNs < t.cursor.ns+int64(t.maxIv); {
	case held && t.pendAbove:
		s.OverAlarm = overTop(lim.Alarm, t.pendC)
	case held:
		s.Value, s.ValueAt = Conc(t.pendC), now // the cursor's time when it is now's (notBefore)
		if nowNs != t.cursor.ns {
			s.ValueAt = t.cursor.time()
		}
		s.OverAlarm = lim.Alarm > 0 && t.pendC > lim.Alarm
	}
	if sum, cov, span := t.rolling(&t.sec, nowNs); cov > 0 {
		s.STELCoverage = pct(cov, span)
		if cov >= int64(STELMinMeasured) {
			s.STEL = Conc(sum / float64(cov))
			s.OverSTEL = lim.STEL > 0 && float64(s.STEL) > lim.STEL
		}
	}
	if sum, cov, span := t.rolling(&t.min, nowNs); cov > 0 {
		s.TWA8h = sum / float64(TWAWindow)
		s.Mean8h = Conc(sum / float64(cov))
		s.Coverage8h = pct(cov, span)
	}
	t.liveTotalsTo(&s.Totals, nowNs)
}

// notBefore is now, or the cursor when now is not after it, and its Unix
// nanoseconds.
func (t *Tracker) notBefore(now time.Time) (time.Time, int64) {
	n := now.UnixNano()
	switch {
	case n > t.cursor.ns:
		return now, n
	case n == t.cursor.ns && now.Location() == t.cursor.loc:
		// The daemon's snapshot is of the instant its sample was just
		// added at: without its monotonic reading (which Round(0)
		// strips) now is the cursor's time.Time to the bit, and
		// building that again from the cursor was most of a snapshot's
		// time handling.
		return now.Round(0), n
	}
	return t.cursor.time(), t.cursor.ns
}

func pct(cov int64, span time.Duration) float64 {
	if span <= 0 {
		return 0
	}
	return 100 * float64(cov) / float64(span)
}

// rolling sums the ring's window ending at now, with the held sample
// counted up to now.
func (t *Tracker) rolling(r *ring, now int64) (sum float64, cov int64, span time.Duration) {
	hi := r.index(now - 1) // the bin holding the last instant before now
	lo := hi - int64(len(r.bins)) + 2
	from := r.start(lo)
	sum, cov = r.window(lo, hi)
	if t.pending && !t.pendAbove {
		s := max(t.cursor.ns, from)
		if e := min(t.cursor.ns+int64(t.maxIv), now); e > s {
			d := e - s
			sum += t.pendC * float64(d)
			cov += d
		}
	}
	return sum, cov, time.Duration(now - from)
}

// Mixture is the OSHA 1910.1000(d)(2) mixture index Em = Σ Eᵢ/Lᵢ for the
// current shift at now, over the trackers (of one zone) whose pollutant has
// a TWA limit; Lᵢ is the Brief & Scala adjusted limit. Em above 1 is over the
// limit. n is how many pollutants entered the sum.
func Mixture(now time.Time, trackers ...*Tracker) (em float64, n int) {
	shifts := make([]*Summary, 0, len(trackers))
	for _, t := range trackers {
		if s, ok := t.Current(now); ok {
			shifts = append(shifts, &s)
		}
	}
	return MixtureOf(shifts...)
}

// MixtureOf is Mixture over shift summaries already at hand (nil ones are
// skipped), for a caller that has just taken each tracker's Snapshot.
func MixtureOf(shifts ...*Summary) (em float64, n int) {
	for _, s := range shifts {
		if s == nil || s.AdjustedTWALimit <= 0 {
			continue
		}
		em += s.TWA / s.AdjustedTWALimit
		n++
	}
	return em, n
}
