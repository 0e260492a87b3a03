package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/ctlsock"
)

// TestControlSocketPurge runs ventd -sim with a control socket and purges
// through it, as `ventctl purge` does; the socket and the temporary state
// directory are gone after the daemon stops.
func TestControlSocketPurge(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "ventd.sock")
	var logs syncBuffer
	f, err := parseFlags([]string{"-sim", "-sim-speed", "50", "-listen", "127.0.0.1:0", "-control-socket", sock}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	a, err := newApp(ctx, f, &logs)
	if err != nil {
		t.Fatal(err)
	}
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
	if err := c.Purge(ctx, "booth", "tech-1"); err != nil {
		t.Fatal(err)
	}
	// The loop takes the request within a period. (A clean booth ends
	// the purge at once: it is already safe to enter.)
	for i := 0; !strings.Contains(logs.String(), "source=socket:tech-1"); i++ {
		if i > 1000 {
			t.Fatalf("the purge never reached the loop:\n%s", tail(logs.String(), 10))
		}
		time.Sleep(10 * time.Millisecond)
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
