package report

import (
	"testing"
	"time"
	_ "time/tzdata" // the zones below must not depend on the host's zoneinfo
)

// A shift's title names its times as the roster does, and across a
// daylight-saving change names the zone at both ends, since on the night
// the clocks go back 01:30 happens twice.
func TestShiftTitle(t *testing.T) {
	van, err := time.LoadLocation("America/Vancouver")
	if err != nil {
		t.Fatal(err)
	}
	d := &doc{o: Options{Location: van}}
	at := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339, s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct{ start, end, want string }{
		{"2026-03-02T15:00:00Z", "2026-03-02T23:00:00Z", "Mon 2 Mar 2026, 07:00 – 15:00 PST (8 h)"},
		{"2026-03-03T03:00:00Z", "2026-03-03T15:00:00Z", "Mon 2 Mar 2026, 19:00 – Tue 07:00 PST (12 h)"},
		{"2026-11-01T08:30:00Z", "2026-11-01T17:30:00Z", "Sun 1 Nov 2026, 01:30 PDT – 09:30 PST (9 h)"},
		{"2026-03-08T09:30:00Z", "2026-03-08T16:30:00Z", "Sun 8 Mar 2026, 01:30 PST – 09:30 PDT (7 h)"},
	} {
		if got := d.shiftTitle(&shift{start: at(tc.start), end: at(tc.end)}); got != tc.want {
			t.Errorf("shift %s – %s: %q, want %q", tc.start, tc.end, got, tc.want)
		}
	}
}
