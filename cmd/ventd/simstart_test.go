package main

import (
	"testing"
	"time"
)

// A -sim-start written with an offset gives the same instant, on the
// local clock: the offset is not carried through a daylight-saving change.
func TestParseStartLocal(t *testing.T) {
	in := "2026-10-31T20:00:00-07:00" // Vancouver, hours before clocks go back
	got, err := parseStart(in)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := time.Parse(time.RFC3339, in)
	if !got.Equal(want) {
		t.Errorf("parseStart(%q) = %s, want the instant %s", in, got, want)
	}
	if got.Location() != time.Local {
		t.Errorf("parseStart(%q) is in %v, want the local zone", in, got.Location())
	}
	if _, err := parseStart("31/10/2026 20:00"); err == nil {
		t.Error("parseStart took a time that is not RFC 3339")
	}
}
