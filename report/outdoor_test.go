package report_test

import (
	"bytes"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/report"
)

// addOutdoor writes the outdoor air into a day's journal (month) as the
// daemon writes it: zone "outside", of kind outdoor in the meta, minutes
// and nothing else. Over the first day shift (07:00–19:00): PM2.5 150
// µg/m³ for 6 h of wildfire smoke, then 30 (mean 90), each minute's
// maximum 10 above its mean but 412.5 at 10:00; CO2 420 ppm (maximum 430)
// for its first hour. Nothing in the night shift.
func addOutdoor(t *testing.T, j *journal.Journal) {
	t.Helper()
	b := journal.Batch{Meta: map[string]string{journal.ZoneKindKey("outside"): "outdoor"}}
	for at := first; at.Before(first.Add(12 * time.Hour)); at = at.Add(time.Minute) {
		pm := 150.0
		if at.Sub(first) >= 6*time.Hour {
			pm = 30
		}
		peak := pm + 10
		if at.Equal(first.Add(3 * time.Hour)) {
			peak = 412.5
		}
		b.Minutes = append(b.Minutes, journal.Minute{Start: at.UTC(), Zone: "outside", Quantity: "pm25", Mean: pm, Max: peak, Count: 60, CoveredSeconds: 60})
		if at.Sub(first) < time.Hour {
			b.Minutes = append(b.Minutes, journal.Minute{Start: at.UTC(), Zone: "outside", Quantity: "co2", Mean: 420, Max: 430, Count: 60, CoveredSeconds: 60})
		}
	}
	if _, err := j.Write(b); err != nil {
		t.Fatal(err)
	}
}

// verdicts are what a report judges: the summary table, and each shift's
// and zone's verdict line.
func verdicts(html string) []string {
	_, summary, _ := strings.Cut(html, "<h2>Shifts at a glance</h2>")
	summary, _, _ = strings.Cut(summary, "</section>")
	out := []string{summary}
	for _, m := range regexp.MustCompile(`<h[23]>((?:Shift|Zone) [^<]*)</h[23]>\n<p style="[^"]*">([^<]*)</p>`).FindAllStringSubmatch(html, -1) {
		out = append(out, m[1]+": "+m[2])
	}
	return out
}

// The shift page sets the outdoor air beside the zones' figures, each
// pollutant's mean over the measured time and highest minute maximum, said
// to be no exposure record; the outdoor zone gets no figures, plot, column
// or verdict, and every verdict is what it was without it.
func TestReportOutdoorAirAsContext(t *testing.T) {
	j := month(t, 1)
	o := opts("html")
	o.From, o.To = first, first.Add(24*time.Hour)
	var before, after, pdf bytes.Buffer
	if err := report.Write(&before, j, o); err != nil {
		t.Fatal(err)
	}
	addOutdoor(t, j)
	if err := report.Write(&after, j, o); err != nil {
		t.Fatal(err)
	}
	h := after.String()
	lines := []string{
		"Outdoor air CO2 (not an exposure record): mean 420.000, max 430.000 ppm at 07:00; measured 3600.000 s (1 h 0 min) of the shift.",
		"Outdoor air PM2.5 (not an exposure record): mean 90.000, max 412.500 µg/m³ at 10:00; measured 43200.000 s (12 h 0 min) of the shift.",
	}
	for _, want := range lines {
		if strings.Count(h, want) != 1 {
			t.Errorf("the report says %d times %q, want once (the day shift)", strings.Count(h, want), want)
		}
	}
	if n := strings.Count(h, "<h3>Outdoor air (zone outside)</h3>"); n != 1 {
		t.Errorf("%d outdoor air headings, want one: the night shift has no outdoor minutes", n)
	}
	if i, j := strings.Index(h, lines[1]), strings.Index(h, "<h3>Alarms</h3>"); i < 0 || i > j {
		t.Error("the outdoor air is not on the day shift's page before its alarms")
	}
	if strings.Contains(h, "Zone outside") || strings.Contains(h, "in zone outside") {
		t.Error("the outdoor air has a zone's figures, plot or verdict column")
	}
	if strings.Contains(before.String(), "Outdoor air") {
		t.Error("the report without outdoor minutes speaks of outdoor air")
	}
	vb, va := verdicts(before.String()), verdicts(h)
	if len(vb) < 1+2+2*2 || strings.Join(vb, "\n") != strings.Join(va, "\n") {
		t.Errorf("verdicts without the outdoor air:\n%s\nwith it:\n%s", strings.Join(vb, "\n"), strings.Join(va, "\n"))
	}

	// The PDF says the same.
	pdftotext, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("pdftotext (poppler-utils) not installed: the PDF's text is not checked")
	}
	o.Format = "pdf"
	if err := report.Write(&pdf, j, o); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(pdftotext, "-", "-")
	cmd.Stdin = &pdf
	txt, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	flat := strings.Join(strings.Fields(string(txt)), " ")
	for _, want := range append(lines, "Outdoor air (zone outside)", "nobody's exposure record and is in no verdict") {
		if !strings.Contains(flat, want) {
			t.Errorf("the PDF does not say %q", want)
		}
	}
	if strings.Contains(flat, "Zone outside") {
		t.Error("the PDF gives the outdoor air a zone's figures or verdict")
	}
}
