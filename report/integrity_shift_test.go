package report_test

import (
	"bytes"
	"database/sql"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/report"
)

// The chain's problems were named on the first page only, in UTC, while
// every other time in the report is the site's: an auditor reading a
// shift's page saw nothing wrong with it. Now the shift whose rows do not
// fit says so on its own page, and every time is the site's.
func TestIntegrityProblemsNamedOnTheirShiftInLocalTime(t *testing.T) {
	j := month(t, 2)
	edited := first.Add(24*time.Hour + 3*time.Hour) // Tue 10:00 PST, the second day shift
	db, err := sql.Open("sqlite", "file:"+j.Path())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE minutes SET mean = mean + 5 WHERE start_ms = ?`, edited.UnixMilli()); err != nil {
		t.Fatal(err)
	}
	db.Close()
	var html bytes.Buffer
	if err := report.Write(&html, j, opts("html")); err != nil {
		t.Fatal(err)
	}
	h := html.String()
	shifts := strings.Split(h, `<section class="shift">`)
	local := edited.Format("2006-01-02 15:04:05 MST")
	if m := regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`).FindString(shifts[0]); m != "" {
		t.Errorf("the first page names a problem in UTC (%s); the rest of the report is in the site's time", m)
	}
	if !strings.Contains(shifts[0], local) {
		t.Errorf("the first page does not name the edited minute at %s", local)
	}
	found := 0
	for _, s := range shifts[1:] {
		title := s[:min(len(s), 120)]
		has := strings.Contains(s, "PROBLEMS FOUND in this shift")
		mine := strings.Contains(title, edited.Format("Mon 2 Jan 2006")+", 07:00")
		switch {
		case mine && (!has || !strings.Contains(s, local)):
			t.Errorf("the edited shift's page does not name its problem at %s:\n%.600s", local, s)
		case !mine && has:
			t.Errorf("a shift with no edited row names a problem:\n%.300s", s)
		case mine:
			found++
		}
	}
	if found != 1 {
		t.Errorf("%d shift pages for %s found", found, edited.Format("Mon 2 Jan 2006"))
	}
}
