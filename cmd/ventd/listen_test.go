package main

import (
	"net"
	"net/http"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ventd/ventd/testbench"
)

// An HTTP address another program holds (a web server on 8080, a second
// ventd by mistake) or not yet up at boot must not keep the fans from
// being controlled: ventd runs its loop, says HTTP is unavailable and
// why, and serves once the address is free. Before, it exited, and
// systemd restarted it every 5 s with no control loop at all.
func TestHTTPAddressTakenKeepsTheFansControlled(t *testing.T) {
	hold, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := hold.Addr().String()
	logs := &testbench.LogBuffer{}
	a, ctx, cancel := newTestApp(t, logs, "-sim", "-sim-speed", "60", "-listen", addr, "-log-level", "warn", "-state-dir", t.TempDir())
	if a.ln != nil {
		t.Fatalf("bound %s, which another listener holds", addr)
	}
	a.httpRetry = 50 * time.Millisecond
	done := make(chan error, 1)
	go func() { done <- a.run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	first := a.d.Latest()
	deadline := time.Now().Add(30 * time.Second)
	for a.d.Latest() == first || a.d.Latest().Number < 3 {
		if time.Now().After(deadline) {
			t.Fatalf("the control loop did not run while HTTP was unavailable:\n%s", logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if l := logs.String(); !strings.Contains(l, "HTTP unavailable") || !strings.Contains(l, "the fans are still controlled") || !strings.Contains(l, addr) {
		t.Errorf("the log does not say HTTP is unavailable at %s and why:\n%s", addr, l)
	}
	hold.Close()
	for {
		resp, err := http.Get("http://" + addr + "/api/state")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("/api/state once the address was free: %s", resp.Status)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("not serving once the address was free: %v\n%s", err, logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// A -listen that could never be bound is refused at start, saying what
// to write.
func TestListenFlagChecked(t *testing.T) {
	for _, addr := range []string{"8080", ":99999", "host:port"} {
		err := checkListenFlag(addr)
		if err == nil || !strings.Contains(err.Error(), "give host:port") {
			t.Errorf("-listen %q: %v", addr, err)
		}
	}
	for _, addr := range []string{"127.0.0.1:0", ":8080", "[::1]:80"} {
		if err := checkListenFlag(addr); err != nil {
			t.Errorf("-listen %q: %v", addr, err)
		}
	}
}

// listen: ":80" passes the config checks, then fails at every retry with
// "bind: permission denied", and the hint asked whether another server
// held the port. Refused for want of a capability, it says so.
func TestListenHintSaysWhatWasRefused(t *testing.T) {
	denied := &net.OpError{Op: "listen", Net: "tcp", Err: os.NewSyscallError("bind", syscall.EACCES)}
	if h := listenHint(denied); !strings.Contains(h, "ports below 1024 need CAP_NET_BIND_SERVICE") || !strings.Contains(h, "listen on 8080") {
		t.Errorf("permission denied: hint %q", h)
	}
	taken := &net.OpError{Op: "listen", Net: "tcp", Err: os.NewSyscallError("bind", syscall.EADDRINUSE)}
	if h := listenHint(taken); !strings.Contains(h, "another ventd or web server") {
		t.Errorf("address in use: hint %q", h)
	}
}
