package control

import (
	"math"
	"strings"
	"testing"
	"time"
)

// A booth reading that stands exactly still while the staff level rises
// is frozen; one that jitters, or stands still in steady air, is not.
func TestStillReadingIsFrozenOnlyWhenTheStaffAreaRises(t *testing.T) {
	run := func(booth func(i int) float64, staff func(i int) float64, secs int) (string, int) {
		var s stillness
		for i := range secs {
			now := t0.Add(time.Duration(i) * time.Second)
			s.observe(now, booth(i), staff(i))
			if why := s.frozen(now, staff(i)); why != "" {
				return why, i
			}
		}
		return "", -1
	}
	still := func(int) float64 { return 7.2 }
	jitter := func(i int) float64 { return 7.2 + 0.1*math.Sin(float64(i)) }
	steady := func(int) float64 { return 8 }
	rising := func(i int) float64 { return 8 + 0.02*float64(i) } // smoke arriving: 1.2 µg/m³ a minute

	if why, _ := run(still, steady, 3600); why != "" {
		t.Fatalf("still reading in steady air: %q, want trusted (the sensor layer's stuck time decides)", why)
	}
	if why, _ := run(jitter, rising, 600); why != "" {
		t.Fatalf("a reading that moves: %q", why)
	}
	why, at := run(still, rising, 600)
	if why == "" || !strings.Contains(why, "cannot be seeing the booth's air") {
		t.Fatalf("still reading while the staff area rises: %q, want frozen", why)
	}
	// Not before frozenWindow, and as soon as the rise clears the noise.
	if at < int(frozenWindow/time.Second) || at > int(frozenWindow/time.Second)+5 {
		t.Fatalf("found frozen after %d s, want at %v", at, frozenWindow)
	}
	// No staff sensor: nothing to compare with.
	if why, _ := run(still, func(int) float64 { return math.NaN() }, 600); why != "" {
		t.Fatalf("blind staff area: %q", why)
	}
}

// Once found, a frozen reading stays frozen while it stands still, even
// when the staff level falls back; it thaws when the reading moves.
func TestFrozenReadingHoldsUntilItMoves(t *testing.T) {
	var s stillness
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Second) }
	for i := range 60 {
		s.observe(at(i), 7.2, 8+0.05*float64(i))
	}
	if s.frozen(at(60), 11) == "" {
		t.Fatal("not frozen after a 3 µg/m³ staff rise")
	}
	s.observe(at(61), 7.2, 8)
	if s.frozen(at(61), 8) == "" {
		t.Fatal("thawed when the staff level fell back")
	}
	s.observe(at(62), 7.4, 8)
	if why := s.frozen(at(62), 8); why != "" {
		t.Fatalf("a moving reading: %q", why)
	}
}

// In the room: a booth sensor frozen in clean air, then a session that
// only the staff sensor sees. The booth's fans go to their safe duty
// within a minute of the smoke, and stay there while the sensor is stuck.
func TestFrozenBoothSensorSentToSafeDutyByTheStaffArea(t *testing.T) {
	w := settled(t, nil)
	w.boothFrozen, w.boothFrozenAt = true, w.boothRead
	if d := w.run(5 * time.Minute); d.Mode != ModeNormal || d.Duty != 0.25 {
		t.Fatalf("frozen in clean, steady air: %+v, want the minimum (the sensor layer's stuck time decides)", d)
	}
	w.session(3, 3*time.Minute)
	safeAt := -1
	for i, d := range w.since(3 * time.Minute) {
		if d.Mode == ModeSafe && d.Duty == 1 {
			safeAt = i
			break
		}
	}
	if safeAt < 0 || safeAt > 90 {
		t.Fatalf("a session behind a frozen booth sensor: safe after %d s, want within 90 s", safeAt)
	}
	if d := w.run(20 * time.Minute); d.Mode != ModeSafe || !strings.Contains(d.Reason, "stuck") {
		t.Fatalf("20 min later, still frozen: %+v, want safe", d)
	}
}
