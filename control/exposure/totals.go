package exposure

import "time"

// Totals are a tracker's cumulative figures since it started, or since
// ResetTotals: counters that only grow. The increase over any window answers
// "how much in this window" (Prometheus's increase()), so a shift's TWA is
// the increase of Dose over the shift divided by 8 h, and its time over the
// alarm level the increase of OverAlarm, wherever the window falls.
type Totals struct {
	// Dose is ∫ c dt over the measured time, in the unit × seconds
	// (ppm·s, µg/m³·s); unmeasured time adds nothing, as in the TWA.
	Dose float64 `json:"dose"`
	// Measured is the time with valid data; the rest is a gap.
	Measured Duration `json:"measured_s"`
	// OverAlarm is the time with the value above Limits.Alarm, and with
	// every sensor above a range whose top is at or above it, as
	// Summary.TimeOverAlarm counts it; OverAlarmAboveRange is that part.
	OverAlarm           Duration `json:"over_alarm_s"`
	OverAlarmAboveRange Duration `json:"over_alarm_above_range_s"`
	// OverSTEL is the time with the rolling 15 min TWA above Limits.STEL,
	// counted per second as Summary.TimeOverSTEL is.
	OverSTEL Duration `json:"stel_over_limit_s"`
}

// totals accumulates Totals; dose is concentration × nanoseconds, as the
// shift sums are.
type totals struct {
	dose                          float64
	measured, overAlarm, overSTEL time.Duration
	overAlarmAbove                time.Duration
}

// add accounts d of measured time at c.
func (s *totals) add(c float64, d time.Duration, alarm float64) {
	s.dose += c * float64(d)
	s.measured += d
	if alarm > 0 && c > alarm {
		s.overAlarm += d
	}
}

// addAbove accounts d with every sensor above a range whose top is top:
// no measurement, but over alarm when the top is at or above it.
func (s *totals) addAbove(top float64, d time.Duration, alarm float64) {
	if overTop(alarm, top) {
		s.overAlarm += d
		s.overAlarmAbove += d
	}
}

// reportTo sets *out to the totals as reported (see liveTotalsTo).
func (s *totals) reportTo(out *Totals) {
	out.Dose, out.Measured = s.dose/float64(time.Second), Duration(s.measured)
	out.OverAlarm, out.OverAlarmAboveRange, out.OverSTEL = Duration(s.overAlarm), Duration(s.overAlarmAbove), Duration(s.overSTEL)
}

// ResetTotals starts the totals again from zero. The daemon calls it after
// rebuilding a tracker from the journal, so that its counters start with
// the process (as Prometheus expects of a counter) instead of counting the
// rebuilt hours a second time; the OpenMetrics export calls it at each
// midnight UTC, so that exporting a day twice writes the same values.
func (t *Tracker) ResetTotals() { t.tot = totals{} }

// liveTotalsTo sets *out to the totals with the held sample counted up to
// now, as Snapshot counts it in the rolling windows. It sets the fields one
// by one: a Totals returned and then copied into the snapshot was read back
// in 16-byte moves from the 8-byte stores that had just made it, which the
// processor cannot forward, and that stall was a sixth of a snapshot's time.
func (t *Tracker) liveTotalsTo(out *Totals, now int64) {
	s := t.tot
	if t.pending {
		if e := min(t.cursor.ns+int64(t.maxIv), now); e > t.cursor.ns {
			if t.pendAbove {
				s.addAbove(t.pendC, time.Duration(e-t.cursor.ns), t.opts.Limits.Alarm)
			} else {
				s.add(t.pendC, time.Duration(e-t.cursor.ns), t.opts.Limits.Alarm)
			}
		}
	}
	s.reportTo(out)
}
