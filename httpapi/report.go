package httpapi

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/ventd/ventd/export"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/report/spec"
)

// DefaultReportDays is the longest window GET /api/report makes: a month
// takes the Pi some seconds and some tens of MB; longer reports are for
// ventctl report, on any machine with a copy of the journal.
const DefaultReportDays = 31

// Reporter serves GET /api/report?from=YYYY-MM-DD&to=YYYY-MM-DD&shift=HH:MM&format=pdf|html,
// the auditor's report (package report, made by Make). Without from and to it reports
// today's shifts; with one of them, that day's. What a request can make
// the Pi do is bounded: at most MaxDays days, one report at a time (a
// second request meanwhile gets 503 and Retry-After), a PDF built in
// memory (about 4 MB for a month) before it is sent, an HTML page
// streamed as it is made.
type Reporter struct {
	// Open returns a reader of the journal for one request, for the
	// download's name; it is closed after it (journal.OpenReadOnly).
	Open func() (*journal.Journal, error)
	// Make writes the report req asks for to w. ventd runs ventctl
	// report for it, in a process of its own: the PDF and plotting
	// libraries, their fonts and a month's figures stay out of the
	// process that drives the fans.
	Make     func(ctx context.Context, w io.Writer, req ReportRequest) error
	Location *time.Location // the shift time zone the dates are in (nil: Local)
	Now      func() time.Time
	MaxDays  int        // default DefaultReportDays
	busy     sync.Mutex // held while a report is made
}

// ReportRequest is a checked GET /api/report: whole days in the shift
// time zone, a format of spec.Formats, a shift filter spec.CheckShift
// takes.
type ReportRequest struct {
	FromDay, ToDay string // YYYY-MM-DD, both included
	From, To       time.Time
	Shift, Format  string
	Location       *time.Location
	Now            time.Time
}

// Route is one more endpoint for Handler.
type Route struct {
	Pattern string
	Handler http.Handler
}

const reportExample = "e.g. /api/report?from=2026-03-01&to=2026-03-07&format=pdf"

func (x *Reporter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !onlyGet(w, r) {
		return
	}
	q, err := strictQuery(r.URL.RawQuery, "from=YYYY-MM-DD&to=YYYY-MM-DD&format=pdf",
		"use from=YYYY-MM-DD, to=YYYY-MM-DD, shift=HH:MM and format=pdf|html, all optional", "from", "to", "shift", "format")
	if err != nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("%v (%s)", err, reportExample))
		return
	}
	format := cmpOr(q.Get("format"), "pdf")
	if err := spec.CheckFormat(format); err != nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("%v (%s)", err, reportExample))
		return
	}
	if err := spec.CheckShift(q.Get("shift")); err != nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("%v (%s)", err, reportExample))
		return
	}
	loc := x.Location
	if loc == nil {
		loc = time.Local
	}
	now := x.Now()
	fromDay, toDay := q.Get("from"), q.Get("to")
	if fromDay == "" && toDay == "" {
		fromDay = now.In(loc).Format(export.DateLayout)
	}
	fromDay, toDay = cmpOr(fromDay, toDay), cmpOr(toDay, fromDay)
	from, to, err := export.ParseWindow(fromDay, toDay, loc)
	if err != nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("%v (%s)", err, reportExample))
		return
	}
	maxDays := x.MaxDays
	if maxDays <= 0 {
		maxDays = DefaultReportDays
	}
	if days := int(to.Sub(from).Round(24*time.Hour) / (24 * time.Hour)); days > maxDays {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("%s to %s is %d days: this endpoint makes at most %d; ask for fewer days, or run ventctl report on a copy of the journal for a longer one",
			fromDay, toDay, days, maxDays))
		return
	}
	if !x.busy.TryLock() {
		w.Header().Set("Retry-After", "10")
		writeError(w, http.StatusServiceUnavailable, "another report is being made (one at a time, so that the Pi keeps its CPU for the room): try again in a few seconds")
		return
	}
	defer x.busy.Unlock()
	j, ok := openJournal(w, x.Open)
	if !ok {
		return
	}
	name := "ventd-report-" + roomSlug(j) + "-" + fromDay
	j.Close()
	if toDay != fromDay {
		name += "_" + toDay
	}
	req := ReportRequest{FromDay: fromDay, ToDay: toDay, From: from, To: to, Shift: q.Get("shift"), Format: format, Location: loc, Now: now}
	build := func(w io.Writer) error { return x.Make(r.Context(), w, req) }
	if format == "html" {
		sendSpooled(w, r, func(h http.Header) {
			h.Set("Content-Type", "text/html; charset=utf-8")
			h.Set("Cache-Control", "no-store")
			h.Set("X-Content-Type-Options", "nosniff")
			h.Set("Content-Security-Policy", reportCSP)
		}, build, func(w http.ResponseWriter, err error) {
			writeError(w, http.StatusInternalServerError, "report failed: "+err.Error())
		})
		return
	}
	var buf bytes.Buffer
	if err := build(&buf); err != nil {
		writeError(w, http.StatusInternalServerError, "report failed: "+err.Error())
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": name + ".pdf"}))
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		buf.WriteTo(deadlines(w))
	}
}

// reportCSP lets the HTML report show its inline styles and plots and
// nothing else: it is served from the page's origin, so a name or note in
// it that got past the template's escaping could not run a script there.
const reportCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; frame-ancestors 'self'"
