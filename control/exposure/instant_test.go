package exposure

import (
	"testing"
	"time"
)

// The times a tracker reports are rebuilt from its instants: they must
// be the very times it was given (==, location included), or a record's
// JSON would change its offsets.
func TestInstantRoundTrip(t *testing.T) {
	van, err := time.LoadLocation("America/Vancouver")
	if err != nil {
		t.Skip(err)
	}
	for _, tm := range []time.Time{
		{},
		time.Date(2026, 3, 8, 2, 30, 0, 0, van), // the skipped hour
		time.Date(2026, 11, 1, 1, 30, 0, 1, van),
		time.Date(2026, 5, 4, 8, 0, 0, 999_999_999, time.UTC),
		time.Date(1960, 1, 1, 0, 0, 0, 5, time.UTC), // before the epoch
		time.Unix(1_700_000_000, 123),               // time.Local
		time.Unix(0, 0).UTC(),
	} {
		if got := at(tm).time(); got != tm {
			t.Errorf("at(%v).time() = %v, want it unchanged", tm, got)
		}
	}
	if at(time.Time{}) != never {
		t.Error("the zero time is not never, before every other")
	}
	// A monotonic reading is dropped, the wall clock kept.
	now := time.Now()
	if got := at(now).time(); got != now.Round(0) {
		t.Errorf("at(now).time() = %v, want %v", got, now.Round(0))
	}
}
