package lograte

import (
	"fmt"
	"testing"
	"time"
)

// Warnings are logged once a minute per key, and Burst lines a minute in
// all, with a count of those not logged.
func TestRefusalsLoggedAtARate(t *testing.T) {
	var l Limiter
	now := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)
	if _, ok := l.Allow("malformed 10.0.0.1", now); !ok {
		t.Fatal("the first refusal not logged")
	}
	for range 5 {
		if _, ok := l.Allow("malformed 10.0.0.1", now.Add(time.Second)); ok {
			t.Fatal("logged twice in a minute")
		}
	}
	if skipped, ok := l.Allow("malformed 10.0.0.1", now.Add(time.Minute)); !ok || skipped != 5 {
		t.Errorf("a minute later: logged %v, %d not logged since; want true, 5", ok, skipped)
	}
	logged := 0
	for i := range 1000 {
		if _, ok := l.Allow(fmt.Sprintf("malformed 10.1.%d.%d", i/256, i%256), now.Add(time.Minute)); ok {
			logged++
		}
	}
	if logged != Burst-1 {
		t.Errorf("1000 addresses in a minute: %d lines, want %d", logged, Burst-1)
	}
	if len(l.last) > Keys {
		t.Errorf("%d addresses remembered", len(l.last))
	}
}
