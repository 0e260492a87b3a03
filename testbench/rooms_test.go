package testbench_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/scenario"
)

// TestRoomsPlay loads each room of testbench/rooms with its shift and
// plays the shift into the simulated room: the configs load, the
// scenarios name only zones, doors and sensors the rooms have, and
// sessions reach every booth.
func TestRoomsPlay(t *testing.T) {
	for _, n := range []int{1, 2, 6, 8} {
		t.Run(fmt.Sprintf("booths=%d", n), func(t *testing.T) {
			t.Parallel()
			cfg, err := config.Load(fmt.Sprintf("rooms/booths-%d.yaml", n))
			if err != nil {
				t.Fatal(err)
			}
			sc, err := scenario.Load(fmt.Sprintf("rooms/booths-%d-day.yaml", n))
			if err != nil {
				t.Fatal(err)
			}
			start := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)
			rig, err := testbench.NewRig(cfg, clock.NewSim(start, 0), sc, testbench.RigOpts{})
			if err != nil {
				t.Fatal(err)
			}
			var booths []string
			for _, z := range cfg.Zones {
				if z.Kind == config.Booth {
					booths = append(booths, z.Name)
				}
			}
			if len(booths) != n || len(cfg.Fans) != n || len(cfg.Sensors) != 2*n+3 {
				t.Fatalf("%d booths, %d fans, %d sensors; want %d, %d and %d", len(booths), len(cfg.Fans), len(cfg.Sensors), n, n, 2*n+3)
			}
			if sc.Duration != 8*time.Hour {
				t.Errorf("the scenario lasts %v, want an 8 h shift", sc.Duration)
			}
			peak := map[string]float64{}
			for at := start; at.Before(start.Add(sc.Duration)); at = at.Add(30 * time.Second) {
				if err := rig.Step(at); err != nil {
					t.Fatal(err)
				}
				rig.Room.AdvanceTo(at)
				for _, b := range booths {
					s, err := rig.Room.State(b)
					if err != nil {
						t.Fatal(err)
					}
					peak[b] = max(peak[b], s.PM25)
				}
			}
			for _, b := range booths {
				// The fans run at full duty on the rig alone, so a
				// 1 mg/min session holds a 4 m³ booth near 200 µg/m³.
				if peak[b] < 150 {
					t.Errorf("%s: PM2.5 peaked at %.0f µg/m³ over the shift; want sessions there", b, peak[b])
				}
			}
			if rc := testbench.RoomConfig(cfg); len(rc.Doors) != n {
				t.Errorf("the simulated room has %d doors, want one per booth", len(rc.Doors))
			}
		})
	}
}
