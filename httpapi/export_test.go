package httpapi

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/export"
	"github.com/ventd/ventd/journal"
)

// exportJournal writes a journal of 90 minutes of staff PM2.5 from 07:00
// on 3 March 2026 in Vancouver, with more (at most one), and returns its
// path.
func exportJournal(t testing.TB, more ...journal.Batch) (path string, loc *time.Location, start time.Time) {
	t.Helper()
	loc, _ = time.LoadLocation("America/Vancouver")
	start = time.Date(2026, 3, 3, 7, 0, 0, 0, loc)
	return staffJournal(t, "Hope to Health", start, 90, more...), loc, start
}

func exportServer(t *testing.T) (*httptest.Server, *int) {
	t.Helper()
	path, loc, start := exportJournal(t)
	opened := 0
	h := ExportHandler(func() (*journal.Journal, error) {
		opened++
		return journal.OpenReadOnly(path, journal.Options{})
	}, loc, func() time.Time { return start.Add(2 * time.Hour) })
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, &opened
}

// staffJournal writes a journal of site's "Room 1" with n minutes of
// staff PM2.5 at 12 µg/m³ from start, with more (at most one), and returns
// its path.
func staffJournal(t testing.TB, site string, start time.Time, n int, more ...journal.Batch) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "journal.db")
	j, err := journal.Open(path, journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var b journal.Batch
	if len(more) > 0 {
		b = more[0]
	}
	b.Meta = map[string]string{"site": site, "room": "Room 1"}
	for i := range n {
		b.Minutes = append(b.Minutes, journal.Minute{Start: start.Add(time.Duration(i) * time.Minute), Zone: "staff", Quantity: "pm25",
			Mean: 12, Max: 20, Count: 60, CoveredSeconds: 60})
	}
	if _, err := j.Write(b); err != nil {
		t.Fatal(err)
	}
	j.Close()
	return path
}

func get(t *testing.T, method, url string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func TestExportHandler(t *testing.T) {
	srv, opened := exportServer(t)
	resp, body := get(t, "GET", srv.URL+"/api/export?from=2026-03-03&to=2026-03-03")
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/csv; charset=utf-8" ||
		resp.Header.Get("Content-Disposition") != `attachment; filename=ventd-Hope-to-Health-Room-1-2026-03-03_2026-03-03.csv` {
		t.Errorf("csv: %d %v", resp.StatusCode, resp.Header)
	}
	if !strings.HasPrefix(body, "# ventd exposure export\n") || strings.Count(body, "2026-03-03T1") < 90 || !strings.Contains(body, "# site: Hope to Health") {
		t.Errorf("csv body:\n%.600s", body)
	}

	resp, body = get(t, "GET", srv.URL+"/api/export?format=json")
	var doc export.Document
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/json" ||
		!strings.Contains(resp.Header.Get("Content-Disposition"), "-all.json") || json.Unmarshal([]byte(body), &doc) != nil || len(doc.Minutes) != 90 {
		t.Errorf("json: %d %v, %d minutes", resp.StatusCode, resp.Header, len(doc.Minutes))
	}

	before := *opened
	for _, c := range []struct {
		method, query string
		code          int
		want          string
	}{
		{"GET", "?from=2026-3-3", 400, `from date \"2026-3-3\" is not a date: write it YYYY-MM-DD`},
		{"GET", "?from=2026-03-05&to=2026-03-01", 400, "from 2026-03-05 is after to 2026-03-01"},
		{"GET", "?format=xml", 400, `format \"xml\": use csv, json or openmetrics`},
		{"GET", "?form=2026-03-01", 400, `unknown parameter \"form\"`},
		{"GET", "?from=2026-03-01&from=2026-03-02", 400, "given 2 times"},
		// A malformed pair must not fall back to the whole journal.
		{"GET", "?from=%ZZ", 400, `malformed query \"from=%ZZ\" (invalid %-escape \"%ZZ\")`},
		{"GET", "?from=2026-03-03;to=2026-03-03", 400, "malformed query"},
		{"GET", "?from=0001-01-01&to=9999-12-31&format=json", 400, "from date 0001-01-01 is outside the dates ventd's records can hold, 1970-01-01 to 9998-12-31"},
		{"GET", "?to=10000-01-01", 400, `to date \"10000-01-01\" is not a date`},
		// Present but empty ($START unset in a script) is not left out:
		// it got the whole journal.
		{"GET", "?from=&to=&format=csv", 400, `parameter \"from\" is empty: give it a value, or leave the parameter out; use from=YYYY-MM-DD`},
		{"GET", "?from=2026-03-01&to=", 400, `parameter \"to\" is empty`},
		{"GET", "?from", 400, `parameter \"from\" is empty`},
		{"GET", "?format=", 400, `parameter \"format\" is empty`},
		{"POST", "", 405, "only GET"},
	} {
		resp, body := get(t, c.method, srv.URL+"/api/export"+c.query)
		var e struct{ Error string }
		if resp.StatusCode != c.code || resp.Header.Get("Content-Type") != "application/json" || json.Unmarshal([]byte(body), &e) != nil ||
			!strings.Contains(body, c.want) || e.Error == "" {
			t.Errorf("%s %s: %d %s; want %d with a JSON error saying %q", c.method, c.query, resp.StatusCode, body, c.code, c.want)
		}
	}
	if *opened != before {
		t.Errorf("bad requests opened the journal %d times; they must be refused first", *opened-before)
	}
}

func TestExportHandlerNoJournal(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "journal.db")
	h := ExportHandler(func() (*journal.Journal, error) { return journal.OpenReadOnly(missing, journal.Options{}) }, time.UTC, time.Now)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/export", nil))
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), missing) {
		t.Errorf("no journal: %d %s", rec.Code, rec.Body)
	}
	h = ExportHandler(func() (*journal.Journal, error) { return nil, errors.New("disk on fire") }, nil, time.Now)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/export", nil))
	if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), "disk on fire") {
		t.Errorf("open error: %d %s", rec.Code, rec.Body)
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{"Hope to Health": "Hope-to-Health", "Room #1 (east)": "Room-1-east", "": "unnamed", "../..": "unnamed", "a/b": "a-b"} {
		if got := slug(in); got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
}

// The OpenMetrics export needs the site's configuration, which the daemon
// gives its Exporter.
func TestExportHandlerOpenMetrics(t *testing.T) {
	srv, _ := exportServer(t)
	resp, body := get(t, "GET", srv.URL+"/api/export?format=openmetrics")
	if resp.StatusCode != 500 || !strings.Contains(body, "needs the site's configuration") {
		t.Errorf("without a configuration: %d %s", resp.StatusCode, body)
	}
	loc, _ := time.LoadLocation("America/Vancouver")
	start := time.Date(2026, 3, 3, 7, 0, 0, 0, loc)
	path := staffJournal(t, "Hope", start, 1)
	x := &Exporter{Open: func() (*journal.Journal, error) { return journal.OpenReadOnly(path, journal.Options{}) },
		Location: loc, Now: func() time.Time { return start.Add(time.Hour) }, Config: config.Sim()}
	rec := httptest.NewRecorder()
	x.ServeHTTP(rec, httptest.NewRequest("GET", "/api/export?format=openmetrics", nil))
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/openmetrics-text; version=1.0.0; charset=utf-8" ||
		!strings.HasSuffix(rec.Body.String(), "# EOF\n") ||
		!strings.Contains(rec.Body.String(), `ventd_exposure_concentration_ugm3{pollutant="pm25",room="Room 1",site="Hope",zone="staff"} 12.0 1.77255006e+09`) {
		t.Errorf("openmetrics: %d %v\n%s", rec.Code, rec.Header(), rec.Body)
	}
	// A window over the bound on samples is the client's to shorten: a
	// 4xx (a 500 reads as ventd's fault, and a script retries it), in
	// this API's words rather than ventctl's -from and -to.
	far := staffJournal(t, "Hope", start, 1, journal.Batch{Minutes: []journal.Minute{
		{Start: start.AddDate(0, 0, 120), Zone: "staff", Quantity: "pm25", Mean: 12, Max: 20, Count: 60, CoveredSeconds: 60}}})
	xf := &Exporter{Open: func() (*journal.Journal, error) { return journal.OpenReadOnly(far, journal.Options{}) },
		Location: loc, Now: func() time.Time { return start.AddDate(0, 0, 121) }, Config: config.Sim()}
	for _, q := range []string{"format=openmetrics", "format=openmetrics&from=2026-03-03&to=2026-07-01"} {
		rec = httptest.NewRecorder()
		xf.ServeHTTP(rec, httptest.NewRequest("GET", "/api/export?"+q, nil))
		var e struct{ Error string }
		json.Unmarshal(rec.Body.Bytes(), &e)
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(e.Error, "more than the 4000000 ventd holds at once: ask for at most ") ||
			!strings.Contains(e.Error, "(e.g. from=2026-03-03&to=2026-0") || strings.Contains(e.Error, "-from") {
			t.Errorf("?%s, 120 days: %d %s; want 422 naming from= and to=", q, rec.Code, rec.Body)
		}
	}
	// One at a time: a second while one runs is asked to retry.
	x.omBusy.Store(true)
	rec = httptest.NewRecorder()
	x.ServeHTTP(rec, httptest.NewRequest("GET", "/api/export?format=openmetrics", nil))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Errorf("while another runs: %d %s", rec.Code, rec.Body)
	}
}
