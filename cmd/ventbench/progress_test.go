package main

import (
	"strings"
	"testing"
	"time"
)

// A long first run says how far it has got and what is left at its pace;
// one whose runs come from the cache says so, and no estimate is made
// before a run was simulated.
func TestProgressLine(t *testing.T) {
	c, err := builtin("quiet-day", nil)
	if err != nil {
		t.Fatal(err)
	}
	jobs := []job{{i: 0, c: c}, {i: 1, c: c}, {i: 2, c: c}, {i: 3, c: c}}
	start := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)
	p := newProgress(nil, start, jobs, true)
	if got := p.line(start.Add(15 * time.Second)); !strings.Contains(got, "0 of 4 runs done after 15s") || strings.Contains(got, "left") {
		t.Errorf("before any run: %q", got)
	}
	p.finished(jobs[0], false)
	got := p.line(start.Add(30 * time.Second))
	for _, want := range []string{"1 of 4 runs done after 30s", "at most 1m30s left", "simulates the baselines"} {
		if !strings.Contains(got, want) {
			t.Errorf("after one simulated run: %q lacks %q", got, want)
		}
	}
	p.finished(jobs[1], true)
	p.finished(jobs[2], true)
	got = p.line(start.Add(31 * time.Second))
	for _, want := range []string{"3 of 4 runs done after 31s (2 from the cache)", "at most 31s left"} {
		if !strings.Contains(got, want) {
			t.Errorf("after two cached runs: %q lacks %q", got, want)
		}
	}
	if strings.Contains(got, "simulates the baselines") {
		t.Errorf("most runs came from the cache, yet: %q", got)
	}
	// Without a cache (-cache off) nothing is reused: it does not say so.
	p = newProgress(nil, start, jobs, false)
	p.finished(jobs[0], false)
	if got := p.line(start.Add(30 * time.Second)); strings.Contains(got, "reuse") {
		t.Errorf("-cache off: %q", got)
	}
}
