package httpapi

import (
	"fmt"
	"mime"
	"net/http"
	"strings"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/export"
	"github.com/ventd/ventd/journal"
)

// ExportHandler serves GET /api/export?from=YYYY-MM-DD&to=YYYY-MM-DD&format=csv|json,
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
}

const exportExample = "e.g. /api/export?from=2026-03-01&to=2026-03-31&format=csv"

func (x *Exporter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q, ok := query(w, r, "use from=YYYY-MM-DD, to=YYYY-MM-DD and format=csv|json, all optional", exportExample, "from", "to", "format")
	if !ok {
		return
	}
	format := q.Get("format")
	if format == "" {
		format = "csv"
	}
	if err := export.CheckFormat(format); err != nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("%v (%s)", err, exportExample))
		return
	}
	loc := x.Location
	if loc == nil {
		loc = time.Local
	}
	from, to, err := export.ParseWindow(q.Get("from"), q.Get("to"), loc)
	if err != nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("%v (%s; without from and to, the whole journal)", err, exportExample))
		return
	}
	j, ok := openJournal(w, x.Open)
	if !ok {
		return
	}
	defer j.Close()
	site, _, _ := j.Meta("site")
	room, _, _ := j.Meta("room")
	window := "all"
	if f, t := q.Get("from"), q.Get("to"); f != "" || t != "" {
		window = cmpOr(f, "start") + "_" + cmpOr(t, "end")
	}
	name := "ventd-" + slug(site) + "-" + slug(room) + "-" + window + "." + format
	ctype := "text/csv; charset=utf-8"
	if format == "json" {
		ctype = "application/json"
	}
	lw := &lazyWriter{w: w, start: func() {
		h := w.Header()
		h.Set("Content-Type", ctype)
		h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
		w.WriteHeader(http.StatusOK)
	}}
	opts := export.Options{From: from, To: to, Format: format, Location: loc, Now: x.Now(), Config: x.Config}
	if err := export.Write(lw, j, opts); err != nil && !lw.started {
		writeError(w, http.StatusInternalServerError, "export failed: "+err.Error())
	}
	// A failure after the first byte cannot change the status any more:
	// the CSV then ends with "# error: export incomplete", the JSON does
	// not parse.
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
