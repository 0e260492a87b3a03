package main

import (
	"bytes"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// safeVentctl runs ventctl in-process, turning a panic into a failure, and
// gives up after limit of wall time.
func safeVentctl(t *testing.T, limit time.Duration, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	type res struct {
		code     int
		out, err string
		panic    any
	}
	ch := make(chan res, 1)
	go func() {
		var o, e bytes.Buffer
		defer func() {
			if p := recover(); p != nil {
				ch <- res{panic: p, err: e.String()}
			}
		}()
		c := run(args, env{stdout: &o, stderr: &e, now: func() time.Time { return genTime }})
		ch <- res{code: c, out: o.String(), err: e.String()}
	}()
	select {
	case r := <-ch:
		if r.panic != nil {
			t.Errorf("ventctl %s panicked: %v", strings.Join(args, " "), r.panic)
			return -1, "", r.err
		}
		return r.code, r.out, r.err
	case <-time.After(limit):
		t.Errorf("ventctl %s: no answer after %v of wall time", strings.Join(args, " "), limit)
		return -2, "", ""
	}
}

func hostileState(t *testing.T, stmts ...string) string {
	t.Helper()
	dir, j := stateDir(t)
	j.Close()
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "journal.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range stmts {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	return dir
}

var someMinute = `(SELECT min(start_ms) FROM minutes)`

func TestHostileVentctl(t *testing.T) {
	cases := []struct {
		name  string
		stmts []string
	}{
		{"mean_text", []string{`UPDATE minutes SET mean = 'abc' WHERE start_ms = ` + someMinute}},
		{"mean_nan_text", []string{`UPDATE minutes SET mean = 'NaN', maximum = 'NaN' WHERE start_ms = ` + someMinute}},
		{"mean_inf", []string{`UPDATE minutes SET mean = 9e999, maximum = 9e999 WHERE start_ms = ` + someMinute}},
		{"covered_huge_count_negative", []string{`UPDATE minutes SET covered_s = 1e9, count = -5 WHERE start_ms = ` + someMinute}},
		{"minute_year_1", []string{fmt.Sprintf(`INSERT INTO minutes (start_ms, series, mean, maximum, count, covered_s) SELECT %d, series, 1, 1, 1, 60 FROM minutes LIMIT 1`, time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli())}},
		{"minute_year_9999", []string{fmt.Sprintf(`INSERT INTO minutes (start_ms, series, mean, maximum, count, covered_s) SELECT %d, series, 1, 1, 1, 60 FROM minutes LIMIT 1`, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli())}},
		{"summary_malformed", []string{`UPDATE shifts SET summary = '{"twa_osha": '`}},
		{"summary_empty", []string{`UPDATE shifts SET summary = ''`}},
		{"summary_twa_huge", []string{`UPDATE shifts SET summary = json_set(summary, '$.twa_osha', 1e308, '$.coverage_pct', -5)`}},
		{"summary_until_before_start", []string{`UPDATE shifts SET summary = json_set(summary, '$.until', '2000-01-01T00:00:00Z', '$.length_s', -3600)`}},
		{"shift_end_before_start", []string{`UPDATE shifts SET end_ms = start_ms - 3600000`}},
		{"shift_overlapping", []string{`INSERT INTO shifts (zone, quantity, start_ms, end_ms, finished, summary) SELECT zone, quantity, start_ms + 60000, end_ms + 3600000, 1, summary FROM shifts`}},
		{"shift_year_9999", []string{fmt.Sprintf(`UPDATE shifts SET end_ms = %d`, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli())}},
		{"time_zone_unknown", []string{`INSERT INTO meta (key, value) VALUES ('shifts.time_zone', 'Mars/Olympus') ON CONFLICT (key) DO UPDATE SET value = excluded.value`}},
		{"gap_end_before_start", []string{`UPDATE gaps SET end_ms = start_ms - 86400000`}},
		{"missing_gaps_table", []string{`DROP TABLE gaps`}},
		{"missing_column", []string{`ALTER TABLE minutes DROP COLUMN backwards_ms`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := hostileState(t, c.stmts...)
			for _, args := range [][]string{
				{"export", "-state-dir", dir, "-format", "json"},
				{"export", "-state-dir", dir, "-format", "csv"},
				{"verify", "-state-dir", dir},
				{"report", "-state-dir", dir, "-from", "2026-03-03", "-to", "2026-03-03", "-format", "html"},
			} {
				code, out, errOut := safeVentctl(t, 30*time.Second, args...)
				if code < 0 {
					continue
				}
				bad := ""
				for _, w := range []string{"NaN", "Inf", "-1272", "0001-01-01"} {
					if strings.Contains(out, w) {
						bad += " " + w
					}
				}
				t.Logf("%s: exit %d, %d bytes out%s, stderr: %s", args[0]+" "+args[len(args)-1], code, len(out), bad, firstLines(errOut, 3))
			}
		})
	}
}

func firstLines(s string, n int) string {
	ls := strings.SplitN(s, "\n", n+1)
	if len(ls) > n {
		ls = ls[:n]
	}
	return strings.Join(ls, " | ")
}

func TestHostileVentctlFiles(t *testing.T) {
	// 0-byte file, a directory, and a page flipped in the middle.
	empty := t.TempDir()
	os.WriteFile(filepath.Join(empty, "journal.db"), nil, 0o644)
	asDir := t.TempDir()
	os.Mkdir(filepath.Join(asDir, "journal.db"), 0o755)
	flipped, j := stateDir(t)
	j.Close()
	p := filepath.Join(flipped, "journal.db")
	b, _ := os.ReadFile(p)
	for i := len(b)/2 - 2048; i < len(b)/2+2048; i++ {
		b[i] ^= 0x5a
	}
	os.WriteFile(p, b, 0o644)
	for name, dir := range map[string]string{"empty": empty, "directory": asDir, "flipped": flipped} {
		for _, args := range [][]string{
			{"export", "-state-dir", dir, "-format", "json"},
			{"verify", "-state-dir", dir},
			{"report", "-state-dir", dir, "-from", "2026-03-03", "-to", "2026-03-03", "-format", "html"},
		} {
			code, out, errOut := safeVentctl(t, 30*time.Second, args...)
			t.Logf("%s %s: exit %d, %d bytes out, stderr: %s", name, args[0], code, len(out), firstLines(errOut, 3))
		}
	}
}

func TestHostileReportNaNMinute(t *testing.T) {
	dir := hostileState(t, `UPDATE minutes SET mean = 'NaN', maximum = 'NaN' WHERE start_ms = `+someMinute)
	code, out, errOut := safeVentctl(t, 30*time.Second, "report", "-state-dir", dir, "-from", "2026-03-03", "-to", "2026-03-03", "-format", "html")
	if code != 0 || !strings.Contains(out, "PROBLEMS") && !strings.Contains(out, "do not fit") {
		t.Errorf("report of a journal with a NaN minute: exit %d (%s); want the report, its integrity line saying the edited row does not fit", code, errOut)
	}
}

func TestHostileExportWholeJournalFutureMinute(t *testing.T) {
	dir := hostileState(t, fmt.Sprintf(`INSERT INTO minutes (start_ms, series, mean, maximum, count, covered_s) SELECT %d, series, 1, 1, 1, 60 FROM minutes LIMIT 1`, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()))
	code, _, errOut := safeVentctl(t, 30*time.Second, "export", "-state-dir", dir, "-format", "csv")
	if code < 0 {
		t.Errorf("export of the whole journal with one minute stamped 9999: %s", errOut)
	}
}

func TestHostileReportShiftEnd9999(t *testing.T) {
	dir := hostileState(t, fmt.Sprintf(`UPDATE shifts SET end_ms = %d`, time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC).UnixMilli()))
	code, _, errOut := safeVentctl(t, 30*time.Second, "report", "-state-dir", dir, "-from", "2026-03-03", "-to", "2026-03-03", "-format", "html")
	if code < 0 {
		t.Errorf("report with a shift row ending in 9999: %s", errOut)
	}
}

// A whole-journal export (no -from, no -to) must not warn that the window
// holds nothing.
func TestHostileExportWholeJournalWarnsNothing(t *testing.T) {
	dir := hostileState(t)
	code, _, errOut := safeVentctl(t, 30*time.Second, "export", "-state-dir", dir, "-format", "csv")
	if code != 0 || strings.Contains(errOut, "holds nothing") {
		t.Errorf("export of the whole journal: exit %d, stderr %q", code, errOut)
	}
}

func TestHostileJSONExportInf(t *testing.T) {
	dir := hostileState(t, `UPDATE minutes SET mean = 9e999, maximum = 9e999 WHERE start_ms = `+someMinute)
	code, out, errOut := safeVentctl(t, 30*time.Second, "export", "-state-dir", dir, "-format", "json")
	// Said with nothing but "json: unsupported value: +Inf": now the row
	// is named, with the format that writes it.
	if code == 0 || !strings.Contains(errOut, "the row 20") || !strings.Contains(errOut, "-format csv") {
		t.Errorf("JSON export with one +Inf minute: exit %d, %d bytes on stdout, stderr %q: want an error naming the row", code, len(out), errOut)
	}
}

// Bytes flipped in the middle of the file (a failing SD card): verify must
// not call the journal intact.
func TestHostileVerifyFlippedPage(t *testing.T) {
	dir, j := stateDir(t)
	j.Close()
	p := filepath.Join(dir, "journal.db")
	b, _ := os.ReadFile(p)
	t.Logf("journal %d bytes", len(b))
	for i := len(b)/2 - 2048; i < len(b)/2+2048; i++ {
		b[i] ^= 0x5a
	}
	os.WriteFile(p, b, 0o644)
	code, out, errOut := safeVentctl(t, 30*time.Second, "verify", "-state-dir", dir)
	if code == 0 {
		t.Errorf("verify of a journal with 4 KiB flipped in its middle: exit 0\n%s%s", out, errOut)
	}
}
