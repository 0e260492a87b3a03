package main

import (
	"testing"

	"golang.org/x/sys/unix"
)

// After noHugePages the kernel reports huge pages off for the process
// (the flag is the process's, so this test binary keeps it; nothing in
// the tests depends on huge pages).
func TestNoHugePages(t *testing.T) {
	if err := noHugePages(); err != nil {
		t.Fatalf("noHugePages: %v", err)
	}
	on, err := unix.PrctlRetInt(unix.PR_GET_THP_DISABLE, 0, 0, 0, 0)
	if err != nil {
		t.Fatalf("PR_GET_THP_DISABLE: %v", err)
	}
	if on != 1 {
		t.Fatalf("PR_GET_THP_DISABLE = %d after noHugePages, want 1", on)
	}
}
