package httpapi

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ventd/ventd/export"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/lograte"
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
	// An error it returns is sent to the client only as a *MakeError's
	// Client text; the rest goes to Log.
	Make     func(ctx context.Context, w io.Writer, req ReportRequest) error
	Location *time.Location // the shift time zone the dates are in (nil: Local)
	Now      func() time.Time
	MaxDays  int          // default DefaultReportDays
	Log      *slog.Logger // where a failed report's reason goes (nil: slog.Default())
	busy     sync.Mutex   // held while a report is made
	warns    lograte.Limiter
}

// MakeError is an error of Reporter.Make that says what the client may be
// told. Client goes in the reply; Err, which may quote files, paths, the
// configuration or a program's whole output, goes only to the log (nil:
// nothing more to log).
type MakeError struct {
	Client string
	Err    error
	// Status is the reply's HTTP status; 0 is 500. A mistake in the
	// request found only while the report is made (a shift start no
	// shift of the window has) is a 400.
	Status int
}

func (e *MakeError) Error() string {
	if e.Err == nil {
		return e.Client
	}
	return e.Client + ": " + e.Err.Error()
}

func (e *MakeError) Unwrap() error { return e.Err }

// maxLoggedError bounds what a failed report puts in the log: a program's
// panic is a page of goroutines.
const maxLoggedError = 4 << 10

// failed answers a report that could not be made with a short message
// saying what to do, and logs why, bounded, at most once a minute (with
// how many were not logged since): a client asking again and again for a
// report that fails cannot flood the log. The reason is not sent: it may
// quote the configuration file, paths or a program's output, and the
// endpoint answers anyone who can reach the port.
func (x *Reporter) failed(w http.ResponseWriter, err error) {
	client := "the report could not be made; the reason is in ventd's log (journalctl -u ventd): fix what it says and ask again, or make the report with ventctl report on this machine"
	code := http.StatusInternalServerError
	var me *MakeError
	if errors.As(err, &me) {
		client = "the report could not be made: " + me.Client
		err = me.Err
		if me.Status != 0 {
			code = me.Status
		}
	}
	// A client that went away cancelled its own report: nothing to log.
	if err != nil && !errors.Is(err, context.Canceled) {
		if skipped, ok := x.warns.Allow("report failed", time.Now()); ok {
			log := x.Log
			if log == nil {
				log = slog.Default()
			}
			msg := err.Error()
			if len(msg) > maxLoggedError {
				msg = strings.ToValidUTF8(msg[:maxLoggedError], "") + fmt.Sprintf("… (%d bytes more)", len(msg)-maxLoggedError)
			}
			log.Error("GET /api/report: the report could not be made", "err", msg, "not_logged_since_last", skipped)
		}
	}
	writeError(w, code, client)
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
	head := r.Method == http.MethodHead
	// HEAD gets the headers only, without the report's slot: a monitor's
	// curl -I had a month's report made (seconds of the Pi's CPU) and
	// thrown away, and turned away a real request meanwhile.
	if !head {
		if !x.busy.TryLock() {
			w.Header().Set("Retry-After", "10")
			writeError(w, http.StatusServiceUnavailable, "another report is being made (one at a time, so that the Pi keeps its CPU for the room): try again in a few seconds")
			return
		}
		defer x.busy.Unlock()
	}
	j, ok := openJournal(w, x.Open)
	if !ok {
		return
	}
	name := "ventd-report-" + roomSlug(j) + "-" + fromDay
	j.Close()
	if toDay != fromDay {
		name += "_" + toDay
	}
	headers := func(h http.Header) {
		if format == "html" {
			h.Set("Content-Type", "text/html; charset=utf-8")
			h.Set("Content-Security-Policy", reportCSP)
		} else {
			h.Set("Content-Type", "application/pdf")
			h.Set("Content-Disposition", mime.FormatMediaType("inline", map[string]string{"filename": name + ".pdf"}))
		}
		h.Set("Cache-Control", "no-store")
		h.Set("X-Content-Type-Options", "nosniff")
	}
	if head {
		headers(w.Header()) // no Content-Length: the size is known once it is made
		w.WriteHeader(http.StatusOK)
		return
	}
	req := ReportRequest{FromDay: fromDay, ToDay: toDay, From: from, To: to, Shift: q.Get("shift"), Format: format, Location: loc, Now: now}
	build := func(w io.Writer) error { return x.Make(r.Context(), w, req) }
	if format == "html" {
		sendSpooled(w, r, headers, build, x.failed)
		return
	}
	var buf bytes.Buffer
	if err := build(&buf); err != nil {
		x.failed(w, err)
		return
	}
	headers(w.Header())
	w.Header().Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(http.StatusOK)
	buf.WriteTo(deadlines(w))
}

// reportCSP lets the HTML report show its inline styles and plots and
// nothing else: it is served from the page's origin, so a name or note in
// it that got past the template's escaping could not run a script there.
const reportCSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; font-src data:; frame-ancestors 'self'"
