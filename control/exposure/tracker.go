package exposure

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/ventd/ventd/sample"
)

// ErrOutOfOrder is returned for data that starts before time the tracker
// has already accounted for. Exposure records are append-only: feed data in
// time order, and rebuild a tracker from the journal to correct the past.
var ErrOutOfOrder = errors.New("data out of time order")

// Window lengths and their bins.
const (
	STELWindow = 15 * time.Minute
	TWAWindow  = 8 * time.Hour

	secBins = int(STELWindow / time.Second)
	minBins = int(TWAWindow / time.Minute)
)

// STELMinMeasured is how much of its 15 min a STEL needs measured to be
// known. Averaged over less, the few seconds a window holds after an
// outage stood for the whole quarter hour: 37 s of smoke read before a
// restart made a shift's STEL peak of 906 µg/m³ from a window the
// record had 4 % of, and seconds of CO2 left over from before an outage
// could make a STEL excursion. Half the window, as a majority of it.
const STELMinMeasured = STELWindow / 2

// DefaultMaxSampleInterval is how long a sample is held when no next one
// comes: a little longer than the slowest sensor's period (the SCD41
// measures every 5 s).
const DefaultMaxSampleInterval = 10 * time.Second

// Opts configures a Tracker.
type Opts struct {
	// Quantity is the pollutant tracked; it names the unit and the default
	// limits.
	Quantity sample.Quantity
	// Zone is where the air was measured (the staff area, usually).
	Zone string
	// Limits; the zero value means DefaultLimits(Quantity), or none.
	Limits Limits
	// Schedule is the site's shift pattern.
	Schedule Schedule
	// MaxSampleInterval caps how long one sample stands for the air: a
	// sample covers the time to the next one, or this long at most, and
	// anything longer is a gap. 0 means DefaultMaxSampleInterval.
	MaxSampleInterval time.Duration
}

// Tracker keeps the exposure record of one pollutant in one zone.
//
// A Tracker is not safe for concurrent use: the control loop owns it and
// hands the Snapshot values to the outputs.
//
// It orders and measures time on the wall clock, as its bins are laid out:
// a monotonic reading in a time given to it plays no part (the daemon
// strips it, so that a step of the wall clock is seen as one).
type Tracker struct {
	name string
	opts Opts
	// series is what every snapshot names (opts' quantity and zone, the
	// unit), made once and shared by them.
	series *Series
	maxIv  time.Duration

	started bool
	cursor  instant // everything before this is accounted for
	pending bool    // a sample at cursor whose interval is still open
	pendC   float64
	// pendAbove marks the held sample as no measurement: every sensor read
	// above its range, and pendC is the range's top (AddAboveRange).
	pendAbove bool

	sec ring // one-second bins for the 15 min window
	min ring // one-minute bins for the 8 h window

	tot totals // since the start or ResetTotals

	open      []*shiftAcc // shifts containing cursor (more than one in a handover)
	openUntil instant     // when that set next changes; never: not known yet
	finished  []Summary
	dropped   int // finished summaries dropped because nobody took them
	// ended are the shifts that finished within the 8 h window: a reading
	// found frozen after a shift's end may have frozen before it, and
	// Retract amends the finished summary.
	ended []*shiftAcc
	// settled are the starts of shifts whose finished summary is in the
	// journal already (Resume): a replay that passes through them feeds
	// the rolling windows only, and never makes them again from the part
	// of their data it replays.
	settled []time.Time
	// from is when the shifts' record starts after the schedule changed
	// (RecordShiftsFrom); zero: whenever data does.
	from time.Time
}

// New returns a tracker, or an error saying which option is wrong.
func New(o Opts) (*Tracker, error) {
	name := "exposure " + string(o.Quantity) + "/" + o.Zone
	if o.Quantity == "" {
		return nil, errors.New("exposure: Opts.Quantity is empty; name the pollutant, e.g. sample.CO2")
	}
	if o.Limits == (Limits{}) {
		o.Limits, _ = DefaultLimits(o.Quantity)
	}
	if err := o.Limits.validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := o.Schedule.Validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if o.MaxSampleInterval == 0 {
		o.MaxSampleInterval = DefaultMaxSampleInterval
	}
	if o.MaxSampleInterval < 0 || o.MaxSampleInterval > STELWindow {
		return nil, fmt.Errorf("%s: Opts.MaxSampleInterval is %v; use a little more than the sensor's period, at most %v",
			name, o.MaxSampleInterval, STELWindow)
	}
	return &Tracker{
		name:   name,
		opts:   o,
		series: &Series{Quantity: o.Quantity, Unit: o.Quantity.Unit(), Zone: o.Zone},
		maxIv:  o.MaxSampleInterval,
		sec:    newRing(time.Second, secBins),
		min:    newRing(time.Minute, minBins),

		cursor:    never,
		openUntil: never,
	}, nil
}

func (t *Tracker) String() string { return t.name }

// Limits returns the limits in use.
func (t *Tracker) Limits() Limits { return t.opts.Limits }

// SetLimits changes the limits from now on (a configuration reload): the
// running shift is judged by them from here, and reports them; what was
// counted before stays as counted.
func (t *Tracker) SetLimits(l Limits) error {
	if err := l.validate(); err != nil {
		return fmt.Errorf("%s: %w", t.name, err)
	}
	t.opts.Limits = l
	for _, acc := range t.open {
		acc.lim = l
		acc.aboveSTEL.level, acc.aboveTWA.level = l.STEL, l.TWA
	}
	return nil
}

// ShiftAt returns the shift containing tm (see Schedule.ShiftAt).
func (t *Tracker) ShiftAt(tm time.Time) (Shift, bool) { return t.opts.Schedule.ShiftAt(tm) }

// ShiftTimes is ShiftAt's shift as its start and end, for the loop, which
// looks the shift up every period: a Shift returned was stored from the
// call's registers in 8-byte moves and copied on in 16-byte ones, which
// the processor cannot forward. The times come straight from the answer
// ShiftAt remembers while it holds.
func (t *Tracker) ShiftTimes(tm time.Time) (start, end time.Time, ok bool) {
	p := &t.opts.Schedule
	if w := &p.last; w.holds(p, tm) {
		return w.shift.Start, w.shift.End, w.ok
	}
	sh, ok := p.ShiftAt(tm)
	return sh.Start, sh.End, ok
}

func (t *Tracker) checkValue(what string, at time.Time, c float64) error {
	if math.IsNaN(c) || math.IsInf(c, 0) || c < 0 {
		return fmt.Errorf("%s: %s at %s: value %v is not a concentration; report invalid data with Gap",
			t.name, what, at.Format(time.RFC3339Nano), c)
	}
	return nil
}

func (t *Tracker) outOfOrder(what string, at time.Time) error {
	return fmt.Errorf("%s: %s at %s: already accounted up to %s: %w",
		t.name, what, at.Format(time.RFC3339Nano), t.cursor.time().Format(time.RFC3339Nano), ErrOutOfOrder)
}

// Add records a valid sample c measured at tm. It stands for the air from
// tm until the next sample, or MaxSampleInterval at most.
func (t *Tracker) Add(tm time.Time, c float64) error { return t.hold("Add", tm, c, false) }

// AddAboveRange records that at tm every sensor read above its specified
// range, whose top is top: heavy smoke the sensors cannot measure. Held
// like a sample (until the next one, or MaxSampleInterval at most), the
// time is a gap for the TWA, the STEL and the coverage, since no value is
// known; but the air held at least top, so when top is at or above the
// alarm level the time counts as over it (Summary.TimeOverAlarm, with its
// part in TimeOverAlarmAboveRange). Below the alarm level the air's place
// against it is unknown, and the time is only a gap. A top of 0 (unknown)
// counts nowhere.
func (t *Tracker) AddAboveRange(tm time.Time, top float64) error {
	return t.hold("AddAboveRange", tm, top, true)
}

// hold starts, for op, the sample held from tm: c, or with above the
// range's top c.
func (t *Tracker) hold(op string, tm time.Time, c float64, above bool) error {
	if err := t.checkValue(op, tm, c); err != nil {
		return err
	}
	a := at(tm)
	if t.started && (a.ns < t.cursor.ns || t.pending && a.ns == t.cursor.ns) {
		return t.outOfOrder(op, tm)
	}
	t.closePending(a)
	t.advance(a, a, 0, gap)
	t.pending, t.pendC, t.pendAbove = true, c, above
	return nil
}

// AboveRangeInterval records that every sensor read above its range, whose
// top is top, over [start, start+d): a journal's above_range gap, replayed
// as AddAboveRange counts it live.
func (t *Tracker) AboveRangeInterval(start time.Time, d time.Duration, top float64) error {
	return t.interval("AboveRangeInterval", start, d, top, aboveRange)
}

// AddInterval records that the mean over the measured time
// [start, start+d) was mean: a journal aggregate, replayed at start to
// rebuild the state after a restart.
func (t *Tracker) AddInterval(start time.Time, d time.Duration, mean float64) error {
	return t.interval("AddInterval", start, d, mean, measured)
}

// interval records [start, start+d) as k at c, for op.
func (t *Tracker) interval(op string, start time.Time, d time.Duration, c float64, k span) error {
	if err := t.checkValue(op, start, c); err != nil {
		return err
	}
	if d <= 0 {
		return fmt.Errorf("%s: %s at %s: length %v; use a positive length",
			t.name, op, start.Format(time.RFC3339Nano), d)
	}
	a := at(start)
	if t.started && (a.ns < t.cursor.ns || t.pending && a.ns == t.cursor.ns) {
		return t.outOfOrder(op, start)
	}
	t.closePending(a)
	t.advance(a, a.add(d), c, k)
	return nil
}

// Gap records that there was no valid data from from to to. A sample held
// from before ends at from.
func (t *Tracker) Gap(from, to time.Time) error {
	if to.Before(from) {
		return fmt.Errorf("%s: Gap from %s to %s: ends before it starts; swap them",
			t.name, from.Format(time.RFC3339Nano), to.Format(time.RFC3339Nano))
	}
	a, b := at(from), at(to)
	if t.started && b.ns < t.cursor.ns {
		return t.outOfOrder("Gap", to)
	}
	if t.started && a.ns < t.cursor.ns {
		a = t.cursor // what is accounted stays; a held sample then covers nothing more
	}
	t.closePending(a)
	t.advance(a, b, 0, gap)
	return nil
}

// closePending ends the held sample at tm or after MaxSampleInterval,
// whichever comes first, and accounts the time up to tm as a gap.
func (t *Tracker) closePending(tm instant) {
	if !t.pending {
		return
	}
	t.pending = false
	end := t.cursor.add(t.maxIv)
	if tm.ns < end.ns {
		end = tm
	}
	k := measured
	if t.pendAbove {
		k = aboveRange
	}
	t.advance(t.cursor, end, t.pendC, k)
}

// span says how a stretch of time is accounted.
type span uint8

const (
	gap        span = iota // no valid data
	measured               // measured at c
	aboveRange             // no valid data, but the air at least c (the range's top)
)

// overTop reports whether air at least top is over level: a range's top
// at or above it (a reading above the range is above the top).
func overTop(level, top float64) bool { return level > 0 && top >= level }

// advance accounts [a, b) as k at c, after accounting the time from the
// cursor to a as a gap.
func (t *Tracker) advance(a, b instant, c float64, k span) {
	if !t.started {
		t.started, t.cursor = true, a
		t.sec.moveTo(t.sec.index(a.ns))
		t.min.moveTo(t.min.index(a.ns))
	}
	if a.ns > t.cursor.ns {
		t.account(t.cursor, a, 0, gap)
	}
	t.account(a, b, c, k)
}

// account splits [a, b) at every second (for the STEL evaluation) and at
// every shift boundary, and hands the pieces to the bins and the shifts.
func (t *Tracker) account(a, b instant, c float64, k span) {
	covered := k == measured
	for p := a; p.ns < b.ns; {
		if p.ns >= t.openUntil.ns {
			t.reopen(p)
		}
		q := b
		if t.openUntil.ns < q.ns {
			q = t.openUntil
		}
		// With no valid data in the 15 min window and none coming, the
		// STEL stays unknown: skip the per-second work of long gaps.
		fast := !covered && t.sec.cov == 0
		i := t.sec.index(p.ns)
		next := instant{t.sec.start(i + 1), p.loc}
		if !fast && next.ns < q.ns {
			q = next
		}
		if covered {
			d := q.ns - p.ns
			s := c * float64(d)
			t.sec.add(i, s, d)
			t.min.add(t.min.index(p.ns), s, d)
			t.tot.add(c, time.Duration(d), t.opts.Limits.Alarm)
		} else if k == aboveRange {
			t.tot.addAbove(c, time.Duration(q.ns-p.ns), t.opts.Limits.Alarm)
		}
		for _, acc := range t.open {
			acc.add(p, q, c, k)
		}
		switch {
		case fast:
			for _, acc := range t.open {
				acc.stelAt(p, 0, false)
			}
			t.sec.moveTo(t.sec.index(q.ns))
		case q.ns == next.ns:
			t.closeSecond(next)
		}
		if q.ns == t.openUntil.ns {
			t.reopen(q) // a shift ended: its summary is ready now, not at the next sample
		}
		p = q
	}
	t.cursor = b
}

// closeSecond evaluates the rolling 15 min TWA at the second boundary b,
// over the 900 one-second bins before b. A second with no data of its own
// is not evaluated for the shift: its time is a gap, counted neither as
// clean air nor as time over a limit, whatever the window still holds
// from before (a restart after an outage would otherwise count the outage
// as minutes over the STEL).
func (t *Tracker) closeSecond(b instant) {
	hi := t.sec.index(b.ns) - 1
	sum, cov := t.sec.window(hi-int64(secBins)+1, hi)
	known := cov >= int64(STELMinMeasured)
	var stel float64
	if known {
		stel = sum / float64(cov)
	}
	if !known || t.sec.slot(hi).cov > 0 {
		// The totals count a second over the STEL limit as the shift
		// records do (once in a handover), so that their increase over a
		// shift is the shift's time over the STEL; between shifts, every
		// such second.
		over := len(t.open) == 0 && known && t.opts.Limits.STEL > 0 && stel > t.opts.Limits.STEL
		for _, acc := range t.open {
			over = acc.stelAt(b, stel, known) || over
		}
		if over {
			t.tot.overSTEL += time.Second
		}
	}
	t.sec.moveTo(t.sec.index(b.ns))
}

// reopen updates the set of shifts containing p, closing the ones that
// ended.
func (t *Tracker) reopen(pi instant) {
	p := pi.time()
	in, until := t.opts.Schedule.active(p)
	kept := t.open[:0]
	for _, acc := range t.open {
		still := p.Before(acc.shift.Start) // a resumed shift the replay has not reached
		for _, s := range in {
			still = still || s == acc.shift
		}
		if still {
			kept = append(kept, acc)
		} else {
			t.finish(acc)
		}
	}
	clear(t.open[len(kept):])
	t.open = kept
	for _, s := range in {
		have := slices.ContainsFunc(t.settled, s.Start.Equal) || !t.from.IsZero() && !s.End.After(t.from)
		for _, acc := range t.open {
			have = have || acc.shift == s
		}
		if !have {
			acc := newShiftAcc(s, t.opts.Limits)
			if s.Start.Before(t.from) {
				// Its time before from is in the journal's shifts of the
				// old schedule: here it is a gap.
				acc.resumed = at(t.from)
			}
			t.open = append(t.open, acc)
		}
	}
	t.openUntil = at(until)
}

func (t *Tracker) finish(acc *shiftAcc) {
	t.emit(acc)
	// Keep it while a retraction can reach it: a retraction reaches no
	// further back than the 8 h window.
	kept := t.ended[:0]
	for _, e := range t.ended {
		if e.shift.End.After(acc.shift.End.Add(-time.Duration(minBins) * time.Minute)) {
			kept = append(kept, e)
		}
	}
	clear(t.ended[len(kept):])
	t.ended = append(kept, acc)
	if len(t.ended) > maxEnded {
		clear(t.ended[:len(t.ended)-maxEnded])
		t.ended = t.ended[len(t.ended)-maxEnded:]
	}
}

// maxEnded bounds the finished shifts kept for Retract: a schedule can
// end several shifts within 8 h (short overlapping shifts).
const maxEnded = 8

// emit queues acc's finished summary for TakeFinished.
func (t *Tracker) emit(acc *shiftAcc) {
	if len(t.finished) == maxFinished {
		copy(t.finished, t.finished[1:])
		t.finished = t.finished[:maxFinished-1]
		t.dropped++
	}
	t.finished = append(t.finished, t.summarize(acc, acc.shift.End, false))
}

// TakeFinished returns the summaries of the shifts that ended since the
// last call, oldest first, for the journal, and forgets them. If nobody
// takes them, the newest 16 are kept; dropped counts the others.
func (t *Tracker) TakeFinished() (s []Summary, dropped int) {
	s, dropped = t.finished, t.dropped
	t.finished, t.dropped = nil, 0
	return s, dropped
}

// retained counts the entries the tracker holds, for the memory test.
func (t *Tracker) retained() int {
	n := t.sec.entries() + t.min.entries() + len(t.finished)
	for _, acc := range t.ended {
		n += 1 + acc.entries()
	}
	for _, acc := range t.open {
		n += 1 + acc.entries()
	}
	for _, s := range t.finished {
		n += len(s.Gaps) + len(s.AboveSTEL.Periods) + len(s.AboveTWA.Periods)
	}
	return n
}
