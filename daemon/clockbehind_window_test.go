package daemon

import (
	"testing"
	"time"

	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/testbench/room"
)

// Restarted with the clock 30 min behind the journal: restoreExposure
// reads the journal's minutes only up to the (behind) clock, so the last
// 30 minutes, recorded already and never recorded again, are missing from
// the rolling 8 h window for the next 8 h. Smoke in those 30 minutes then
// counts in no TWA-8h (nor its alarm).
func TestClockBehindAtStartKeepsTheJournalsLastMinutesInTheWindows(t *testing.T) {
	dir := t.TempDir()
	start := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)
	h := newHarness(t, dir, start)
	h.run(30 * time.Minute)
	h.rig.Room.StartSession("staff", room.TypicalSession(2, 20*time.Minute))
	s := h.run(30 * time.Minute)
	twa := func(ex []exposure.Snapshot) float64 {
		for _, e := range ex {
			if e.Zone == "staff" && e.Quantity == "pm25" {
				return e.TWA8h
			}
		}
		return -1
	}
	before := twa(s.Exposure)
	h.d.shutdown()
	back := s.Time.Add(-30 * time.Minute)
	h2 := newHarness(t, dir, back)
	s2 := h2.run(32 * time.Minute) // past the journal's end, in clean air
	after := twa(s2.Exposure)
	h2.d.shutdown()
	// The air since the journal's end was clean; the window holds all of
	// the session still.
	if after < 0.9*before {
		t.Errorf("staff PM2.5 TWA-8h %.3f before the restart, %.3f just after the clock passed the journal's end: the journal's last 30 minutes are missing from the window", before, after)
	}
}
