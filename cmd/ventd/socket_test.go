package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/ctlsock"
	"github.com/ventd/ventd/testbench"
)

// TestControlSocketPurge runs ventd -sim with a control socket and purges
// through it, as `ventctl purge` does; the socket and the temporary state
// directory are gone after the daemon stops.
func TestControlSocketPurge(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "ventd.sock")
	var logs testbench.LogBuffer
	a, ctx, cancel := newTestApp(t, &logs, "-sim", "-sim-speed", "50", "-listen", "127.0.0.1:0", "-control-socket", sock)
	state := a.tempState
	done := make(chan error, 1)
	go func() { done <- a.run(ctx) }()

	c := ctlsock.Dial(sock)
	for {
		if _, err := c.Ping(ctx); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	// The loop answers within a period, and says what it did.
	res, err := c.Purge(ctx, "booth", "tech-1", "")
	if err != nil || !strings.Contains(res, "booth:") {
		t.Fatalf("purge: %q, %v\n%s", res, err, tail(logs.String(), 10))
	}
	if !strings.Contains(logs.String(), "tech-1 via socket") {
		t.Errorf("the log does not say who asked:\n%s", tail(logs.String(), 10))
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(sock); !os.IsNotExist(err) {
		t.Errorf("control socket left behind: %v", err)
	}
	if _, err := os.Stat(state); !os.IsNotExist(err) {
		t.Errorf("temporary state directory %s left behind: %v", state, err)
	}
}

// A control socket that cannot be made at start (here its directory's
// name is taken by a file, as /run/ventd may not be there yet at boot) is
// tried again, and ventctl reaches the daemon once it can be.
func TestControlSocketIsTriedAgain(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "run")
	if err := os.WriteFile(dir, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	sock := filepath.Join(dir, "ventd.sock")
	var logs testbench.LogBuffer
	a, ctx, cancel := newTestApp(t, &logs, "-sim", "-sim-speed", "50", "-listen", "127.0.0.1:0", "-control-socket", sock)
	a.httpRetry = 50 * time.Millisecond
	done := make(chan error, 1)
	go func() { done <- a.run(ctx) }()
	for !strings.Contains(logs.String(), "control socket unavailable") {
		time.Sleep(10 * time.Millisecond)
	}
	if err := os.Remove(dir); err != nil {
		t.Fatal(err)
	}
	c := ctlsock.Dial(sock)
	for {
		if _, err := c.Ping(ctx); err == nil {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := strings.Count(logs.String(), "control socket unavailable"); n != 1 {
		t.Errorf("the same failure logged %d times, want once:\n%s", n, tail(logs.String(), 10))
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
