package daemon

import (
	"fmt"
	"math"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/sensor"
)

// exposureQuantities are the pollutants with an exposure record. The VOC
// Index is relative (100 = this room's usual air) and so never an
// exposure measure.
var exposureQuantities = []sample.Quantity{sample.PM25, sample.PM10, sample.CO2}

// zoneMinutes is one pollutant's one-minute aggregate in one zone, for the
// journal: each period adds the mean of the zone's good samples. An
// exposure record keeps one (zoneExposure); the outdoor air keeps one of
// its own, with no record beside it (newOutdoorMinutes).
type zoneMinutes struct {
	zone    string
	q       sample.Quantity
	sensors []*sensor.Sensor
	min     minuteAgg
	last    time.Time // the latest period aggregated
	// waiting is set while the clock is behind last (stepped back, or
	// behind the journal at start): the record waits for it, and held
	// keeps what is measured meanwhile, apart (holdApart).
	waiting bool
	held    agg
	// above is set when the latest period had no good sample but one
	// above its sensor's range (heavy smoke): a gap, but not a fault.
	above bool
	// arrived is set once one of the sensors gave a reading of q since
	// the start, or failed: until then a period without data is the
	// sensors' start (an SPS30's first reading comes a second or so after
	// it is started, an SCD41's after 5 s), not a fault.
	arrived bool
}

// agg sums one pollutant's period values in a zone: a minute's (minuteAgg),
// or what was measured while the clock was behind the record (zoneMinutes'
// held: no minute or shift takes it, its times being the wrong clock's, and
// the journal gets it apart, as figures with no time).
type agg struct {
	sum, max float64
	count    int
	covered  time.Duration
}

// add takes one period's value v, standing for period.
func (h *agg) add(v float64, period time.Duration) {
	if h.count == 0 || v > h.max {
		h.max = v
	}
	h.sum += v
	h.count++
	h.covered += period
}

// zoneExposure keeps one pollutant's exposure record in one zone, fed each
// period with the mean of the zone's good samples, and its one-minute
// aggregate for the journal.
type zoneExposure struct {
	zoneMinutes
	tr    *exposure.Tracker
	valid bool // the last period had valid data
	// top is the least top of the range of the zone's sensors: the air
	// holds at least this while all of them read above it (0: none can).
	top float64
	// gapStart is when the current stretch without valid data began, and
	// gapReason its reason (record.GapSensorFault, GapAboveRange or
	// GapStarting).
	gapStart  time.Time
	gapReason string
	// shift is the shift summary the records carry, taken at the minute
	// shiftMinute (see shiftSummaries); nil between shifts and when a
	// fresh one is due.
	shift       *exposure.Summary
	shiftMinute time.Time
}

// minuteAgg accumulates one minute of a zone's pollutant. Part of it may
// have gone to the journal early (an alarm's minute is written at once):
// sent counts that part, and the minute's end sends the rest, which the
// journal merges with it.
type minuteAgg struct {
	start time.Time
	agg
	sent minuteAgg0
}

// minuteAgg0 is the part of a minute already sent.
type minuteAgg0 struct {
	sum     float64
	count   int
	covered time.Duration
}

// sampleHold is how long a period's sample stands for the air: the
// tracker's 10 s, or two periods where the loop runs slower, so that a
// 10 s period stretched by a slow bus is not a gap every time.
func sampleHold(period time.Duration) time.Duration {
	return max(exposure.DefaultMaxSampleInterval, 2*period)
}

// newExposures builds a tracker for every booth and staff zone and
// pollutant that has a sensor measuring it. An outdoor zone gets none:
// nobody works there, so its air is no one's exposure, and a staff record
// an auditor reads must hold only air someone breathed at work. Its
// sensors still feed the law, the alarms' fault rules and the readings.
func newExposures(cfg *config.Config, sensors *sensor.Set, sched exposure.Schedule) ([]*zoneExposure, error) {
	var out []*zoneExposure
	for _, z := range cfg.Zones {
		if !hasExposure(z.Kind) {
			continue
		}
		for _, q := range exposureQuantities {
			in := zoneSensorsOf(sensors, z.Name, q)
			if len(in) == 0 {
				continue
			}
			lim := exposure.ConfigLimits(cfg, q)
			tr, err := exposure.New(exposure.Opts{Quantity: q, Zone: z.Name, Limits: lim, Schedule: sched,
				MaxSampleInterval: sampleHold(cfg.Control.Period)})
			if err != nil {
				return nil, fmt.Errorf("exposure %s/%s: %w", z.Name, q, err)
			}
			out = append(out, &zoneExposure{zoneMinutes: zoneMinutes{zone: z.Name, q: q, sensors: in}, tr: tr,
				top: exposure.RangeTop(cfg, z.Name, q)})
		}
	}
	return out, nil
}

// zoneSensorsOf lists the sensors in zone that measure q.
func zoneSensorsOf(sensors *sensor.Set, zone string, q sample.Quantity) []*sensor.Sensor {
	var in []*sensor.Sensor
	for _, s := range sensors.All() {
		if s.Config().Zone == zone && s.Config().Type.Measures(q) {
			in = append(in, s)
		}
	}
	return in
}

// newOutdoorMinutes builds a minute aggregate for every outdoor zone and
// pollutant of the exposure records (PM2.5, PM10, CO2) that a sensor there
// measures. They go to the journal as any zone's minutes do, so the
// export and the report can set the staff's air beside the air the room
// took in (a wildfire day); no tracker, gap or shift summary goes with
// them, so they are no one's exposure and in no verdict.
func newOutdoorMinutes(cfg *config.Config, sensors *sensor.Set) []*zoneMinutes {
	var out []*zoneMinutes
	for _, z := range cfg.Zones {
		if z.Kind != config.Outdoor {
			continue
		}
		for _, q := range exposureQuantities {
			if in := zoneSensorsOf(sensors, z.Name, q); len(in) > 0 {
				out = append(out, &zoneMinutes{zone: z.Name, q: q, sensors: in})
			}
		}
	}
	return out
}

// hasExposure says whether a zone of kind k keeps an exposure record:
// only the zones people are in. Listing them, rather than leaving out
// outdoor, keeps a kind added later out of the staff's record until
// someone decides it belongs there.
func hasExposure(k config.ZoneKind) bool {
	return k == config.Booth || k == config.Staff
}

// retractFrozen turns the time a reading was frozen, before the stuck
// detector could tell, into a gap: it was recorded as measured air, and it
// was not. Only a zone's sole sensor of a quantity is retracted (with
// several, the frozen one's share of the mean cannot be told apart).
func (d *Daemon) retractFrozen() {
	for _, s := range d.sensors.All() {
		for _, f := range s.TakeFreezes() {
			for _, e := range d.expo {
				v, ok := f.Values[e.q]
				if e.zone != f.Zone || !ok || len(e.sensors) != 1 || e.sensors[0] != s {
					continue
				}
				if e.waiting {
					// Found under a clock behind the record: its times are
					// the wrong clock's, and taken out of the minutes they
					// name, they would change sealed ones.
					d.log.Warn("a frozen reading found while the clock is behind the exposure record is not taken out of it (its times are the wrong clock's)",
						"zone", e.zone, "quantity", e.q, "sensor", s.Name(), "frozen_since", f.Since, "found", f.Found)
					continue
				}
				if err := e.tr.Retract(f.Since.Round(0), f.Found.Round(0), v); err != nil {
					d.log.Warn("frozen reading not retracted from the exposure record", "zone", e.zone, "quantity", e.q, "err", err)
					continue
				}
				// The minute so far goes to the record first, so that the
				// journal takes the reading out of it with the rest.
				d.addMinute(e.flush())
				d.cur.Gaps = append(d.cur.Gaps, record.Gap{Start: f.Since, End: f.Found, Zone: e.zone, Quantity: e.q, Reason: record.GapSensorFrozen, Value: v})
			}
		}
	}
}

// account updates the exposure records with this period's samples, and
// adds finished minutes (the outdoor air's too) and data gaps to the
// record.
func (d *Daemon) account(now time.Time) {
	d.retractFrozen()
	snaps := d.exposureSnapshots()
	minute := now.Truncate(time.Minute) // every aggregate's minute (Truncate was a fifth of measure)
	for i, e := range d.expo {
		// A held sample stands for the air up to sampleHold after it;
		// past that the tracker counts the time as a gap (the wall clock
		// stepped forward, or the loop stalled). The journal must say so
		// too, and which, or the time is neither minutes nor a gap.
		last, wasValid, wasWaiting := e.last, e.valid, e.waiting
		m, err := e.update(now, minute, d.period)
		d.addMinute(m)
		hold := sampleHold(d.period)
		switch {
		case e.waiting:
			// The clock is behind the record: no gap either, its times
			// would be the wrong clock's. One open when the clock went
			// back ends where the record stands.
			if !e.gapStart.IsZero() {
				d.addGap(e, last)
				e.gapStart = time.Time{}
			}
		case wasWaiting && clock.Sub(now, last) > hold:
			// The clock passed the record by a step: from where the
			// record stood to now nothing was placed in it (what was
			// measured is journaled apart, with no time).
			d.cur.Gaps = append(d.cur.Gaps, record.Gap{Start: last, End: now, Zone: e.zone, Quantity: e.q, Reason: record.GapClockBehind})
		case wasValid && !last.IsZero() && clock.Sub(now, last) > hold:
			// Without a monotonic clock (simulated time) a step cannot be
			// told from a stall.
			reason := record.GapLoopStalled
			if d.stepped > 0 {
				reason = record.GapClockJump
			}
			d.cur.Gaps = append(d.cur.Gaps, record.Gap{Start: last.Add(hold), End: now, Zone: e.zone, Quantity: e.q, Reason: reason})
		}
		reason := record.GapSensorFault
		switch {
		case e.above:
			reason = record.GapAboveRange
		case !e.arrived:
			reason = record.GapStarting
		}
		if last.IsZero() && !e.valid {
			// The first period: the gap open since the start (New) is
			// this period's reason's, not a part of its own.
			e.gapReason = reason
		}
		switch {
		case e.waiting:
		case !e.valid && e.gapStart.IsZero():
			e.gapStart, e.gapReason = now, reason
		case !e.valid && reason != e.gapReason:
			// Smoke over the range, then a sensor that stops answering
			// (or back): each part of the gap with its own reason.
			d.addGap(e, now)
			e.gapStart, e.gapReason = now, reason
		case e.valid && !e.gapStart.IsZero():
			d.addGap(e, now)
			e.gapStart = time.Time{}
		}
		e.tr.RollingTo(&snaps[i], now) // the shift summary is added at publish
		if err != nil && (d.refusedLogged.IsZero() || now.Sub(d.refusedLogged).Abs() >= 10*time.Minute) {
			// Only out-of-order time can fail here: the clock went
			// backwards, and every period is refused until it passes the
			// record again (said every 10 minutes, not every second).
			// The record keeps what it has; the journal notes the jump.
			d.refusedLogged = now
			d.log.Warn("exposure record refused a sample: the clock is behind the time already recorded; unmeasured until it catches up",
				"zone", e.zone, "quantity", e.q, "err", err)
		}
	}
	for _, o := range d.outdoor {
		done, _, _ := o.measure(now, minute, d.period)
		d.addMinute(done)
	}
	d.holdApart(now, false)
}

// recordEnd is where the exposure record stops at a shutdown at now: the
// latest period the records took (each held sample stands for the air
// until the next period, which does not come), now before any.
func (d *Daemon) recordEnd(now time.Time) time.Time {
	var end time.Time
	for _, e := range d.expo {
		if e.last.After(end) {
			end = e.last
		}
	}
	if end.IsZero() {
		return now.Round(0)
	}
	return end
}

// stopAt is where e's record ends at a stop whose record ends at stopped:
// its own latest period (the clock behind the record holds it there).
func (e *zoneExposure) stopAt(stopped time.Time) time.Time {
	if e.last.IsZero() {
		return stopped
	}
	return e.last
}

func (d *Daemon) addMinute(m *record.Minute) {
	if m == nil {
		return
	}
	if d.cur.Minutes == nil {
		// A minute's end closes every zone's at once: room for them all,
		// not an array doubled three times over for a room's five.
		d.cur.Minutes = make([]record.Minute, 0, len(d.expo)+len(d.outdoor))
	}
	d.cur.Minutes = append(d.cur.Minutes, *m)
}

func (d *Daemon) addGap(e *zoneExposure, end time.Time) {
	reason := e.gapReason
	if reason == "" {
		reason = record.GapSensorFault
	}
	d.cur.Gaps = append(d.cur.Gaps, record.Gap{Start: e.gapStart, End: end, Zone: e.zone, Quantity: e.q, Reason: reason})
}

// takeShifts adds the shifts that ended to the record.
func (d *Daemon) takeShifts() {
	for _, e := range d.expo {
		done, dropped := e.tr.TakeFinished()
		if dropped > 0 {
			d.log.Warn("shift summaries dropped before they were recorded", "zone", e.zone, "quantity", e.q, "dropped", dropped)
		}
		if len(done) > 0 { // appending nothing would store the slice back: a write barrier
			d.cur.Shifts = append(d.cur.Shifts, done...)
		}
	}
}

// update feeds the period's value: the mean of the zone's good samples, or
// a gap when there is none. It returns the minute aggregate that ended, if
// any. minute is now.Truncate(time.Minute).
func (e *zoneExposure) update(now, minute time.Time, period time.Duration) (*record.Minute, error) {
	done, v, ok := e.measure(now, minute, period)
	if !ok {
		e.valid = false
		if e.above {
			// Unmeasured as well, but at least the range's top: time
			// over the alarm level when that is (an SPS30's 1000 µg/m³
			// over any PM2.5 alarm level), which a gap alone never
			// counted.
			return done, e.tr.AddAboveRange(now, e.top)
		}
		// The held sample ends now: what follows is unmeasured, never
		// clean air.
		return done, e.tr.Gap(now, now)
	}
	e.valid = true
	return done, e.tr.Add(now, v)
}

// measure ends the minute aggregate when now is in a new minute (done is
// what of it was not sent yet, nil if nothing), and adds the period's
// value to the current one: the mean of the zone's good samples. ok is
// false when no sensor had one; the minute then covers less of itself.
// start is now.Truncate(time.Minute), found once for every aggregate.
func (z *zoneMinutes) measure(now, start time.Time, period time.Duration) (done *record.Minute, v float64, ok bool) {
	// After the clock steps back, the time until it passes the latest
	// period is recorded already: the exposure record refuses it, and the
	// minute rows must not count it a second time either.
	behind := !z.last.IsZero() && !now.After(z.last)
	z.waiting = behind
	// The period's value stands for the time since the last period, as
	// long as the tracker holds a sample: a period stretched by a slow bus
	// counts its whole length, not the configured period (5 s periods
	// wrote minutes a fifth covered).
	took := period
	if !z.last.IsZero() && !behind {
		took = min(clock.Sub(now, z.last), sampleHold(period))
	}
	if !behind {
		z.last = now
	}
	sum, n, above := 0.0, 0, false
	var smp sample.Sample
	for _, s := range z.sensors {
		s.SampleTo(&smp, z.q)
		if smp.Valid(now, s.StaleAfter()) {
			sum += smp.Value
			n++
		} else if smp.AboveRange() && smp.AtLeast(now, s.StaleAfter()) {
			above = true
		}
		// A sensor that fails before its first reading (no answer on
		// the bus, or none for its silent time) is a fault from then.
		z.arrived = z.arrived || !smp.Time.IsZero() && smp.Quality != sample.Warmup || s.Faults(now, 0).Stale
	}
	z.above = n == 0 && above
	if !behind && !z.min.start.IsZero() && !start.Equal(z.min.start) {
		// The part of a period before the minute began is the ended
		// minute's time: 10.7 s periods put five into some minutes and
		// six (capped at 60 s) into others, and lost the difference.
		if before := took - clock.Sub(now, start); n > 0 && before > 0 && before < took && z.min.start.Equal(start.Add(-time.Minute)) {
			z.min.covered += before
			took -= before
		}
		done = z.flush()
	}
	if !behind && (z.min.start.IsZero() || !start.Equal(z.min.start)) {
		z.min = minuteAgg{start: start}
	}
	if n == 0 {
		return done, 0, false
	}
	v = sum / float64(n)
	if behind {
		z.held.add(v, took)
	} else {
		z.min.add(v, took)
	}
	return done, v, true
}

// flush returns what of the current minute's aggregate has not been sent
// yet (nil if nothing), and marks it sent.
func (z *zoneMinutes) flush() *record.Minute {
	m := &z.min
	count := m.count - m.sent.count
	if count <= 0 {
		return nil
	}
	sum, covered := m.sum-m.sent.sum, m.covered-m.sent.covered
	m.sent = minuteAgg0{sum: m.sum, count: m.count, covered: m.covered}
	return &record.Minute{
		Start: m.start, Zone: z.zone, Quantity: z.q,
		Mean: sum / float64(count), Max: m.max, Count: count,
		CoveredSeconds: math.Min(covered.Seconds(), 60),
	}
}

// sendPartialMinutes puts the minute so far into the record when the
// period has an alarm transition or an action: those are written at once,
// and the air around them is what a crash must not lose. The minute's end
// sends the rest.
func (d *Daemon) sendPartialMinutes() {
	if len(d.cur.Transitions)+len(d.cur.Actions) == 0 {
		return
	}
	for _, e := range d.expo {
		d.addMinute(e.flush())
	}
	for _, o := range d.outdoor {
		d.addMinute(o.flush())
	}
}

// shiftSummaries gives each exposure snapshot of record p its shift
// summary so far. A summary is most of a record's size and the loop
// publishes a record every second, so a fresh one is taken only in the
// first period of each minute, in a period the journal writes at once
// (record.Period.Urgent: the same rule the journal's recorder follows), and
// when a shift starts or ends;
// the records in between share the last one, whose Until says when it was
// taken. So the journal stores the figures it stored when a summary was
// taken every second, and /api/state, /metrics and the status page show
// the shift so far as of the minute's first period (at most a minute old;
// the rolling windows and the held value stay per period).
func (d *Daemon) shiftSummaries(p *record.Period, now time.Time) {
	urgent := p.Urgent()
	minute := now.Truncate(time.Minute)
	// Every tracker has the site's one schedule (newExposures), and their
	// snapshots are nearly always of one instant: the shift is looked up
	// once for it, not once a tracker.
	var (
		start, end  time.Time
		ok, found   bool
		shiftLooked time.Time
	)
	for i, e := range d.expo {
		snap := &p.Exposure[i]
		at := snap.Time // the snapshot's instant: now, or the latest data's
		if !found || !at.Equal(shiftLooked) {
			start, end, ok = e.tr.ShiftTimes(at)
			found, shiftLooked = true, at
		}
		switch {
		case !ok:
			e.shift = nil
		case urgent || e.shift == nil || !minute.Equal(e.shiftMinute) ||
			!e.shift.Start.Equal(start) || !e.shift.End.Equal(end):
			if sum, ok := e.tr.Current(at); ok {
				e.shift, e.shiftMinute = &sum, minute
			} else {
				e.shift = nil
			}
		}
		snap.Shift = e.shift
	}
}

// exposureSnapshots returns the record in progress's exposure snapshots,
// one for each of d.expo, in order: the period's accounting writes each
// tracker's straight into the record, which the alarms read and publish
// completes. Once published the record is the outputs'; the next period's
// has its own.
func (d *Daemon) exposureSnapshots() []exposure.Snapshot {
	if len(d.cur.Exposure) != len(d.expo) {
		d.cur.Exposure = d.slabs.exposure.take(len(d.expo))[:len(d.expo)]
	}
	return d.cur.Exposure
}
