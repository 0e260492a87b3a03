package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/lograte"
	"github.com/ventd/ventd/report"
	"github.com/ventd/ventd/snapshot"
)

func reportServer(t *testing.T, path string) (*httptest.Server, *Reporter) {
	t.Helper()
	loc, _ := time.LoadLocation("America/Vancouver")
	open := func() (*journal.Journal, error) { return journal.OpenReadOnly(path, journal.Options{}) }
	rep := &Reporter{Open: open, Location: loc, Now: func() time.Time { return time.Date(2026, 3, 3, 12, 0, 0, 0, loc) },
		// In-process here; ventd runs ventctl report (cmd/ventd/report.go).
		Make: func(_ context.Context, w io.Writer, req ReportRequest) error {
			j, err := open()
			if err != nil {
				return err
			}
			defer j.Close()
			return report.Write(w, j, report.Options{From: req.From, To: req.To, Shift: req.Shift, Format: req.Format, Location: req.Location, Now: req.Now})
		}}
	h := Handler(func() *snapshot.Snapshot { return nil }, time.Now, prometheus.NewRegistry(), nil, Route{"/api/report", rep})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, rep
}

func TestReportHandler(t *testing.T) {
	loc, _ := time.LoadLocation("America/Vancouver")
	start := time.Date(2026, 3, 3, 7, 0, 0, 0, loc)
	path, _, _ := exportJournal(t, journal.Batch{
		Shifts: []journal.Shift{{Zone: "staff", Quantity: "pm25", Start: start, End: start.Add(12 * time.Hour), Summary: []byte(`{"twa_osha": 4.5}`)}}})
	rs, rep := reportServer(t, path)

	resp, body := get(t, "GET", rs.URL+"/api/report") // today's shifts
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(body, "%PDF-") ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "ventd-report-Hope-to-Health-Room-1-2026-03-03.pdf") {
		t.Errorf("GET /api/report: %d %v, %.40q", resp.StatusCode, resp.Header, body)
	}
	resp, body = get(t, "GET", rs.URL+"/api/report?from=2026-03-03&format=html&shift=07:00")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") || !strings.Contains(body, "Hope to Health") ||
		!strings.Contains(body, "Zone staff") || !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Errorf("GET html: %d %v, %.200q", resp.StatusCode, resp.Header, body)
	}
	for _, tc := range []struct{ query, want string }{
		{"from=2026-01-01&to=2026-03-03", "62 days: this endpoint makes at most 31"},
		{"format=docx", `format "docx"`},
		{"shift=7", `shift "7"`},
		{"from=yesterday", "is not a date"},
		{"zone=staff", `unknown parameter "zone"`},
		{"format=pdf&format=html", "given 2 times"},
		{"from=", `parameter "from" is empty: give it a value, or leave the parameter out; use from=YYYY-MM-DD`},
		{"from=2026-03-03&to=", `parameter "to" is empty`},
		{"shift=", `parameter "shift" is empty`},
	} {
		resp, body := get(t, "GET", rs.URL+"/api/report?"+tc.query)
		var e struct{ Error string }
		json.Unmarshal([]byte(body), &e)
		if resp.StatusCode != 400 || !strings.Contains(e.Error, tc.want) {
			t.Errorf("?%s: %d %s; want 400 saying %q", tc.query, resp.StatusCode, body, tc.want)
		}
	}
	if resp, _ := get(t, "POST", rs.URL+"/api/report"); resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d %v", resp.StatusCode, resp.Header)
	}
	// One report at a time: a second request while one is being made is
	// turned away at once, not queued.
	rep.busy.Lock()
	resp, body = get(t, "GET", rs.URL+"/api/report")
	rep.busy.Unlock()
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" || !strings.Contains(body, "one at a time") {
		t.Errorf("while busy: %d %v %s", resp.StatusCode, resp.Header, body)
	}
	missing, _ := reportServer(t, filepath.Join(t.TempDir(), "journal.db"))
	if resp, body := get(t, "GET", missing.URL+"/api/report"); resp.StatusCode != 503 || !strings.Contains(body, "no exposure journal") {
		t.Errorf("no journal: %d %s", resp.StatusCode, body)
	}
}

// A report that could not be made is answered with what to do; why goes
// to the log, bounded. It may quote the configuration file, paths or a
// whole panic, and the endpoint answers anyone who can reach the port.
func TestReportFailureGoesToTheLog(t *testing.T) {
	loc, _ := time.LoadLocation("America/Vancouver")
	start := time.Date(2026, 3, 3, 7, 0, 0, 0, loc)
	path, _, _ := exportJournal(t)
	var logs strings.Builder
	secret := "panic: boom at /home/build/secret/path.go:12\n" + strings.Repeat("goroutine 1 [running]:\n", 2000)
	var fail error
	rep := &Reporter{Open: func() (*journal.Journal, error) { return journal.OpenReadOnly(path, journal.Options{}) },
		Location: loc, Now: func() time.Time { return start.Add(time.Hour) }, Log: slog.New(slog.NewTextHandler(&logs, nil)),
		Make: func(context.Context, io.Writer, ReportRequest) error { return fail }}
	h := Handler(func() *snapshot.Snapshot { return nil }, time.Now, prometheus.NewRegistry(), nil, Route{"/api/report", rep})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	for _, format := range []string{"pdf", "html"} {
		logs.Reset()
		rep.warns = lograte.Limiter{}
		fail = errors.New("/usr/bin/ventctl: " + secret)
		resp, body := get(t, "GET", srv.URL+"/api/report?format="+format)
		var e struct{ Error string }
		json.Unmarshal([]byte(body), &e)
		if resp.StatusCode != 500 || strings.Contains(body, "secret") || len(body) > 400 || !strings.Contains(e.Error, "the report could not be made; the reason is in ventd's log (journalctl -u ventd)") {
			t.Errorf("%s: %d %.500s; want 500 with a short message pointing at the log", format, resp.StatusCode, body)
		}
		if l := logs.String(); !strings.Contains(l, "boom at /home/build/secret/path.go:12") || len(l) > 2*maxLoggedError || !strings.Contains(l, "bytes more") {
			t.Errorf("%s: logged %d bytes: %.300s…; want the reason, cut at %d", format, len(l), l, maxLoggedError)
		}
		// A client asking again and again is not a line each time.
		get(t, "GET", srv.URL+"/api/report?format="+format)
		if n := strings.Count(logs.String(), "could not be made"); n != 1 {
			t.Errorf("%s: %d lines for two failures in a minute; want 1", format, n)
		}
		// What Make says is for the client is sent; its detail is not.
		fail = &MakeError{Client: "install ventctl", Err: errors.New("secret detail")}
		resp, body = get(t, "GET", srv.URL+"/api/report?format="+format)
		if resp.StatusCode != 500 || !strings.Contains(body, "the report could not be made: install ventctl") || strings.Contains(body, "secret") {
			t.Errorf("%s, a MakeError: %d %s", format, resp.StatusCode, body)
		}
	}
}

// HEAD on an export or a report (a monitor's curl -I) gets the headers
// without the download being made: it was made whole and thrown away,
// holding one of the slots while it was.
func TestHeadMakesNothing(t *testing.T) {
	path, loc, start := exportJournal(t)
	open := func() (*journal.Journal, error) { return journal.OpenReadOnly(path, journal.Options{}) }
	x := &Exporter{Open: open, Location: loc, Now: func() time.Time { return start.Add(2 * time.Hour) }, MaxConcurrent: 1}
	x.once.Do(func() { x.slots = make(chan struct{}, 1) })
	x.slots <- struct{}{} // the one slot is taken: a GET would be turned away
	rep := &Reporter{Open: open, Location: loc, Now: func() time.Time { return start.Add(time.Hour) },
		Make: func(context.Context, io.Writer, ReportRequest) error {
			t.Error("HEAD made a report")
			return nil
		}}
	rep.busy.Lock() // as while another report is made
	defer rep.busy.Unlock()
	for _, c := range []struct {
		h           http.Handler
		path, ctype string
		disposition string
	}{
		{x, "/api/export?from=2026-03-03&format=csv", "text/csv; charset=utf-8", "ventd-Hope-to-Health-Room-1-2026-03-03_end.csv"},
		{rep, "/api/report?from=2026-03-03", "application/pdf", "ventd-report-Hope-to-Health-Room-1-2026-03-03.pdf"},
		{rep, "/api/report?from=2026-03-03&format=html", "text/html; charset=utf-8", ""},
	} {
		rec := httptest.NewRecorder()
		c.h.ServeHTTP(rec, httptest.NewRequest(http.MethodHead, c.path, nil))
		if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != c.ctype || rec.Body.Len() != 0 ||
			!strings.Contains(rec.Header().Get("Content-Disposition"), c.disposition) {
			t.Errorf("HEAD %s: %d %v %q; want 200, %s, no body", c.path, rec.Code, rec.Header(), rec.Body, c.ctype)
		}
	}
	// A bad query is still refused.
	rec := httptest.NewRecorder()
	x.ServeHTTP(rec, httptest.NewRequest(http.MethodHead, "/api/export?from=", nil))
	if rec.Code != http.StatusBadRequest {
		t.Errorf("HEAD with from= empty: %d", rec.Code)
	}
}
