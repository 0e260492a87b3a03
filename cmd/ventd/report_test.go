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

	"github.com/ventd/ventd/config"
)

// GET /api/report on the real daemon: ventd hands the request to ventctl
// report beside it and serves what it makes.
func TestReportMadeByVentctl(t *testing.T) {
	bin := ventdBinary(t)
	start := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)
	// On a configuration file, which a technician then edits (here into
	// a mistake) without reloading: the reports are made from the
	// configuration ventd runs on, not the file as it is now.
	cfgPath := filepath.Join(t.TempDir(), "ventd.yaml")
	if err := os.WriteFile(cfgPath, config.SimYAML(), 0o644); err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // where ventd puts the configuration for ventctl
	_, addr := startSim(t, bin, t.TempDir(), start, 600, "-config", cfgPath)
	for {
		s, err := getState(addr)
		if err == nil && s.Time.Sub(start) >= 20*time.Minute {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	for _, edited := range []bool{false, true} {
		if edited {
			f, err := os.OpenFile(cfgPath, os.O_APPEND|os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			f.WriteString("\nbogus_key: 1\n")
			f.Close()
		}
		for _, tc := range []struct{ query, ctype, has string }{
			{"from=2026-03-02&format=html", "text/html", "Zone staff"},
			{"from=2026-03-02", "application/pdf", "%PDF-"},
		} {
			resp, body := fetch(t, addr, "/api/report?"+tc.query)
			if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), tc.ctype) || !strings.Contains(body, tc.has) {
				t.Errorf("?%s, file edited %v: %d %s, %.300q; want %s with %q", tc.query, edited, resp.StatusCode, resp.Header.Get("Content-Type"), body, tc.ctype, tc.has)
			}
		}
	}
	// A shift start no shift of the window has is the request's mistake:
	// a 400 naming the starts there are, not a 500 pointing at the log.
	resp, body := fetch(t, addr, "/api/report?from=2026-03-02&shift=07:31&format=html")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "shift=07:31") || !strings.Contains(body, "did you mean") {
		t.Errorf("?shift=07:31: %d %.400s; want 400 naming the shift starts there are", resp.StatusCode, body)
	}

	// The configuration went to ventctl under no name left behind: it
	// may hold the PIN's hash or the MQTT password.
	if left, _ := filepath.Glob(filepath.Join(tmp, "ventd-report-config-*")); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}

	// What ventctl says when it fails goes to ventd's log, not to the
	// client: a panic's paths and goroutines, the configuration's lines.
	dir := t.TempDir()
	copyBinary(t, bin, filepath.Join(dir, "ventd"))
	standIn := "#!/bin/sh\necho 'panic: boom at /home/build/secret/path.go:12' >&2\nyes 'goroutine 1 [running]:' | head -n 20000 >&2\nexit 2\n"
	if err := os.WriteFile(filepath.Join(dir, "ventctl"), []byte(standIn), 0o755); err != nil {
		t.Fatal(err)
	}
	_, addr = startSim(t, filepath.Join(dir, "ventd"), t.TempDir(), start, 600)
	resp, body = fetch(t, addr, "/api/report?from=2026-03-02&format=html")
	if resp.StatusCode != http.StatusInternalServerError || strings.Contains(body, "secret") || strings.Contains(body, "goroutine") ||
		!strings.Contains(body, "journalctl -u ventd") || len(body) > 400 {
		t.Errorf("ventctl failing: %d %.500s; want 500 with a short message pointing at the log", resp.StatusCode, body)
	}

	// A ventd without ventctl says what to install.
	alone := filepath.Join(t.TempDir(), "ventd")
	copyBinary(t, bin, alone)
	t.Setenv("PATH", "/nonexistent")
	_, addr = startSim(t, alone, t.TempDir(), start, 600)
	resp, body = fetch(t, addr, "/api/report?from=2026-03-02&format=html")
	var e struct{ Error string }
	json.Unmarshal([]byte(body), &e)
	if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(e.Error, "go build -o bin/ ./cmd/ventd ./cmd/ventctl") {
		t.Errorf("without ventctl: %d %s; want 500 saying how to get ventctl", resp.StatusCode, body)
	}
}

func copyBinary(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o755); err != nil {
		t.Fatal(err)
	}
}

// A failed ventctl's standard error is kept to its head: a panic's dump
// is pages long.
func TestHeadWriter(t *testing.T) {
	h := &headWriter{max: 10}
	for range 3 {
		if n, err := h.Write([]byte("0123456")); n != 7 || err != nil {
			t.Fatalf("Write: %d %v; want all taken", n, err)
		}
	}
	if got := h.String(); got != "0123456012… (11 bytes more)" {
		t.Errorf("%q", got)
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
