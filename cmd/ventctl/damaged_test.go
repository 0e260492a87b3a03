package main

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
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
