package httpapi

import (
	"net/http"
	"time"
)

// The server has no WriteTimeout: it would cut the status page's event
// stream (/api/events), which lives as long as the page is open. Each
// handler sets its own write deadline instead, through
// http.ResponseController; a long-lived one extends its deadline as it
// makes progress. Deadlines are on the wall clock, not the daemon's
// (possibly simulated) clock: they bound real sockets.

// replyTimeout bounds writing one short reply (/api/state, /metrics): a
// client that does not read it in that time is cut off.
const replyTimeout = 10 * time.Second

// withWriteDeadline gives h's whole reply d to be written.
func withWriteDeadline(h http.Handler, d time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// An error means the writer cannot have deadlines (a test
		// recorder): nothing to bound.
		_ = http.NewResponseController(w).SetWriteDeadline(time.Now().Add(d))
		h.ServeHTTP(w, r)
	})
}

// progressWriter moves the write deadline before each write to stall from
// now, but never past end: a long download goes on while the client reads
// it, and one that stops reading (or reads a byte at a time) is cut off
// and gives back what it holds.
type progressWriter struct {
	w     http.ResponseWriter
	rc    *http.ResponseController
	stall time.Duration
	end   time.Time
}

func (p *progressWriter) Header() http.Header { return p.w.Header() }

func (p *progressWriter) WriteHeader(code int) { p.w.WriteHeader(code) }

func (p *progressWriter) Write(b []byte) (int, error) {
	d := time.Now().Add(p.stall)
	if d.After(p.end) {
		d = p.end
	}
	_ = p.rc.SetWriteDeadline(d) // see withWriteDeadline
	return p.w.Write(b)
}
