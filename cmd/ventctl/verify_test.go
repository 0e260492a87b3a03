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
// the report printed), then, each on a fresh copy, changes it with
// sqlite3 as someone tidying a record might: a minute halved, the name on
// an acknowledgement rewritten, a purge deleted. Verify must name each.
func testVerify(t *testing.T, dir, head string) {
	sqlite3 := need(t, "sqlite3", "sqlite3")
	code, out, stderr := ventctl(t, "verify", "-state-dir", dir, "-head", head[:16])
	if code != exitOK || !strings.Contains(out, "OK: every row fits the chain") || !strings.Contains(out, "found, link") {
		t.Fatalf("verify of the untouched journal: exit %d\n%s%s", code, out, stderr)
	}
	t.Log(out)
	data, err := os.ReadFile(filepath.Join(dir, "journal.db"))
	if err != nil {
		t.Fatal(err)
	}
	// tampered returns the first problem verify names after q ran on a
	// copy of the journal, and fails the test unless verify exits 1.
	tampered := func(what, q string) string {
		t.Helper()
		copyDir := t.TempDir()
		db := filepath.Join(copyDir, "journal.db")
		if err := os.WriteFile(db, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if out, err := exec.Command(sqlite3, db, q).CombinedOutput(); err != nil {
			t.Fatalf("sqlite3: %v: %s", err, out)
		}
		code, out, _ := ventctl(t, "verify", "-state-dir", copyDir, "-head", head)
		t.Logf("after %s:\n%s", what, out)
		first := ""
		if _, rest, ok := strings.Cut(out, "the first:\n"); ok {
			first, _, _ = strings.Cut(rest, "\n")
		}
		if code != exitFail {
			t.Errorf("verify after %s: exit %d, want %d", what, code, exitFail)
		}
		return first
	}

	// The staff PM2.5 minute at 10:02, when the alarm was up, halved.
	at := auditStart.Add(3*time.Hour + 2*time.Minute)
	first := tampered("halving a minute", `UPDATE minutes SET mean = mean / 2 WHERE start_ms = `+ms(at)+` AND series =
		(SELECT id FROM series WHERE zone = 'staff' AND quantity = 'pm25');`)
	if !strings.Contains(first, "minutes row "+ms(at)+" ") || !strings.Contains(first, at.Format(time.RFC3339)) ||
		!strings.Contains(first, "changed outside a ventd write") {
		t.Errorf("verify after sqlite3 changed the minute at %v: first problem %q; want it named", at, first)
	}

	// The acknowledgement's action now says someone else did it.
	first = tampered("renaming who acknowledged", `UPDATE actions SET who = 'Someone Else' WHERE kind = 'acknowledge';`)
	if !strings.Contains(first, "actions row ") || !strings.Contains(first, "changed outside a ventd write") {
		t.Errorf("verify after sqlite3 rewrote who acknowledged: first problem %q; want the actions row named", first)
	}

	// The purge never happened.
	first = tampered("deleting the purge", `DELETE FROM actions WHERE kind = 'purge';`)
	if !strings.Contains(first, "actions=") || !strings.Contains(first, "missing: deleted after it was sealed") {
		t.Errorf("verify after sqlite3 deleted the purge: first problem %q; want its link named with its actions", first)
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
		{[]string{"report", "-state-dir", dir, "-o", filepath.Join(t.TempDir(), "report.docx")}, exitUsage, `name the file .pdf or .html, or give -format`},
		{[]string{"export", "-state-dir", dir, "-o", filepath.Join(t.TempDir(), "march.xlsx")}, exitUsage, `name the file .csv or .json, or give -format`},
		{[]string{"report", "-state-dir", dir, "-shift", "7am"}, exitUsage, `-shift "7am": give the local start time`},
		{[]string{"report", "-state-dir", dir, "-from", "March"}, exitUsage, "is not a date"},
		{[]string{"report", "-state-dir", dir, "-now", "tonight"}, exitUsage, `-now "tonight": give an RFC 3339 time`},
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
