package httpapi

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/export"
	"github.com/ventd/ventd/journal"
)

// ExportHandler serves GET /api/export?from=YYYY-MM-DD&to=YYYY-MM-DD&format=csv|json|openmetrics,
// the auditor's export (see package export) as a download. open is called
// once a request and the journal it returns is closed after it:
// journal.OpenReadOnly on the daemon's journal.db is the one to pass, so
// an export never writes the file and never waits on the daemon's writer.
// loc is the shift time zone the dates are in (nil: Local); now is the
// daemon's clock.
func ExportHandler(open func() (*journal.Journal, error), loc *time.Location, now func() time.Time) http.Handler {
	return &Exporter{Open: open, Location: loc, Now: now}
}

// Exporter is ExportHandler's handler; set Config to rebuild shifts from
// minutes on the site's schedule and limits (see export.Options.Config).
type Exporter struct {
	Open     func() (*journal.Journal, error)
	Location *time.Location
	Now      func() time.Time
	Config   *config.Config
	// omBusy lets one OpenMetrics export run at a time: each holds up to
	// export.MaxOpenMetricsSamples values in memory.
	omBusy atomic.Bool
	// MaxConcurrent exports run at once; more are refused with 503 and
	// Retry-After. Default DefaultMaxExports.
	MaxConcurrent int

	once  sync.Once
	slots chan struct{}
}

// Bounds on exports. Each export holds a journal connection with its own
// SQLite page cache and sort memory (a few MiB): 200 at once took ventd to
// 1.3 GiB, more than a Pi Zero has. Two at a time serve an auditor or
// two; the write deadlines keep a client that stops reading from holding
// a slot.
const (
	DefaultMaxExports = 2
	// exportStall is how long a client may take to accept the next part of
	// an export, exportMax how long a whole export may take.
	exportStall = 30 * time.Second
	exportMax   = 15 * time.Minute
	retryAfter  = 10 // seconds
)

const exportExample = "e.g. /api/export?from=2026-03-01&to=2026-03-31&format=csv"

// exportQuery is a parsed /api/export query.
type exportQuery struct {
	from, to       time.Time
	fromDay, toDay string // as written, for the file name
	format         string
}

// parseExportQuery parses the raw query of /api/export: from and to
// (YYYY-MM-DD, both included, either optional) and format (csv, json or
// openmetrics), each at most once.
func parseExportQuery(raw string, loc *time.Location) (exportQuery, error) {
	q, err := strictQuery(raw, "from=YYYY-MM-DD&to=YYYY-MM-DD&format=csv",
		"use from=YYYY-MM-DD, to=YYYY-MM-DD and format=csv|json|openmetrics, all optional", "from", "to", "format")
	if err != nil {
		return exportQuery{}, err
	}
	eq := exportQuery{fromDay: q.Get("from"), toDay: q.Get("to"), format: q.Get("format")}
	if eq.format == "" {
		eq.format = "csv"
	}
	if err := export.CheckFormat(eq.format); err != nil {
		return exportQuery{}, err
	}
	if eq.from, eq.to, err = export.ParseWindow(eq.fromDay, eq.toDay, loc); err != nil {
		return exportQuery{}, fmt.Errorf("%v; without from and to, the whole journal", err)
	}
	return eq, nil
}

// strictQuery parses a raw query whose parameters must be among known,
// each at most once and not empty. Anything else, a malformed pair
// included, is an error (like says how to write it, use which parameters
// there are): a query Go would half-parse must not fall back to the whole
// journal. Nor must an empty one: a script that builds from=$START with
// $START unset sends from=, and left out means "all" (the whole journal,
// today's report), which it cannot tell from what it asked for.
func strictQuery(raw, like, use string, known ...string) (url.Values, error) {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return nil, fmt.Errorf("malformed query %q (%v): write it like %s", clip(raw), unwrapURL(err), like)
	}
	// In order, so that a query with two mistakes is told the same one
	// each time.
	for _, k := range slices.Sorted(maps.Keys(q)) {
		v := q[k]
		switch {
		case !slices.Contains(known, k):
			return nil, fmt.Errorf("unknown parameter %q: %s", clip(k), use)
		case len(v) > 1:
			return nil, fmt.Errorf("parameter %q given %d times: give it once", k, len(v))
		case v[0] == "":
			return nil, fmt.Errorf("parameter %q is empty: give it a value, or leave the parameter out; %s", k, use)
		}
	}
	return q, nil
}

// onlyGet answers a request that is not a GET or HEAD with 405.
func onlyGet(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s %s: only GET (or HEAD) is allowed here", r.Method, r.URL.Path))
		return false
	}
	return true
}

// openJournal opens a reader of the journal for one request, answering
// it with an error itself when there is none.
func openJournal(w http.ResponseWriter, open func() (*journal.Journal, error)) (*journal.Journal, bool) {
	j, err := open()
	switch {
	case errors.Is(err, fs.ErrNotExist):
		writeError(w, http.StatusServiceUnavailable, fmt.Sprintf("no exposure journal: %v; ventd keeps one in its state directory (state_dir)", err))
		return nil, false
	case err != nil:
		writeError(w, http.StatusInternalServerError, fmt.Sprintf("cannot open the exposure journal: %v", err))
		return nil, false
	}
	return j, true
}

// unwrapURL drops url's "invalid URL escape" wrapping down to its point.
func unwrapURL(err error) error {
	var ee url.EscapeError
	if errors.As(err, &ee) {
		return fmt.Errorf("invalid %%-escape %q", string(ee))
	}
	return err
}

func (x *Exporter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !onlyGet(w, r) {
		return
	}
	loc := x.Location
	if loc == nil {
		loc = time.Local
	}
	q, err := parseExportQuery(r.URL.RawQuery, loc)
	if err != nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("%v (%s)", err, exportExample))
		return
	}
	if r.Method == http.MethodHead {
		// Headers only: a monitor's curl -I would otherwise have the
		// whole export made and thrown away, holding a slot meanwhile.
		// No Content-Length: the size is known only once it is made.
		j, ok := openJournal(w, x.Open)
		if !ok {
			return
		}
		exportHeaders(w.Header(), q, roomSlug(j))
		j.Close()
		w.WriteHeader(http.StatusOK)
		return
	}
	x.once.Do(func() {
		n := x.MaxConcurrent
		if n <= 0 {
			n = DefaultMaxExports
		}
		x.slots = make(chan struct{}, n)
	})
	select {
	case x.slots <- struct{}{}:
		defer func() { <-x.slots }()
	default:
		w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
		writeError(w, http.StatusServiceUnavailable, fmt.Sprintf("ventd serves %d export(s) at a time and all are running: retry in %d s", cap(x.slots), retryAfter))
		return
	}
	if q.format == "openmetrics" {
		if !x.omBusy.CompareAndSwap(false, true) {
			w.Header().Set("Retry-After", "10")
			writeError(w, http.StatusServiceUnavailable, "another openmetrics export is running; retry when it is done")
			return
		}
		defer x.omBusy.Store(false)
	}
	j, ok := openJournal(w, x.Open)
	if !ok {
		return
	}
	defer j.Close()
	room := roomSlug(j)
	opts := export.Options{From: q.from, To: q.to, Format: q.format, Location: loc, Now: x.Now(), Config: x.Config}
	sendSpooled(w, r, func(h http.Header) { exportHeaders(h, q, room) },
		func(out io.Writer) error { return export.Write(out, j, opts) }, exportFailed)
}

// exportHeaders sets an export's headers; room is roomSlug's.
func exportHeaders(h http.Header, q exportQuery, room string) {
	window := "all"
	if q.fromDay != "" || q.toDay != "" {
		window = cmpOr(q.fromDay, "start") + "_" + cmpOr(q.toDay, "end")
	}
	name := "ventd-" + room + "-" + window + "." + q.format
	ctype := map[string]string{"csv": "text/csv; charset=utf-8", "json": "application/json",
		"openmetrics": "application/openmetrics-text; version=1.0.0; charset=utf-8"}[q.format]
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
}

// exportFailed answers an export that could not be made. One over the
// OpenMetrics bound is the window the client asked for, not a fault of
// ventd's: 422, saying in this API's parameters how many days to ask for
// (a backfill script that retries a 500 would ask again for ever).
func exportFailed(w http.ResponseWriter, err error) {
	var tl *export.TooLargeError
	if !errors.As(err, &tl) {
		writeError(w, http.StatusInternalServerError, "export failed: "+err.Error())
		return
	}
	msg := fmt.Sprintf("%s to %s (widened to whole shifts) in openmetrics is about %d samples, more than the %d ventd holds at once: ",
		tl.From.Format(time.RFC3339), tl.To.Format(time.RFC3339), tl.Samples, tl.Max)
	if tl.Days == 0 {
		msg += "not even one day fits; ask for format=csv or format=json, which have no such bound"
	} else {
		msg += fmt.Sprintf("ask for at most %d days at a time, both included (e.g. from=%s&to=%s&format=openmetrics), or for format=csv or format=json, which have no such bound",
			tl.Days, tl.FirstDay, tl.LastDay())
	}
	writeError(w, http.StatusUnprocessableEntity, msg)
}

// lazyWriter sends the download's headers with the first byte, so an
// error before any output can still be a JSON error with its status.
type lazyWriter struct {
	w       http.ResponseWriter
	start   func()
	started bool
}

func (l *lazyWriter) Write(p []byte) (int, error) {
	if !l.started {
		l.started = true
		l.start()
	}
	return l.w.Write(p)
}

func cmpOr(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// roomSlug names the journal's site and room for a download's file name.
func roomSlug(j *journal.Journal) string {
	site, _, _ := j.Meta("site")
	room, _, _ := j.Meta("room")
	return slug(site) + "-" + slug(room)
}

// slug keeps a name to letters, digits, '.', '_' and '-' for a file name.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range s {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-'
		if ok {
			b.WriteRune(r)
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
		}
		dash = !ok
	}
	out := strings.Trim(b.String(), "-.")
	if out == "" {
		return "unnamed"
	}
	return out
}
