package daemon

import (
	"testing"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control"
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/room"
)

// A fan on a relay runs off or full, and a relay switched on stays on for
// its hold time whatever the law asks: the record says what the fan does.
func TestRelayFanRecordsWhatTheFanDoes(t *testing.T) {
	cfg := config.Sim()
	f := &cfg.Fans[0]
	f.Backend, f.MinDuty = config.BackendRelay, 0
	f.Relay = &config.RelayOutput{Pin: "GPIO17", MinSwitchTime: 30 * time.Second}
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	h := rigHarness(t, cfg, "", start, testbench.RigOpts{Seed: 7})
	simFan := h.rig.Room.Fan(f.Name)

	// Started at the safe duty: on. The law soon finds clean air and asks
	// for off, but the relay holds on for 30 s.
	held := false
	for range 45 {
		s := h.run(time.Second)
		fr := s.Fans[0]
		law := h.d.fans[0].last
		if fr.Duty != simFan.Duty() {
			t.Fatalf("%v: record says duty %g, the fan runs at %g (law asked %g, %s)", h.clk.Now().Sub(start), fr.Duty, simFan.Duty(), law.Duty, law.Reason)
		}
		if fr.Duty != 0 && fr.Duty != 1 {
			t.Fatalf("%v: a relay fan at duty %g", h.clk.Now().Sub(start), fr.Duty)
		}
		if law.Mode == control.ModeNormal && law.Duty == 0 && fr.Duty == 1 {
			held = true
		}
	}
	if !held {
		t.Error("the relay's hold never showed: the law asked for off and the fan stopped at once")
	}
	if s := h.run(time.Minute); s.Fans[0].Duty != 0 {
		t.Fatalf("a minute and a half into clean air: %+v, want off", s.Fans[0])
	}

	// Smoke: on at once, and off again once the booth is clear.
	h.rig.StartSession("booth", room.Session{PM25MgPerMin: 3})
	h.run(3 * time.Minute)
	h.rig.StopSession("booth")
	if s := h.run(time.Second); s.Fans[0].Duty != 1 || simFan.Duty() != 1 {
		t.Fatalf("at the end of a session: %+v, fan at %g", s.Fans[0], simFan.Duty())
	}
	if s := h.run(15 * time.Minute); s.Fans[0].Duty != 0 || simFan.Duty() != 0 {
		t.Fatalf("15 min after the session: %+v, fan at %g", s.Fans[0], simFan.Duty())
	}
}
