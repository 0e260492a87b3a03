package control

import (
	"math"
	"math/rand/v2"

	"github.com/ventd/ventd/sample"
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
			if why := s.frozen(now, staff(i), true); why != "" {
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
	if s.frozen(at(60), 11, true) == "" {
		t.Fatal("not frozen after a 3 µg/m³ staff rise")
	}
	s.observe(at(61), 7.2, 8)
	if s.frozen(at(61), 8, true) == "" {
		t.Fatal("thawed when the staff level fell back")
	}
	s.observe(at(62), 7.4, 8)
	if why := s.frozen(at(62), 8, true); why != "" {
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

// With no staff sensor moving to compare it with, a booth reading that
// stands exactly still for frozenStill is frozen on its own account; a
// still 0 (particle-free air, the bottom of the range) never is, and a
// reading that moves never is. Once caught it holds until it moves, even
// when a staff sensor starts moving again.
func TestStillReadingWithNoStaffToVouchIsFrozen(t *testing.T) {
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Second) }
	run := func(booth func(i int) float64, secs int) (string, int) {
		var s stillness
		for i := range secs {
			s.observe(at(i), booth(i), math.NaN())
			if why := s.frozen(at(i), math.NaN(), false); why != "" {
				return why, i
			}
		}
		return "", -1
	}
	why, found := run(func(int) float64 { return 7.2 }, 3600)
	if why == "" || !strings.Contains(why, "no staff sensor moving") {
		t.Fatalf("still at 7.2 with no staff sensor: %q, want frozen", why)
	}
	if want := int(frozenStill / time.Second); found != want {
		t.Fatalf("found after %d s, want at %d (frozenStill)", found, want)
	}
	if why, _ := run(func(int) float64 { return 0 }, 8*3600); why != "" {
		t.Fatalf("still at 0 for 8 h (particle-free air): %q, want trusted", why)
	}
	// Fan cleaning holds the last value for 10 s, every so often.
	held := func(i int) float64 {
		if i%600 < 10 {
			return 7.2
		}
		return 7.2 + 0.3*math.Sin(float64(i))
	}
	if why, _ := run(held, 3600); why != "" {
		t.Fatalf("a reading that moves but for fan cleanings: %q", why)
	}

	var s stillness
	for i := range 301 {
		s.observe(at(i), 7.2, math.NaN())
	}
	if s.frozen(at(300), math.NaN(), false) == "" {
		t.Fatal("not frozen after frozenStill with no staff sensor")
	}
	s.observe(at(301), 7.2, 8)
	if s.frozen(at(301), 8, true) == "" {
		t.Fatal("thawed when a staff sensor started moving")
	}
	s.observe(at(302), 7.3, 8)
	if why := s.frozen(at(302), 8, true); why != "" {
		t.Fatalf("a reading that moved: %q", why)
	}
}

// A staff sensor vouches for the booths once its reading has changed, and
// for frozenStill after its last change: not on its first reading (it may
// have frozen before ventd started), nor while it stands still.
func TestStaffSensorVouchesWhileItMoves(t *testing.T) {
	at := func(i int) time.Time { return t0.Add(time.Duration(i) * time.Second) }
	var m moving
	m.see("staff-pm", at(0), 8.1)
	if m.vouches(at(1)) {
		t.Fatal("vouches on its first reading")
	}
	m.see("staff-pm", at(1), 8.3)
	if !m.vouches(at(1)) {
		t.Fatal("a reading that changed does not vouch")
	}
	for i := 2; i <= 400; i++ {
		m.see("staff-pm", at(i), 8.3)
	}
	if !m.vouches(at(300)) || m.vouches(at(301)) {
		t.Fatalf("standing still since 1 s: vouches at 300 s %v, at 301 s %v; want true, false", m.vouches(at(300)), m.vouches(at(301)))
	}
	m.see("staff-2", at(402), 5)
	if m.vouches(at(402)) {
		t.Fatal("a second sensor's first reading vouches")
	}
}

// The reviewer's case: the booth and the staff PM sensors both freeze in
// clean air, repeating their last readings with good CRCs. No staff level
// rises, so the staff check never fires; before, the booth's fan stayed
// at its minimum through a session until the sensor layer's stuck time
// (30 min). Now the booth is unknown air within frozenStill, and stays so
// through the session.
func TestBoothAndStaffFrozenTogetherGoSafe(t *testing.T) {
	w := settled(t, nil)
	w.boothFrozen, w.boothFrozenAt, w.staffFrozen = true, w.boothRead, true
	w.run(frozenStill - 10*time.Second)
	if d := w.trace[len(w.trace)-1]; d.Mode != ModeNormal {
		t.Fatalf("both frozen for under frozenStill: %+v, want normal still", d)
	}
	w.run(20 * time.Second)
	if d := w.trace[len(w.trace)-1]; d.Mode != ModeSafe || d.Duty != 1 || !strings.Contains(d.Reason, "no staff sensor moving") {
		t.Fatalf("both frozen for frozenStill: %+v, want safe at full", d)
	}
	w.session(3, 4*time.Minute)
	for _, d := range w.since(4 * time.Minute) {
		if d.Mode != ModeSafe || d.Duty != 1 {
			t.Fatalf("a session behind two frozen sensors: %+v, want safe at full", d)
		}
	}
	// The booth sensor comes back: its reading moves, and it is trusted.
	w.boothFrozen = false
	if d := w.run(5 * time.Second); d.Mode == ModeSafe {
		t.Fatalf("the booth reading moves again: %+v, want trusted", d)
	}
}

// A booth sensor frozen while the staff area has no trusted reading: the
// fans ran at the staff-blind duty (50 %) until the stuck time; now the
// booth goes to its safe duty within frozenStill.
func TestBoothFrozenWithTheStaffAreaBlindGoesSafe(t *testing.T) {
	w := settled(t, nil)
	w.staffQuality = sample.Fault
	w.boothFrozen, w.boothFrozenAt = true, w.boothRead
	if d := w.run(time.Minute); d.Mode != ModeNormal || d.Duty != 0.5 {
		t.Fatalf("staff blind, booth frozen for a minute: %+v, want the staff-blind duty", d)
	}
	if d := w.run(frozenStill); d.Mode != ModeSafe || d.Duty != 1 {
		t.Fatalf("staff blind, booth frozen past frozenStill: %+v, want safe", d)
	}
}

// A clean, quiet night: particle-free air, both units reading exactly 0
// (their offsets a little negative, clamped at the bottom of the range),
// with the staff sensor working and then lost. Neither the still 0 nor
// the staff sensor's standing still sends the fans to their safe duty.
func TestParticleFreeNightIsNotFrozen(t *testing.T) {
	w := newWorld(t, simParams(t, nil))
	w.outdoor, w.booth, w.staff, w.boothRead, w.staffRead = 0, 0, 0, 0, 0
	w.boothOff, w.staffOff = -1.5, -1.5 // beyond the 2σ of their noise at 0
	w.run(15 * time.Minute)
	if w.staffSent != 0 {
		t.Fatalf("staff reads %v, want 0 (the test's premise)", w.staffSent)
	}
	w.run(4 * time.Hour)
	for i, d := range w.since(4 * time.Hour) {
		if d.Mode != ModeNormal || d.Duty != 0.25 {
			t.Fatalf("particle-free night, %v in: %+v, want the minimum", time.Duration(i)*time.Second, d)
		}
	}
	w.staffQuality = sample.Fault
	w.run(2 * time.Hour)
	for i, d := range w.since(2 * time.Hour) {
		if d.Mode != ModeNormal || d.Duty != 0.5 {
			t.Fatalf("particle-free night, staff blind, %v in: %+v, want the staff-blind duty", time.Duration(i)*time.Second, d)
		}
	}
}

// The staff area was still clearing an earlier session when the booth
// reading froze (10 µg/m³ falling to 8.1 over 5 min), and the next
// session's smoke rises from that low: found frozen within a minute of the
// rise, where measured from 10 it took two. Staff air as noisy as an
// SPS30's, falling and then steady for an hour, finds nothing.
func TestStillReadingIsFrozenWhenTheStaffAreaRisesFromItsLow(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	noisy := func(v float64) float64 { // an SPS30's noise, 1σ, clamped at 2σ as testbench/sps30sim's
		return v + max(-2, min(2, rng.NormFloat64()))*(0.2+0.008*v)
	}
	falling := func(i int) float64 { return 8.1 + 1.9*max(0, 1-float64(i)/300) }
	run := func(staff func(i int) float64, secs int) (string, int) {
		var s stillness
		for i := -60; i < secs; i++ { // the booth reading moves for a minute, then freezes
			now := t0.Add(time.Duration(i) * time.Second)
			v, booth := noisy(staff(max(i, 0))), 14.4
			if i < 0 {
				booth += 0.1 * float64(i%2)
			}
			s.observe(now, booth, v)
			if why := s.frozen(now, v, true); why != "" {
				return why, i
			}
		}
		return "", -1
	}
	for seed := range 20 {
		rng = rand.New(rand.NewPCG(uint64(seed), 2))
		if why, at := run(falling, 3600); why != "" {
			t.Fatalf("seed %d: staff falling then steady, booth still: frozen at %d s: %q", seed, at, why)
		}
	}
	rise := func(i int) float64 { // smoke from 6 min: 1.2 µg/m³ a minute
		return falling(i) + 0.02*float64(max(0, i-360))
	}
	for seed := range 20 {
		rng = rand.New(rand.NewPCG(uint64(seed), 3))
		why, at := run(rise, 3600)
		if why == "" || at-360 > 60 {
			t.Errorf("seed %d: smoke rising from the staff area's low: found frozen %d s into the rise (%q), want within a minute", seed, at-360, why)
		}
	}
}
