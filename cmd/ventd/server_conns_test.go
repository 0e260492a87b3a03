package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/testbench"
)

// dialFrom connects to addr from the local address from (127.0.0.N: on
// Linux the whole of 127/8 is loopback).
func dialFrom(t *testing.T, from, addr string) net.Conn {
	t.Helper()
	c, err := (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 5 * time.Second}).Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// clientFrom is an HTTP client whose connections come from from.
func clientFrom(from string, timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, Transport: &http.Transport{
		DialContext: (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}).DialContext,
	}}
}

// closedSoon reports whether the server closes c within d, without c
// sending anything more.
func closedSoon(c net.Conn, d time.Duration) bool {
	c.SetReadDeadline(time.Now().Add(d))
	_, err := c.Read(make([]byte, 1))
	var ne net.Error
	return !(errors.As(err, &ne) && ne.Timeout())
}

// Slow headers (slowloris) from one address: the connections past
// maxConnsPerClient are closed at once, so the server's maxConns are never
// all held and everyone else's requests are answered at once; the
// refusals are logged once, naming the address.
func TestSlowHeadersFromOneAddressLeaveRoomForEveryoneElse(t *testing.T) {
	var logs testbench.LogBuffer
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") })
	ln, srv := serve(ln, h, nil, slog.New(slog.NewTextHandler(&logs, nil)))
	go srv.Serve(ln)
	defer srv.Close()
	addr := ln.Addr().String()

	const n = 300 // more than maxConns
	var conns []net.Conn
	for range n {
		// A connection past the bound may be reset before Dial returns.
		c, err := (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}}).Dial("tcp", addr)
		if err != nil {
			continue
		}
		defer c.Close()
		fmt.Fprintf(c, "GET /api/state HTTP/1.1\r\nHost: %s\r\n", addr) // and never the end of the headers
		conns = append(conns, c)
	}
	// Everyone else is served at once, far inside the 5 s header timeout
	// that would otherwise free the first place.
	start := time.Now()
	resp, err := clientFrom("127.0.0.1", 2*time.Second).Get("http://" + addr + "/api/state")
	if err != nil {
		t.Fatalf("a request beside %d slow ones from another address: %v", n, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("a request beside the slow ones: %s", resp.Status)
	}
	t.Logf("answered in %s beside %d slow connections", time.Since(start).Round(time.Millisecond), n)

	// The first maxConnsPerClient stay open (until the header timeout);
	// the rest were closed at once.
	var open atomic.Int64
	var wg sync.WaitGroup
	for _, c := range conns {
		wg.Go(func() {
			if !closedSoon(c, 500*time.Millisecond) {
				open.Add(1)
			}
		})
	}
	wg.Wait()
	if open.Load() != maxConnsPerClient {
		t.Errorf("%d of %d slow connections from one address left open, want %d", open.Load(), n, maxConnsPerClient)
	}
	if c := strings.Count(logs.String(), "refused a connection"); c != 1 || !strings.Contains(logs.String(), "from=127.0.0.2 open=32 limit=32") {
		t.Errorf("%d warnings, want 1 naming 127.0.0.2:\n%s", c, logs.String())
	}
}

// Each connection gives its address's place back exactly once when it
// closes, however it ends: closed twice, by the client after a streamed
// response, or by a handler that hijacked it.
func TestConnectionsFromAnAddressCountedOnce(t *testing.T) {
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	const limit = 3
	var logs testbench.LogBuffer
	ln := limitPerClient(raw, limit, slog.New(slog.NewTextHandler(&logs, nil)))
	defer ln.Close()
	addr := ln.Addr().String()
	from := netip.MustParseAddr("127.0.0.3")
	waitOpen := func(what string, want int) {
		t.Helper()
		end := time.Now().Add(10 * time.Second)
		for ln.Open(from) != want {
			if time.Now().After(end) {
				t.Fatalf("%s: %d open, want %d", what, ln.Open(from), want)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}

	// Closed twice (the server and a wrapper both close it): one place.
	accepted := make(chan net.Conn, 8)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- c
		}
	}()
	for range limit {
		dialFrom(t, "127.0.0.3", addr)
	}
	var server []net.Conn
	for range limit {
		server = append(server, <-accepted)
	}
	waitOpen("three connections", limit)
	// A connection past the bound may be reset before Dial returns.
	if extra, err := (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.3")}}).Dial("tcp", addr); err == nil {
		defer extra.Close()
		if !closedSoon(extra, 2*time.Second) {
			t.Error("a fourth connection from the address was not closed at once")
		}
	}
	for end := time.Now().Add(10 * time.Second); !strings.Contains(logs.String(), "refused a connection"); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatal("the refusal not logged")
		}
	}
	if !strings.Contains(logs.String(), "from=127.0.0.3 open=3 limit=3") {
		t.Errorf("the refusal's warning: %s", logs.String())
	}
	if n := ln.Open(netip.MustParseAddr("127.0.0.4")); n != 0 {
		t.Errorf("another address has %d open", n)
	}
	server[0].Close()
	server[0].Close()
	waitOpen("one closed twice", limit-1)
	for _, c := range server[1:] {
		c.Close()
	}
	waitOpen("all closed", 0)
	ln.Close()
	for range accepted {
	}

	// Through the HTTP server: a streamed response the client walks away
	// from, and a hijacked connection the handler closes.
	raw, err = net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln = limitPerClient(raw, limit, slog.New(slog.DiscardHandler))
	addr = ln.Addr().String()
	mux := http.NewServeMux()
	mux.HandleFunc("/stream", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		for r.Context().Err() == nil {
			if _, err := io.WriteString(w, "data: x\n\n"); err != nil {
				return
			}
			w.(http.Flusher).Flush()
			time.Sleep(10 * time.Millisecond)
		}
	})
	mux.HandleFunc("/hijack", func(w http.ResponseWriter, r *http.Request) {
		c, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Error(err)
			return
		}
		buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
		buf.Flush()
		c.Close()
		c.Close()
	})
	srv := &http.Server{Handler: mux}
	go srv.Serve(ln)
	defer srv.Close()
	for round := range 3 { // each round needs every place back
		var conns []net.Conn
		for range limit - 1 {
			c := dialFrom(t, "127.0.0.3", addr)
			fmt.Fprintf(c, "GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
			line, err := bufio.NewReader(c).ReadString('\n')
			if err != nil || !strings.Contains(line, "200") {
				t.Fatalf("round %d: stream: %q %v", round, line, err)
			}
			conns = append(conns, c)
		}
		c := dialFrom(t, "127.0.0.3", addr)
		fmt.Fprintf(c, "GET /hijack HTTP/1.1\r\nHost: x\r\n\r\n")
		if b, err := io.ReadAll(c); err != nil || !strings.HasSuffix(string(b), "ok") {
			t.Fatalf("round %d: hijacked: %q %v", round, b, err)
		}
		c.Close()
		waitOpen(fmt.Sprintf("round %d: the streams open, the hijacked one closed", round), limit-1)
		for _, c := range conns {
			c.Close()
		}
		waitOpen(fmt.Sprintf("round %d: every stream closed", round), 0)
	}
}

// Live streams cannot take every connection: 300 streams from 60 addresses
// (5 each) get at most config.MaxLiveClients in all and 4 per address,
// the rest 503 with Retry-After at once (the page polls instead), and
// /api/state and /metrics still answer at once.
func TestLiveStreamsLeaveConnectionsForPollingAndMetrics(t *testing.T) {
	if testing.Short() {
		t.Skip("opens 300 streams")
	}
	var logs testbench.LogBuffer
	dir := t.TempDir()
	a, ctx, cancel := newTestApp(t, &logs, "-sim", "-listen", "127.0.0.1:0", "-state-dir", dir, "-control-socket", "")
	done := make(chan error, 1)
	go func() { done <- a.run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil && !errors.Is(err, context.Canceled) {
			t.Error(err)
		}
	}()
	base := "http://" + a.ln.Addr().String()

	var live, refused atomic.Int64
	var wg sync.WaitGroup
	streamCtx, stopStreams := context.WithCancel(context.Background())
	defer func() { stopStreams(); wg.Wait() }()
	perAddr := make([]atomic.Int64, 60)
	for i := range 60 {
		c := clientFrom(fmt.Sprintf("127.0.3.%d", i+1), 0)
		for range 5 {
			wg.Go(func() {
				req, _ := http.NewRequestWithContext(streamCtx, "GET", base+"/api/events", nil)
				resp, err := c.Do(req)
				if err != nil {
					return
				}
				defer resp.Body.Close()
				switch {
				case resp.StatusCode == http.StatusOK:
					live.Add(1)
					perAddr[i].Add(1)
					io.Copy(io.Discard, resp.Body) // read, as a page does, until the test ends
				case resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") != "":
					refused.Add(1)
				}
			})
		}
	}
	end := time.Now().Add(20 * time.Second)
	for live.Load()+refused.Load() < 300 && time.Now().Before(end) {
		time.Sleep(20 * time.Millisecond)
	}
	t.Logf("%d streams live, %d refused", live.Load(), refused.Load())
	if live.Load() > config.MaxLiveClients || live.Load()+refused.Load() != 300 {
		t.Errorf("%d streams live and %d refused with 503 and Retry-After, of 300; want at most %d live, the rest refused",
			live.Load(), refused.Load(), config.MaxLiveClients)
	}
	for i := range perAddr {
		if n := perAddr[i].Load(); n > 4 {
			t.Errorf("127.0.3.%d has %d streams, want at most 4", i+1, n)
		}
	}
	c := clientFrom("127.0.0.1", 2*time.Second)
	for _, path := range []string{"/api/state", "/metrics", "/api/state"} {
		resp, err := c.Get(base + path)
		if err != nil {
			t.Fatalf("%s beside %d live streams: %v", path, live.Load(), err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("%s: %s", path, resp.Status)
		}
	}
	if !strings.Contains(logs.String(), "live updates refused") {
		t.Errorf("no warning about the refused streams:\n%s", tail(logs.String(), 10))
	}
}

// The HTTP server logs a failed TLS handshake per connection: a scanner, or
// -web.config.file broken by an edit while ventd runs (every client then
// fails), wrote a line per connection. One address's one error is logged
// once a minute, saying how many were not.
func TestServerErrorsLoggedAtARate(t *testing.T) {
	var buf bytes.Buffer
	now := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)
	e := &serverErrors{log: slog.New(slog.NewTextHandler(&buf, nil)), now: func() time.Time { return now }}
	srv := newServer(http.NotFoundHandler(), nil, e.log)
	srv.ErrorLog.SetOutput(e)
	for port := 40000; port < 40100; port++ {
		srv.ErrorLog.Printf("http: TLS handshake error from 192.0.2.7:%d: yaml: line 5: did not find expected ',' or ']'", port)
	}
	srv.ErrorLog.Printf("http: TLS handshake error from 198.51.100.9:1234: remote error: tls: bad certificate")
	if n := strings.Count(buf.String(), "TLS handshake error"); n != 2 {
		t.Errorf("%d lines for 100 failures from one address and 1 from another, want 2:\n%s", n, buf.String())
	}
	now = now.Add(time.Minute)
	buf.Reset()
	srv.ErrorLog.Printf("http: TLS handshake error from 192.0.2.7:40200: yaml: line 5: did not find expected ',' or ']'")
	if !strings.Contains(buf.String(), "not_logged_since_last=99") {
		t.Errorf("a minute later: %q, want the 99 not logged counted", buf.String())
	}
}

// addrListener hands out one end of a pipe per Accept, each as if from the
// next of its remote addresses.
type addrListener struct {
	net.Listener
	from []string
	ends []net.Conn
}

type addrConn struct {
	net.Conn
	remote net.Addr
}

func (c addrConn) RemoteAddr() net.Addr { return c.remote }

func (l *addrListener) Accept() (net.Conn, error) {
	if len(l.from) == 0 {
		return nil, net.ErrClosed
	}
	a, b := net.Pipe()
	l.ends = append(l.ends, b)
	from := l.from[0]
	l.from = l.from[1:]
	return addrConn{a, net.TCPAddrFromAddrPort(netip.MustParseAddrPort(from))}, nil
}

// An IPv6 client holds a whole /64 (SLAAC and privacy addresses): one
// machine on the guest network can take as many addresses from it as it
// likes, and with them every one of maxConns connections. Its /64 counts
// as one client, as an IPv4 address does.
func TestConnectionsFromOneIPv6NetworkCountedTogether(t *testing.T) {
	const limit = 3
	var from []string
	for i := range 10 {
		from = append(from, fmt.Sprintf("[2001:db8:1:2::%x]:%d", i+1, 40000+i))
	}
	from = append(from, "[2001:db8:1:3::1]:40000")
	raw := &addrListener{from: from}
	ln := limitPerClient(raw, limit, slog.New(slog.DiscardHandler))
	var got []string
	for {
		c, err := ln.Accept()
		if err != nil {
			break
		}
		got = append(got, c.RemoteAddr().String())
	}
	want := []string{"[2001:db8:1:2::1]:40000", "[2001:db8:1:2::2]:40001", "[2001:db8:1:2::3]:40002", "[2001:db8:1:3::1]:40000"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("accepted %v\nwant     %v (%d from the first /64, then the other /64)", got, want, limit)
	}
}
