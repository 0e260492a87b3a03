package daemon

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/i2csim"
	"github.com/ventd/ventd/testbench/room"
)

// The room's law closing the loop through the simulated room: two booths
// with a fan each beside one staff area (testbench/rooms/booths-2.yaml),
// the daemon's whole path from the simulated sensors to the fans.

// twoBooths is a harness on the two-booth room, with PM2.5 exposure limits
// for the staff area (a site sets them in exposure.limits).
func twoBooths(t *testing.T) *harness {
	t.Helper()
	cfg, err := config.Load("../testbench/rooms/booths-2.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg.Exposure.Limits.PM25 = config.Limit{TWA: 15, STEL: 35}
	return rigHarness(t, cfg, "", t0, testbench.RigOpts{Seed: 7})
}

// step runs the loop for d without waiting for the outputs; the fans'
// decisions are read from the loop's own state.
func (h *harness) step(d time.Duration) {
	for end := h.clk.Now().Add(d); h.clk.Now().Before(end); {
		next := h.clk.Now().Add(time.Second)
		h.d.step(h.clk.Now())
		h.clk.Sleep(next.Sub(h.clk.Now()))
	}
}

// until steps a second at a time until cond holds, at most limit; it
// returns how long that took, or fails.
func (h *harness) until(limit time.Duration, what string, cond func() bool) time.Duration {
	h.t.Helper()
	start := h.clk.Now()
	for !cond() {
		if h.clk.Now().Sub(start) >= limit {
			h.t.Fatalf("%s: not within %s; fans %+v", what, limit, h.fanStates())
		}
		h.step(time.Second)
	}
	return h.clk.Now().Sub(start)
}

func (h *harness) fan(i int) control.Decision { return h.d.fans[i].last }

func (h *harness) fanStates() []string {
	var out []string
	for _, f := range h.d.fans {
		out = append(out, f.cfg.Name+": "+string(f.last.Mode)+" "+f.last.Reason)
	}
	return out
}

func (h *harness) boothLevel(zone string) float64 {
	for _, b := range h.d.law.Booths() {
		if b.Zone == zone {
			return b.Level
		}
	}
	return math.NaN()
}

// A session starts the fan of its own booth only, holds it at full while
// the smoke lasts, ends once the booth clears, and the entry estimate at
// its end is minutes, within a factor of two of the real time.
func TestRoomLawSessionStartsAndEnds(t *testing.T) {
	h := twoBooths(t)
	h.step(20 * time.Minute)
	for i := range h.d.fans {
		if f := h.fan(i); f.Mode != control.ModeNormal || f.Duty > 0.5 {
			t.Fatalf("quiet room: fan %d %+v, want normal near minimum", i, f)
		}
	}
	h.rig.Room.StartSession("booth1", room.TypicalSession(3, 5*time.Minute))
	took := h.until(15*time.Second, "boost on smoke", func() bool { return h.fan(0).Mode == control.ModeBoost })
	if f := h.fan(0); f.Duty != 1 {
		t.Fatalf("session: fan %+v, want full", f)
	}
	t.Logf("booth1's fan at full %s after the session started", took)
	h.step(5*time.Minute - took)
	if f := h.fan(1); f.Mode == control.ModeBoost {
		t.Fatalf("booth2's fan boosts for booth1's smoke: %+v", f)
	}
	h.rig.Room.StopSession("booth1")
	h.until(2*time.Minute, "session end", func() bool { return h.fan(0).Mode == control.ModeNormal })
	// The first estimate comes from the booth's fall; it has not yet
	// measured its decay when this is its first session.
	var est float64
	ended := h.clk.Now()
	h.until(30*time.Second, "an entry estimate", func() bool { est = h.fan(0).SecondsToEntry; return est > 0 })
	given := h.clk.Now().Sub(ended)
	actual := h.until(15*time.Minute, "booth1 below the entry level", func() bool { return h.boothLevel("booth1") < 35 })
	t.Logf("entry estimate %.0f s, %s after the session ended; the booth was below 35 µg/m³ %s later", est, given, actual)
	if a := actual.Seconds(); est < a/2 || est > 2*a || est > 10*60 {
		t.Errorf("entry estimate %.0f s; the booth took %.0f s", est, a)
	}
	if f := h.fan(0); f.SecondsToEntry != 0 {
		t.Errorf("below the entry level: estimate %v, want 0", f.SecondsToEntry)
	}
	h.step(15 * time.Minute)
	if f := h.fan(0); f.Mode != control.ModeNormal || f.Duty > 0.6 {
		t.Errorf("15 min after clearing: fan %+v, want it back down", f)
	}
}

// A busy stretch on both booths keeps the staff area under its limits and
// raises no staff alarm.
func TestRoomLawHoldsStaffExposureUnderTheLimits(t *testing.T) {
	h := twoBooths(t)
	h.step(10 * time.Minute)
	for i := range 8 { // a session every 10 min for 80 min, the booths in turn
		zone := []string{"booth1", "booth2"}[i%2]
		h.rig.Room.StartSession(zone, room.TypicalSession(2+float64(i%3), 5*time.Minute))
		h.step(10 * time.Minute)
	}
	h.step(20 * time.Minute)
	s := h.snapshot()
	found := false
	for _, e := range s.Exposure {
		if e.Zone != "staff" || e.Quantity != sample.PM25 {
			continue
		}
		found = true
		t.Logf("staff PM2.5: STEL %v, TWA8h %.2f µg/m³", e.STEL, e.TWA8h)
		if e.OverSTEL || !e.STEL.Known() || float64(e.STEL) > 35 || e.TWA8h > 15 {
			t.Errorf("staff exposure %+v over the limits (STEL 35, TWA 15)", e)
		}
		if e.Shift != nil && (e.Shift.TimeOverSTEL > 0 || e.Shift.TimeOverAlarm > 0) {
			t.Errorf("staff PM2.5 over its STEL or alarm level during the shift: %+v", e.Shift)
		}
	}
	if !found {
		t.Fatal("no staff PM2.5 exposure in the snapshot")
	}
	for _, a := range s.Alarms.Alarms {
		if a.Subject == "staff" {
			t.Errorf("staff alarm: %+v", a)
		}
	}
}

// A booth sensor lost sends that booth's fan to its safe duty at once and
// leaves the other booth under control; a staff sensor lost raises every
// fan to the blind floor while the booths stay under their own control.
func TestRoomLawFailsSafeOnSensorLoss(t *testing.T) {
	h := twoBooths(t)
	h.step(15 * time.Minute)
	h.rig.SimBus("sim1").Inject(0x69, i2csim.Fault{Kind: i2csim.FaultCorrupt})
	h.until(3*time.Second, "booth1's fan safe", func() bool { return h.fan(0).Mode == control.ModeSafe })
	if f := h.fan(0); f.Duty != 1 || !strings.Contains(f.Reason, "booth1-pm") {
		t.Fatalf("booth1 unseen: fan %+v, want full with the sensor named", f)
	}
	h.step(30 * time.Second)
	if f := h.fan(1); f.Mode != control.ModeNormal || f.Duty >= 1 {
		t.Fatalf("booth1 unseen: booth2's fan %+v, want it under its own control", f)
	}
	h.rig.SimBus("sim1").ClearFaults(0x69)
	h.until(30*time.Second, "booth1's fan back under control", func() bool { return h.fan(0).Mode == control.ModeNormal })

	h.step(5 * time.Minute)
	h.rig.SimBus("sim0").Inject(0x69, i2csim.Fault{Kind: i2csim.FaultCorrupt})
	h.step(15 * time.Second)
	for i := range h.d.fans {
		if f := h.fan(i); f.Mode != control.ModeNormal || f.Duty < 0.5 || !strings.Contains(f.Reason, "staff PM2.5 not trusted") {
			t.Fatalf("staff unseen: fan %d %+v, want at least the 50 %% blind floor under control", i, f)
		}
	}
	h.rig.Room.StartSession("booth2", room.TypicalSession(3, 3*time.Minute))
	h.until(15*time.Second, "boost with the staff area unseen", func() bool { return h.fan(1).Mode == control.ModeBoost })
	if f := h.fan(0); f.Mode == control.ModeBoost {
		t.Fatalf("staff unseen, smoke in booth2: booth1's fan %+v", f)
	}
}

// A purge of one booth runs its fan at full until it is safe to enter and
// leaves the other booth's fan alone.
func TestRoomLawPurgesOneBooth(t *testing.T) {
	h := twoBooths(t)
	h.step(10 * time.Minute)
	h.rig.Room.StartSession("booth2", room.TypicalSession(3, 10*time.Minute))
	h.step(3 * time.Minute)
	var res string
	var err error
	h.call(func() {
		res, err = h.d.Purge(t.Context(), "booth2", record.Actor{Name: "tester", Via: "test"}, "overdose")
	})
	if err != nil || !strings.Contains(res, "booth2: purging") {
		t.Fatalf("purge: %q, %v", res, err)
	}
	h.rig.Room.StopSession("booth2")
	h.step(2 * time.Second)
	if f := h.fan(1); f.Mode != control.ModePurge || f.Duty != 1 {
		t.Fatalf("purging booth2: fan %+v", f)
	}
	if f := h.fan(0); f.Mode == control.ModePurge {
		t.Fatalf("purging booth2: booth1's fan %+v", f)
	}
	took := h.until(10*time.Minute, "purge over", func() bool { return h.fan(1).Mode != control.ModePurge })
	if lvl := h.boothLevel("booth2"); lvl >= 35 {
		t.Errorf("purge ended at %.0f µg/m³, above the entry level", lvl)
	}
	t.Logf("booth2 purged in %s", took)
}
