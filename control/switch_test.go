package control

import (
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/sample"
)

// relayWorld is the simulated room with its fan on a relay (off, or
// full; held on 30 s once switched on), the config edited further by edit.
func relayWorld(t *testing.T, edit func(*config.Config)) *world {
	t.Helper()
	w := newWorld(t, simParams(t, func(c *config.Config) {
		f := &c.Fans[0]
		f.Backend, f.Relay, f.MinDuty = config.BackendRelay, &config.RelayOutput{Pin: "GPIO17", MinSwitchTime: 30 * time.Second}, 0
		if edit != nil {
			edit(c)
		}
	}))
	w.relay = true
	if !w.p.Fans[0].OnOff {
		t.Fatal("a fan on a relay is not OnOff")
	}
	return w
}

// onOffOnly fails unless every decision of ds is off or full.
func onOffOnly(t *testing.T, what string, ds []Decision) {
	t.Helper()
	for i, d := range ds {
		if d.Duty != 0 && d.Duty != 1 {
			t.Fatalf("%s, decision %d: %+v; a relay is off or full", what, i, d)
		}
	}
}

func TestRelayFanOffInCleanAir(t *testing.T) {
	w := relayWorld(t, nil)
	w.run(15 * time.Minute)
	onOffOnly(t, "clean air", w.trace)
	if d := w.run(time.Second); d.Duty != 0 || d.Mode != ModeNormal {
		t.Fatalf("after 15 min of clean air: %+v, want off", d)
	}
	// The law's air is the relay's: none while off.
	if q, full, least := w.law.(*Room).fanAir(-1); q != 0 || full != 300 || least != 0 {
		t.Fatalf("fan air now/full/least %g/%g/%g m³/h, want 0/300/0", q, full, least)
	}
}

// A variable fan clears a booth at a fraction of its speed; a relay off
// clears nothing, and what is left goes to the staff area. So the fan runs
// until the booth is clear, then stops.
func TestRelayFanClearsTheBoothThenStops(t *testing.T) {
	w := relayWorld(t, nil)
	w.leak = 0.5 // a tight booth: the staff area's smoke does not hold the fan on
	w.run(15 * time.Minute)
	w.session(3, 4*time.Minute)
	for _, d := range w.since(3 * time.Minute) {
		if d.Mode != ModeBoost || d.Duty != 1 {
			t.Fatalf("during the session: %+v", d)
		}
	}
	start := len(w.trace)
	var offAt time.Duration
	var boothAtOff, staffAtOff float64
	for i := range 20 * 60 {
		d := w.run(time.Second)
		if d.Duty == 0 && offAt == 0 {
			offAt, boothAtOff, staffAtOff = time.Duration(i+1)*time.Second, w.booth, w.staff
		}
		if d.Duty == 1 && d.Mode == ModeNormal && !strings.HasPrefix(d.Reason, "clearing booth") {
			t.Fatalf("on after the session for %q, want for the booth", d.Reason)
		}
	}
	onOffOnly(t, "after the session", w.trace[start:])
	if offAt == 0 {
		t.Fatalf("20 min after the session the fan is still on (booth %.1f, staff %.1f µg/m³)", w.booth, w.staff)
	}
	// Off only once the booth is back near the air it draws in: the
	// session's peak was hundreds of µg/m³.
	if boothAtOff > staffAtOff+2*w.p.Tuning.SessionExcess {
		t.Fatalf("off %v after the session with the booth at %.1f µg/m³, staff %.1f: smoke left to leak out", offAt, boothAtOff, staffAtOff)
	}
	// And not long after: a 4 m³ booth on 300 m³/h clears in minutes.
	if offAt > 8*time.Minute {
		t.Fatalf("off only %v after the session", offAt)
	}
	// It stays off: the booth's noise does not switch it back on.
	for _, d := range w.trace[start+int(offAt/time.Second):] {
		if d.Duty != 0 {
			t.Fatalf("switched on again in clean air: %+v", d)
		}
	}
	t.Logf("off %v after the session, booth %.1f, staff %.1f µg/m³", offAt, boothAtOff, staffAtOff)
}

// The staff area's smoke switches the fan on where a variable fan would
// be at full, and off again below relayHold of that.
func TestRelayFanOnForTheStaffArea(t *testing.T) {
	w := relayWorld(t, nil)
	w.run(15 * time.Minute)
	w.staffSource = 1000.0 / 60 // a pipe lit in the staff area
	w.run(2 * time.Minute)
	if d := w.run(time.Second); d.Duty != 1 || !strings.HasPrefix(d.Reason, "staff PM2.5") {
		t.Fatalf("two minutes into a pipe in the staff area (staff %.1f µg/m³): %+v, want on for it", w.staff, d)
	}
	w.staffSource = 0
	w.run(40 * time.Minute)
	onOffOnly(t, "staff smoke", w.trace)
	if d := w.run(time.Second); d.Duty != 0 {
		t.Fatalf("40 min after (staff %.1f µg/m³): %+v, want off", w.staff, d)
	}
	// Switched a few times, not at every wobble of the reading.
	switches := 0
	for i := 1; i < len(w.trace); i++ {
		if w.trace[i].Duty != w.trace[i-1].Duty {
			switches++
		}
	}
	if switches > 6 {
		t.Fatalf("%d switchings over a pipe in the staff area", switches)
	}
}

func TestRelayFanOnWhileTheStaffAreaIsBlind(t *testing.T) {
	w := relayWorld(t, nil)
	w.run(15 * time.Minute)
	w.staffQuality = sample.Fault
	if d := w.run(5 * time.Second); d.Duty != 1 || !strings.Contains(d.Reason, "staff PM2.5 not trusted") || !d.StaffBlind {
		t.Fatalf("staff sensor faulty: %+v, want on: a relay has no half speed", d)
	}
	w.staffQuality = sample.Good
	if d := w.run(3 * time.Minute); d.Duty != 0 {
		t.Fatalf("staff sensor back: %+v, want off", d)
	}
}

// A relay holds its fan on for min_switch_time once switched on; the law
// says so rather than ask for an off the fan will not do, and counts the
// air it moves.
func TestRelayFanHoldIsTheLaws(t *testing.T) {
	w := relayWorld(t, nil)
	w.run(15 * time.Minute)
	w.staffQuality = sample.Fault
	w.run(5 * time.Second) // on for the blind staff area
	w.staffQuality = sample.Good
	var offAt int
	for i := 6; i <= 60; i++ {
		d := w.run(time.Second)
		switch {
		case d.Duty == 0 && offAt == 0:
			offAt = i
		case d.Duty == 1 && offAt == 0 && i > 10 && !strings.Contains(d.Reason, "held on by its relay"):
			t.Fatalf("%d s after switching on: %+v, want held on by the relay", i, d)
		case d.Duty == 1 && offAt > 0:
			t.Fatalf("on again at %d s: %+v", i, d)
		}
	}
	if offAt < 30 || offAt > 32 {
		t.Fatalf("off %d s after switching on, want at the relay's 30 s hold", offAt)
	}
}

// A blind staff area's floor below SwitchDuty is off on a relay, as the
// relay itself would take it: the site chose less than half the air.
func TestRelayFanBlindFloorBelowTheSwitch(t *testing.T) {
	w := relayWorld(t, func(c *config.Config) { c.Control.StaffBlindDutyPercent = 30 })
	w.run(15 * time.Minute)
	w.staffQuality = sample.Fault
	w.run(time.Minute)
	onOffOnly(t, "blind at 30 %", w.trace)
	if d := w.run(time.Second); d.Duty != 0 || d.StaffBlind {
		t.Fatalf("staff sensor faulty, staff_blind_duty_percent 30: %+v, want off", d)
	}
	w.session(3, 3*time.Minute)
	if d := w.trace[len(w.trace)-1]; d.Duty != 1 || d.Mode != ModeBoost {
		t.Fatalf("a session with the staff area blind: %+v", d)
	}
}

func TestRelayFanSafeWhenTheBoothIsUnknown(t *testing.T) {
	w := relayWorld(t, nil)
	w.run(15 * time.Minute)
	w.boothQuality = sample.Fault
	if d := w.run(5 * time.Second); d.Duty != 1 || d.Mode != ModeSafe {
		t.Fatalf("booth sensor faulty: %+v, want the safe duty (on)", d)
	}
}
