package httpapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/journal"
)

// FuzzExportQuery sends arbitrary queries to /api/export. Every one is
// answered with the export or refused with a 400 that says what to write,
// never a 500 or a fallback to something not asked for; an accepted query
// is one parseExportQuery accepts. The seeds (here and in
// testdata/fuzz/FuzzExportQuery) run with every go test; search further
// with
//
//	go test -run '^$' -fuzz FuzzExportQuery -fuzztime 1m ./httpapi
func FuzzExportQuery(f *testing.F) {
	for _, q := range []string{"", "from=2026-03-03&to=2026-03-03", "format=json", "from=%ZZ",
		"from=0001-01-01&to=9999-12-31&format=json", "from=1970-01-01&to=9998-12-31"} {
		f.Add(q)
	}
	path, loc, start := exportJournal(f)
	x := &Exporter{Open: func() (*journal.Journal, error) { return journal.OpenReadOnly(path, journal.Options{}) },
		Location: loc, Now: func() time.Time { return start.Add(2 * time.Hour) }, Config: config.Sim()}
	f.Fuzz(func(t *testing.T, raw string) {
		req := httptest.NewRequest("GET", "/api/export", nil)
		req.URL.RawQuery = raw
		rec := httptest.NewRecorder()
		x.ServeHTTP(rec, req)
		q, perr := parseExportQuery(raw, loc)
		switch rec.Code {
		case http.StatusOK:
			if perr != nil {
				t.Fatalf("query %q answered although refused: %v", raw, perr)
			}
			if q.format == "json" && !json.Valid(rec.Body.Bytes()) {
				t.Fatalf("query %q: the JSON export does not parse", raw)
			}
			if q.format == "csv" && !strings.HasPrefix(rec.Body.String(), "# ventd exposure export\n") {
				t.Fatalf("query %q: not the CSV export", raw)
			}
			if !q.from.IsZero() && !q.to.IsZero() && !q.from.Before(q.to) {
				t.Fatalf("query %q: window %v to %v", raw, q.from, q.to)
			}
		case http.StatusBadRequest:
			var e struct{ Error string }
			if perr == nil || json.Unmarshal(rec.Body.Bytes(), &e) != nil || !strings.Contains(e.Error, "e.g. /api/export?") {
				t.Fatalf("query %q: 400 without a JSON error saying what to write: %s (parse: %v)", raw, rec.Body, perr)
			}
		default:
			t.Fatalf("query %q: %d %s", raw, rec.Code, rec.Body)
		}
	})
}
