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
