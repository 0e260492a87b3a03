// Package httpapi serves the daemon's HTTP endpoints: GET /api/state (the
// room snapshot as JSON), GET /metrics (Prometheus), GET /api/export
// (the auditor's export from the journal) and GET /api/report (the
// auditor's report, PDF or HTML). Handlers only read
// the latest published snapshot; nothing here can delay the control loop.
//
// Guard goes around the whole handler (Host check against DNS rebinding,
// bounded request bodies). Each handler sets its own write deadline
// (deadline.go); the export also limits how many run at once.
package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ventd/ventd/snapshot"
)

// Source returns the latest snapshot, nil before the first.
type Source func() *snapshot.Snapshot

// Handler returns the daemon's HTTP handler. now is the daemon's clock, so
// reading ages are in the same (possibly simulated) time as the readings.
// export serves GET /api/export (see ExportHandler); nil leaves it out.
// extra are more endpoints (GET /api/report: a Reporter).
func Handler(src Source, now func() time.Time, gatherer prometheus.Gatherer, export http.Handler, extra ...Route) http.Handler {
	mux := http.NewServeMux()
	if export != nil {
		mux.Handle("/api/export", export)
	}
	for _, r := range extra {
		mux.Handle(r.Pattern, r.Handler)
	}
	mux.Handle("GET /api/state", withWriteDeadline(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := src()
		if s == nil {
			w.Header().Set("Retry-After", "2")
			writeError(w, http.StatusServiceUnavailable, "ventd is starting: no measurement yet; retry in a few seconds")
			return
		}
		writeJSON(w, http.StatusOK, withAges(s, now()))
	}), replyTimeout))
	mux.Handle("GET /metrics", withWriteDeadline(promhttp.HandlerFor(gatherer, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError}), replyTimeout))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		// The mux matched the path as sent, escapes and all: /api%2fstate
		// is not /api/state to it, so it is not to this answer either.
		// The decoded r.URL.Path would name an endpoint the request did
		// not reach, and tell a GET that only GET is allowed.
		path := r.URL.EscapedPath()
		switch {
		case (path == "/api/state" || path == "/metrics") && r.Method != http.MethodGet && r.Method != http.MethodHead:
			w.Header().Set("Allow", "GET, HEAD")
			writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s %s: only GET (or HEAD) is allowed here", r.Method, path))
		default:
			writeError(w, http.StatusNotFound, fmt.Sprintf("%s: no such endpoint (try / for the status page, GET /api/state, GET /metrics, GET /api/export or GET /api/report; a %%2F in a path is not a /)", clip(path)))
		}
	})
	return mux
}

// withAges returns a copy of s with reading ages measured at now rather
// than when the snapshot was built, so a reader sees how old data really is
// even if the loop has stalled.
func withAges(s *snapshot.Snapshot, now time.Time) *snapshot.Snapshot {
	c := *s
	c.Readings = make([]snapshot.Reading, len(s.Readings))
	for i, r := range s.Readings {
		if now.After(r.Time) {
			r.AgeSeconds = now.Sub(r.Time).Seconds()
		}
		c.Readings[i] = r
	}
	return &c
}

// writeJSON sends v as indented JSON, for curl users as much as for
// programs: &, < and > as written (an error's example address is copied
// into a shell), and nosniff so that no browser takes the body for HTML.
func writeJSON(w http.ResponseWriter, code int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// A value JSON cannot carry (+Inf, NaN): a 200 with an empty
		// body would read as "nothing" rather than "ventd cannot say".
		code = http.StatusInternalServerError
		buf.Reset()
		enc.Encode(map[string]string{"error": fmt.Sprintf("the answer cannot be encoded as JSON (%v): a bug or an impossible reading; see the log (journalctl -u ventd) and /metrics", err)})
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(code)
	w.Write(buf.Bytes())
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, map[string]string{"error": msg})
}
