package report_test

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/report"
)

// A site or room named with a character beyond U+FFFF (an emoji, which
// the config accepts as printable text) made every PDF report panic in
// the PDF library, whose font map stops at U+FFFF: ventctl report crashed
// and /api/report answered 500 for the site's whole record. The PDF
// prints such a character as U+FFFD; the HTML keeps it.
func TestReportPDFWithCharactersBeyondTheBMP(t *testing.T) {
	j := month(t, 1)
	if _, err := j.Write(journal.Batch{Meta: map[string]string{"site": "Hope 💨 Health", "room": "Room 𝟙"}}); err != nil {
		t.Fatal(err)
	}
	o := report.Options{Format: "pdf", Location: vancouver, Now: first.Add(72 * time.Hour), Software: "ventd test"}
	var pdf bytes.Buffer
	func() {
		defer func() {
			if r := recover(); r != nil {
				t.Fatalf("the PDF report panicked on a site named with an emoji: %v", r)
			}
		}()
		if err := report.Write(&pdf, j, o); err != nil {
			t.Fatal(err)
		}
	}()
	if pdftotext, err := exec.LookPath("pdftotext"); err == nil {
		cmd := exec.Command(pdftotext, "-", "-")
		cmd.Stdin = &pdf
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("pdftotext: %v", err)
		}
		if !strings.Contains(string(out), "Hope") || !strings.Contains(string(out), "Health") {
			t.Errorf("the PDF does not name the site:\n%.400s", out)
		}
	}
	var html bytes.Buffer
	o.Format = "html"
	if err := report.Write(&html, j, o); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(html.String(), "Hope 💨 Health") {
		t.Error("the HTML report lost the site's name as written")
	}
}
