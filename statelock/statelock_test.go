package statelock

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A second holder is told who holds the directory; the first keeps it
// until it closes the file.
func TestSecondHolderIsToldWho(t *testing.T) {
	dir := t.TempDir()
	first, err := Lock(dir, "ventctl fan")
	if err != nil || first == nil {
		t.Fatalf("first lock: %v %v", first, err)
	}
	_, err = Lock(dir, "ventd")
	var inUse *InUse
	if !errors.As(err, &inUse) || !strings.Contains(err.Error(), "ventctl fan") || !strings.Contains(err.Error(), dir) {
		t.Fatalf("second lock: %v, want an InUse naming ventctl fan and %s", err, dir)
	}
	first.Close()
	again, err := Lock(dir, "ventd")
	if err != nil || again == nil {
		t.Fatalf("after the first closed: %v", err)
	}
	again.Close()
	if l, err := Lock(filepath.Join(dir, "missing"), "ventd"); l != nil || err != nil {
		t.Errorf("a missing directory: %v %v, want nothing to share", l, err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "ventd.lock")); !strings.HasSuffix(string(b), " ventd\n") {
		t.Errorf("lock file %q: want the pid and who", b)
	}
}
