package statuspage

import (
	"bufio"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/snapshot"
	"github.com/ventd/ventd/testbench"
)

// streamPage is a page whose stream a test feeds records by hand.
func streamPage(t *testing.T, maxClients int) (*Page, *httptest.Server) {
	p, srv, _ := streamPageLog(t, maxClients)
	return p, srv
}

// streamPageLog is streamPage with its log.
func streamPageLog(t *testing.T, maxClients int) (*Page, *httptest.Server, *testbench.LogBuffer) {
	t.Helper()
	cfg := config.Sim()
	cfg.Page.MaxClients = maxClients
	logs := &testbench.LogBuffer{}
	p := &Page{cfg: cfg, now: time.Now, log: slog.New(slog.NewTextHandler(logs, nil)), stream: newStream(maxClients), trend: newTrend()}
	mux := http.NewServeMux()
	mux.Handle("/api/events", p.get(p.serveEvents))
	srv := httptest.NewServer(mux)
	t.Cleanup(func() { p.Close(); srv.Close() })
	return p, srv, logs
}

// bulky is a record whose state is about size bytes of JSON.
func bulky(n uint64, size int) *record.Period {
	return &record.Period{Number: n, Time: simStart.Add(time.Duration(n) * time.Second), Site: "s", Room: "r",
		Scenario: []string{strings.Repeat("x", size)}}
}

// events reads server-sent events from body and sends each state's time.
func events(body *bufio.Reader, out chan<- time.Time) {
	defer close(out)
	var name string
	for {
		line, err := body.ReadString('\n')
		if err != nil {
			return
		}
		line = strings.TrimRight(line, "\n")
		switch {
		case strings.HasPrefix(line, "event: "):
			name = line[len("event: "):]
		case strings.HasPrefix(line, "data: ") && name == "state":
			var s snapshot.Snapshot
			if json.Unmarshal([]byte(line[len("data: "):]), &s) == nil {
				out <- s.Time
			}
		}
	}
}

func TestStuckClientIsDroppedAndNeverHoldsUpAnother(t *testing.T) {
	defer func(d time.Duration) { writeTimeout = d }(writeTimeout)
	writeTimeout = 300 * time.Millisecond
	p, srv := streamPage(t, 10)

	// A client that sends its request and then never reads: its socket
	// fills and the server's writes to it stall.
	stuck, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer stuck.Close()
	stuck.(*net.TCPConn).SetReadBuffer(4096)
	fmt.Fprintf(stuck, "GET /api/events HTTP/1.1\r\nHost: %s\r\n\r\n", srv.Listener.Addr())

	resp, err := http.Get(srv.URL + "/api/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Fatalf("Content-Type %q", ct)
	}
	got := make(chan time.Time, 1024)
	go events(bufio.NewReader(resp.Body), got)
	waitFor(t, "both clients connected", func() bool { return p.Clients() == 2 })

	// Publish until the stuck client's socket and the kernel's buffers
	// are full and its write deadline drops it. publish never waits on a
	// client, so this loop runs whatever the clients do.
	var n uint64
	end := time.Now().Add(60 * time.Second)
	for p.Clients() == 2 && time.Now().Before(end) {
		n++
		p.stream.publish(bulky(n, 64<<10))
		time.Sleep(time.Millisecond)
	}
	if p.Clients() != 1 {
		t.Fatalf("after %d states the stuck client is still connected", n)
	}
	// Meanwhile the client that reads kept up, skipping to the newest.
	last := simStart.Add(time.Duration(n) * time.Second)
	seen := 0
	for ts := range got {
		seen++
		if ts.Equal(last) {
			break
		}
	}
	t.Logf("the stuck client was dropped after %d states; the reading client saw %d of them, the newest last", n, seen)
	p.stream.publish(bulky(n+1, 10))
	if ts := <-got; !ts.Equal(last.Add(time.Second)) {
		t.Errorf("after the drop the reader got %v, want the next state", ts)
	}
}

func TestStreamRefusesPastMaxClientsAndEndsOnClose(t *testing.T) {
	p, srv := streamPage(t, 2)
	p.stream.publish(bulky(1, 10))
	var bodies []*http.Response
	for range 2 {
		resp, err := http.Get(srv.URL + "/api/events")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		bodies = append(bodies, resp)
	}
	waitFor(t, "two clients", func() bool { return p.Clients() == 2 })
	resp, err := http.Get(srv.URL + "/api/events")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Errorf("a third client got %s, want 503 with Retry-After (the page polls instead)", resp.Status)
	}
	// Each connected client has the current state at once.
	for _, r := range bodies {
		got := make(chan time.Time, 8)
		go events(bufio.NewReader(r.Body), got)
		if ts := <-got; !ts.Equal(simStart.Add(time.Second)) {
			t.Errorf("first state at %v", ts)
		}
		p.Close() // ventd stopping: every stream ends, so Shutdown need not wait
		for range got {
		}
	}
	if p.Clients() != 0 {
		t.Errorf("%d clients after Close", p.Clients())
	}
}

// openStream starts a live stream from the local address from (127.0.0.N
// on Linux's loopback), and returns its answer.
func openStream(t *testing.T, srv *httptest.Server, from string) *http.Response {
	t.Helper()
	c := &http.Client{Transport: &http.Transport{
		DialContext:       (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}).DialContext,
		DisableKeepAlives: true,
	}}
	resp, err := c.Get(srv.URL + "/api/events")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// One client cannot take every live slot: past streamsPerClient its
// streams are refused at once with 503 and Retry-After (the page polls
// instead), other addresses still get theirs, and a manager sees the
// refusals in the log, once a minute per address.
func TestStreamsPerClientAddress(t *testing.T) {
	p, srv, logs := streamPageLog(t, 100)
	p.stream.publish(bulky(1, 10))
	for i := range streamsPerClient {
		if resp := openStream(t, srv, "127.0.0.2"); resp.StatusCode != http.StatusOK {
			t.Fatalf("stream %d from 127.0.0.2: %s", i+1, resp.Status)
		}
	}
	waitFor(t, "the first client's streams", func() bool { return p.Clients() == streamsPerClient })
	for range 20 {
		start := time.Now()
		resp := openStream(t, srv, "127.0.0.2")
		if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("one stream too many from 127.0.0.2: %s, Retry-After %q; want 503 with Retry-After", resp.Status, resp.Header.Get("Retry-After"))
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("refused after %s, want at once", d)
		}
	}
	if resp := openStream(t, srv, "127.0.0.3"); resp.StatusCode != http.StatusOK {
		t.Errorf("another address: %s, want its stream", resp.Status)
	}
	waitFor(t, "the other client's stream", func() bool { return p.Clients() == streamsPerClient+1 })
	if n := strings.Count(logs.String(), "live updates refused"); n != 1 ||
		!strings.Contains(logs.String(), "from=127.0.0.2 reason=\"this address already has 4 pages connected for live updates\"") {
		t.Errorf("%d warnings, want 1 naming 127.0.0.2:\n%s", n, logs.String())
	}
	// A closed stream frees its address's slot.
	p.stream.mu.Lock()
	for c := range p.stream.clients {
		if c.host == "127.0.0.2" {
			close(c.done)
			break
		}
	}
	p.stream.mu.Unlock()
	waitFor(t, "a stream to end", func() bool { return p.Clients() == streamsPerClient })
	if resp := openStream(t, srv, "127.0.0.2"); resp.StatusCode != http.StatusOK {
		t.Errorf("after one of its streams ended, 127.0.0.2 got %s", resp.Status)
	}
}

// Whatever page.max_clients says, live pages leave connections for the
// polling pages, Prometheus and the API.
func TestStreamSlotsBelowTheConnectionCap(t *testing.T) {
	if s := newStream(2000); s.max != config.MaxLiveClients || s.per != streamsPerClient {
		t.Errorf("max_clients 2000: %d live, %d per address; want %d, %d", s.max, s.per, config.MaxLiveClients, streamsPerClient)
	}
	if s := newStream(2); s.max != 2 || s.per != 2 {
		t.Errorf("max_clients 2: %d live, %d per address", s.max, s.per)
	}
	if s := newStream(config.DefaultPage().MaxClients); s.max != config.DefaultPage().MaxClients {
		t.Errorf("the default: %d live", s.max)
	}
}

func TestTrendKeepsTheLastHourOfMinutes(t *testing.T) {
	tr := newTrend()
	var ms []record.Minute
	for i := range 90 {
		start := simStart.Add(time.Duration(i) * time.Minute)
		ms = append(ms, record.Minute{Start: start, Zone: "staff", Quantity: sample.PM25, Mean: float64(i), Max: float64(i) + 0.5, Count: 60, CoveredSeconds: 60},
			record.Minute{Start: start, Zone: "staff", Quantity: sample.CO2, Mean: 400 + float64(i), Max: 401, Count: 12, CoveredSeconds: 60})
	}
	tr.add(ms[:100])
	tr.add(ms[100:])
	tr.add(ms[len(ms)-2:]) // the last minute again (a restart): no duplicate
	var got struct{ Series []series }
	if err := json.Unmarshal(tr.json(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Series) != 2 {
		t.Fatalf("%d series", len(got.Series))
	}
	pm := got.Series[0]
	if pm.Quantity != sample.PM25 || pm.Unit != "µg/m³" || len(pm.Points) != 60 {
		t.Fatalf("PM2.5 series: %s %s, %d points; want 60 (one hour)", pm.Quantity, pm.Unit, len(pm.Points))
	}
	if first, last := pm.Points[0], pm.Points[59]; first.Mean != 30 || last.Mean != 89 || !last.T.Equal(simStart.Add(89*time.Minute)) {
		t.Errorf("points from %+v to %+v", first, last)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	end := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(end) {
			t.Fatalf("waited 20 s for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
