package journal

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
)

var t0 = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

// open opens a fresh journal in a temporary directory.
func open(t testing.TB, opts Options) *Journal {
	t.Helper()
	if opts.Clock == nil {
		opts.Clock = clock.NewSim(t0, 0)
	}
	// Not syncing spares the tests thousands of fsyncs; durability is
	// tested where it matters (crash_test.go, TestOpenSetsUpTheFile).
	opts.NoSync = true
	j, err := Open(filepath.Join(t.TempDir(), "journal.db"), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { j.Close() })
	return j
}

func write(t testing.TB, j *Journal, b Batch) Result {
	t.Helper()
	res, err := j.Write(b)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func pragma(t testing.TB, j *Journal, name string) string {
	t.Helper()
	var v string
	if err := j.db.QueryRow("PRAGMA " + name).Scan(&v); err != nil {
		t.Fatalf("PRAGMA %s: %v", name, err)
	}
	return v
}

func TestOpenSetsUpTheFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.db")
	for range 2 { // the second open finds everything in place
		j, err := Open(path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for name, want := range map[string]string{
			"journal_mode": "truncate",
			"auto_vacuum":  "2", // incremental
			"synchronous":  "2", // full
			"foreign_keys": "1",
			"busy_timeout": "60000",
		} {
			if got := pragma(t, j, name); got != want {
				t.Errorf("PRAGMA %s = %s, want %s", name, got, want)
			}
		}
		var v int
		if err := j.db.QueryRow("SELECT version FROM schema_version").Scan(&v); err != nil || v != SchemaVersion {
			t.Errorf("schema_version = %d (%v), want %d", v, err, SchemaVersion)
		}
		var rows int
		j.db.QueryRow("SELECT count(*) FROM schema_version").Scan(&rows)
		if rows != 1 {
			t.Errorf("schema_version has %d rows, want 1", rows)
		}
		if err := j.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestOpenCorruptHeader(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.db")
	j, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	write(t, j, Batch{Minutes: []Minute{{Start: t0, Zone: "staff", Quantity: "pm2.5", Mean: 5, Max: 6, Count: 60, CoveredSeconds: 60}}})
	j.Close()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteAt([]byte(strings.Repeat("garbage!", 16)), 0)
	f.Close()

	_, err = Open(path, Options{})
	if !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Open of a file with a garbage header: %v, want ErrCorrupt", err)
	}
	t.Log(err)
	for _, want := range []string{path, "journal is corrupt", "not a database"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}

	// What the message says to do works: move it aside, start afresh.
	moved, err := MoveAside(path, t0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(moved); err != nil {
		t.Errorf("moved file: %v", err)
	}
	j, err = Open(path, Options{})
	if err != nil {
		t.Fatalf("Open after MoveAside: %v", err)
	}
	defer j.Close()
	if last, _ := j.LastMinute(); !last.IsZero() {
		t.Errorf("fresh journal's LastMinute = %v, want zero", last)
	}
}

func TestOpenCorruptPage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.db")
	j, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	write(t, j, dayOfMinutes(t0, []string{"staff"}, []string{"pm2.5", "co2"}))
	j.Close()
	fi, _ := os.Stat(path)
	f, _ := os.OpenFile(path, os.O_WRONLY, 0)
	// Smash the pages in the middle of the file, leaving the header intact.
	f.WriteAt([]byte(strings.Repeat("\xff\x00\x13", 4096)), fi.Size()/2)
	f.Close()
	// Open reads the header only; Check reads every page.
	j, err = Open(path, Options{})
	if err != nil {
		t.Logf("Open already saw the damage: %v", err)
		if !errors.Is(err, ErrCorrupt) {
			t.Fatalf("Open of a file with smashed pages: %v, want ErrCorrupt", err)
		}
		return
	}
	defer j.Close()
	if err := j.Check(); !errors.Is(err, ErrCorrupt) {
		t.Fatalf("Check of a file with smashed pages: %v, want ErrCorrupt", err)
	}
}

func TestOpenUnwritable(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "plain-file")
	os.WriteFile(file, nil, 0o644)
	// A path under a regular file fails for root too (ENOTDIR).
	_, err := Open(filepath.Join(file, "journal.db"), Options{})
	t.Log(err)
	if err == nil || !strings.Contains(err.Error(), file) || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("Open under a regular file: %v, want an error naming %s as not a directory", err, file)
	}
	_, err = Open(filepath.Join(dir, "missing", "journal.db"), Options{})
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), "mkdir -p") {
		t.Errorf("Open in a missing directory: %v, want ErrNotExist and what to do", err)
	}
	if os.Geteuid() == 0 {
		t.Log("running as root: permission bits are not enforced, skipping the chmod case")
		return
	}
	ro := filepath.Join(dir, "ro")
	os.Mkdir(ro, 0o555)
	_, err = Open(filepath.Join(ro, "journal.db"), Options{})
	if !errors.Is(err, os.ErrPermission) || !strings.Contains(err.Error(), ro) || !strings.Contains(err.Error(), "write") {
		t.Errorf("Open in a read-only directory: %v, want ErrPermission naming %s and the write permission", err, ro)
	}
}

func TestOpenNewerSchema(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.db")
	j, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	j.db.Exec("UPDATE schema_version SET version = 99")
	j.Close()
	_, err = Open(path, Options{})
	if !errors.Is(err, ErrNewerSchema) || !strings.Contains(err.Error(), "99") {
		t.Errorf("Open of a newer schema: %v, want ErrNewerSchema naming version 99", err)
	}
}
