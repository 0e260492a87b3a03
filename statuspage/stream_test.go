package statuspage

import (
	"bufio"
	"encoding/json"
	"fmt"
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
)

// streamPage is a page whose stream a test feeds records by hand.
func streamPage(t *testing.T, maxClients int) (*Page, *httptest.Server) {
	t.Helper()
	cfg := config.Sim()
	cfg.Page.MaxClients = maxClients
	p := &Page{cfg: cfg, stream: newStream(maxClients), trend: newTrend()}
	mux := http.NewServeMux()
	mux.Handle("/api/events", p.get(p.serveEvents))
	srv := httptest.NewServer(mux)
	t.Cleanup(func() { p.Close(); srv.Close() })
	return p, srv
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
