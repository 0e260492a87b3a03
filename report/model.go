package report

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/export"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/sample"
)

// doc is everything the report shows but the minute series, which are
// read shift by shift while the pages are laid out.
type doc struct {
	o        Options
	h        export.Header
	from, to time.Time // the span every section covers (zero: open)
	verify   *journal.Verification
	noChain  string // why there is no verification
	shifts   []*shift
	events   []export.Event
	acks     []export.Ack
	cals     []export.Calibration
	configs  []export.ConfigChange
	clock    []export.ClockStatus
	gaps     []export.Gap
	actions  []export.Action
	vent     []export.Ventilation
	// offShift are the actions in no shift shown (a reload at night).
	offShift []export.Action
}

// shift is one shift of the room: every zone's figures for it, and what
// happened during it.
type shift struct {
	start, end time.Time
	zones      []*zoneShift
	alarms     []*alarmSpan
	acks       []export.Ack
	cals       []export.Calibration
	clock      []export.ClockStatus
	gaps       []export.Gap
	actions    []export.Action
	vent       []export.Ventilation // the booths' ventilation measured in it
	outdoor    []*outdoorAir        // the outdoor air during it: context, in no verdict
	config     string               // the configuration hash in force at the end, "" if unknown
	verdict    verdict
}

// zoneShift is one zone's figures for a shift, one row per pollutant.
type zoneShift struct {
	zone    string
	rows    []export.Shift
	mixture float64 // Σ Eᵢ/Lᵢ over the rows with a TWA limit
	mixN    int
	verdict verdict
	why     []string // what made the verdict
}

// verdict is a shift's outcome, in rising order of concern.
type verdict int

const (
	verdictOK         verdict = iota
	verdictRunning            // not over yet: figures so far
	verdictIncomplete         // within the limits, but not every second was measured: TWA is a lower bound
	verdictNoData             // finished with (nearly) nothing measured: no figures, not clean air
	verdictOver               // a limit was exceeded
)

func (v verdict) String() string {
	return [...]string{"OK", "RUNNING", "INCOMPLETE", "NO DATA", "OVER LIMIT"}[v]
}

// legend says what each verdict means, under the shifts at a glance.
const legend = "OK: within every limit and fully measured. INCOMPLETE: within the limits over the part of the shift that was measured, but part of it was not, so the TWA is a lower bound. NO DATA: less than a minute of the shift was measured (ventd or its sensors down): no figures, and not evidence of clean air. OVER LIMIT: a TWA, STEL, excursion or mixture limit was exceeded. RUNNING: the shift was not over; figures so far."

// nothingMeasured is a finished shift's row with under a minute measured:
// its TWA and times over the limits are zeros for want of data, shown as
// "—", never as figures.
func nothingMeasured(r export.Shift) bool {
	return r.Finished && !r.Complete && r.Covered.Std() < time.Minute
}

// alarmSpan is one alarm from raised to cleared, with its acknowledgements.
type alarmSpan struct {
	id                uint64
	level, rule, subj string
	quantity, message string
	raised, cleared   time.Time // zero when not in the record
	// latched is when the alarm last latched (back below its level, not
	// acknowledged), returned when its condition last came back after
	// that: only the later of the two is the alarm's state.
	latched, returned   time.Time
	acks                []export.Ack
	value, threshold    string // the raise's, as the export prints them
	events              []export.Event
	raisedBeforeRecords bool
}

// maxProblems is how many of the chain's problems the report reads, for the
// first page and each shift's own.
const maxProblems = 500

// build reads the records of the window into a doc.
func build(r *export.Records, o Options) (*doc, error) {
	d := &doc{o: o, h: r.Header, from: r.From, to: r.To}
	var err error
	if d.events, err = r.Events(); err != nil {
		return nil, err
	}
	if d.acks, err = r.Acks(); err != nil {
		return nil, err
	}
	if d.cals, err = r.Calibrations(); err != nil {
		return nil, err
	}
	if d.configs, err = r.ConfigChanges(); err != nil {
		return nil, err
	}
	if d.clock, err = r.ClockStatus(); err != nil {
		return nil, err
	}
	if d.gaps, err = r.Gaps(); err != nil {
		return nil, err
	}
	if d.actions, err = r.Actions(); err != nil {
		return nil, err
	}
	if d.vent, err = r.Ventilation(); err != nil {
		return nil, err
	}
	if err := o.interrupted(); err != nil {
		return nil, err
	}
	d.verify, err = r.Journal().Verify(journal.VerifyOptions{From: r.From, To: r.To, MaxProblems: maxProblems})
	switch {
	case errors.Is(err, journal.ErrNoChain):
		d.noChain = "the journal predates the hash chain: its rows cannot be checked"
		d.verify = nil
	case err != nil:
		return nil, err
	}
	lastConfig, err := configBefore(r)
	if err != nil {
		return nil, err
	}
	byStart := map[[2]int64]*shift{}
	for _, row := range r.Shifts {
		if l := row.End.Sub(row.Start); l <= 0 || l > 24*time.Hour {
			// No schedule makes it (22 h at most, 23 on the autumn
			// night): a damaged or edited row, whose span would have the
			// plot work through every hour to 9999.
			d.h.Notes = append(d.h.Notes, fmt.Sprintf("a %s %s shift row from %s to %s is left out: no shift lasts that long (a damaged or edited row; ventctl verify checks the journal)",
				row.Zone, row.Quantity, row.Start.UTC().Format(time.RFC3339), row.End.UTC().Format(time.RFC3339)))
			continue
		}
		if o.Shift != "" && !startsAt(row.Start, o.Shift, o.Location) {
			continue
		}
		if o.Shift != "" && !o.From.IsZero() && row.Start.Before(o.From) {
			// -shift 19:00 for a day is that day's 19:00 shift, not also
			// the one that started the evening before and ends that morning.
			continue
		}
		k := [2]int64{row.Start.UnixMilli(), row.End.UnixMilli()}
		sh := byStart[k]
		if sh == nil {
			sh = &shift{start: row.Start, end: row.End}
			byStart[k] = sh
			d.shifts = append(d.shifts, sh)
		}
		var z *zoneShift
		for _, zz := range sh.zones {
			if zz.zone == row.Zone {
				z = zz
			}
		}
		if z == nil {
			z = &zoneShift{zone: row.Zone}
			sh.zones = append(sh.zones, z)
		}
		z.rows = append(z.rows, row)
	}
	slices.SortFunc(d.shifts, func(a, b *shift) int { return cmp.Or(a.start.Compare(b.start), a.end.Compare(b.end)) })
	alarms := alarmSpans(d.events, d.acks)
	order := zoneOrderBy(r.Kinds)
	for _, sh := range d.shifts {
		if err := o.interrupted(); err != nil {
			return nil, err
		}
		slices.SortFunc(sh.zones, func(a, b *zoneShift) int { return order(a.zone, b.zone) })
		for _, z := range sh.zones {
			slices.SortFunc(z.rows, func(a, b export.Shift) int { return quantityOrder(a.Quantity, b.Quantity) })
			z.judge()
			sh.verdict = max(sh.verdict, z.verdict)
		}
		in := func(t time.Time) bool { return !t.Before(sh.start) && t.Before(sh.end) }
		for _, a := range alarms {
			end := a.cleared
			if end.IsZero() {
				end = sh.end
			}
			start := a.raised
			if start.IsZero() {
				start = a.events[0].Time
			}
			if start.Before(sh.end) && !end.Before(sh.start) {
				sh.alarms = append(sh.alarms, a)
			}
		}
		sh.acks = filter(d.acks, func(a export.Ack) bool { return in(a.Time) })
		sh.cals = filter(d.cals, func(c export.Calibration) bool { return in(c.Time) })
		sh.clock = filter(d.clock, func(c export.ClockStatus) bool { return in(c.Time) })
		sh.gaps = filter(d.gaps, func(g export.Gap) bool { return g.Start.Before(sh.end) && !g.End.Before(sh.start) })
		sh.actions = filter(d.actions, func(a export.Action) bool { return in(a.Time) })
		sh.vent = filter(d.vent, func(v export.Ventilation) bool { return in(v.Time) })
		// After the verdict, which it has no part in.
		if sh.outdoor, err = readOutdoor(r, sh); err != nil {
			return nil, err
		}
		sh.config = lastConfig
		for _, c := range d.configs {
			if c.Time.Before(sh.end) {
				sh.config = c.Hash
			}
		}
	}
	d.offShift = filter(d.actions, func(a export.Action) bool {
		return !slices.ContainsFunc(d.shifts, func(sh *shift) bool { return !a.Time.Before(sh.start) && a.Time.Before(sh.end) })
	})
	return d, nil
}

// configBefore returns the hash of the configuration in force at the
// start of the span: the last change before it, "" when the journal has
// none.
// startsAt reports whether a shift starting at start is the one the roster
// calls hhmm (a valid "15:04"): on the spring night a 02:30 shift starts
// when the clocks jump, at 03:00 (exposure.WallClock).
func startsAt(start time.Time, hhmm string, loc *time.Location) bool {
	l := start.In(loc)
	if l.Format("15:04") == hhmm {
		return true
	}
	var h, m int
	if _, err := fmt.Sscanf(hhmm, "%d:%d", &h, &m); err != nil {
		return false
	}
	y, mo, d := l.Date()
	return exposure.WallClock(y, mo, d, 3600*h+60*m, loc).Equal(start)
}

func configBefore(r *export.Records) (string, error) {
	if r.From.IsZero() {
		return "", nil
	}
	before, err := r.Journal().ConfigChanges(time.Time{}, r.From)
	if err != nil || len(before) == 0 {
		return "", err
	}
	return before[len(before)-1].Hash, nil
}

func filter[T any](in []T, keep func(T) bool) []T {
	var out []T
	for _, x := range in {
		if keep(x) {
			out = append(out, x)
		}
	}
	return out
}

// judge sets the zone's verdict from its rows' own flags and their mixture
// index (exposure.MixtureOf, as /metrics computes it).
func (z *zoneShift) judge() {
	sums := make([]*exposure.Summary, len(z.rows))
	for i := range z.rows {
		sums[i] = &z.rows[i].Summary
	}
	z.mixture, z.mixN = exposure.MixtureOf(sums...)
	for _, r := range z.rows {
		q := quantityName(r.Quantity)
		v := r.Violations
		// Every reason, not the first: an auditor reads the verdict
		// first, and a shift over its TWA limit may be over its STEL too.
		if v.TWA {
			z.why = append(z.why, q+" TWA over its limit")
		}
		if v.STEL {
			z.why = append(z.why, q+" 15 min STEL over its limit")
		}
		if v.STELExcursions || v.TWAExcursions {
			z.why = append(z.why, q+" excursions too many or too close")
		}
		// Not a limit, so not the verdict's; but staff over the alarm
		// level (dense smoke above the sensors' range among it) is what
		// whoever signs must not miss beside an OK or INCOMPLETE.
		if over := r.TimeOverAlarm.Std(); over > 0 {
			w := fmt.Sprintf("%s over its alarm level %s", q, human(strconv.FormatFloat(over.Seconds(), 'f', 0, 64)))
			if above := r.TimeOverAlarmAboveRange.Std(); above > 0 {
				w += fmt.Sprintf(", %s of it above the sensor's range", human(strconv.FormatFloat(above.Seconds(), 'f', 0, 64)))
			}
			z.why = append(z.why, w)
		}
		switch {
		case v.Any():
			z.verdict = max(z.verdict, verdictOver)
		case !r.Finished:
			z.verdict = max(z.verdict, verdictRunning)
		case nothingMeasured(r):
			z.verdict = max(z.verdict, verdictNoData)
			z.why = append(z.why, q+" not measured")
		case !r.Complete:
			z.verdict = max(z.verdict, verdictIncomplete)
		}
	}
	if z.mixN > 1 && z.mixture > 1 {
		z.verdict = verdictOver
		z.why = append(z.why, fmt.Sprintf("mixture index %.3f over 1", z.mixture))
	}
	// Partial coverage is said whatever the verdict: over a limit on
	// 10 % of the shift measured is a lower bound too.
	low, partial := 100.0, false
	for _, r := range z.rows {
		if r.Finished && !r.Complete && !nothingMeasured(r) {
			low, partial = min(low, r.Coverage), true
		}
	}
	if partial && (z.verdict == verdictIncomplete || z.verdict == verdictNoData || z.verdict == verdictOver) {
		z.why = append(z.why, fmt.Sprintf("%.1f %% measured: TWA is a lower bound", low))
	}
	if z.verdict == verdictNoData {
		z.why = append(z.why, "nothing measured is not evidence of clean air")
	}
}

// alarmSpans groups the events by alarm.
func alarmSpans(events []export.Event, acks []export.Ack) []*alarmSpan {
	byID := map[uint64]*alarmSpan{}
	var out []*alarmSpan
	for _, e := range events {
		a := byID[e.AlarmID]
		if a == nil {
			a = &alarmSpan{id: e.AlarmID, level: e.Level, rule: e.Rule, subj: e.Subject, quantity: e.Quantity, message: e.Message}
			byID[e.AlarmID] = a
			out = append(out, a)
		}
		a.events = append(a.events, e)
		switch e.Kind {
		case "raised":
			f := e.Fields()
			a.raised, a.value, a.threshold, a.message = e.Time, f["value"], f["threshold"], e.Message
		case "cleared":
			a.cleared = e.Time
		case "latched":
			a.latched, a.returned = e.Time, time.Time{}
		case "returned":
			a.returned = e.Time
		}
	}
	for _, ack := range acks {
		if a := byID[ack.AlarmID]; a != nil {
			a.acks = append(a.acks, ack)
		}
	}
	for _, a := range out {
		a.raisedBeforeRecords = a.raised.IsZero()
	}
	return out
}

// zoneOrder puts staff zones (where people breathe) before booths, and the
// outdoor air last, by name within each; zoneOrderBy with no kinds known.
func zoneOrder(a, b string) int { return zoneOrderBy(nil)(a, b) }

// zoneOrderBy is zoneOrder with the zones' kinds as the export knows them
// (the configuration's, or the journal's meta). A shift row holds the
// zone's name, not its kind, so for a zone of unknown kind (a journal from
// before ventd kept kinds, read without a configuration) the kind is read
// from the name, as the example configs name them. ventd keeps no exposure
// record of the outdoor air, but a journal from before the outdoor kind,
// when an outdoor sensor could only be configured as a staff zone, may
// hold rows for one: they are context for the others, not a place anyone
// worked, so they come after them.
func zoneOrderBy(kinds map[string]config.ZoneKind) func(a, b string) int {
	rank := func(z string) int {
		switch kinds[z] {
		case config.Staff:
			return 0
		case config.Booth:
			return 1
		case config.Outdoor:
			return 2
		}
		return zoneRank(z)
	}
	return func(a, b string) int { return cmp.Or(cmp.Compare(rank(a), rank(b)), cmp.Compare(a, b)) }
}

// zoneRank is a zone's place by what its name says it is: 0 staff (any
// other name), 1 booth, 2 outdoor air. Outdoor is asked first: "booth-
// intake-outside" names the air the booths take in, not a booth.
func zoneRank(z string) int {
	switch {
	case strings.Contains(z, "outdoor") || strings.Contains(z, "outside"):
		return 2
	case strings.Contains(z, "booth"):
		return 1
	}
	return 0
}

var quantities = []sample.Quantity{sample.CO2, sample.PM25, sample.PM10, sample.PM4, sample.PM1}

func quantityOrder(a, b sample.Quantity) int {
	i, j := slices.Index(quantities, a), slices.Index(quantities, b)
	if i < 0 {
		i = len(quantities)
	}
	if j < 0 {
		j = len(quantities)
	}
	return cmp.Or(cmp.Compare(i, j), cmp.Compare(a, b))
}

// quantityName is how a pollutant is written for people.
func quantityName(q sample.Quantity) string {
	switch q {
	case sample.CO2:
		return "CO2"
	case sample.PM25:
		return "PM2.5"
	case sample.PM10:
		return "PM10"
	case sample.PM4:
		return "PM4"
	case sample.PM1:
		return "PM1"
	}
	return string(q)
}
