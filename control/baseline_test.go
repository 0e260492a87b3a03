package control

import (
	"strings"
	"testing"
	"time"
)

func TestFixed(t *testing.T) {
	p := DefaultFanParams()
	if _, err := NewFixed(p, 0.1); err == nil || !strings.Contains(err.Error(), "outside the fan's range") {
		t.Fatalf("duty below the minimum: %v", err)
	}
	f, err := NewFixed(p, 0.5)
	if err != nil {
		t.Fatal(err)
	}
	s := newSim(t, f)
	s.booth = func(float64) float64 { return 500 } // smoke changes nothing
	if d := s.run(time.Minute); d.Duty != 0.5 || d.Mode != ModeNormal {
		t.Fatalf("fixed 0.5: %+v", d)
	}
	// Like every law it fails safe and purges.
	s.inputs = func(now time.Time) Input { return Input{} }
	if d := s.run(time.Second); d.Duty != 1 || d.Mode != ModeSafe {
		t.Fatalf("no data: %+v", d)
	}
	s.inputs = nil
	f.Purge()
	if d := s.run(time.Second); d.Duty != 1 || d.Mode != ModePurge {
		t.Fatalf("purge: %+v", d)
	}
}

func TestOnOffHysteresis(t *testing.T) {
	p := DefaultFanParams()
	if _, err := NewOnOff(p, 25, 35); err == nil {
		t.Fatal("accepted off above on")
	}
	o, err := NewOnOff(p, 35, 25)
	if err != nil {
		t.Fatal(err)
	}
	s := newSim(t, o)
	for _, step := range []struct {
		level, want float64
	}{{10, 0.25}, {34, 0.25}, {35, 1}, {30, 1}, {25, 1}, {24.9, 0.25}, {30, 0.25}, {50, 1}} {
		s.booth = func(float64) float64 { return step.level }
		if d := s.run(time.Second); d.Duty != step.want {
			t.Fatalf("at %v µg/m³: %+v, want duty %v", step.level, d, step.want)
		}
	}
	// Fails safe on bad data within one sample.
	s.inputs = func(now time.Time) Input {
		b := pm(now.Add(-time.Minute), 5)
		return Input{Booth: b}
	}
	s.booth = func(float64) float64 { return 5 }
	s.run(time.Second)
	if s.last.Duty != 1 || s.last.Mode != ModeSafe {
		t.Fatalf("stale data: %+v", s.last)
	}
}
