package report

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ventd/ventd/export"
	"github.com/ventd/ventd/journal"
)

// The words of the report, shared by the PDF and the HTML: both lay out
// the same tables and paragraphs.

const (
	dayLayout  = "Mon 2 Jan 2006"
	timeLayout = "2006-01-02 15:04:05 MST"
)

func (d *doc) local(t time.Time) time.Time { return t.In(d.o.Location) }

// shiftTitle names a shift: "Mon 2 Mar 2026, 07:00 – 19:00 UTC (12 h)".
// Across a daylight-saving change both ends name their zone ("01:30 PDT –
// 09:30 PST (9 h)"): on the night clocks go back, 01:30 happens twice.
func (d *doc) shiftTitle(sh *shift) string {
	a, b := d.local(sh.start), d.local(sh.end)
	end := b.Format("15:04 MST")
	if b.YearDay() != a.YearDay() {
		end = b.Format("Mon 15:04 MST")
	}
	start := a.Format("15:04")
	if a.Format("MST") != b.Format("MST") {
		start = a.Format("15:04 MST")
	}
	return fmt.Sprintf("%s, %s – %s (%s)", a.Format(dayLayout), start, end, hours(sh.end.Sub(sh.start)))
}

func hours(d time.Duration) string {
	h := d.Hours()
	if h == math.Trunc(h) {
		return strconv.Itoa(int(h)) + " h"
	}
	return strconv.FormatFloat(h, 'f', 2, 64) + " h"
}

// human writes seconds as the export's figure and, past a minute, in
// minutes and seconds: "1234.000 s (20 min 34 s)".
func human(secs string) string {
	if secs == "" {
		return "unknown"
	}
	f, err := strconv.ParseFloat(secs, 64)
	if err != nil || f < 60 {
		return secs + " s"
	}
	d := time.Duration(math.Round(f)) * time.Second
	h, m, s := int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60
	if h > 0 {
		return fmt.Sprintf("%s s (%d h %d min)", secs, h, m)
	}
	return fmt.Sprintf("%s s (%d min %d s)", secs, m, s)
}

func orNone(s, unit string) string {
	if s == "" {
		return "none"
	}
	return strings.TrimSpace(s + " " + unit)
}

func yesNo(s string) string {
	if s == "true" {
		return "YES"
	}
	return "no"
}

// figureRow is one line of a zone's figures table: a label and one value
// per pollutant.
type figureRow struct {
	label string
	value func(r export.Shift, f map[string]string) string
	// of says whether the figure comes from the measurements.
	of figureOf
}

// figureOf is where a figure comes from: the configuration, or the
// measurements ("—" when nothing was measured: its zero would read as clean
// air), or those and the time above the sensors' range (shown when that
// time counted, however little was measured).
type figureOf uint8

const (
	ofConfig figureOf = iota
	ofData
	ofDataOrAboveRange
)

// figureRows are the lines of the figures table. Every value is the
// export's cell (Shift.Fields), with its unit, sometimes followed by an
// easier reading of it. Each fits one line of its column, so that a text
// extraction of the PDF finds a figure's values on its label's line.
func (d *doc) figureRows() []figureRow {
	plain := func(col, unit string) func(export.Shift, map[string]string) string {
		return func(_ export.Shift, f map[string]string) string { return orNone(f[col], unit) }
	}
	unit := func(col string) func(export.Shift, map[string]string) string {
		return func(r export.Shift, f map[string]string) string { return orNone(f[col], r.Unit) }
	}
	secs := func(col string) func(export.Shift, map[string]string) string {
		return func(_ export.Shift, f map[string]string) string { return human(f[col]) }
	}
	// A time over a limit the pollutant does not have (PM10 has no alarm
	// level) is the export's empty cell, said to be for want of the limit:
	// "0 s" or "none" alone read as measured and clean, and "unknown" as
	// a figure that was lost.
	over := func(limitCol, none string, fig func(export.Shift, map[string]string) string) func(export.Shift, map[string]string) string {
		return func(r export.Shift, f map[string]string) string {
			if f[limitCol] == "" {
				return "none (" + none + ")"
			}
			return fig(r, f)
		}
	}
	return []figureRow{
		{"TWA (OSHA, Σ C·T / 8 h)", unit("twa_osha"), ofData},
		{"TWA limit (8 h)", unit("limit_twa"), ofConfig},
		// Whose limits: a site's own choice reads differently from ACGIH's.
		{"Limits from", plain("limits_source", ""), ofConfig},
		{"Brief & Scala factor (RF)", plain("reduction_factor", ""), ofConfig},
		{"TWA limit for this shift", unit("adjusted_twa_limit"), ofConfig},
		{"TWA over its limit", func(_ export.Shift, f map[string]string) string { return yesNo(f["twa_over_limit"]) }, ofData},
		{"Mean over the measured time", unit("mean_covered"), ofData},
		{"STEL peak (15 min average)", func(r export.Shift, f map[string]string) string {
			if f["stel_peak"] == "" {
				return "unknown"
			}
			if f["stel_peak_is_lower_bound"] == "true" {
				return f["stel_peak"] + " " + r.Unit + " or more"
			}
			return f["stel_peak"] + " " + r.Unit
		}, ofData},
		{"STEL peak at", func(r export.Shift, f map[string]string) string {
			if f["stel_peak_at"] == "" {
				return ""
			}
			// With the zone: on the night the clocks go back 01:45
			// happens twice.
			return d.local(r.STELPeakAt).Format("15:04:05 MST")
		}, ofData},
		// Dense smoke: time with every sensor above its range is not in
		// a 15 min average, though the air held at least the range's
		// top, so the peak above is a lower bound; how much of its
		// window that was says by how much it may be.
		{"… of its window above the sensor's range", func(_ export.Shift, f map[string]string) string {
			switch v := f["stel_peak_above_range_s"]; v {
			case "":
				return ""
			case "0.000":
				if f["stel_peak_is_lower_bound"] == "true" && f["source"] == export.SourceLive {
					return "none (peak: lower bound)"
				}
				return "none"
			default:
				return human(v) + ": lower bound" // short: a figure fits one line of its column
			}
		}, ofDataOrAboveRange},
		{"STEL limit", unit("limit_stel"), ofConfig},
		{"Time with the STEL over its limit", over("limit_stel", "no STEL limit", secs("time_stel_over_limit_s")), ofData},
		{"Alarm level", unit("limit_alarm"), ofConfig},
		{"Time over the alarm level", over("limit_alarm", "no alarm level", secs("time_over_alarm_s")), ofDataOrAboveRange},
		// Time with no value in the figure above: an auditor must see how
		// much of it rests on the sensors' range rather than a reading.
		{"… of it above the sensor's range", over("limit_alarm", "no alarm level", func(_ export.Shift, f map[string]string) string {
			if v := f["time_over_alarm_above_range_s"]; v != "" && v != "0.000" {
				return "includes " + human(v)
			}
			return "none"
		}), ofDataOrAboveRange},
		{"Excursions over the STEL limit", func(_ export.Shift, f map[string]string) string {
			return excursions(f["excursions_above_stel"], f["stel_excursions_too_many"], f["stel_excursions_too_close"])
		}, ofData},
		{"Excursions over the TWA limit", func(_ export.Shift, f map[string]string) string {
			return excursions(f["excursions_above_twa"], f["twa_excursions_too_many"], f["twa_excursions_too_close"])
		}, ofData},
		{"Coverage (time measured)", plain("coverage_pct", "%"), ofConfig},
		{"Unmeasured time (gaps)", secs("gap_total_s"), ofConfig},
		{"Number of gaps", plain("gaps", ""), ofConfig},
		{"Figures from", func(_ export.Shift, f map[string]string) string {
			if f["source"] == export.SourceLive {
				return "the daemon, live"
			}
			return "minutes (rebuilt)"
		}, ofConfig},
	}
}

func excursions(n, tooMany, tooClose string) string {
	var bad []string
	if tooMany == "true" {
		bad = append(bad, "more than 4")
	}
	if tooClose == "true" {
		bad = append(bad, "under 60 min apart")
	}
	if len(bad) > 0 {
		return n + " (" + strings.Join(bad, ", ") + ")"
	}
	return n
}

// figuresTable returns a zone's figures: a header with the pollutants and
// one row per figure.
func (d *doc) figuresTable(z *zoneShift) ([]string, [][]cell) {
	header := []string{""}
	fields := make([]map[string]string, len(z.rows))
	for i, r := range z.rows {
		header = append(header, quantityName(r.Quantity)+" ("+r.Unit+")")
		fields[i] = r.Fields()
	}
	var rows [][]cell
	for _, fr := range d.figureRows() {
		row := []cell{{text: fr.label, col: grey}}
		for i, r := range z.rows {
			cl := cell{text: fr.value(r, fields[i])}
			if fr.of != ofConfig && nothingMeasured(r) && !(fr.of == ofDataOrAboveRange && r.TimeOverAlarmAboveRange > 0) {
				cl = cell{text: "— (not measured)", col: colWarn}
			}
			if cl.text == "YES" || strings.Contains(cl.text, "(more than") || strings.Contains(cl.text, "(under 60") {
				cl.col, cl.bold = colBad, true
			}
			row = append(row, cl)
		}
		rows = append(rows, row)
	}
	return header, rows
}

// mixtureLine says the zone's mixture index.
func (z *zoneShift) mixtureLine() string {
	if z.mixN == 0 {
		return "Mixture index Σ Eᵢ/Lᵢ: no pollutant here has a TWA limit."
	}
	for _, r := range z.rows {
		if nothingMeasured(r) {
			return "Mixture index Σ Eᵢ/Lᵢ (OSHA 1910.1000(d)(2)): — (" + quantityName(r.Quantity) + " was not measured in this shift: nothing measured is not evidence of clean air)."
		}
	}
	return fmt.Sprintf("Mixture index Σ Eᵢ/Lᵢ (OSHA 1910.1000(d)(2)) = %.3f over %d pollutant(s) with a TWA limit, against the limits for this shift; above 1 is over.",
		z.mixture, z.mixN)
}

func (z *zoneShift) verdictText() string {
	s := z.verdict.String()
	if len(z.why) > 0 {
		s += ": " + strings.Join(z.why, "; ")
	}
	return s
}

// zones lists every zone in the report, staff zones first.
func (d *doc) zones() []string {
	var out []string
	for _, sh := range d.shifts {
		for _, z := range sh.zones {
			found := false
			for _, o := range out {
				found = found || o == z.zone
			}
			if !found {
				out = append(out, z.zone)
			}
		}
	}
	return out
}

// summaryTable is the verdicts page: one row per shift, a column per zone.
func (d *doc) summaryTable() ([]string, []float64, [][]cell) {
	zones := d.zones()
	header := []string{"Shift", "Alarms"}
	widths := []float64{175, 40}
	zw := (textW - 215) / float64(max(len(zones), 1))
	for _, z := range zones {
		header = append(header, "Zone "+z)
		widths = append(widths, zw)
	}
	var rows [][]cell
	for _, sh := range d.shifts {
		row := []cell{{text: d.shiftTitle(sh)}, {text: strconv.Itoa(raisedIn(sh))}}
		for _, zn := range zones {
			cl := cell{text: "no record"}
			for _, z := range sh.zones {
				if z.zone == zn {
					cl = cell{text: z.verdictText(), col: z.verdict.color(), bold: z.verdict != verdictOK}
				}
			}
			row = append(row, cl)
		}
		rows = append(rows, row)
	}
	return header, widths, rows
}

// raisedIn counts the alarms raised during the shift.
func raisedIn(sh *shift) int {
	n := 0
	for _, a := range sh.alarms {
		if !a.raised.IsZero() && !a.raised.Before(sh.start) && a.raised.Before(sh.end) {
			n++
		}
	}
	return n
}

// integrity says what the hash chain shows about the record.
func (d *doc) integrity() (status string, ok bool, lines []string) {
	if d.o.Damaged != nil {
		// SQLite's check of every page failed: rows the chain never saw
		// may be missing or misread, so the chain proves nothing here.
		status, _, lines = d.chainIntegrity()
		return "DAMAGED", false, append([]string{
			"The journal file fails SQLite's integrity check (" + d.o.Damaged.Error() + "): part of it is damaged, so rows may be missing from this report or read wrong, and it cannot show the record is intact.",
			"A copy taken with cp while ventd was writing is the usual cause: copy the journal with sqlite3 journal.db \".backup copy.db\" (or stop ventd first) and make the report again from the copy; ventctl verify gives the details.",
			"What the hash chain shows of the rows that were read (" + strings.ToLower(status) + "):",
		}, lines...)
	}
	return d.chainIntegrity()
}

// chainIntegrity says what the hash chain shows about the rows read.
func (d *doc) chainIntegrity() (status string, ok bool, lines []string) {
	if d.verify == nil {
		return "NOT CHECKED", false, []string{strings.ToUpper(d.noChain[:1]) + d.noChain[1:] + "."}
	}
	v := d.verify
	h := v.Head
	lines = append(lines, fmt.Sprintf("Hash chain head when this report was made: link %d, written %s,", h.Link, d.local(h.Written).Format(timeLayout)))
	lines = append(lines, "SHA-256 "+h.Hash)
	if v.OK() {
		status, ok = "VERIFIED", true
		lines = append(lines, fmt.Sprintf("Every one of the %d journal rows in this report's span fits the chain (%d links checked): none was changed, added or deleted after ventd wrote it.", v.Rows, v.Links))
	} else {
		status = "PROBLEMS FOUND"
		lines = append(lines, fmt.Sprintf("%d rows or links do not fit the chain (each named again with its shift); the first:", v.ProblemCount))
		for _, p := range v.Problems[:min(len(v.Problems), 5)] {
			lines = append(lines, "• "+d.problem(p))
		}
	}
	if v.Before > 0 {
		lines = append(lines, fmt.Sprintf("%d rows were written before the chain began (%s) by an older ventd: nothing covers them.", v.Before, d.local(v.Since).Format(timeLayout)))
	}
	if v.Pruned > 0 {
		lines = append(lines, fmt.Sprintf("%d rows can no longer be checked: their links were pruned with retention.", v.Pruned))
	}
	if v.Rewrites > 0 {
		lines = append(lines, fmt.Sprintf("%d rows (%s) were rewritten by ventd itself after being sealed (a minute written early, with an action or before a restart, and completed later; a minute a frozen sensor's reading was taken back out of; a gap or a finished shift written again); up to 20 of each table are listed at the end.", v.Rewrites, v.RewriteCounts()))
	}
	lines = append(lines, "To show later that a copy of the journal still holds this record unedited: ventctl verify -state-dir DIR -head "+h.Hash[:16])
	return status, ok, lines
}

// problem names a row or link that does not fit the chain, its time in
// the site's time zone as the rest of the report.
func (d *doc) problem(p journal.Problem) string {
	return p.Format(func(t time.Time) string { return d.local(t).Format(timeLayout) })
}

// maxShiftProblems is how many problems a shift's page names.
const maxShiftProblems = 5

// shiftIntegrity says what of the record's integrity concerns the shift,
// on its own page: the rows or links of its time that do not fit the
// chain, and a damaged file. Nothing when all is well.
func (d *doc) shiftIntegrity(sh *shift) []string {
	var lines []string
	if d.o.Damaged != nil {
		lines = append(lines, "Record integrity: DAMAGED. The journal file fails SQLite's integrity check: this shift's figures may be missing rows or read wrong (see the first page).")
	}
	if d.verify == nil || d.verify.OK() {
		return lines
	}
	var in []journal.Problem
	for _, p := range d.verify.Problems {
		if !p.Time.IsZero() && !p.Time.Before(sh.start) && p.Time.Before(sh.end) {
			in = append(in, p)
		}
	}
	capped := d.verify.ProblemCount > len(d.verify.Problems)
	switch {
	case len(in) > 0:
		lines = append(lines, fmt.Sprintf("Record integrity: PROBLEMS FOUND in this shift. %d rows or links of its time do not fit the hash chain (changed, added or deleted after ventd wrote them):", len(in)))
		for _, p := range in[:min(len(in), maxShiftProblems)] {
			lines = append(lines, "• "+d.problem(p))
		}
		if len(in) > maxShiftProblems || capped {
			lines = append(lines, "ventctl verify lists every one.")
		}
	case capped:
		lines = append(lines, fmt.Sprintf("Record integrity: %d rows or links of the report's span do not fit the hash chain, more than this report lists; those listed lie outside this shift, and ventctl verify lists every one.", d.verify.ProblemCount))
	}
	return lines
}

// alarmRows is the table under a shift's timeline.
func (d *doc) alarmRows(sh *shift) ([]string, []float64, [][]cell) {
	header := []string{"#", "Level", "Rule", "Raised", "Value / threshold", "Acknowledged", "Cleared"}
	widths := []float64{26, 38, 88, 66, 70, 159, textW - 447}
	t := func(x time.Time) string {
		if x.IsZero() {
			return ""
		}
		if x.Before(sh.start) || !x.Before(sh.end) {
			return d.local(x).Format("Jan 2 15:04:05")
		}
		return d.local(x).Format("15:04:05 MST")
	}
	var rows [][]cell
	for _, a := range sh.alarms {
		var acks []string
		for _, k := range a.acks {
			s := k.Who + " at " + t(k.Time)
			if k.Note != "" {
				s += ": " + k.Note
			}
			acks = append(acks, s)
		}
		raised := t(a.raised)
		if a.raisedBeforeRecords {
			raised = "before the record"
		}
		cleared := t(a.cleared)
		if cleared == "" {
			cleared = "not in the record"
			switch {
			case !a.returned.IsZero():
				cleared = "returned " + t(a.returned) + ", not cleared"
			case !a.latched.IsZero():
				cleared = "latched " + t(a.latched) + ", not cleared"
			}
		}
		val := a.value
		if a.threshold != "" {
			val += " / " + a.threshold
		}
		rows = append(rows, []cell{{text: strconv.FormatUint(a.id, 10)}, {text: a.level, col: levelColor(a.level), bold: true},
			{text: a.rule + " (" + a.subj + ")"}, {text: raised}, {text: val}, {text: strings.Join(acks, "; ")}, {text: cleared}})
		// Under it, each time its condition cleared and came back while
		// the alarm stayed (latched awaiting acknowledgement, or held):
		// raised to cleared alone reads as one stretch over the level,
		// and an auditor reads durations from these.
		for _, e := range a.events {
			what, ok := conditionWords[e.Kind]
			if !ok {
				continue
			}
			f := e.Fields()
			v := f["value"]
			if v != "" && f["threshold"] != "" {
				v += " / " + f["threshold"]
			}
			rows = append(rows, []cell{{text: strconv.FormatUint(a.id, 10)}, {text: e.Kind},
				{text: what}, {text: t(e.Time)}, {text: v}, {}, {}})
		}
	}
	return header, widths, rows
}

// conditionWords say what an alarm's transitions between raised and
// cleared mean for its condition, for the alarm table's rows.
var conditionWords = map[string]string{
	"latched":  "condition cleared; latched until acknowledged",
	"held":     "condition cleared; held (raised too often)",
	"returned": "condition returned",
}

func (d *doc) calibrationRows(list []export.Calibration) ([]string, []float64, [][]cell) {
	header := []string{"Time", "Sensor", "Serial", "Kind", "Reference", "Correction", "Who", "Note"}
	widths := []float64{98, 48, 58, 44, 48, 50, 52, textW - 398}
	var rows [][]cell
	for _, cl := range list {
		f := cl.Fields()
		rows = append(rows, []cell{txt(d.local(cl.Time).Format(timeLayout)), txt(cl.Sensor), txt(cl.Serial), txt(cl.Kind),
			txt(f["reference"]), txt(f["correction"]), txt(cl.Who), txt(cl.Note)})
	}
	return header, widths, rows
}

// actionRows lists who did what: purges, acknowledgements, calibrations,
// configuration reloads, with how the request came and, where the kernel
// said, the caller's uid; a refused request in red with why.
func (d *doc) actionRows(list []export.Action) ([]string, []float64, [][]cell) {
	header := []string{"Time", "Action", "Who", "How", "Result", "Note"}
	widths := []float64{92, 78, 70, 90, 120, textW - 450}
	var rows [][]cell
	for _, a := range list {
		f := a.Fields()
		what := actionName(a.Kind)
		if a.Target != "" {
			what += " " + a.Target
		}
		how := a.Via
		if f["uid"] != "" {
			how += ", uid " + f["uid"]
		}
		if a.Peer != "" {
			how += ", " + a.Peer
		}
		res := cell{text: a.Result}
		if a.Error != "" {
			res = cell{text: "REFUSED: " + a.Error, col: colBad, bold: true}
		}
		rows = append(rows, []cell{txt(d.local(a.Time).Format(timeLayout)), txt(what), txt(a.Who), txt(how), res, txt(a.Note)})
	}
	return header, widths, rows
}

// actionName names an action kind as the report prints it.
func actionName(kind string) string {
	names := map[string]string{"cancel_purge": "purge ended", "acknowledge": "acknowledge alarm",
		"config_reload": "config reload", "journal_replaced": "journal replaced",
		"journal_pruned": "records pruned before", "over_allowance": "requests over the allowance",
		"clock_behind": "measured under a clock behind the record"}
	if n, ok := names[kind]; ok {
		return n
	}
	return kind
}

func (d *doc) clockRows(list []export.ClockStatus) ([]string, []float64, [][]cell) {
	header := []string{"Time", "Clock", "Source", "Note"}
	widths := []float64{92, 75, 60, textW - 227}
	var rows [][]cell
	for _, cs := range list {
		st := cell{text: "synchronised", col: colOK}
		if !cs.Synchronized {
			st = cell{text: "NOT synchronised", col: colBad, bold: true}
		}
		rows = append(rows, []cell{txt(d.local(cs.Time).Format(timeLayout)), st, txt(cs.Source), txt(cs.Note)})
	}
	return header, widths, rows
}

func (d *doc) gapRows(list []export.Gap) ([]string, []float64, [][]cell) {
	header := []string{"From", "To", "Length", "Zone", "Pollutant", "Why"}
	widths := []float64{92, 92, 100, 60, 60, textW - 404}
	var rows [][]cell
	for _, g := range list {
		f := g.Fields()
		rows = append(rows, []cell{txt(d.local(g.Start).Format(timeLayout)), txt(d.local(g.End).Format(timeLayout)),
			txt(human(f["length_s"])), txt(f["zone"]), txt(f["quantity"]), txt(gapReason(g.Reason))})
	}
	return header, widths, rows
}

func gapReason(r string) string {
	switch r {
	case "sensor_fault":
		return "sensor fault (no valid reading)"
	case "above_range":
		return "above the sensor's range: heavy smoke, at least its range, not measured (over the alarm level when the range's top is)"
	case "starting":
		return "ventd starting: the sensors' first reading had not come yet"
	case "sensor_frozen":
		return "sensor frozen (its readings taken back out)"
	case "daemon_down":
		return "ventd not running"
	case "clock_jump":
		return "the clock jumped"
	case "loop_stalled":
		return "ventd's loop was held up"
	case "schedule_changed":
		return "the shift schedule changed"
	case "clock_behind":
		return "the clock was behind the record (what was measured is in the actions, with no time)"
	}
	return r
}

func (d *doc) configRows() ([]string, []float64, [][]cell) {
	header := []string{"In force from", "Configuration hash", "Summary"}
	widths := []float64{92, 150, textW - 242}
	var rows [][]cell
	for _, cc := range d.configs {
		rows = append(rows, []cell{txt(d.local(cc.Time).Format(timeLayout)), txt(cc.Hash), txt(cc.Summary)})
	}
	return header, widths, rows
}

// methods explains the figures, for the last page.
var methods = []string{
	"TWA: the OSHA formula (29 CFR 1910.1000(d)), E = Σ Cᵢ·Tᵢ / 8 h over the shift, whatever its length. Unmeasured time adds nothing to the sum and is never counted as clean air: it shows as a gap and lowers the coverage, and a shift with gaps has a TWA that is a lower bound.",
	"TWA limit for shifts over 8 h: the Brief & Scala reduction, RF = (8/h) × (24 − h)/16 (10 h → 0.7, 12 h → 0.5), applied to the TWA limit.",
	"Time over the alarm level: the time with the value above it, and the time every sensor of the zone read above its specified range (dense smoke; an SPS30 is specified to 1000 µg/m³, times its calibration factor) when that range's top is at or above the alarm level: the air held at least the top, so it was over the level, though no value was measured. That time is still a gap (above_range in the gaps table): it adds nothing to the TWA, the STEL or the coverage, which stay over the measured time; the row below the time over the alarm level gives how much of it it was. With an alarm level above the range's top it is only a gap: the air's place against the level is unknown.",
	"STEL: the 15 min time-weighted average over its measured part; the peak is the highest one in the shift. ACGIH: the STEL should not be exceeded at any time, and exposures above the TWA limit up to the STEL no more than 4 times a day, at least 60 min apart (the excursion rows).",
	"Mixture index: Σ Eᵢ/Lᵢ over the pollutants with a TWA limit, each against its limit for the shift (OSHA 1910.1000(d)(2)); above 1 is over.",
	"Figures are those of the daemon, computed live from 1 s data and stored each minute (\"live\"), or, for shifts the journal holds no summary for, rebuilt from the minute means (\"minutes\"): then the STEL peak is at least the value shown. They are the figures of ventctl export for the same journal, to the digit.",
	"Plots: the minute means and maxima, the rolling 15 min average drawn from the minute means (a picture of the record, not a figure), the limits within reach of the data, grey where nothing was measured, and a red triangle where an alarm for that pollutant was raised.",
}

// outdoorMethod explains the outdoor air's lines, for reports that have
// them.
const outdoorMethod = "Outdoor air (a zone of kind outdoor: the air the room takes in, outside or in the supply duct): ventd records its minutes as context for the figures, not as anyone's exposure, so it has no TWA, STEL, limits or verdict and changes no shift's verdict. Its mean is Σ mean × covered seconds / Σ covered seconds over the shift's minutes in the export (measured time only); its max is the highest minute maximum."

// methods are the explanations the last page gives.
func (d *doc) methods() []string {
	if !slices.ContainsFunc(d.shifts, func(sh *shift) bool { return len(sh.outdoor) > 0 }) {
		return methods
	}
	return append(slices.Clip(methods), outdoorMethod)
}
