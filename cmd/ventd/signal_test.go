package main

import (
	"encoding/json"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ventd/ventd/snapshot"
)

// TestSIGTERMLeavesFansSafe runs the real binary on the simulated room,
// waits for live state over HTTP, sends SIGTERM and checks that ventd exits
// cleanly after leaving the fans at their safe duty. How long the stop
// took is logged, not asserted (tests never assert wall time); a stop that
// never comes fails after a generous guard.
func TestSIGTERMLeavesFansSafe(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "ventd")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	var logs syncBuffer
	cmd := exec.Command(bin, "-sim", "-sim-speed", "20", "-listen", "127.0.0.1:0", "-state-dir", t.TempDir())
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	addr := waitAddr(t, teeReader{stderr, &logs})

	var s snapshot.Snapshot
	for i := 0; ; i++ {
		resp, err := http.Get("http://" + addr + "/api/state")
		if err == nil && resp.StatusCode == http.StatusOK {
			err = json.NewDecoder(resp.Body).Decode(&s)
			resp.Body.Close()
			if err == nil && len(s.Fans) == 1 && len(s.Readings) > 0 {
				break
			}
		} else if err == nil {
			resp.Body.Close()
		}
		if i > 500 {
			t.Fatalf("no live /api/state: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}

	sent := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("ventd exited with %v after SIGTERM", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("ventd did not stop within 30 s of SIGTERM")
	}
	t.Logf("stopped %v after SIGTERM", time.Since(sent).Round(time.Millisecond))
	time.Sleep(50 * time.Millisecond) // let the log drain
	if !strings.Contains(logs.String(), "fans left at their safe duty") {
		t.Errorf("log lacks the safe-duty line:\n%s", tail(logs.String(), 10))
	}
}

// teeReader copies what it reads into a buffer, so the test sees the
// whole log while waitAddr drains it.
type teeReader struct {
	r interface{ Read([]byte) (int, error) }
	w *syncBuffer
}

func (t teeReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.w.Write(p[:n])
	return n, err
}
