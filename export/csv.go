package export

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/ventd/ventd/control/exposure"
)

// Columns of each CSV section, in order.
var (
	shiftColumns = []string{"zone", "quantity", "unit", "start", "start_local", "end", "length_h", "until",
		"finished", "complete", "source",
		"twa_osha", "mean_covered", "limit_twa", "limit_stel", "limit_alarm", "reduction_factor", "adjusted_twa_limit", "twa_over_limit",
		"stel_peak", "stel_peak_at", "stel_peak_is_lower_bound", "stel_peak_above_range_s", "time_over_alarm_s", "time_over_alarm_above_range_s", "time_stel_over_limit_s", "stel_over_limit",
		"excursions_above_stel", "stel_excursions_too_many", "stel_excursions_too_close",
		"excursions_above_twa", "twa_excursions_too_many", "twa_excursions_too_close",
		"elapsed_s", "covered_s", "coverage_pct", "gap_total_s", "gaps", "limits_source", "note"}
	minuteColumns       = []string{"start", "zone", "quantity", "unit", "mean", "max", "count", "covered_s", "clock_backwards_s"}
	gapColumns          = []string{"start", "end", "length_s", "zone", "quantity", "reason", "clock_backwards_s"}
	eventColumns        = []string{"time", "event_id", "alarm_id", "rule", "kind", "level", "subject", "quantity", "value", "threshold", "message", "clock_backwards_s"}
	ackColumns          = []string{"time", "alarm_id", "who", "note", "clock_backwards_s"}
	calibrationColumns  = []string{"time", "sensor", "serial", "kind", "reference", "correction", "who", "note", "clock_backwards_s"}
	configChangeColumns = []string{"time", "hash", "summary", "clock_backwards_s"}
	clockStatusColumns  = []string{"time", "synchronized", "source", "note", "clock_backwards_s"}
	actionColumns       = []string{"time", "kind", "target", "who", "via", "uid", "peer", "note", "result", "error", "clock_backwards_s"}
	ventilationColumns  = []string{"time", "zone", "ach", "nominal_ach", "share", "observations", "clock_backwards_s"}
)

// All is what an empty zone or quantity of a gap means, in the CSV (zone
// names cannot hold parentheses, so it cannot be a zone's name).
const All = "(all)"

func ts(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// num prints a concentration or a number of seconds: three decimals
// (1 ppb of a ppm, 1 ms of a second), empty when unknown.
func num(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return ""
	}
	return strconv.FormatFloat(f, 'f', 3, 64)
}

// limit prints a limit, empty for 0 (no such limit).
func limit(f float64) string {
	if f == 0 {
		return ""
	}
	return num(f)
}

func conc(c exposure.Conc) string { return num(float64(c)) }

func secs(d exposure.Duration) string { return num(d.Std().Seconds()) }

// overLimit prints a time over a limit, empty when there is no such limit
// (PM10's alarm level, a missing STEL limit): unknown, as any figure that
// does not exist, where a 0 read as measured and never over.
func overLimit(d exposure.Duration, lim float64) string {
	if lim == 0 {
		return ""
	}
	return secs(d)
}

// durOrEmpty prints d, empty when unknown (nil).
func durOrEmpty(d *exposure.Duration) string {
	if d == nil {
		return ""
	}
	return secs(*d)
}

func all(s string) string {
	if s == "" {
		return All
	}
	return s
}

func (r Shift) csv(b []string) []string {
	s := &r.Summary
	stelAt := ""
	if s.STELPeak.Known() {
		stelAt = ts(s.STELPeakAt)
	}
	return append(b, text(s.Zone), text(string(s.Quantity)), text(s.Unit), ts(s.Start), r.StartLocal.Format(time.RFC3339), ts(s.End),
		num(s.Length.Std().Hours()), ts(s.Until),
		strconv.FormatBool(s.Finished), strconv.FormatBool(s.Complete), text(r.Source),
		num(s.TWA), conc(s.MeanCovered), limit(s.Limits.TWA), limit(s.Limits.STEL), limit(s.Limits.Alarm),
		strconv.FormatFloat(s.ReductionFactor, 'f', 4, 64), limit(s.AdjustedTWALimit), strconv.FormatBool(s.Violations.TWA),
		conc(s.STELPeak), stelAt, strconv.FormatBool(r.STELPeakLowerBound), durOrEmpty(r.STELPeakAboveRange),
		overLimit(s.TimeOverAlarm, s.Limits.Alarm), overLimit(s.TimeOverAlarmAboveRange, s.Limits.Alarm), overLimit(s.TimeOverSTEL, s.Limits.STEL),
		strconv.FormatBool(s.Violations.STEL),
		strconv.Itoa(s.AboveSTEL.Count), strconv.FormatBool(s.AboveSTEL.TooMany), strconv.FormatBool(s.AboveSTEL.TooClose),
		strconv.Itoa(s.AboveTWA.Count), strconv.FormatBool(s.AboveTWA.TooMany), strconv.FormatBool(s.AboveTWA.TooClose),
		secs(s.Elapsed), secs(s.Covered), num(s.Coverage), secs(s.GapTotal), strconv.Itoa(r.gapCount()),
		text(s.Limits.Source), text(r.Note))
}

// gapCount is how many gaps the shift's record lists, each with one
// reason (a gap of the summary that spans ventd down and starting is two),
// and those left off its list.
func (r Shift) gapCount() int {
	if r.Gaps == nil {
		return len(r.Summary.Gaps) + r.GapsOmitted // not given reasons (a Shift made elsewhere)
	}
	return len(r.Gaps) + r.GapsOmitted
}

func (m Minute) csv(b []string) []string {
	return append(b, ts(m.Start), text(m.Zone), text(m.Quantity), text(m.Unit), num(m.Mean), num(m.Max), strconv.Itoa(m.Count),
		num(m.CoveredSeconds), num(m.ClockBackwards))
}

func (g Gap) csv(b []string) []string {
	return append(b, ts(g.Start), ts(g.End), num(g.Length), text(all(g.Zone)), text(all(g.Quantity)), text(g.Reason), num(g.ClockBackwards))
}

func (e Event) csv(b []string) []string {
	return append(b, ts(e.Time), strconv.FormatUint(e.ID, 10), strconv.FormatUint(e.AlarmID, 10), text(e.Rule), text(e.Kind), text(e.Level),
		text(e.Subject), text(e.Quantity), num(float64(e.Value)), num(float64(e.Threshold)), text(e.Message), num(e.ClockBackwards))
}

func (a Ack) csv(b []string) []string {
	return append(b, ts(a.Time), strconv.FormatUint(a.AlarmID, 10), text(a.Who), text(a.Note), num(a.ClockBackwards))
}

func (c Calibration) csv(b []string) []string {
	return append(b, ts(c.Time), text(c.Sensor), text(c.Serial), text(c.Kind), num(float64(c.Reference)), num(float64(c.Correction)),
		text(c.Who), text(c.Note), num(c.ClockBackwards))
}

func (c ConfigChange) csv(b []string) []string {
	return append(b, ts(c.Time), text(c.Hash), text(c.Summary), num(c.ClockBackwards))
}

func (c ClockStatus) csv(b []string) []string {
	return append(b, ts(c.Time), strconv.FormatBool(c.Synchronized), text(c.Source), text(c.Note), num(c.ClockBackwards))
}

func (a Action) csv(b []string) []string {
	uid := ""
	if a.UID != nil {
		uid = strconv.FormatUint(uint64(*a.UID), 10)
	}
	return append(b, ts(a.Time), text(a.Kind), text(a.Target), text(a.Who), text(a.Via), uid, text(a.Peer), text(a.Note),
		text(a.Result), text(a.Error), num(a.ClockBackwards))
}

func (v Ventilation) csv(b []string) []string {
	return append(b, ts(v.Time), text(v.Zone), num(v.ACH), num(v.NominalACH), num(v.Share), strconv.Itoa(v.Observations), num(v.ClockBackwards))
}

// Fields return a row's cells by column name, exactly as the CSV export
// writes them: the report prints these, so its figures are the export's.
func (r Shift) Fields() map[string]string { return fields(shiftColumns, r.csv(nil)) }

func (m Minute) Fields() map[string]string { return fields(minuteColumns, m.csv(nil)) }

func (g Gap) Fields() map[string]string { return fields(gapColumns, g.csv(nil)) }

func (e Event) Fields() map[string]string { return fields(eventColumns, e.csv(nil)) }

func (a Ack) Fields() map[string]string { return fields(ackColumns, a.csv(nil)) }

func (c Calibration) Fields() map[string]string { return fields(calibrationColumns, c.csv(nil)) }

func (c ConfigChange) Fields() map[string]string { return fields(configChangeColumns, c.csv(nil)) }

func (c ClockStatus) Fields() map[string]string { return fields(clockStatusColumns, c.csv(nil)) }

func (a Action) Fields() map[string]string { return fields(actionColumns, a.csv(nil)) }

func (v Ventilation) Fields() map[string]string { return fields(ventilationColumns, v.csv(nil)) }

func fields(columns, cells []string) map[string]string {
	m := make(map[string]string, len(columns))
	for i, c := range columns {
		m[c] = cells[i]
	}
	return m
}

// csvSink writes one CSV file: comment lines, then sections.
type csvSink struct {
	w   *bufio.Writer
	c   *csv.Writer
	loc *time.Location
	rec []string
}

func newCSVSink(w *bufio.Writer, loc *time.Location) *csvSink {
	return &csvSink{w: w, c: csv.NewWriter(w), loc: loc}
}

// comment writes "# key: value" with the value on one line, its cells
// (a spreadsheet splits the line at commas) neutralised like text cells.
func (s *csvSink) comment(key, value string) {
	value = strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(value)
	fmt.Fprintf(s.w, "# %s: %s\n", key, textLine(value))
}

func (s *csvSink) header(h Header) error {
	s.w.WriteString("# ventd exposure export\n")
	s.comment("software", h.Software)
	s.comment("generated", ts(h.Generated))
	s.comment("site", h.Site)
	s.comment("room", h.Room)
	for _, sn := range h.Sensors {
		s.comment("sensor", sn.Name+" serial "+sn.Serial)
	}
	if len(h.Sensors) == 0 {
		s.comment("sensor", "no serial numbers recorded in the journal")
	}
	s.comment("time_zone", h.TimeZone+" (the start_local column)")
	s.comment("window", s.span(h.Window.From, h.Window.To, "the whole journal"))
	s.comment("span", s.span(h.Window.SpanFrom, h.Window.SpanTo, "the whole journal")+
		" (the window widened to whole shifts; every section covers it)")
	s.comment("journal_schema", strconv.Itoa(h.Schema))
	if c := h.Chain; c != nil {
		s.comment("chain", fmt.Sprintf("%s, written %s; ventctl verify -head %s shows whether a later copy of the journal still holds this record unedited",
			c, ts(c.Written), c.Hash))
	} else {
		s.comment("chain", "none: the journal predates the hash chain, or holds no record yet")
	}
	if h.Integrity != "" {
		s.comment("integrity", h.Integrity)
	}
	s.comment("format", "sections start with a '# section: NAME' line and their own header row; times are RFC 3339 in UTC; "+
		"values in the unit column's unit, three decimals; durations in seconds; an empty limit means none, and so does an empty time over it; "+
		"an empty value is unknown, never zero; zone or quantity "+All+" applies to all")
	s.comment("twa", "OSHA 29 CFR 1910.1000(d): twa_osha = Σ(mean × covered time) / 8 h over the shift; unmeasured time adds nothing and shows in coverage_pct and gap_total_s")
	s.comment("source", "live = the daemon's own figures from 1 s data, as /metrics and /api/state showed them; minutes = rebuilt from the minute series below ("+MinutesNote+")")
	for _, n := range h.Notes {
		s.comment("note", n)
	}
	return nil
}

func (s *csvSink) span(from, to *time.Time, open string) string {
	if from == nil && to == nil {
		return open
	}
	side := func(t *time.Time, none string) string {
		if t == nil {
			return none
		}
		return ts(*t) + " (" + t.In(s.loc).Format("2006-01-02 15:04 MST") + ")"
	}
	return side(from, "the start of the journal") + " to " + side(to, "its end") + ", end excluded"
}

func (s *csvSink) begin(name string, columns []string) error {
	s.c.Flush()
	fmt.Fprintf(s.w, "\n# section: %s\n", name)
	return s.c.Write(columns)
}

func (s *csvSink) row(r record) error {
	s.rec = r.csv(s.rec[:0])
	return s.c.Write(s.rec)
}

func (s *csvSink) end() error {
	s.c.Flush()
	return s.c.Error()
}

func (s *csvSink) close() error { return s.end() }

func (s *csvSink) fail(err error) {
	s.c.Flush()
	s.w.WriteString("\n")
	s.comment("error", "export incomplete: "+err.Error())
}
