package statuspage

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/lograte"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/snapshot"
)

// writeTimeout drops a client that has not taken one state in this long
// (a tablet asleep with its connection open, a dead Wi-Fi link). It is a
// deadline on a socket, so it runs on the wall clock whatever clock the
// daemon keeps; a variable so a test can shorten it.
var writeTimeout = 10 * time.Second

// Other network bounds of one live connection, also on the wall clock.
const (
	// keepAlive writes a comment while no state comes (the loop has
	// stalled), so dead connections are found and freed.
	keepAlive = 15 * time.Second
	// maxLifetime ends every connection after this long; the page
	// reconnects at once, so no connection outlives its welcome.
	maxLifetime = 30 * time.Minute
	// retryMillis is how soon the browser reconnects after losing the
	// stream.
	retryMillis = 2000
	// streamsPerClient bounds the live connections from one address: a
	// tablet needs one (two while it reloads), a desk browser a few tabs.
	// More are refused at once, and those pages poll instead, so one
	// client cannot take every live slot.
	streamsPerClient = 4
)

// The reasons a page is refused a live stream; it polls instead.
var (
	// errFull means every live slot is taken.
	errFull = errors.New("too many pages connected for live updates")
	// errClientFull means the client's address has streamsPerClient.
	errClientFull = fmt.Errorf("this address already has %d pages connected for live updates", streamsPerClient)
)

// stream fans the newest state out to every connected page. Each client
// holds at most one wake-up and a pointer to the newest frame, so a slow
// client skips to the newest state and costs no memory while it lags;
// publish never waits on a client.
type stream struct {
	max  int           // live connections in all
	per  int           // live connections from one address
	view snapshot.View // the latest snapshot, built once per record and only when asked

	state atomic.Pointer[frame] // "state": the /api/state JSON
	trend atomic.Pointer[frame] // "trend": the last hour of minute means
	info  atomic.Pointer[frame] // "info": GET /api/page again, after a config reload

	mu      sync.Mutex
	clients map[*client]struct{}
	from    map[string]int // live connections per address
	closed  bool

	warns lograte.Limiter // refusals logged
}

type client struct {
	host string        // the address it connected from
	wake chan struct{} // one token: a newer frame is waiting
	done chan struct{} // closed when the stream shuts down
}

// frame is one server-sent event, built on first use: with no page
// connected, a record costs nothing to encode.
type frame struct {
	once  sync.Once
	build func() []byte
	data  []byte
}

func (f *frame) bytes() []byte {
	f.once.Do(func() { f.data, f.build = f.build(), nil })
	return f.data
}

// newStream serves at most max live connections (and never more than
// config.MaxLiveClients, so live pages cannot take the connections that
// polling pages, Prometheus and the API need), streamsPerClient of them
// from one address.
func newStream(max int) *stream {
	max = min(max, config.MaxLiveClients)
	return &stream{max: max, per: min(max, streamsPerClient), clients: map[*client]struct{}{}, from: map[string]int{}}
}

func event(name string, v any) []byte {
	data, err := json.Marshal(v)
	if err != nil { // only plain types: a bug, shown on the page rather than hidden
		data, _ = json.Marshal(map[string]string{"error": err.Error()})
	}
	return sse(name, data)
}

// publish makes r the newest state and wakes every client.
func (s *stream) publish(r *record.Period) {
	s.view.Receive(r)
	s.state.Store(&frame{build: func() []byte { return event("state", s.view.Load()) }})
	s.wakeAll()
}

// setTrend makes t's current series the newest trend frame.
func (s *stream) setTrend(t *trend) {
	s.trend.Store(&frame{build: func() []byte { return sse("trend", t.json()) }})
}

// setInfo makes the page's description (thresholds, entry level) the
// newest info frame: a page connected before a config reload updates.
func (s *stream) setInfo(data []byte) {
	s.info.Store(&frame{build: func() []byte { return sse("info", data) }})
	s.wakeAll()
}

func sse(name string, data []byte) []byte {
	return append(append([]byte("event: "+name+"\ndata: "), data...), "\n\n"...)
}

func (s *stream) wakeAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for c := range s.clients {
		select {
		case c.wake <- struct{}{}:
		default: // already has a wake-up waiting: it will take the newest
		}
	}
}

// join adds a client from host (an IP address), unless the stream is
// closed or full, or host already has its share.
func (s *stream) join(host string) (*client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, errors.New("ventd is stopping")
	}
	if s.from[host] >= s.per {
		return nil, errClientFull
	}
	if len(s.clients) >= s.max {
		return nil, errFull
	}
	c := &client{host: host, wake: make(chan struct{}, 1), done: make(chan struct{})}
	s.clients[c] = struct{}{}
	s.from[host]++
	return c, nil
}

func (s *stream) leave(c *client) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.clients[c]; !ok {
		return
	}
	delete(s.clients, c)
	if s.from[c.host]--; s.from[c.host] <= 0 {
		delete(s.from, c.host)
	}
}

func (s *stream) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.clients)
}

func (s *stream) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.closed = true
	for c := range s.clients {
		close(c.done)
	}
}

// serveEvents streams the state to one page until it goes, the stream
// closes, or the connection's lifetime ends.
func (p *Page) serveEvents(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodHead {
		// A check that the stream is there (curl -I, a monitor): its
		// headers, and the connection back at once. Streaming into a
		// reply without a body would hold the connection, and a live
		// stream's place, until the client hung up.
		setStreamHeaders(w.Header())
		w.WriteHeader(http.StatusOK)
		return
	}
	s := p.stream
	host := clientHost(r.RemoteAddr)
	c, err := s.join(host)
	if err != nil {
		// The page's EventSource fails on any answer but 200 and the
		// page polls /api/state meanwhile, trying the stream again
		// every few seconds.
		if errors.Is(err, errClientFull) || errors.Is(err, errFull) {
			if skipped, ok := s.warns.Allow(host+" "+err.Error(), p.now()); ok {
				p.log.Warn("status page: live updates refused; the page polls instead", "from", host, "reason", err.Error(),
					"live", s.count(), "not_logged_since_last", skipped)
			}
		}
		w.Header().Set("Retry-After", "10")
		writeError(w, http.StatusServiceUnavailable, err.Error()+"; the page polls /api/state instead")
		return
	}
	defer s.leave(c)
	rc := http.NewResponseController(w)
	setStreamHeaders(w.Header())
	w.WriteHeader(http.StatusOK)

	var sentState, sentTrend *frame
	send := func(b []byte) bool {
		// A deadline per write also lifts any server-wide WriteTimeout
		// for this long-lived response. A writer that cannot take
		// deadlines still streams; it just cannot drop a stuck client.
		_ = rc.SetWriteDeadline(time.Now().Add(writeTimeout))
		if _, err := w.Write(b); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !send([]byte("retry: " + strconv.Itoa(retryMillis) + "\n\n")) {
		return
	}
	life := time.NewTimer(maxLifetime)
	defer life.Stop()
	idle := time.NewTimer(keepAlive)
	defer idle.Stop()
	sentInfo := s.info.Load() // a new page reads /api/page itself
	for {
		if f := s.info.Load(); f != nil && f != sentInfo {
			if !send(f.bytes()) {
				return
			}
			sentInfo = f
		}
		if f := s.trend.Load(); f != nil && f != sentTrend {
			if !send(f.bytes()) {
				return
			}
			sentTrend = f
		}
		if f := s.state.Load(); f != nil && f != sentState {
			if !send(f.bytes()) {
				return
			}
			sentState = f
			idle.Reset(keepAlive)
		}
		select {
		case <-c.wake:
		case <-idle.C:
			if !send([]byte(": still here\n\n")) {
				return
			}
			idle.Reset(keepAlive)
		case <-r.Context().Done():
			return
		case <-c.done:
			return
		case <-life.C:
			return
		}
	}
}

// setStreamHeaders sets the headers of the live stream's reply.
func setStreamHeaders(h http.Header) {
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // a reverse proxy must pass each event on at once
}
