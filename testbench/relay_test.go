package testbench

import (
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/drivers/fan"
)

// A fan the config puts on a relay is switched by ventd's relay driver:
// full from its threshold, off below it once the hold has passed, the
// same with an active-low board.
func TestRigRelayFan(t *testing.T) {
	for _, activeLow := range []bool{false, true} {
		cfg := config.Sim()
		f := &cfg.Fans[0]
		f.Backend, f.Relay = config.BackendRelay, &config.RelayOutput{Pin: "GPIO17", ActiveLow: activeLow, MinSwitchTime: 30 * time.Second}
		clk := clock.NewSim(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), 0)
		rig, err := NewRig(cfg, clk, nil, RigOpts{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		out, err := rig.Fan(*f)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := out.(fan.Switch); !ok {
			t.Fatalf("active low %v: %s is no fan.Switch", activeLow, out)
		}
		sim := rig.Room.Fan(f.Name)
		for _, c := range []struct {
			after time.Duration
			duty  float64
			want  float64
		}{
			{0, 0.3, 0}, {time.Second, 0.6, 1}, {10 * time.Second, 0.1, 1}, {25 * time.Second, 0.1, 0}, {time.Second, 1, 1},
		} {
			clk.Advance(c.after)
			if err := out.SetDuty(c.duty); err != nil {
				t.Fatal(err)
			}
			if got := sim.Duty(); got != c.want {
				t.Fatalf("active low %v, duty %g: the simulated fan runs at %g, want %g", activeLow, c.duty, got, c.want)
			}
		}
	}
}
