package main

import (
	"encoding/json"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ventd/ventd/snapshot"
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/ventdproc"
)

// TestSIGTERMLeavesFansSafe runs the real binary on the simulated room,
// waits for live state over HTTP, sends SIGTERM and checks that ventd exits
// cleanly after leaving the fans at their safe duty. How long the stop
// took is logged, not asserted (tests never assert wall time); a stop that
// never comes fails after a generous guard.
func TestSIGTERMLeavesFansSafe(t *testing.T) {
	bin := ventdBinary(t)
	// The log goes to a buffer exec fills itself, so Wait returns only
	// once every line is in it (a StderrPipe is closed by Wait, and lines
	// not yet read are lost).
	var logs testbench.LogBuffer
	cmd := exec.Command(bin, "-sim", "-sim-speed", "20", "-listen", "127.0.0.1:0", "-state-dir", t.TempDir())
	cmd.Stderr = &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	var addr string
	for i := 0; addr == ""; i++ {
		if a, ok := ventdproc.Addr(logs.String()); ok {
			addr = a
		} else if i > 1000 {
			t.Fatalf("ventd never said where it serves HTTP:\n%s", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}

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
	if !strings.Contains(logs.String(), "fans left at their safe duty") {
		t.Errorf("log lacks the safe-duty line:\n%s", tail(logs.String(), 10))
	}
}
