package daemon

import (
	"testing"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control"
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/room"
)

// relayHarness is the simulated room with its fan on a relay (held on
// 30 s once switched on), run by law (nil: the room law).
func relayHarness(t *testing.T, law func(control.Params) (control.Law, error)) *harness {
	t.Helper()
	cfg := config.Sim()
	f := &cfg.Fans[0]
	f.Backend, f.MinDuty = config.BackendRelay, 0
	f.Relay = &config.RelayOutput{Pin: "GPIO17", MinSwitchTime: 30 * time.Second}
	return lawHarness(t, cfg, "", time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), testbench.RigOpts{Seed: 7}, law)
}

// A fan on a relay runs off or full, and a relay switched on stays on for
// its hold whatever the law asks: the record says what the fan does, not
// what a law that knows no relay asked for.
func TestRelayFanRecordsWhatTheFanDoes(t *testing.T) {
	h := relayHarness(t, func(p control.Params) (control.Law, error) {
		return control.PerFan(p, func(f control.FanSpec, t control.Tuning) (control.FanLaw, error) {
			return control.NewFixed(f, t, 0.3) // a relay takes 30 % as off
		})
	})
	simFan := h.rig.Room.Fan("booth-exhaust")
	held := false
	for i := range 60 {
		s := h.run(time.Second)
		fr, law := s.Fans[0], h.d.fans[0].last
		if fr.Duty != simFan.Duty() {
			t.Fatalf("%d s: record says duty %g, the fan runs at %g (law asked %g, %s)", i+1, fr.Duty, simFan.Duty(), law.Duty, law.Reason)
		}
		if law.Mode == control.ModeNormal && law.Duty == 0.3 && fr.Duty == 1 {
			held = true // the start's safe duty switched it on
		}
	}
	if !held {
		t.Error("the relay's hold never showed: the fan stopped as soon as the law asked for 30 %")
	}
	if s := h.run(time.Second); s.Fans[0].Duty != 0 {
		t.Fatalf("a minute in at 30 %%: %+v, want off", s.Fans[0])
	}
}

// The room law knows the relay: its duty is the fan's every second, held
// on through the relay's hold; on with smoke and off once the booth is clear.
func TestRoomLawRunsARelayAsItRuns(t *testing.T) {
	h := relayHarness(t, nil)
	simFan := h.rig.Room.Fan("booth-exhaust")
	check := func(what string, d time.Duration) {
		t.Helper()
		for range int(d / time.Second) {
			s := h.run(time.Second)
			if law := h.d.fans[0].last; law.Duty != s.Fans[0].Duty || law.Duty != simFan.Duty() {
				t.Fatalf("%s: law asks %g (%s), record %g, fan %g", what, law.Duty, law.Reason, s.Fans[0].Duty, simFan.Duty())
			}
		}
	}
	check("starting", 2*time.Minute)
	if s := h.run(time.Second); s.Fans[0].Duty != 0 {
		t.Fatalf("two minutes into clean air: %+v, want off", s.Fans[0])
	}
	h.rig.StartSession("booth", room.Session{PM25MgPerMin: 3})
	check("a session", 3*time.Minute)
	h.rig.StopSession("booth")
	if s := h.run(time.Second); s.Fans[0].Duty != 1 {
		t.Fatalf("at the end of a session: %+v", s.Fans[0])
	}
	check("after the session", 15*time.Minute)
	if s := h.run(time.Second); s.Fans[0].Duty != 0 {
		t.Fatalf("15 min after the session: %+v, want off", s.Fans[0])
	}
}
