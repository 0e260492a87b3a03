package control

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/ventd/ventd/sample"
)

// booth is what the law knows of one booth: its level, its clean air, its
// sessions and its measured decay.
type booth struct {
	spec Booth

	// This period.
	bad    string  // why the booth's data cannot be trusted; "" when it can
	level  float64 // highest valid PM2.5, NaN when none
	ref    float64 // its clean air: what it would read with no smoke in it
	excess float64 // level − ref, smoothed over a few seconds
	// frozen are the readings the law holds frozen (stillness).
	frozen []FrozenReading

	// pm are its PM2.5 sensors, as spec.PM names them.
	pm   []boothSensor
	hist lineWindow // the level, new samples only, histWindow long
	refs window     // the clean air while the staff reading exists, histWindow long
	fast ema        // the level for the demand
	slow ema        // the level for learning, as the staff's
	// offset is what this booth's sensor reads above the staff sensor in
	// clean air (the two units' error); learned in quiet air.
	offset    float64
	offsetAge time.Duration
	// apart is how long its sensor and the staff area's have read
	// further apart in quiet air than working sensors can.
	apart SensorsApart
	// floor is the booth's own clean level, for when no staff sensor can
	// be trusted: it follows the level down at once and up slowly in quiet
	// air.
	floor ema
	// floorRate and offsetRate are how far floor and offset follow in a
	// period (followRate).
	floorRate, offsetRate followRate

	session     bool
	starts      sessionStarts // when its latest sessions began
	holdTo      time.Time     // the session holds at least until then
	lastSession time.Time     // when smoke was last evident
	purge       bool

	model   decayModel
	entry   logTrend
	nominal window // nominal air changes per hour at the fans' duty, histWindow long
	lastObs time.Time
}

const (
	// histWindow is how much of the level the booth keeps: the longest
	// window anything looks back over.
	histWindow = time.Minute
	// trendWindow is what "rising" is judged over, fallWindow "falling".
	trendWindow = 10 * time.Second
	fallWindow  = 20 * time.Second
	// settle is how long after smoke the booth's air is left alone
	// before it may teach the law its clean level.
	settle = 2 * time.Minute
	// steadySlope (µg/m³ per s over histWindow) is still air: at most
	// 1.8 µg/m³ of change in a minute.
	steadySlope = 0.03
	// obsWindow is one decay measurement: long enough to fit through the
	// sensor's noise, short against a booth's clearing.
	obsWindow = 15 * time.Second
)

// boothSensor is one of a booth's PM2.5 sensors: its slot in the room's
// sensorIndex (set by the room) and what the booth keeps of it, shared
// by every entry of the same name, as a map by name would.
type boothSensor struct {
	name string
	slot int
	*sensorState
}

// sensorState is what a booth keeps of one of its sensors.
type sensorState struct {
	seen  time.Time // its newest sample
	still stillness
	rise  window // the rise window of its samples
}

func newBooth(spec Booth) *booth {
	b := &booth{spec: spec,
		level: math.NaN(), model: newDecayModel(), apart: SensorsApart{By: math.NaN()},
		fast: ema{tau: 5 * time.Second}, slow: ema{tau: staffSmooth}, floor: ema{}}
	for i, name := range spec.PM {
		st := &sensorState{}
		if j := slices.Index(spec.PM, name); j < i {
			st = b.pm[j].sensorState // named twice: one sensor
		}
		b.pm = append(b.pm, boothSensor{name: name, slot: -1, sensorState: st})
	}
	return b
}

// read takes this period's samples of the booth's PM sensors. It returns
// whether any sensor rose by more than the strong-smoke threshold. staff
// is the staff area's level (NaN when untrusted), against which a frozen
// booth sensor shows; vouched says whether a trusted staff sensor moved
// lately (see frozen).
func (b *booth) read(now time.Time, in *sensorIndex, staff float64, vouched bool, t Tuning) (strong bool) {
	b.level, b.bad, b.frozen = math.NaN(), "", b.frozen[:0]
	var bad []string
	newest := time.Time{}
	for _, pm := range b.pm {
		name := pm.name
		s, ok := in.get(pm.slot)
		if !ok {
			bad = append(bad, name+" gave no reading")
			continue
		}
		// A reading above the sensor's range is heavy smoke, the air
		// holding at least that much: a session however it rose, not a
		// fault (a failing SPS30 reads far beyond it, or nothing). Taken
		// as untrusted, it flipped the fans between safe and boost each
		// time the reading crossed the range's end.
		over := s.AboveRange() && s.AtLeast(now, t.MaxAge)
		if !s.Valid(now, t.MaxAge) && !over {
			bad = append(bad, fmt.Sprintf("%s %s", name, describe(*s, now)))
			continue
		}
		st := &pm.still
		if s.Time.After(pm.seen) {
			st.observe(s.Time, s.Value, staff)
		}
		if why := st.frozen(now, staff, vouched); why != "" {
			bad = append(bad, name+" "+why)
			b.frozen = append(b.frozen, FrozenReading{Sensor: name, Value: st.value, Since: st.since, Why: why})
			pm.seen = s.Time
			continue
		}
		if math.IsNaN(b.level) || s.Value > b.level {
			b.level = s.Value
		}
		if s.Time.After(pm.seen) {
			pm.seen = s.Time
			if rising(&pm.rise, s, t) || over {
				strong = true
			}
			if s.Time.After(newest) {
				newest = s.Time
			}
		}
	}
	b.bad = strings.Join(bad, ", ")
	if !newest.IsZero() && !math.IsNaN(b.level) {
		b.hist.add(point{newest, b.level}, histWindow)
	}
	return strong
}

// rising records s in its sensor's rise window w and reports whether it
// rose by more than RiseRate × RiseWindow within the last RiseWindow:
// measured from the window's
// lowest point, so a rise is caught within one sensor period, and over a
// whole window, so one noisy sample does not trigger it. The rise must
// also exceed riseNoise of that lowest point.
func rising(w *window, s *sample.Sample, t Tuning) bool {
	w.add(point{s.Time, s.Value}, t.RiseWindow)
	low := s.Value
	for _, p := range w.pts() {
		low = minOf(low, p.v)
	}
	return s.Value-low > maxOf(t.RiseRate*t.RiseWindow.Seconds(), riseNoise*low)
}

// riseNoise is how far, as a share of the level, an SPS30 reading wanders
// within a rise window with no change in the air: its noise grows with
// the level, and at several hundred µg/m³ a fixed 10 µg/m³ is inside it
// (a clearing booth then started a new session every few seconds). It
// changes nothing below 200 µg/m³, and above that the booth's excess
// alone runs its fans at full.
const riseNoise = 0.05

// step updates the booth's clean air, session and decay for this period.
// staff is the staff area's smoothed clean-side level (NaN when no staff
// sensor is trusted); active says whether the booth's data is trusted.
func (b *booth) step(now time.Time, dt time.Duration, strong bool, staff float64, nominal float64, t Tuning) {
	if math.IsNaN(b.level) {
		return
	}
	b.entry.add(now, b.level)
	b.fast.add(b.level, dt)
	b.slow.add(b.level, dt)
	if b.bad != "" {
		b.lastSession = now // unknown air: nothing to learn from
		return
	}
	staffOK := !math.IsNaN(staff)
	if staffOK {
		b.ref = staff + b.offset
		b.refs.add(point{now, b.ref}, histWindow)
	} else {
		b.ref = b.floor.v
		b.refs.reset()
	}
	raw := b.level - b.ref
	b.excess = b.fast.v - b.ref

	// A session: strong smoke, or weak smoke well above clean air and
	// still climbing. It holds while the booth stays at its height and
	// ends once it clears (after the run-on).
	weak := raw >= t.SessionExcess && b.climb(trendWindow) >= maxOf(t.SessionExcess/2, 0.03*b.level)
	switch {
	case strong || weak:
		if !b.session {
			b.session = true
			b.starts.add(now)
		}
		b.lastSession = now
		b.holdTo = laterOf(b.holdTo, now.Add(t.RunOn))
	case b.session && !b.falling() && raw >= t.SessionExcess:
		b.lastSession = now
		b.holdTo = laterOf(b.holdTo, now.Add(t.RunOn))
	case b.session && !now.Before(b.holdTo):
		b.session = false
	}
	if b.purge && (b.level < t.Entry || raw < t.SessionExcess && !b.session) {
		b.purge = false // as clean as the air it draws in
	}

	b.learn(now, dt, staff, nominal > 0, t)
	b.nominal.add(point{now, nominal}, histWindow)
	b.measureDecay(now, staffOK)
}

// learn teaches the booth its clean air in quiet, steady air: the offset
// between its sensor and the staff sensor, and its own floor. aired says
// whether its fans move any air now.
func (b *booth) learn(now time.Time, dt time.Duration, staff float64, aired bool, t Tuning) {
	if !b.floor.ok || b.slow.v < b.floor.v {
		b.floor.v, b.floor.ok = b.slow.v, true
	}
	// The line through the minute last: in a session it is not asked.
	quiet := !b.session && now.Sub(b.lastSession) >= settle && len(b.hist.pts()) > 10 &&
		b.hist.slopeBelow(steadySlope)
	if !quiet {
		return
	}
	b.floor.v += (b.slow.v - b.floor.v) * b.floorRate.of(dt, t.CleanAirLearn)
	if math.IsNaN(staff) {
		return
	}
	if aired { // a booth nothing airs may hold its last session's smoke
		b.apart.observe(dt, b.slow.v-staff, staff)
	}
	tau := t.CleanAirLearn
	if b.offsetAge < settle {
		tau = 30 * time.Second // the first estimate, from nothing
	}
	// A booth nothing airs (its relay off) keeps what smoke its last
	// session left, leaking out over tens of minutes: steady air, but not
	// clean. Learned as the sensors' offset it hid up to 12 µg/m³ of smoke
	// from the relay's next decision (a busy day's leftover of 5 read as
	// none, and more each session), so there the offset may only fall.
	if d := b.slow.v - staff - b.offset; d < 0 || aired || b.lastSession.IsZero() {
		b.offset += d * b.offsetRate.of(dt, tau)
	}
	b.offsetAge += dt
	// Two SPS30s agree within their datasheet accuracy (±10 µg/m³ or
	// ±10 % each): a larger learned offset would be smoke, not error.
	lim := 10 + 0.2*math.Abs(staff)
	b.offset = clamp(b.offset, -lim, lim)
}

// measureDecay fits the booth's clearing over the last obsWindow when the
// booth is clearly clearing with no source: its excess falls
// exponentially at a rate set by the air its fans move.
func (b *booth) measureDecay(now time.Time, staffOK bool) {
	// The window starts well after the source stopped: the sensor's own
	// lag makes the first seconds of a clearing look slower than it is.
	// Without the staff reading the booth's floor stands in for the air
	// it draws in, and smoke lingering in the staff area would read as a
	// slow clearing: a booth short of air that is not.
	if !staffOK || b.session || now.Sub(b.lastObs) < obsWindow || now.Sub(b.lastSession) < obsWindow+5*time.Second {
		return
	}
	// Before a time found once, not now.Sub per point: the same test
	// without Sub's overflow check on each of the minute's points.
	from := now.Add(-obsWindow)
	unfit := func(v float64) bool { return v-b.ref < 10 || v > 900 } // in the noise, or near the sensor's range
	h := b.hist.pts()
	// Most periods that get here are quiet air, whose newest point
	// already says so: no pass over the minute for them.
	if n := len(h); n > 0 && !h[n-1].t.Before(from) && unfit(h[n-1].v) {
		return
	}
	var pts []point
	for _, p := range h {
		if p.t.Before(from) {
			continue
		}
		if unfit(p.v) {
			return
		}
		pts = append(pts, point{p.t, math.Log(p.v - b.ref)})
	}
	if len(pts) < 10 || now.Sub(pts[0].t) < obsWindow*2/3 {
		return
	}
	slope, ok := leastSquaresSlope(pts)
	if !ok || slope >= 0 || b.smokeEscaping(now, pts) {
		return
	}
	lo, hi, sum, n := math.Inf(1), 0.0, 0.0, 0
	for _, p := range b.nominal.pts() {
		if !p.t.Before(from) {
			lo, hi, sum, n = minOf(lo, p.v), maxOf(hi, p.v), sum+p.v, n+1
		}
	}
	if n == 0 || hi > 1.3*lo {
		return // the fans changed speed too much to tell
	}
	b.model.observe(now, sum/float64(n), -slope*3600)
	b.lastObs = now
}

// smokeEscaping reports whether the staff area's air rose during the
// decay window pts (log excess over time) by more than the booth's leak
// explains: smoke going out through an open door, the booth not clearing
// through its exhaust alone. Its level then falls by the door's air too,
// perhaps with the source still on, and what a fit reads is not the air
// its fans move (a door opened onto a session raised a false low-airflow
// warning in the built-in day every time). A closed booth's leak raises
// the staff area by a few hundredths of the booth's fall.
func (b *booth) smokeEscaping(now time.Time, pts []point) bool {
	var r0 float64
	found := false
	for _, p := range b.refs.pts() {
		if now.Sub(p.t) <= obsWindow {
			r0, found = p.v, true
			break
		}
	}
	if !found {
		return true // no staff reading over the window: nothing to tell by
	}
	fall := math.Exp(pts[0].v) - math.Exp(pts[len(pts)-1].v)
	return b.ref-r0 > 0.05*maxOf(fall, 0)+staffNoise(b.ref)
}

// need is the booth's smoke as a reason to move air: its excess over
// BoothFullExcess times relax (1: reason enough for full speed on its
// own). relax (at least 1) is how far the staff area's avoidable share
// lets the booths' price go up (avoidable).
func (b *booth) need(t Tuning, relax float64) float64 {
	return maxOf(b.excess, 0) / (t.BoothFullExcess * max(relax, 1))
}

// climb is how much the level's trend rose over the last d, by a least
// squares line through it: the sensor's noise, which grows with the level,
// moves single samples but hardly the line.
func (b *booth) climb(d time.Duration) float64 {
	h := b.hist.pts()
	n := len(h)
	if n < 3 {
		return 0
	}
	last := h[n-1]
	i := n - 1
	from := last.t.Add(-d) // the points within d of the last, told as window.expire does
	for i > 0 && !h[i-1].t.Before(from) {
		i--
	}
	slope, ok := leastSquaresSlope(h[i:])
	if !ok || n-i < 3 {
		return 0
	}
	return slope * d.Seconds()
}

// falling reports whether the level is clearly coming down: its trend over
// the last fallWindow lost at least 2 % of the level (and 1 µg/m³). A booth
// with no source does at any duty, even one on a fan a quarter of its
// size; a session at its height, whose level only wanders with the
// sensor's noise, does not.
func (b *booth) falling() bool {
	h := b.hist.pts()
	n := len(h)
	if n < 5 {
		return false
	}
	last := h[n-1]
	i := n - 1
	from := last.t.Add(-fallWindow) // as in climb
	for i > 0 && !h[i-1].t.Before(from) {
		i--
	}
	slope, ok := leastSquaresSlope(h[i:])
	drop := -slope * fallWindow.Seconds()
	return ok && n-i >= 5 && drop >= maxOf(1, 0.02*last.v)
}

// secondsToEntry estimates when the booth is below the entry threshold:
// 0 when it is, -1 when that cannot be told (a session, unknown air, a
// level that is not falling). The booth's excess over the air it draws in
// falls at its measured decay rate at the present duty; before the first
// clearing was measured, or while the air it draws in is itself above the
// threshold (smoke in the staff area, which then sets the pace), the
// level's own fall is extrapolated.
func (b *booth) secondsToEntry(nominal float64, t Tuning) float64 {
	switch {
	case math.IsNaN(b.level):
		return -1
	case b.level < t.Entry:
		return 0
	case b.session:
		return -1
	}
	if k := b.model.ach(nominal); k > 0 && b.bad == "" && b.ref < t.Entry {
		return maxOf(math.Log((b.level-b.ref)/(t.Entry-b.ref))/k*3600, 0)
	}
	return b.entry.secondsTo(t.Entry)
}

// status is the booth as the outside sees it.
func (b *booth) status(nominal float64, t Tuning) BoothStatus {
	var frozen []FrozenReading
	if len(b.frozen) > 0 {
		frozen = slices.Clone(b.frozen) // b.frozen is the next period's too
	}
	return BoothStatus{
		Zone: b.spec.Zone, Level: b.level, CleanAir: b.ref, Excess: b.excess,
		Session: b.session, Purging: b.purge, Trusted: b.bad == "",
		SecondsToEntry: b.secondsToEntry(nominal, t),
		Decay:          Decay{ACH: b.model.ach(nominal), NominalACH: nominal, Share: b.model.share(), Observations: b.model.n, Last: b.model.last},
		Frozen:         frozen,
		Apart:          b.apart,
	}
}

// BoothStatus is one booth as the law sees it.
type BoothStatus struct {
	Zone string
	// Level is the highest trusted PM2.5 (NaN when none); CleanAir what
	// the booth would read with no smoke in it (the staff air it draws
	// in, through the learned sensor offset); Excess the smoothed
	// difference, what the law acts on.
	Level, CleanAir, Excess float64
	Session, Purging        bool
	Trusted                 bool // every PM sensor of the booth trusted
	// SecondsToEntry: when the booth will be below the entry threshold;
	// 0 now, -1 unknown.
	SecondsToEntry float64
	Decay          Decay
	// Frozen are the booth's PM2.5 readings the law holds frozen this
	// period, before the sensor layer's stuck time would say so (see
	// frozen.go); nil when none. The daemon hands them to the sensors
	// (sensor.MarkFrozen), so they count as the stuck detector's do.
	Frozen []FrozenReading
	// Apart is how far its PM2.5 sensor and the staff area's read apart
	// in quiet air, and for how long beyond what working sensors can.
	Apart SensorsApart
}

// FrozenReading is a booth sensor's PM2.5 reading the law holds frozen:
// it has stood at Value since Since, and Why says how the law told.
type FrozenReading struct {
	Sensor string
	Value  float64
	Since  time.Time
	Why    string
}

func laterOf(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// window is the points of the last span of time, oldest first. Points
// that leave it are dropped by moving start; the array is compacted only
// once as many have been dropped as are kept. Shifting it down every
// second cost as much as the rest of the booth's step: a copy of every
// point, each holding a pointer (time.Time's location), under the
// garbage collector's write barriers.
type window struct {
	buf   []point
	start int
}

// pts returns the points in the window, oldest first.
func (w *window) pts() []point { return w.buf[w.start:] }

// add appends p and drops points older than span before it.
func (w *window) add(p point, span time.Duration) {
	w.expire(p.t, span)
	w.push(p)
}

// expire drops the points older than span before t and returns them,
// oldest first; they stay valid until the next push.
func (w *window) expire(t time.Time, span time.Duration) []point {
	from := w.start
	// Before a time found once, not clock.Sub per point: the same test
	// (a point more than span before t is before t − span, in the
	// monotonic clock where both times have it, else the wall clock)
	// without Sub's checks on each point.
	cut := t.Add(-span)
	for w.start < len(w.buf) && w.buf[w.start].t.Before(cut) {
		w.start++
	}
	return w.buf[from:w.start]
}

// push appends p, first compacting the array when as many points have
// been dropped as are kept; it reports whether it did.
func (w *window) push(p point) (compacted bool) {
	if w.start > 0 && w.start >= len(w.buf)-w.start {
		w.buf, w.start = append(w.buf[:0], w.buf[w.start:]...), 0
		compacted = true
	}
	w.buf = append(w.buf, p)
	return compacted
}

// reset empties the window, keeping its array.
func (w *window) reset() { w.buf, w.start = w.buf[:0], 0 }
