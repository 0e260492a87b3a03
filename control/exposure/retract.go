package exposure

import (
	"fmt"
	"sort"
	"time"
)

// Retract takes back data found afterwards not to be a measurement: a
// sensor whose reading froze at c from from until it was found at to (the
// stuck detector needs the stuck time to be sure). The span becomes a gap
// in the open shifts and in the rolling windows: its contribution c × time
// leaves the TWA integral, the covered time and the time over the alarm
// level, and the gap list gains it. The STEL peak, the time over the STEL
// limit and the excursions evaluated in the span stay as they were: a
// frozen reading is flat, so they only hold where the frozen value itself
// was over a limit, which the record then still shows.
//
// A shift that finished within the span is amended: TakeFinished returns
// its summary again, which replaces the one recorded at its end (a
// reading that froze 15 min before a shift's end is found 15 min into the
// next). Time before the tracker's 8 h window keeps its figures, and so
// does a shift that finished before a restart.
func (t *Tracker) Retract(from, to time.Time, c float64) error {
	if err := t.checkValue("Retract", from, c); err != nil {
		return err
	}
	if !to.After(from) {
		return fmt.Errorf("%s: Retract from %s to %s: an empty or reversed span", t.name, from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	a, b := at(from), at(to)
	if b.ns >= t.cursor.ns {
		b = t.cursor
		// The sample held at the cursor is the frozen reading too: it
		// stands for nothing more, so what follows joins the gap.
		t.pending = false
	}
	for _, acc := range t.ended {
		if t.retractShift(acc, a, b, c) {
			t.emit(acc)
		}
	}
	for _, acc := range t.open {
		t.retractShift(acc, a, b, c)
	}
	t.sec.retract(a.ns, b.ns, c)
	t.min.retract(a.ns, b.ns, c)
	return nil
}

// retractShift takes [from, to) at c out of acc, and reports whether the
// span reached it.
func (t *Tracker) retractShift(acc *shiftAcc, from, to instant, c float64) bool {
	p, q := laterOf(from, at(acc.shift.Start)), earlierOf(to, acc.acct)
	if q.ns <= p.ns {
		return false
	}
	// Only the time the shift counted as measured leaves it: part of
	// the span may have been a gap already (the sensor failed a read,
	// or dropped off its bus, and came back still frozen).
	d := min(t.min.covered(p.ns, q.ns), acc.covered)
	acc.sum -= c * float64(d)
	if acc.sum < 0 {
		acc.sum = 0
	}
	acc.covered -= d
	if acc.lim.Alarm > 0 && c > acc.lim.Alarm {
		acc.overAlarm = max(acc.overAlarm-d, 0)
	}
	acc.gaps.insert(p, q, d)
	return true
}

// retract takes c × overlap out of the bins that [from, to) overlaps,
// never more than a bin holds.
func (r *ring) retract(from, to int64, c float64) {
	if !r.started {
		return
	}
	r.overlaps(from, to, func(b *bin, d int64) {
		d = min(d, b.cov)
		s := min(c*float64(d), b.sum)
		b.sum -= s
		b.cov -= d
		r.sum -= s
		r.cov -= d
	})
	if r.cov == 0 {
		r.sum = 0
	}
}

// covered returns how much of [from, to) the ring holds as measured: in
// each bin, its measured time, up to the span's part of it. Time before
// the ring counts whole (nothing is known of it any more).
func (r *ring) covered(from, to int64) time.Duration {
	if to <= from {
		return 0
	}
	if !r.started {
		return time.Duration(to - from)
	}
	var d int64
	if first := r.head - int64(len(r.bins)) + 1; r.index(from) < first {
		d += min(to, r.start(first)) - from
	}
	r.overlaps(from, to, func(b *bin, part int64) { d += min(part, b.cov) })
	return time.Duration(max(d, 0))
}

// overlaps calls f with each bin the ring still holds that [from, to)
// overlaps, and the length of the overlap in ns.
func (r *ring) overlaps(from, to int64, f func(b *bin, d int64)) {
	first := r.head - int64(len(r.bins)) + 1
	for i := max(r.index(from), first); i <= min(r.index(to), r.head); i++ {
		lo, hi := max(from, r.start(i)), min(to, r.start(i+1))
		if hi > lo {
			f(r.slot(i), hi-lo)
		}
	}
}

// insert adds the gap [p, q) found after the fact, keeping the list in
// time order and merging it with gaps it touches; d of it was counted as
// measured until now (the rest was a gap already, and is in the total).
func (g *gapLog) insert(p, q instant, d time.Duration) {
	if q.ns <= p.ns {
		return
	}
	g.total += d
	// The list shows the whole span: the part that was a gap already is
	// in it too, and merges with it.
	g.list = append(g.list, Gap{Start: p.time(), Length: Duration(q.sub(p))})
	sort.Slice(g.list, func(i, j int) bool { return g.list[i].Start.Before(g.list[j].Start) })
	merged := g.list[:1]
	for _, x := range g.list[1:] {
		last := &merged[len(merged)-1]
		end := last.Start.Add(last.Length.Std())
		if !x.Start.After(end) {
			if e := x.Start.Add(x.Length.Std()); e.After(end) {
				last.Length = Duration(e.Sub(last.Start))
			}
			continue
		}
		merged = append(merged, x)
	}
	g.list = merged
	if len(g.list) > maxGaps {
		g.omitted += len(g.list) - maxGaps
		g.list = g.list[len(g.list)-maxGaps:]
	}
	if n := len(g.list); n > 0 {
		last := g.list[n-1]
		g.lastEnd, g.listed = at(last.Start.Add(last.Length.Std())), true
	}
}
