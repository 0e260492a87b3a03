package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// testVerify runs ventctl verify on the untouched journal (with the head
// the report printed), then changes one minute with sqlite3, as someone
// tidying a record might, and checks verify names that row.
func testVerify(t *testing.T, dir, head string) {
	sqlite3 := need(t, "sqlite3", "sqlite3")
	code, out, stderr := ventctl(t, "verify", "-state-dir", dir, "-head", head[:16])
	if code != exitOK || !strings.Contains(out, "OK: every row fits the chain") || !strings.Contains(out, "found, link") {
		t.Fatalf("verify of the untouched journal: exit %d\n%s%s", code, out, stderr)
	}
	t.Log(out)

	copyDir := t.TempDir()
	data, err := os.ReadFile(filepath.Join(dir, "journal.db"))
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(copyDir, "journal.db")
	if err := os.WriteFile(db, data, 0o600); err != nil {
		t.Fatal(err)
	}
	// The staff PM2.5 minute at 10:02, when the alarm was up, halved.
	at := auditStart.Add(3*time.Hour + 2*time.Minute)
	q := `UPDATE minutes SET mean = mean / 2 WHERE start_ms = ` + ms(at) + ` AND series =
		(SELECT id FROM series WHERE zone = 'staff' AND quantity = 'pm25');`
	if out, err := exec.Command(sqlite3, db, q).CombinedOutput(); err != nil {
		t.Fatalf("sqlite3: %v: %s", err, out)
	}
	code, out, _ = ventctl(t, "verify", "-state-dir", copyDir, "-head", head)
	t.Log(out)
	first := ""
	if _, rest, ok := strings.Cut(out, "the first:\n"); ok {
		first, _, _ = strings.Cut(rest, "\n")
	}
	if code != exitFail || !strings.Contains(first, "minutes row "+ms(at)+" ") || !strings.Contains(first, at.Format(time.RFC3339)) ||
		!strings.Contains(first, "changed outside a ventd write") {
		t.Errorf("verify after sqlite3 changed the minute at %v: exit %d, first problem %q; want it named", at, code, first)
	}
}

func ms(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

func TestReportAndVerifyErrors(t *testing.T) {
	dir, _ := stateDir(t)
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"report", "-state-dir", dir, "-format", "docx"}, exitUsage, `-format "docx": use pdf or html`},
		{[]string{"report", "-state-dir", dir, "-shift", "7am"}, exitUsage, `-shift "7am": give the local start time`},
		{[]string{"report", "-state-dir", dir, "-from", "March"}, exitUsage, "is not a date"},
		{[]string{"report", "-state-dir", t.TempDir()}, exitFail, "no journal at"},
		{[]string{"verify", "-state-dir", dir, "-head", "xyz"}, exitFail, "at least its first 16 digits"},
		{[]string{"verify", "-state-dir", dir, "-head", strings.Repeat("0", 64)}, exitFail, "is not in this journal's chain"},
	} {
		code, out, stderr := ventctl(t, tc.args...)
		if code != tc.code || !strings.Contains(out+stderr, tc.want) {
			t.Errorf("ventctl %v: exit %d, %s%s; want exit %d saying %q", tc.args, code, out, stderr, tc.code, tc.want)
		}
	}
	// An HTML report to standard output, as a pipe gets it.
	code, out, stderr := ventctl(t, "report", "-state-dir", dir, "-format", "html", "-from", "2026-03-03", "-to", "2026-03-03")
	if code != exitOK || !strings.Contains(out, "Example OPS") || !strings.Contains(out, "Record integrity: VERIFIED") {
		t.Errorf("report -format html: exit %d, %.300s %s", code, out, stderr)
	}
}
