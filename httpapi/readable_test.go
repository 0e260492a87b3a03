package httpapi

import (
	"net/http"
	"strings"
	"testing"
)

// An error's example address is what a curl user copies into the next
// command: it must read as written (from=…&to=…), not with JSON's HTML
// escapes (\u0026) that only a browser page could need and a shell keeps.
// Error bodies are sent with nosniff, so no browser reads them as HTML.
func TestErrorExamplesReadAsWritten(t *testing.T) {
	srv, _ := exportServer(t)
	for _, q := range []string{"bogus=1", "format=xlsx", "from=today"} {
		resp, body := get(t, http.MethodGet, srv.URL+"/api/export?"+q)
		if resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("?%s: %s", q, resp.Status)
		}
		if strings.Contains(body, `\u0026`) || !strings.Contains(body, "/api/export?from=2026-03-01&to=2026-03-31") {
			t.Errorf("?%s: the example is not as written: %s", q, body)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("?%s: error body without X-Content-Type-Options: nosniff", q)
		}
	}
}
