package main

import (
	"encoding/csv"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/journal"
)

// figureLines are the report's figure rows and the export column each
// shows, in the report's order.
var figureLines = []struct{ label, column string }{
	{"TWA (OSHA", "twa_osha"},
	{"TWA limit (8 h)", "limit_twa"},
	{"Brief & Scala factor", "reduction_factor"},
	{"TWA limit for this shift", "adjusted_twa_limit"},
	{"Mean over the measured time", "mean_covered"},
	{"STEL peak (15 min", "stel_peak"},
	{"STEL limit", "limit_stel"},
	{"Time with the STEL over", "time_stel_over_limit_s"},
	{"Alarm level", "limit_alarm"},
	{"Time over the alarm level", "time_over_alarm_s"},
	{"Excursions over the STEL", "excursions_above_stel"},
	{"Excursions over the TWA", "excursions_above_twa"},
	{"Coverage", "coverage_pct"},
	{"Unmeasured time", "gap_total_s"},
	{"Number of gaps", "gaps"},
}

// TestAuditorReport is the acceptance test of the report: a simulated 12 h
// shift run by the real daemon (sessions, an alarm and its
// acknowledgement, a sensor gap, a calibration), reported with ventctl
// report; the PDF's text (pdftotext) holds every figure of ventctl export,
// digit for digit, for every shift and zone; the pages are rendered to PNG
// (pdftoppm) into the artifacts folder. Then ventctl verify passes on the
// journal, and names the row after sqlite3 changes one.
func TestAuditorReport(t *testing.T) {
	pdftotext := need(t, "pdftotext", "poppler-utils")
	pdftoppm := need(t, "pdftoppm", "poppler-utils")
	t0 := time.Now()
	dir := runAuditShift(t)
	t.Logf("12 h shift simulated in %v", time.Since(t0).Round(time.Millisecond))
	day := auditStart.Format("2006-01-02")
	common := []string{"-state-dir", dir, "-config", simConfig(), "-from", day, "-to", day}

	code, exp, stderr := ventctl(t, append([]string{"export"}, common...)...)
	if code != exitOK {
		t.Fatalf("ventctl export: exit %d: %s", code, stderr)
	}
	shifts := csvSection(t, exp, "shifts")
	out := filepath.Join(t.TempDir(), "report.pdf")
	t0 = time.Now()
	code, _, stderr = ventctl(t, append([]string{"report", "-o", out}, common...)...)
	t.Logf("report made in %v", time.Since(t0).Round(time.Millisecond))
	if code != exitOK {
		t.Fatalf("ventctl report: exit %d: %s", code, stderr)
	}
	txt, err := exec.Command(pdftotext, "-layout", out, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := string(txt)
	t0 = time.Now()
	pages := renderPages(t, pdftoppm, out)
	t.Logf("pages rendered in %v", time.Since(t0).Round(time.Millisecond))

	checked := 0
	for _, row := range shifts {
		start, _ := time.Parse(time.RFC3339, row["start"])
		end, _ := time.Parse(time.RFC3339, row["end"])
		block := zoneBlock(t, text, start, end, row["zone"])
		checked += checkFigures(t, block, row, shifts)
	}
	if len(shifts) < 5 || checked < 5*len(figureLines) {
		t.Errorf("checked %d figures of %d shift rows; want the day shift's 5 series and more", checked, len(shifts))
	}
	// Table cells wrap: look for phrases in the text with its spacing
	// and line breaks folded.
	flat := strings.Join(strings.Fields(text), " ")
	for _, want := range []string{"Record integrity: VERIFIED", ackWho + " at 10:", ackNote, calWho, "outdoor air check",
		"sensor fault (no valid reading)", "Shifts at a glance", "Simulated OPS", "Simulated room", "serial ",
		// PM10 has no alarm level: its time over one is the export's
		// empty cell, said to be for want of it, not a 0 that reads as
		// measured and clean.
		"none (no alarm level)"} {
		if !strings.Contains(flat, want) {
			t.Errorf("the report does not say %q", want)
		}
	}
	// Who did what: every action of the export, with its name, in the
	// shift's table.
	actions := csvSection(t, exp, "actions")
	kinds := map[string]bool{}
	for _, a := range actions {
		kinds[a["kind"]] = true
		if !strings.Contains(flat, a["who"]) {
			t.Errorf("the report does not name %s, who did %s %s", a["who"], a["kind"], a["target"])
		}
	}
	for _, k := range []string{"purge", "acknowledge", "calibrate"} {
		if !kinds[k] {
			t.Errorf("the export lists no %s action: %v", k, actions)
		}
	}
	for _, want := range []string{"Actions: who did what", "acknowledge alarm", purgeWho} {
		if !strings.Contains(flat, want) {
			t.Errorf("the report does not say %q", want)
		}
	}
	t.Logf("%d figures of %d shift rows equal the export's; %d actions; %d pages", checked, len(shifts), len(actions), pages)

	// The PDF and the same report as one HTML page, kept with the pages.
	pdfData, _ := os.ReadFile(out)
	os.WriteFile(filepath.Join(filepath.Dir(pagesDir(t)), "report.pdf"), pdfData, 0o644)
	html := filepath.Join(filepath.Dir(pagesDir(t)), "report.html")
	if code, _, stderr := ventctl(t, append([]string{"report", "-o", html}, common...)...); code != exitOK {
		t.Fatalf("ventctl report -o report.html: exit %d: %s", code, stderr)
	}
	page, _ := os.ReadFile(html)
	if n := strings.Count(string(page), "<svg"); n < len(shifts) {
		t.Errorf("the HTML report has %d drawings for %d shift rows; want a plot for each", n, len(shifts))
	}
	for _, r := range shifts {
		if !strings.Contains(string(page), ">"+r["twa_osha"]+" ") {
			t.Errorf("the HTML report lacks the TWA %s of zone %s %s from %s", r["twa_osha"], r["zone"], r["quantity"], r["start"])
		}
	}

	head := regexp.MustCompile(`SHA-256 ([0-9a-f]{64})`).FindStringSubmatch(text)
	if head == nil {
		t.Fatal("the report prints no chain head")
	}
	t.Run("verify", func(t *testing.T) { testVerify(t, dir, head[1]) })
}

// csvSection parses one section of a CSV export into rows by column.
func csvSection(t *testing.T, data, name string) []map[string]string {
	t.Helper()
	_, body, ok := strings.Cut(data, "# section: "+name+"\n")
	if !ok {
		t.Fatalf("no section %s in the export", name)
	}
	body, _, _ = strings.Cut(body, "\n# section: ")
	r := csv.NewReader(strings.NewReader(body))
	recs, err := r.ReadAll()
	if err != nil || len(recs) == 0 {
		t.Fatalf("section %s: %v", name, err)
	}
	var out []map[string]string
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for i, c := range recs[0] {
			m[c] = rec[i]
		}
		out = append(out, m)
	}
	return out
}

// zoneBlock returns the text of one zone's part of a shift's pages: from
// "Shift <title>" and "Zone <zone>" to the next zone or part.
func zoneBlock(t *testing.T, text string, start, end time.Time, zone string) string {
	t.Helper()
	title := fmt.Sprintf("Shift %s, %s – ", start.Format("Mon 2 Jan 2006"), start.Format("15:04"))
	i := strings.Index(text, title)
	if i < 0 {
		t.Fatalf("no page for the shift from %v (%q)", start, title)
	}
	rest := text[i:]
	j := regexp.MustCompile(`(?m)^\s*Zone ` + regexp.QuoteMeta(zone) + `\s*$`).FindStringIndex(rest)
	if j == nil {
		t.Fatalf("shift from %v: no zone %s", start, zone)
	}
	rest = rest[j[1]:]
	if k := regexp.MustCompile(`(?m)^\s*(Zone \S+|Alarms)\s*$`).FindStringIndex(rest); k != nil {
		rest = rest[:k[0]]
	}
	return rest
}

// checkFigures finds each figure line in a zone's block and checks that it
// holds, column by column, the export's value for each of the zone's
// pollutants.
func checkFigures(t *testing.T, block string, row map[string]string, all []map[string]string) int {
	t.Helper()
	// The zone's pollutants in the report's column order: its header line.
	var cols []map[string]string
	header := ""
	for _, l := range strings.Split(block, "\n") {
		if strings.Contains(l, "(µg/m³)") || strings.Contains(l, "(ppm)") {
			header = l
			break
		}
	}
	type col struct {
		at  int
		row map[string]string
	}
	var found []col
	for _, r := range all {
		if r["zone"] != row["zone"] || r["start"] != row["start"] {
			continue
		}
		name := map[string]string{"pm25": "PM2.5", "pm10": "PM10", "co2": "CO2"}[r["quantity"]]
		at := strings.Index(header, name+" (")
		if at < 0 {
			t.Fatalf("zone %s shift %s: no column for %s in %q", row["zone"], row["start"], r["quantity"], header)
		}
		found = append(found, col{at, r})
	}
	for i := range found {
		for k := i + 1; k < len(found); k++ {
			if found[k].at < found[i].at {
				found[i], found[k] = found[k], found[i]
			}
		}
	}
	for _, f := range found {
		cols = append(cols, f.row)
	}
	if len(cols) == 0 || cols[0]["quantity"] != row["quantity"] {
		return 0 // each zone and shift is checked once, with its first pollutant's row
	}
	n := 0
	lines := strings.Split(block, "\n")
	for _, fl := range figureLines {
		line := ""
		for _, l := range lines {
			if strings.HasPrefix(strings.TrimSpace(l), fl.label) {
				line = strings.TrimSpace(l)[len(fl.label):]
				break
			}
		}
		if line == "" {
			t.Errorf("zone %s shift %s: no line %q", row["zone"], row["start"], fl.label)
			continue
		}
		pos := 0
		for _, c := range cols {
			want := c[fl.column]
			if want == "" {
				want = "none"
				if fl.column == "stel_peak" {
					want = "unknown"
				}
			}
			at := strings.Index(line[pos:], want)
			if at < 0 {
				t.Errorf("zone %s shift %s %s: line %q lacks the export's %s = %q (in its column)",
					row["zone"], row["start"], c["quantity"], fl.label+line, fl.column, want)
				break
			}
			pos += at + len(want)
			n++
		}
	}
	return n
}

// renderPages renders every page of the PDF to PNG, into $VENTD_ARTIFACTS
// (which CI keeps) or a folder under the test's temporary directory, and
// returns how many there are.
func renderPages(t *testing.T, pdftoppm, pdf string) int {
	t.Helper()
	dir := pagesDir(t)
	if out, err := exec.Command(pdftoppm, "-r", "80", "-png", pdf, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v: %s", err, out)
	}
	pngs, _ := filepath.Glob(filepath.Join(dir, "page-*.png"))
	if len(pngs) < 3 {
		t.Errorf("%d pages rendered, want the summary, a page per shift and the record", len(pngs))
	}
	t.Logf("report pages rendered to %s", dir)
	return len(pngs)
}

// pagesDir is where the rendered pages go: $VENTD_ARTIFACTS/report-pages,
// which CI keeps, or a folder under the test's temporary directory.
func pagesDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("VENTD_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
	}
	dir = filepath.Join(dir, "report-pages")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// -shift with a start no shift has was a report with no shift in it, exit
// 0: an auditor asking for 07:30 where the shifts start at 07:00 got an
// empty report that reads as a quiet day. It is refused, naming the starts
// there are.
func TestReportRefusesAShiftStartNoShiftHas(t *testing.T) {
	dir, j := stateDir(t)
	if err := j.SetMeta(journal.TimeZoneKey, "America/Vancouver"); err != nil {
		t.Fatal(err)
	}
	j.Close()
	out := filepath.Join(t.TempDir(), "r.html")
	code, _, stderr := ventctl(t, "report", "-state-dir", dir, "-shift", "07:30", "-o", out)
	if code != exitUsage || !strings.Contains(stderr, "07:30") || !strings.Contains(stderr, "start at 07:00") || !strings.Contains(stderr, "did you mean 07:00?") {
		t.Errorf("-shift 07:30 where the shift starts at 07:00: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("a report was written for a shift start that does not exist")
	}
	if code, _, stderr = ventctl(t, "report", "-state-dir", dir, "-shift", "07:00", "-o", out); code != exitOK {
		t.Errorf("-shift 07:00: exit %d\n%s", code, stderr)
	}
}
