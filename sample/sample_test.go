package sample

import (
	"testing"
	"time"
)

func TestValid(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	cases := []struct {
		s    Sample
		want bool
	}{
		{Sample{Quality: Good, Time: now.Add(-5 * time.Second)}, true},
		{Sample{Quality: Good, Time: now.Add(-11 * time.Second)}, false},
		{Sample{Quality: Fault, Time: now}, false},
		{Sample{Quality: Good}, false},
	}
	for i, c := range cases {
		if got := c.s.Valid(now, 10*time.Second); got != c.want {
			t.Errorf("case %d: Valid = %v, want %v", i, got, c.want)
		}
	}
	if PM25.Unit() != "µg/m³" || CO2.Unit() != "ppm" || VOCIndex.Unit() != "index" {
		t.Error("wrong units")
	}
}

// A value reads with its unit, an index bare.
func TestSuffix(t *testing.T) {
	for q, want := range map[Quantity]string{PM25: " µg/m³", CO2: " ppm", VOCIndex: "", NOxIndex: "", Humidity: " %RH", Quantity("x"): ""} {
		if got := q.Suffix(); got != want {
			t.Errorf("%s.Suffix() = %q, want %q", q, got, want)
		}
	}
}
