package report_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/report"
)

func opts(format string) report.Options {
	return report.Options{Format: format, Location: vancouver, Now: first.Add(72 * time.Hour), Software: "ventd test"}
}

func TestReportFormats(t *testing.T) {
	j := shared(t)
	var pdf bytes.Buffer
	if err := report.Write(&pdf, j, opts("pdf")); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf.Bytes(), []byte("%PDF-")) || !bytes.Contains(pdf.Bytes()[pdf.Len()-32:], []byte("%%EOF")) {
		t.Errorf("not a whole PDF: %q … %q", pdf.Bytes()[:8], pdf.Bytes()[pdf.Len()-16:])
	}
	var html bytes.Buffer
	if err := report.Write(&html, j, opts("html")); err != nil {
		t.Fatal(err)
	}
	h := html.String()
	// 2 shifts × (3 staff + 2 booth plots), and the day shift's alarm
	// timeline.
	for _, want := range []string{"<!doctype html>", "Hope to Health", "Record integrity: VERIFIED", "Dana Reyes at",
		"Zone staff", "Zone booth", "TWA (OSHA, Σ C·T / 8 h)", "sensor fault (no valid reading)", "</html>",
		"Booth ventilation, measured from clearings", "50.0 / 55.0 / 60.0", "55 %"} {
		if !strings.Contains(h, want) {
			t.Errorf("the HTML report does not say %q", want)
		}
	}
	if n := strings.Count(h, "<svg"); n < 2*5+1 {
		t.Errorf("%d SVG drawings, want a plot per shift, zone and pollutant", n)
	}
	if strings.Contains(h, "<?xml") || strings.Contains(h, "ZgotmplZ") {
		t.Error("the HTML holds an XML prolog or a value html/template refused")
	}
}

func TestReportShiftFilter(t *testing.T) {
	j := shared(t)
	var all, day bytes.Buffer
	o := opts("html")
	if err := report.Write(&all, j, o); err != nil {
		t.Fatal(err)
	}
	o.Shift = "07:00"
	if err := report.Write(&day, j, o); err != nil {
		t.Fatal(err)
	}
	nights := strings.Count(all.String(), ", 19:00 – ")
	if nights == 0 || strings.Contains(day.String(), ", 19:00 – ") || !strings.Contains(day.String(), ", 07:00 – ") {
		t.Errorf("-shift 07:00 kept the night shifts (%d in the whole report)", nights)
	}
}

func TestReportOptionErrors(t *testing.T) {
	j := shared(t)
	for _, tc := range []struct {
		o    report.Options
		want string
	}{
		{report.Options{Now: first, Format: "docx"}, `format "docx": use pdf or html`},
		{report.Options{Now: first, Shift: "7am"}, `shift "7am": give the local start time`},
		{report.Options{}, "Options.Now is zero"},
	} {
		err := report.Write(&bytes.Buffer{}, j, tc.o)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.o, err, tc.want)
		}
	}
}

// BenchmarkReport makes the PDF of one 12 h day shift, a week and a
// month (30 days, 60 shifts, 5 series: 300 plots) from a journal of
// 216,000 minutes, and the month as HTML.
func BenchmarkReport(b *testing.B) {
	j := month(b, 30)
	for _, c := range []struct {
		name, format, shift string
		days                int
	}{{"shift", "pdf", "07:00", 1}, {"week", "pdf", "", 7}, {"month", "pdf", "", 30}, {"month-html", "html", "", 30}} {
		b.Run(c.name, func(b *testing.B) {
			o := opts(c.format)
			o.From, o.To, o.Shift = first, first.AddDate(0, 0, c.days), c.shift
			o.Now = first.Add(31 * 24 * time.Hour)
			var n int
			for b.Loop() {
				var buf bytes.Buffer
				if err := report.Write(&buf, j, o); err != nil {
					b.Fatal(err)
				}
				n = buf.Len()
			}
			b.ReportMetric(float64(n)/1e6, "MB/report")
		})
	}
}

// -shift 19:00 for one day is that day's night shift, not also the night
// that started the evening before and ends that morning (an auditor's
// sweep: a one-day night report held two nights).
func TestReportShiftFilterForADay(t *testing.T) {
	j := month(t, 3)
	o := opts("html")
	o.Now = first.Add(5 * 24 * time.Hour)
	day2 := time.Date(2026, 3, 3, 0, 0, 0, 0, vancouver)
	o.From, o.To, o.Shift = day2, day2.AddDate(0, 0, 1), "19:00"
	var b bytes.Buffer
	if err := report.Write(&b, j, o); err != nil {
		t.Fatal(err)
	}
	if h := b.String(); strings.Contains(h, "Mon 2 Mar 2026, 19:00 – ") || !strings.Contains(h, "Tue 3 Mar 2026, 19:00 – ") {
		t.Errorf("-from/-to 3 Mar -shift 19:00: the 2 March night %v, the 3 March night %v; want the 3 March one alone",
			strings.Contains(h, "Mon 2 Mar 2026, 19:00 – "), strings.Contains(h, "Tue 3 Mar 2026, 19:00 – "))
	}
}
