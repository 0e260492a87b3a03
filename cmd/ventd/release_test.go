package main

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"
)

// A scrape of /metrics releases the heap's free pages once it is answered,
// at most once each interval; other paths never do, and every answer is
// the wrapped handler's.
func TestReleaseAfterScrape(t *testing.T) {
	var released atomic.Int32
	done := make(chan struct{}, 10)
	h := releaseAfterScrape(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("answer " + r.URL.Path))
	}), time.Hour, func() { released.Add(1); done <- struct{}{} })
	get := func(path string) string {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		return rec.Body.String()
	}
	if got := get("/api/state"); got != "answer /api/state" {
		t.Fatalf("/api/state answered %q", got)
	}
	if got := get("/metrics"); got != "answer /metrics" {
		t.Fatalf("/metrics answered %q", got)
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("a scrape did not release")
	}
	get("/metrics")
	get("/")
	time.Sleep(50 * time.Millisecond)
	if n := released.Load(); n != 1 {
		t.Fatalf("released %d times, want once within the interval", n)
	}
}
