package httpapi

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/export"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/report"
)

// DefaultReportDays is the longest window GET /api/report makes: a month
// takes the Pi some seconds and some tens of MB; longer reports are for
// ventctl report, on any machine with a copy of the journal.
const DefaultReportDays = 31

// Reporter serves GET /api/report?from=YYYY-MM-DD&to=YYYY-MM-DD&shift=HH:MM&format=pdf|html,
// the auditor's report (package report). Without from and to it reports
// today's shifts; with one of them, that day's. What a request can make
// the Pi do is bounded: at most MaxDays days, one report at a time (a
// second request meanwhile gets 503 and Retry-After), a PDF built in
// memory (about 4 MB for a month) before it is sent, an HTML page
// streamed as it is made.
type Reporter struct {
	// Open returns a reader of the journal for one request; it is closed
	// after it (journal.OpenReadOnly on journal.db).
	Open     func() (*journal.Journal, error)
	Location *time.Location // the shift time zone the dates are in (nil: Local)
	Now      func() time.Time
	Config   *config.Config // optional: see report.Options.Config
	MaxDays  int            // default DefaultReportDays
	busy     sync.Mutex     // held while a report is made
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
	if err := report.CheckFormat(format); err != nil {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("%v (%s)", err, reportExample))
		return
	}
	if err := report.CheckShift(q.Get("shift")); err != nil {
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
	defer j.Close()
	name := "ventd-report-" + roomSlug(j) + "-" + fromDay
	if toDay != fromDay {
		name += "_" + toDay
	}
	opts := report.Options{From: from, To: to, Shift: q.Get("shift"), Format: format, Location: loc, Now: now, Config: x.Config}
	if format == "html" {
		sendSpooled(w, r, "report", func(h http.Header) {
			h.Set("Content-Type", "text/html; charset=utf-8")
			h.Set("Cache-Control", "no-store")
			h.Set("X-Content-Type-Options", "nosniff")
		}, func(out io.Writer) error { return report.Write(out, j, opts) })
		return
	}
	var buf bytes.Buffer
	if err := report.Write(&buf, j, opts); err != nil {
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
