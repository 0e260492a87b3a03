package export

import (
	"bufio"
	"cmp"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/metrics"
	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/snapshot"
)

// OpenMetrics: the journal as the series /metrics would have shown, one
// sample a minute with its timestamp, for `promtool tsdb create-blocks-from
// openmetrics` to backfill a period Prometheus missed. Each minute's
// snapshot is rebuilt the way the daemon rebuilds itself after a restart
// (the minutes replayed into exposure trackers, the alarm events into the
// active alarms) and rendered by metrics.NewHistory, the live endpoint's own
// code, so the names and labels are the live ones.
//
// Counters (dose, measured time, time over the alarm level and the STEL
// limit, alarm transitions) count from each midnight UTC, so exporting a day
// twice writes the same values; Prometheus's increase() handles the reset
// as it handles a daemon restart. A sample at time t covers the minutes
// before t: the counters include the minute that ends at t, and the
// concentration is that minute's mean.

// MaxOpenMetricsSamples bounds an OpenMetrics export's memory: the format
// wants each family's samples together, so they are gathered before any is
// written (about 8 bytes each). A room with one booth has about 150 series,
// some 18 days at this bound; export longer periods in parts.
const MaxOpenMetricsSamples = 4_000_000

// maxSamples is MaxOpenMetricsSamples, lowered by tests: an export at the
// real bound takes seconds.
var maxSamples = MaxOpenMetricsSamples

// warmUp is how much before the window the trackers are fed, so the rolling
// 8 h TWA and a running shift are whole at its start.
func warmUp(cfg *config.Config) time.Duration {
	return max(exposure.TWAWindow, cfg.Shifts.Length) + exposure.STELWindow
}

// readOpenMetrics replays the journal's minutes and events through the live
// collectors and keeps every series in memory (nil: nothing in the window),
// so Write can send them after the journal's read has ended.
func readOpenMetrics(j *journal.Journal, o Options) (*omStore, error) {
	if o.Config == nil {
		return nil, errors.New("export: the openmetrics format needs the site's configuration (Options.Config; ventctl export -config FILE): " +
			"its shift schedule and limits decide the shift series and the time over limits")
	}
	cfg := o.Config
	sched, err := exposure.ConfigSchedule(cfg)
	if err != nil {
		return nil, fmt.Errorf("export: %w", err)
	}
	site, room, err := siteRoom(j, cfg)
	if err != nil {
		return nil, err
	}
	first, last, err := j.Range()
	if err != nil {
		return nil, err
	}
	if first.IsZero() {
		return nil, nil
	}
	lo, hi := omWindow(o, sched, first, last.Add(time.Minute))
	if !lo.Before(hi) {
		return nil, nil
	}
	series, err := j.Series()
	if err != nil {
		return nil, err
	}
	// The outdoor air's minutes are context: /metrics has no exposure
	// series of an outdoor zone, so neither has its backfill.
	kinds, err := zoneKinds(j, cfg)
	if err != nil {
		return nil, err
	}
	outdoor := outdoorZones(kinds)
	r := &replay{cfg: cfg, site: site, room: room, lo: lo, hi: hi, events: &metrics.AlarmEvents{}, active: map[uint64]alarm.Alarm{}}
	for _, s := range series {
		q := sample.Quantity(s.Quantity)
		if q.Unit() != "µg/m³" && q.Unit() != "ppm" || slices.Contains(outdoor, s.Zone) {
			continue
		}
		tr, err := exposure.New(exposure.Opts{Quantity: q, Zone: s.Zone, Limits: exposure.ConfigLimits(cfg, q), Schedule: sched})
		if err != nil {
			return nil, fmt.Errorf("export: %w", err)
		}
		r.trackers = append(r.trackers, &omSeries{zone: s.Zone, q: q, feed: feeder{tr: tr, top: exposure.RangeTop(cfg, s.Zone, q)}, mean: exposure.Unknown})
	}
	points := int(hi.Sub(lo)/time.Minute) + 1
	// Per zone and pollutant about 26 series, and 16 for the alarms
	// besides the active ones: checked before the work, not after.
	perPoint := 26*len(r.trackers) + 16
	tooLarge := func(samples, perPoint int) *TooLargeError {
		first := o.From
		if first.IsZero() {
			first = lo
		}
		y, m, d := first.In(o.Location).Date()
		start := time.Date(y, m, d, 0, 0, 0, 0, o.Location)
		return &TooLargeError{From: lo, To: hi, Samples: samples, Max: maxSamples, FirstDay: start.Format(DateLayout),
			Days: daysThatFit(o, sched, start, perPoint)}
	}
	if n := points * perPoint; n > maxSamples {
		return nil, tooLarge(n, perPoint)
	}
	if r.hist, err = metrics.NewHistory(site, room, func() *snapshot.Snapshot { return r.cur }, r.events); err != nil {
		return nil, err
	}
	r.out = newOMStore(lo, points)
	feedFrom := minTime(lo.Truncate(24*time.Hour), lo.Add(-warmUp(cfg)))
	r.nextMidnight = feedFrom.Truncate(24 * time.Hour).Add(24 * time.Hour)
	// The above_range gaps count over the alarm level, as live (feeder);
	// the others are gaps the trackers see without them.
	gaps, err := j.Gaps(feedFrom, hi)
	if err != nil {
		return nil, err
	}
	for _, g := range gaps {
		if g.Reason == journal.GapDaemonDown {
			r.down = append(r.down, g)
		}
		for _, s := range r.trackers {
			if (g.Zone == "" || g.Zone == s.zone) && (g.Quantity == "" || g.Quantity == string(s.q)) {
				s.feed.gaps = append(s.feed.gaps, g)
			}
		}
	}
	r.nextPoint = lo
	if r.evs, err = j.Events(time.Time{}, hi); err != nil {
		return nil, err
	}
	for ; r.nextEvent < len(r.evs) && r.evs[r.nextEvent].Time.Before(feedFrom); r.nextEvent++ {
		r.apply(r.evs[r.nextEvent], false) // alarms still active at the start, not counted
	}
	err = j.EachMinute(feedFrom, hi, "", "", func(m journal.Minute) error {
		if err := r.advance(m.Start); err != nil {
			return err
		}
		for _, s := range r.trackers {
			if s.zone == m.Zone && string(s.q) == m.Quantity {
				s.feed.gapsBefore(m.Start)
				s.feed.minute(m)
				s.mean, s.meanEnd = exposure.Conc(m.Mean), m.Start.Add(time.Minute)
				if m.CoveredSeconds <= 0 {
					s.mean = exposure.Unknown
				}
			}
		}
		return nil
	})
	if err == nil {
		err = r.advance(hi)
	}
	if tl := (*TooLargeError)(nil); errors.As(err, &tl) {
		// More series than the estimate (many alarms): the days that
		// fit, at the rate the samples came in.
		done := max(1, int(r.nextPoint.Sub(lo)/time.Minute))
		return nil, tooLarge(tl.Samples, max(perPoint, tl.Samples/done+1))
	}
	if err != nil {
		return nil, err
	}
	return r.out, nil
}

// TooLargeError is an OpenMetrics export refused for holding more than
// MaxOpenMetricsSamples samples, with what the asker needs to ask for
// less. Error says it in ventctl's words (-from and -to); ventd's HTTP
// API says it in its own (from= and to=) from the fields.
type TooLargeError struct {
	From, To time.Time // the window, widened to whole shifts
	Samples  int       // about how many it holds (at least, if found while reading)
	Max      int       // how many an export may hold (MaxOpenMetricsSamples)
	// Days is the most days, the first and last included, that an export
	// starting on FirstDay (YYYY-MM-DD, the asked-for from or the
	// journal's first day) holds once widened to whole shifts; 0 when not
	// even one day fits.
	Days     int
	FirstDay string
}

func (e *TooLargeError) Error() string {
	msg := fmt.Sprintf("export: %s to %s in openmetrics (widened to whole shifts) is about %d samples, more than %d held at once; ",
		e.From.Format(time.RFC3339), e.To.Format(time.RFC3339), e.Samples, e.Max)
	if e.Days == 0 {
		return msg + "not even one day fits: export this room as csv or json"
	}
	return msg + fmt.Sprintf("export at most %d days at a time (-from and -to, both included: -from %s -to %s)", e.Days, e.FirstDay, e.LastDay())
}

// LastDay is the last day (YYYY-MM-DD) of an export of Days days from
// FirstDay, "" when none fits.
func (e *TooLargeError) LastDay() string {
	t, err := time.Parse(DateLayout, e.FirstDay)
	if err != nil || e.Days == 0 {
		return ""
	}
	return t.AddDate(0, 0, e.Days-1).Format(DateLayout)
}

// daysThatFit is the most days from start (midnight in o.Location) whose
// export, widened to whole shifts as omWindow widens it, holds at most
// maxSamples at perPoint samples a minute, with an hour to spare
// so that the next part, across a change to or from summer time, fits too.
// Counted on the widened window: the widening adds up to a shift at each
// end, and a limit counted before it was refused when asked for.
func daysThatFit(o Options, sched exposure.Schedule, start time.Time, perPoint int) int {
	maxPoints := maxSamples/perPoint - 60
	always := time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
	for days := maxPoints/1440 + 1; days > 0; days-- {
		w := o
		w.From, w.To = start, start.AddDate(0, 0, days)
		lo, hi := omWindow(w, sched, time.Time{}, always)
		if int(hi.Sub(lo)/time.Minute)+1 <= maxPoints {
			return days
		}
	}
	return 0
}

// siteRoom returns the labels the daemon used: the journal's, else the
// configuration's.
func siteRoom(j *journal.Journal, cfg *config.Config) (site, room string, err error) {
	if site, _, err = j.Meta("site"); err != nil {
		return
	}
	if room, _, err = j.Meta("room"); err != nil {
		return
	}
	return cmp.Or(site, cfg.Site), cmp.Or(room, cfg.Room), nil
}

// omWindow is the export's window widened to whole shifts, as the other
// formats' span is, within the journal's extent [first, end).
func omWindow(o Options, sched exposure.Schedule, first, end time.Time) (lo, hi time.Time) {
	lo, hi = first, end
	if !o.From.IsZero() {
		lo = o.From
		if sh, ok := sched.ShiftAt(lo); ok {
			lo = sh.Start
		}
	}
	if !o.To.IsZero() {
		hi = o.To
		if sh, ok := sched.ShiftAt(hi.Add(-time.Nanosecond)); ok {
			hi = sh.End
		}
	}
	lo, hi = maxTime(lo, first), minTime(hi, end)
	// Samples fall on whole minutes, as the minutes do.
	lo = lo.Truncate(time.Minute)
	if t := hi.Truncate(time.Minute); t.Before(hi) {
		hi = t.Add(time.Minute)
	}
	return lo.UTC(), hi.UTC()
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// omSeries is one zone and pollutant being replayed.
type omSeries struct {
	zone    string
	q       sample.Quantity
	feed    feeder
	mean    exposure.Conc // the last minute's mean, for the minute ending at meanEnd
	meanEnd time.Time
}

// replay walks the journal in time order, rendering a snapshot at each
// whole minute of [lo, hi].
type replay struct {
	cfg          *config.Config
	site, room   string
	lo, hi       time.Time
	trackers     []*omSeries
	evs          []journal.Event
	nextEvent    int
	active       map[uint64]alarm.Alarm
	events       *metrics.AlarmEvents
	hist         prometheus.Gatherer
	cur          *snapshot.Snapshot
	out          *omStore
	nextPoint    time.Time
	nextMidnight time.Time
	// down are the daemon_down gaps, by start, and nextDown the first
	// that may still hold a sample to come (isDown).
	down     []journal.Gap
	nextDown int
}

// isDown reports whether ventd was not running at t: Prometheus scraped
// nothing then.
func (r *replay) isDown(t time.Time) bool {
	for ; r.nextDown < len(r.down) && !r.down[r.nextDown].End.After(t); r.nextDown++ {
	}
	for _, g := range r.down[r.nextDown:] {
		if !g.Start.Before(t) {
			return false
		}
		if t.Before(g.End) {
			return true
		}
	}
	return false
}

// advance renders every sample due at or before t (the minutes before t are
// fed), resetting the counters at each midnight after its sample.
func (r *replay) advance(t time.Time) error {
	for {
		p := r.nextPoint
		if p.After(r.hi) {
			p = time.Time{} // no more samples
		}
		switch {
		case !p.IsZero() && !p.After(t) && !p.After(r.nextMidnight):
			r.applyEvents(p)
			if err := r.render(p); err != nil {
				return err
			}
			r.nextPoint = p.Add(time.Minute)
		case !r.nextMidnight.After(t):
			r.applyEvents(r.nextMidnight)
			for _, s := range r.trackers {
				s.feed.tr.ResetTotals()
			}
			r.events.Reset()
			r.nextMidnight = r.nextMidnight.Add(24 * time.Hour)
		default:
			return nil
		}
	}
}

// applyEvents applies the alarm events at or before t.
func (r *replay) applyEvents(t time.Time) {
	for ; r.nextEvent < len(r.evs) && !r.evs[r.nextEvent].Time.After(t); r.nextEvent++ {
		r.apply(r.evs[r.nextEvent], true)
	}
}

func (r *replay) apply(e journal.Event, count bool) {
	if count {
		r.events.Add(e.Level, e.Kind)
	}
	switch alarm.Kind(e.Kind) {
	case alarm.Raised:
		var l alarm.Level
		if l.UnmarshalText([]byte(e.Level)) != nil {
			return
		}
		r.active[e.AlarmID] = alarm.Alarm{ID: e.AlarmID, RuleID: alarm.RuleID(e.Rule), Level: l, Subject: e.Subject}
	case alarm.Acknowledged:
		if a, ok := r.active[e.AlarmID]; ok {
			a.Acked = true
			r.active[e.AlarmID] = a
		}
	case alarm.Cleared:
		delete(r.active, e.AlarmID)
	}
}

// render builds the snapshot at t and stores what it renders.
func (r *replay) render(t time.Time) error {
	s := &snapshot.Snapshot{Site: r.site, Room: r.room, Time: t}
	shifts := map[string][]*exposure.Summary{}
	down := r.isDown(t)
	for _, x := range r.trackers {
		x.feed.gapsBefore(t)
		es := x.feed.tr.Snapshot(t)
		es.Value, es.ValueAt = exposure.Unknown, time.Time{}
		if x.meanEnd.Equal(t) {
			es.Value, es.ValueAt = x.mean, t.Add(-time.Minute)
		}
		s.Exposure = append(s.Exposure, es)
		shifts[x.zone] = append(shifts[x.zone], es.Shift)
	}
	for _, z := range r.cfg.Zones {
		if em, n := exposure.MixtureOf(shifts[z.Name]...); n > 0 {
			s.Mixture = append(s.Mixture, snapshot.Mixture{Zone: z.Name, Index: em, Pollutants: n})
		}
	}
	for _, a := range r.active {
		s.Alarms.Alarms = append(s.Alarms.Alarms, a)
		s.Alarms.Highest = max(s.Alarms.Highest, a.Level)
		if !a.Acked {
			s.Alarms.Unacked++
		}
	}
	if down {
		// ventd was not running: no scrape answered, and Prometheus
		// holds no sample of any series then. A backfill that wrote the
		// replay's drew the rolling STEL (its window still holding the
		// data from before the stop), the shift's TWA and the counters
		// on through the outage, as if ventd had watched the air.
		return nil
	}
	r.cur = s
	mfs, err := r.hist.Gather()
	if err != nil {
		return fmt.Errorf("export: rendering %s: %w", t.Format(time.RFC3339), err)
	}
	return r.out.add(t, mfs)
}

// omStore holds the samples by family and series until they are written,
// one value a minute from lo (NaN where a series had none).
type omStore struct {
	lo       time.Time
	points   int
	families map[string]*omFamily
	samples  int
}

type omFamily struct {
	help   string
	typ    dto.MetricType
	series map[string]*omValues
}

type omValues struct {
	labels []*dto.LabelPair
	first  int // index of vals[0]
	vals   []float64
}

func newOMStore(lo time.Time, points int) *omStore {
	return &omStore{lo: lo, points: points, families: map[string]*omFamily{}}
}

func (o *omStore) add(t time.Time, mfs []*dto.MetricFamily) error {
	k := int(t.Sub(o.lo) / time.Minute)
	for _, mf := range mfs {
		f := o.families[mf.GetName()]
		if f == nil {
			f = &omFamily{help: mf.GetHelp(), typ: mf.GetType(), series: map[string]*omValues{}}
			o.families[mf.GetName()] = f
		}
		for _, m := range mf.GetMetric() {
			key := labelKey(m.GetLabel())
			v := f.series[key]
			if v == nil {
				v = &omValues{labels: m.GetLabel(), first: k}
				f.series[key] = v
			}
			for len(v.vals) < k-v.first {
				v.vals = append(v.vals, math.NaN())
			}
			val := m.GetGauge().GetValue()
			if mf.GetType() == dto.MetricType_COUNTER {
				val = m.GetCounter().GetValue()
			}
			v.vals = append(v.vals, val)
			if o.samples++; o.samples > maxSamples {
				return &TooLargeError{Samples: o.samples} // readOpenMetrics fills in the rest
			}
		}
	}
	return nil
}

func labelKey(ls []*dto.LabelPair) string {
	var b strings.Builder
	for _, l := range ls {
		b.WriteString(l.GetName())
		b.WriteByte(0)
		b.WriteString(l.GetValue())
		b.WriteByte(0)
	}
	return b.String()
}

// write writes every family, sorted by name, its series sorted by labels,
// each series' samples in time order, then the "# EOF" OpenMetrics ends
// with.
func (o *omStore) write(w *bufio.Writer) error {
	if o == nil { // nothing in the window
		_, err := expfmt.FinalizeOpenMetrics(w)
		return err
	}
	names := make([]string, 0, len(o.families))
	for n := range o.families {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		f := o.families[n]
		keys := make([]string, 0, len(f.series))
		for k := range f.series {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		mf := &dto.MetricFamily{Name: new(n), Help: new(f.help), Type: f.typ.Enum()}
		for _, k := range keys {
			v := f.series[k]
			for i, x := range v.vals {
				if math.IsNaN(x) {
					continue
				}
				m := &dto.Metric{Label: v.labels, TimestampMs: new(o.lo.Add(time.Duration(v.first+i) * time.Minute).UnixMilli())}
				if f.typ == dto.MetricType_COUNTER {
					m.Counter = &dto.Counter{Value: new(x)}
				} else {
					m.Gauge = &dto.Gauge{Value: new(x)}
				}
				mf.Metric = append(mf.Metric, m)
			}
		}
		if _, err := expfmt.MetricFamilyToOpenMetrics(w, mf); err != nil {
			return err
		}
	}
	_, err := expfmt.FinalizeOpenMetrics(w)
	return err
}
