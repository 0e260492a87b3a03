package httpapi

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ventd/ventd/export"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/snapshot"
)

// The widest window an export takes is answered (issue 14: a 500 with
// Go's error for year 10000).
func TestExportWidestWindow(t *testing.T) {
	srv, _ := exportServer(t)
	resp, body := get(t, "GET", srv.URL+"/api/export?from="+export.FirstDate+"&to="+export.LastDate+"&format=json")
	var doc export.Document
	if resp.StatusCode != 200 || json.Unmarshal([]byte(body), &doc) != nil || len(doc.Minutes) != 90 {
		t.Errorf("%d, %d minutes: %.300s", resp.StatusCode, len(doc.Minutes), body)
	}
}

// Exports beyond MaxConcurrent are refused at once with 503 and
// Retry-After, and the slot comes back when an export ends.
func TestExportConcurrency(t *testing.T) {
	path, loc, start := exportJournal(t)
	entered, release := make(chan struct{}, 1), make(chan struct{})
	calls := 0
	x := &Exporter{Location: loc, Now: func() time.Time { return start.Add(2 * time.Hour) }, MaxConcurrent: 1,
		Open: func() (*journal.Journal, error) {
			calls++
			if calls == 1 {
				entered <- struct{}{}
				<-release // the first export holds its slot until released
			}
			return journal.OpenReadOnly(path, journal.Options{})
		}}
	srv := httptest.NewServer(x)
	defer srv.Close()
	first := make(chan int)
	go func() {
		resp, err := http.Get(srv.URL + "/api/export")
		if err != nil {
			first <- 0
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		first <- resp.StatusCode
	}()
	<-entered
	resp, body := get(t, "GET", srv.URL+"/api/export")
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") != "10" ||
		!strings.Contains(body, "ventd serves 1 export(s) at a time and all are running: retry in 10 s") {
		t.Errorf("second export while the first runs: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	close(release)
	if code := <-first; code != 200 {
		t.Errorf("first export: %d", code)
	}
	if resp, _ := get(t, "GET", srv.URL+"/api/export"); resp.StatusCode != 200 {
		t.Errorf("export after the first ended: %d, want its slot back", resp.StatusCode)
	}
}

// A client that stops reading a download is cut off once its write
// deadline passes, so it gives back what it holds (an export slot).
func TestProgressWriterCutsStalledReader(t *testing.T) {
	done := make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pw := &progressWriter{w: w, rc: http.NewResponseController(w), stall: 100 * time.Millisecond, end: time.Now().Add(time.Hour)}
		chunk := make([]byte, 64<<10)
		for {
			if _, err := pw.Write(chunk); err != nil {
				done <- err
				return
			}
		}
	}))
	defer srv.Close()
	c, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if _, err := http.ReadResponse(bufio.NewReader(c), nil); err != nil {
		t.Fatal(err)
	}
	// Read nothing more: the socket buffers fill, the write stalls.
	if err := <-done; !strings.Contains(err.Error(), "timeout") {
		t.Errorf("write to a stalled reader: %v, want a timeout", err)
	}
}

func TestGuardHosts(t *testing.T) {
	h := Guard(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }),
		GuardOptions{AllowedHosts: []string{"ventd-room1.example.org"}, Hostname: "ventd-pi"})
	for host, want := range map[string]int{
		"":                             200, // HTTP/1.0: no browser
		"192.168.1.20:8080":            200,
		"192.168.1.20":                 200,
		"[fe80::1]:8080":               200,
		"[::1]":                        200,
		"localhost:8080":               200,
		"LOCALHOST.":                   200,
		"tablet.localhost":             200,
		"ventd-pi:8080":                200,
		"ventd-pi.local:8080":          200,
		"VENTD-ROOM1.example.org.":     200,
		"evil.example:8080":            403,
		"ventd-room1.example.org.evil": 403,
		"192.168.1.20.nip.io":          403,
		"local":                        403,
	} {
		req := httptest.NewRequest("GET", "/api/state", nil)
		req.Host = host
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("Host %q: %d, want %d", host, rec.Code, want)
		}
		if want == 403 && !strings.Contains(rec.Body.String(), "add the name to http.allowed_hosts") {
			t.Errorf("Host %q: %s", host, rec.Body)
		}
	}
}

// Bodies are bounded: a handler reading one past MaxBody gets an error.
func TestGuardBody(t *testing.T) {
	var got error
	h := Guard(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, got = io.ReadAll(r.Body)
	}), GuardOptions{MaxBody: 1000, Hostname: "x"})
	req := httptest.NewRequest("POST", "http://localhost/api/ack", strings.NewReader(strings.Repeat("a", 1001)))
	h.ServeHTTP(httptest.NewRecorder(), req)
	var mb *http.MaxBytesError
	if got == nil || !asMaxBytes(got, &mb) || mb.Limit != 1000 {
		t.Errorf("1001-byte body: %v", got)
	}
	req = httptest.NewRequest("POST", "http://localhost/api/ack", strings.NewReader(strings.Repeat("a", 1000)))
	h.ServeHTTP(httptest.NewRecorder(), req)
	if got != nil {
		t.Errorf("1000-byte body: %v", got)
	}
}

func asMaxBytes(err error, target **http.MaxBytesError) bool {
	e, ok := err.(*http.MaxBytesError)
	*target = e
	return ok
}

// An unclean path is answered where it arrives, never redirected: behind
// a proxy serving ventd under /ventd/, a redirect to /api/state would
// leave the proxy's prefix behind.
func TestGuardUncleanPathsAreNotRedirected(t *testing.T) {
	h := Guard(Handler(func() *snapshot.Snapshot { return nil }, time.Now, prometheus.NewRegistry(), nil),
		GuardOptions{Hostname: "x"})
	for target, clean := range map[string]string{
		"http://localhost//api/state":       "/api/state",
		"http://localhost/api//state":       "/api/state",
		"http://localhost/api/./state":      "/api/state",
		"http://localhost/x/../metrics":     "/metrics",
		"http://localhost//":                "/",
		"http://localhost/static//page.js/": "/static/page.js/",
	} {
		for _, method := range []string{"GET", "POST"} {
			req := httptest.NewRequest(method, target, nil)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusNotFound || rec.Header().Get("Location") != "" {
				t.Errorf("%s %s: %d, Location %q; want 404 and no redirect", method, target, rec.Code, rec.Header().Get("Location"))
			}
			if !strings.Contains(rec.Body.String(), "named as "+clean+".") {
				t.Errorf("%s %s: %s; want the clean path %s named", method, target, rec.Body, clean)
			}
		}
	}
	req := httptest.NewRequest("GET", "http://localhost/metrics", nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Errorf("GET /metrics: %d", rec.Code)
	}
}
