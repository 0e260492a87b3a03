package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
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

// A state directory made after ventd started (a technician's mkdir once
// the journal's fault said so) is locked before the journal is opened in
// it: before, the first ventd opened it without the lock, and a second
// one could take the lock and write the same journal. ventd makes a
// missing state directory itself; here it cannot (a file stands where
// its parent should be) until the technician clears the way.
func TestStateDirectoryMadeAfterStartIsLocked(t *testing.T) {
	parent := filepath.Join(t.TempDir(), "state")
	if err := os.WriteFile(parent, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(parent, "later")
	waitLog := runSimLogged(t, dir)
	waitLog("the state directory does not exist and cannot be made")
	if err := os.Remove(parent); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	waitLog("keeping records again")
	refusesASecond(t, dir)
}

// A state directory given by hand that does not exist yet (-state-dir
// for a simulated room kept between runs) is made, and the journal opens
// in it at once: before, ventd ran with its journal failing until
// someone made it.
func TestMissingStateDirectoryIsMade(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "new", "state")
	waitLog := runSimLogged(t, dir)
	waitLog("made the state directory")
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o750 {
		t.Fatalf("state directory: %v, %v", fi, err)
	}
	refusesASecond(t, dir)
}

// runSimLogged runs ventd -sim at 600× with its journal in dir until the
// test ends, and returns a wait for a line of its log.
func runSimLogged(t *testing.T, dir string) (waitLog func(text string)) {
	t.Helper()
	var logs strings.Builder
	var mu sync.Mutex
	w := writerFunc(func(b []byte) (int, error) { mu.Lock(); defer mu.Unlock(); return logs.Write(b) })
	a, ctx, cancel := newTestApp(t, w, "-sim", "-sim-speed", "600", "-state-dir", dir, "-listen", "127.0.0.1:0")
	done := make(chan error, 1)
	go func() { done <- a.run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return func(text string) {
		t.Helper()
		for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
			mu.Lock()
			found, all := strings.Contains(logs.String(), text), logs.String()
			mu.Unlock()
			if found {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("no %q in the log:\n%s", text, all)
			}
		}
	}
}

// refusesASecond fails unless dir's lock is held.
func refusesASecond(t *testing.T, dir string) {
	t.Helper()
	second, err := lockStateDir(dir)
	var inUse *stateDirInUse
	if !errors.As(err, &inUse) {
		second.Close()
		t.Fatalf("a second ventd on %s: %v, want it refused", dir, err)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

// The state directory deleted under a running ventd and made again: the
// journal opens its path again (journal.TestDeletedJournalIsOpenedAgain),
// and the lock, which went with the old file, is taken in the new one, so
// a second ventd cannot start on it meanwhile.
func TestStateDirectoryRemadeIsLockedAgain(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state")
	if err := os.Mkdir(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	waitLog := runSimLogged(t, dir)
	time.Sleep(500 * time.Millisecond) // five simulated minutes: the journal has written
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	waitLog("deleted or moved")
	if err := os.Mkdir(dir, 0o750); err != nil {
		t.Fatal(err)
	}
	waitLog("keeping records again")
	refusesASecond(t, dir)
}
