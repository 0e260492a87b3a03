package main

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/journal"
)

// TestDamagedCopyNeverVerified: a journal file that fails SQLite's check
// of its pages, while every row read still fits the hash chain (a copy
// taken with cp while ventd was writing), is DAMAGED for report and export
// as it is for verify: never VERIFIED, and ventctl exits 1.
func TestDamagedCopyNeverVerified(t *testing.T) {
	dir, j := stateDir(t)
	j.Close()
	db := filepath.Join(dir, "journal.db")
	f, err := os.OpenFile(db, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	// The header's count of free pages, wrong: no row read changes, the
	// check of every page fails ("freelist ... size is 7 but should be 0").
	var n [4]byte
	binary.BigEndian.PutUint32(n[:], 7)
	if _, err := f.WriteAt(n[:], 36); err != nil {
		t.Fatal(err)
	}
	f.Close()

	code, out, stderr := ventctl(t, "verify", "-state-dir", dir)
	if code != exitFail || !strings.Contains(out, "DAMAGED") || !strings.Contains(out, ".backup") {
		t.Fatalf("verify of the damaged file: exit %d\n%s%s", code, out, stderr)
	}

	html := filepath.Join(t.TempDir(), "r.html")
	code, _, stderr = ventctl(t, "report", "-state-dir", dir, "-o", html)
	page, _ := os.ReadFile(html)
	t.Logf("report: exit %d, %s", code, stderr)
	if code != exitFail || !strings.Contains(stderr, "DAMAGED") || !strings.Contains(stderr, ".backup copy.db") || !strings.Contains(stderr, "ventctl verify") {
		t.Errorf("report of the damaged file: exit %d, stderr %q; want %d and DAMAGED with what to do", code, stderr, exitFail)
	}
	if strings.Contains(string(page), "VERIFIED") || !strings.Contains(string(page), "Record integrity: DAMAGED") {
		t.Errorf("report of the damaged file does not say DAMAGED, or says VERIFIED:\n%.3000s", page)
	}
	pdf := filepath.Join(t.TempDir(), "r.pdf")
	if code, _, stderr = ventctl(t, "report", "-state-dir", dir, "-o", pdf); code != exitFail {
		t.Errorf("PDF report of the damaged file: exit %d, %s", code, stderr)
	}

	for _, format := range []string{"json", "csv"} {
		path := filepath.Join(t.TempDir(), "x."+format)
		code, _, stderr = ventctl(t, "export", "-state-dir", dir, "-o", path)
		data, _ := os.ReadFile(path)
		if code != exitFail || !strings.Contains(stderr, "DAMAGED") {
			t.Errorf("export -format %s of the damaged file: exit %d, stderr %q", format, code, stderr)
		}
		if strings.Contains(strings.ToLower(string(data)), "integrity: verified") || strings.Contains(string(data), `"integrity":"verified`) ||
			!strings.Contains(string(data), "DAMAGED: the journal file fails SQLite's integrity check") {
			t.Errorf("export -format %s of the damaged file: integrity not DAMAGED:\n%.1500s", format, data)
		}
	}
}

// truncatedState is a state directory whose journal holds two days of
// minutes and was then cut short by a tenth.
func truncatedState(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	j, err := journal.Open(filepath.Join(dir, "journal.db"), journal.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	for h := range 48 {
		var b journal.Batch
		for m := range 60 {
			at := shiftStart.Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute).UTC()
			for _, q := range []string{"pm25", "pm10", "co2"} {
				b.Minutes = append(b.Minutes, journal.Minute{Start: at, Zone: "staff", Quantity: q, Mean: 9, Max: 10, Count: 60, CoveredSeconds: 60})
			}
		}
		if _, err := j.Write(b); err != nil {
			t.Fatal(err)
		}
	}
	j.Close()
	db := filepath.Join(dir, "journal.db")
	fi, err := os.Stat(db)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(db, fi.Size()*9/10); err != nil {
		t.Fatal(err)
	}
	return dir
}

// A journal cut short got "journal is corrupt (database disk image is
// malformed (11))" from verify, report and export alike: not that it was
// truncated, nor what to do. Now each says so, what to keep and how to
// read what is left (ventctl salvage), whose copy verify, report and
// export then read.
func TestTruncatedJournalSaysWhatToDo(t *testing.T) {
	dir := truncatedState(t)
	db := filepath.Join(dir, "journal.db")
	for _, args := range [][]string{
		{"verify", "-state-dir", dir},
		{"report", "-state-dir", dir, "-o", filepath.Join(t.TempDir(), "r.html")},
		{"export", "-state-dir", dir, "-format", "csv"},
	} {
		code, _, stderr := ventctl(t, args...)
		for _, want := range []string{db, "DAMAGED", "truncated", "keep this file as it is for the audit", "ventctl salvage -journal " + db} {
			if !strings.Contains(stderr, want) {
				t.Errorf("ventctl %s on a truncated journal does not say %q: exit %d\n%s", args[0], want, code, stderr)
			}
		}
		if code != exitFail {
			t.Errorf("ventctl %s on a truncated journal: exit %d", args[0], code)
		}
	}

	out := filepath.Join(t.TempDir(), "salvaged.db")
	code, stdout, stderr := ventctl(t, "salvage", "-journal", db, "-o", out)
	if code != exitOK || !strings.Contains(stdout, "minutes") || !strings.Contains(stdout, "cannot be read") {
		t.Fatalf("salvage: exit %d\n%s%s", code, stdout, stderr)
	}
	code, stdout, stderr = ventctl(t, "verify", "-journal", out)
	if code != exitFail || !strings.Contains(stdout, "salvaged") || !strings.Contains(stdout, "FAILED") {
		t.Errorf("verify of the salvaged copy: exit %d; want the rows lost named, and that it is a salvage\n%s%s", code, stdout, stderr)
	}
	code, _, stderr = ventctl(t, "export", "-journal", out, "-from", "2026-03-02", "-to", "2026-03-02", "-format", "csv")
	if code != exitOK {
		t.Errorf("export of the salvaged copy's first day: exit %d\n%s", code, stderr)
	}
	if code, _, _ = ventctl(t, "salvage", "-journal", db, "-o", out); code == exitOK {
		t.Errorf("salvage over an existing file: exit 0")
	}
}
