package main

import (
	"io"
	"os"

	"path/filepath"
	"strings"
	"testing"
)

// A second ventd on the same state directory is refused before it touches
// the fans or the journal, and says who holds it and what to do; once the
// first is gone, the directory is free again.
func TestStateDirectoryHasOneVentd(t *testing.T) {
	dir := t.TempDir()
	first, err := lockStateDir(dir)
	if err != nil || first == nil {
		t.Fatalf("first lock: %v, %v", first, err)
	}
	f, err := parseFlags([]string{"-sim", "-state-dir", dir, "-listen", "127.0.0.1:0"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	a, err := newApp(t.Context(), f, io.Discard)
	if err == nil {
		a.stateLock.Close()
		t.Fatal("a second ventd started on a state directory in use")
	}
	for _, want := range []string{"(pid ", "is using the state directory " + dir, "systemctl stop ventd", "-state-dir"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	first.Close()
	second, err := lockStateDir(dir)
	if err != nil {
		t.Fatalf("after the first let go: %v", err)
	}
	second.Close()

	// A directory that does not exist holds nothing to protect: the
	// journal reports it.
	if l, err := lockStateDir(filepath.Join(dir, "missing")); l != nil || err != nil {
		t.Errorf("missing directory: %v, %v", l, err)
	}
}

// Trouble with the lock other than another ventd holding it (here a
// state directory that is a file; on a Pi, an SD card remounted
// read-only) is logged, and ventd still starts: it must drive the fans.
func TestStateLockTroubleDoesNotStopVentd(t *testing.T) {
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := lockStateDir(notDir); err == nil {
		t.Fatal("locking inside a file: no error")
	}
	var logs strings.Builder
	a, _, _ := newTestApp(t, &logs, "-sim", "-state-dir", notDir, "-listen", "127.0.0.1:0")
	a.d.Close()
	if !strings.Contains(logs.String(), "running without the state directory's lock") {
		t.Errorf("no warning that the lock could not be taken:\n%s", logs.String())
	}
}
