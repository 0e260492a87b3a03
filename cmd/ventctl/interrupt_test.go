package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Ctrl-C during an export or a report leaves no file, not even the
// temporary one, and says so; a report stops before its first byte (it
// reads every minute of its window first).
func TestInterruptedRecordsWriteNothing(t *testing.T) {
	dir, _ := stateDir(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, c := range []struct{ cmd, name string }{{"export", "march.csv"}, {"report", "march.pdf"}} {
		outDir := t.TempDir()
		out := filepath.Join(outDir, c.name)
		var o, e bytes.Buffer
		code := run([]string{c.cmd, "-state-dir", dir, "-config", "../../config/example.yaml", "-o", out},
			env{stdout: &o, stderr: &e, now: func() time.Time { return genTime }, ctx: ctx})
		if code != exitFail || !strings.Contains(e.String(), "interrupted: "+out+" not written") {
			t.Errorf("%s: exit %d, stderr %q: want 1 and that it was interrupted", c.cmd, code, e.String())
		}
		if left, _ := os.ReadDir(outDir); len(left) != 0 {
			t.Errorf("%s left behind: %v", c.cmd, left)
		}
	}
	// To standard output: stops at its first write.
	var o, e bytes.Buffer
	code := run([]string{"export", "-state-dir", dir, "-format", "json"},
		env{stdout: &o, stderr: &e, now: func() time.Time { return genTime }, ctx: ctx})
	if code != exitFail || o.Len() != 0 || !strings.Contains(e.String(), "interrupted") {
		t.Errorf("exit %d, %d bytes out, stderr %q", code, o.Len(), e.String())
	}
}

// Only the commands that end cleanly on Ctrl-C catch it: the others must
// stop when asked, as any program does.
func TestWhichCommandsCatchCtrlC(t *testing.T) {
	for args, want := range map[string]bool{
		"fan -config x -fan f -duty 50": true, "read": true, "scan": true, "doctor": true,
		"export": true, "report": true, "purge": true,
		"verify": false, "hash-pin": false, "check-config": false, "help": false, "": false, "nonsense": false,
	} {
		if got := catchesSignals(strings.Fields(args)); got != want {
			t.Errorf("%q: catches Ctrl-C %v, want %v", args, got, want)
		}
	}
}
