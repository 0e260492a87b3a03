package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// GET /api/report on the real daemon: ventd hands the request to ventctl
// report beside it and serves what it makes.
func TestReportMadeByVentctl(t *testing.T) {
	bin := ventdBinary(t)
	start := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)
	_, addr := startSim(t, bin, t.TempDir(), start, 600)
	for {
		s, err := getState(addr)
		if err == nil && s.Time.Sub(start) >= 20*time.Minute {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, tc := range []struct{ query, ctype, has string }{
		{"from=2026-03-02&format=html", "text/html", "Zone staff"},
		{"from=2026-03-02", "application/pdf", "%PDF-"},
	} {
		resp, body := fetch(t, addr, "/api/report?"+tc.query)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), tc.ctype) || !strings.Contains(body, tc.has) {
			t.Errorf("?%s: %d %s, %.300q; want %s with %q", tc.query, resp.StatusCode, resp.Header.Get("Content-Type"), body, tc.ctype, tc.has)
		}
	}

	// A ventd without ventctl says what to install.
	alone := filepath.Join(t.TempDir(), "ventd")
	b, err := os.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(alone, b, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", "/nonexistent")
	_, addr = startSim(t, alone, t.TempDir(), start, 600)
	resp, body := fetch(t, addr, "/api/report?from=2026-03-02&format=html")
	var e struct{ Error string }
	json.Unmarshal([]byte(body), &e)
	if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(e.Error, "go build -o bin/ ./cmd/ventd ./cmd/ventctl") {
		t.Errorf("without ventctl: %d %s; want 500 saying how to get ventctl", resp.StatusCode, body)
	}
}

func fetch(t *testing.T, addr, path string) (*http.Response, string) {
	t.Helper()
	resp, err := http.Get("http://" + addr + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}
