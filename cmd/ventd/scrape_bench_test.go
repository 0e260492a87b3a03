package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"
)

// BenchmarkScrape measures one /metrics scrape (ventd's collectors, Go and
// process metrics, the text exposition) for a room with one booth (the
// -sim room) and one with six (testdata/booths-6.yaml), after ten simulated
// minutes so every sensor reads. It reports the exposition's size as
// Prometheus receives it: plain, and gzip-compressed as Prometheus asks.
func BenchmarkScrape(b *testing.B) {
	for _, c := range []struct {
		name string
		args []string
	}{
		{"booths=1", nil},
		{"booths=6", []string{"-config", "testdata/booths-6.yaml", "-sim-scenario", "testdata/booths-6-scenario.yaml"}},
	} {
		b.Run(c.name, func(b *testing.B) {
			h := scrapeAfter(b, 10*time.Minute, c.args...)
			var last *httptest.ResponseRecorder
			cpu0 := cpuTime()
			for b.Loop() {
				req := httptest.NewRequest("GET", "http://127.0.0.1/metrics", nil) // the Host a local Prometheus sends
				req.Header.Set("Accept-Encoding", "gzip")
				last = httptest.NewRecorder()
				h.ServeHTTP(last, req)
			}
			cpu := cpuTime() - cpu0
			if last.Code != 200 {
				b.Fatalf("/metrics: %d", last.Code)
			}
			zipped := last.Body.Len()
			zr, err := gzip.NewReader(last.Body)
			if err != nil {
				b.Fatal(err)
			}
			text, err := io.ReadAll(zr)
			if err != nil {
				b.Fatal(err)
			}
			series := 0
			for _, line := range bytes.Split(text, []byte("\n")) {
				if len(line) > 0 && line[0] != '#' {
					series++
				}
			}
			// CPU time, which a machine shared with other work inflates
			// less than the wall time ns/op reports.
			b.ReportMetric(float64(cpu)/float64(b.N)/1e6, "cpu-ms/scrape")
			b.ReportMetric(float64(len(text)), "bytes/scrape")
			b.ReportMetric(float64(zipped), "gzip-bytes/scrape")
			b.ReportMetric(float64(series), "series/scrape")
		})
	}
}

// scrapeAfter runs ventd -sim unpaced for d of simulated time, stops it,
// and returns its HTTP handler (which serves the last snapshot).
func scrapeAfter(b *testing.B, d time.Duration, args ...string) http.Handler {
	b.Helper()
	s := runVentd(b, append([]string{"-sim-speed", "0", "-log-level", "error"}, args...)...)
	var first time.Time
	for snap := range s.snaps {
		if first.IsZero() {
			first = snap.Time
		}
		if snap.Time.Sub(first) >= d {
			break
		}
	}
	s.stop()
	return s.a.srv.Handler
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
