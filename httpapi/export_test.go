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

	"github.com/ventd/ventd/export"
	"github.com/ventd/ventd/journal"
)

func exportServer(t *testing.T) (*httptest.Server, *int) {
	t.Helper()
	path, loc, start := testJournal(t, journal.Batch{})
	opened := 0
	h := ExportHandler(func() (*journal.Journal, error) {
		opened++
		return journal.OpenReadOnly(path, journal.Options{})
	}, loc, func() time.Time { return start.Add(2 * time.Hour) })
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, &opened
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
		{"GET", "?format=xml", 400, `format \"xml\": use csv or json`},
		{"GET", "?form=2026-03-01", 400, `unknown parameter \"form\"`},
		{"GET", "?from=2026-03-01&from=2026-03-02", 400, "given 2 times"},
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
