package room_test

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/ventd/ventd/testbench/air"
	"github.com/ventd/ventd/testbench/room"
)

// TestSameAirAsReference plays a day (a shift of sessions, door openings,
// fan ramps and a stall, then a quiet night) into the model and
// into the previous algorithm (reference_test.go) and compares every
// reading: they must agree to 1e-9 relative. They differ only by rounding
// (the series step and the exponential agree to a few units in the last
// place per step, and the block exponential is the full one's arithmetic),
// so the agreement is far closer; the test logs how close.
func TestSameAirAsReference(t *testing.T) {
	for _, c := range []struct {
		booths int
		shift  time.Duration
	}{{1, 12 * time.Hour}, {2, 12 * time.Hour}, {6, 4 * time.Hour}} {
		booths, shift := c.booths, c.shift
		if raceEnabled && booths > 2 {
			shift = time.Hour
		}
		t.Run(fmt.Sprintf("booths=%d", booths), func(t *testing.T) {
			t.Parallel()
			cfg := boothsRoom(t, booths)
			fast, ref := newRoom(t, cfg), newRoom(t, cfg)
			room.UseReference(ref)
			// The reference takes an exponential per step while a fan
			// spins up; reading (and setting the duties) every 15 s and a shorter shift with six
			// booths keep the test to seconds.
			const poll, stagger, length = 15 * time.Second, 40 * time.Millisecond, 24 * time.Hour
			var want []air.State
			newDay(ref, poll, stagger, shift, 7).run(length, func(_ time.Duration, _ int, s air.State) {
				want = append(want, s)
			})
			worst, where, n := 0.0, "", 0
			newDay(fast, poll, stagger, shift, 7).run(length, func(at time.Duration, zone int, got air.State) {
				w := want[n]
				n++
				for _, f := range []struct {
					name      string
					got, want float64
				}{
					{"PM1", got.PM1, w.PM1}, {"PM2.5", got.PM25, w.PM25}, {"PM4", got.PM4, w.PM4},
					{"PM10", got.PM10, w.PM10}, {"CO2", got.CO2, w.CO2}, {"VOC", got.VOC, w.VOC},
					{"NOx", got.NOx, w.NOx}, {"temperature", got.Temperature, w.Temperature},
					{"humidity", got.Humidity, w.Humidity},
				} {
					if d := room.RelDiff(f.got, f.want); d > worst || math.IsNaN(d) {
						worst = d
						where = fmt.Sprintf("%s in %s at %v: %.17g, reference %.17g",
							f.name, cfg.Zones[zone].Name, at, f.got, f.want)
					}
				}
			})
			if n != len(want) {
				t.Fatalf("%d readings, the reference made %d", n, len(want))
			}
			if !(worst <= 1e-9) {
				t.Errorf("largest difference %.3g relative: %s", worst, where)
			}
			t.Logf("%d readings; largest difference %.3g relative (%s)", n, worst, where)
		})
	}
}

// TestKeptDecayIsFreshDecay plays the same day into a room that keeps the
// occupants' warmth's decay and the fans' spin-up decay per step length
// and one that takes them anew every step, as the model did before: every
// reading must be the same to the last bit (each factor is the same
// expression of the same length).
func TestKeptDecayIsFreshDecay(t *testing.T) {
	for _, booths := range []int{1, 2, 6} {
		t.Run(fmt.Sprintf("booths=%d", booths), func(t *testing.T) {
			t.Parallel()
			cfg := boothsRoom(t, booths)
			kept, fresh := newRoom(t, cfg), newRoom(t, cfg)
			room.UseFreshDecay(fresh)
			const poll, stagger, shift, length = 15 * time.Second, 40 * time.Millisecond, 8 * time.Hour, 12 * time.Hour
			var want []air.State
			newDay(fresh, poll, stagger, shift, 7).run(length, func(_ time.Duration, _ int, s air.State) {
				want = append(want, s)
			})
			n := 0
			newDay(kept, poll, stagger, shift, 7).run(length, func(at time.Duration, zone int, got air.State) {
				if got != want[n] {
					t.Fatalf("%s at %v: %+v, taken anew %+v", cfg.Zones[zone].Name, at, got, want[n])
				}
				n++
			})
			if n != len(want) || n == 0 {
				t.Fatalf("%d readings, the other room made %d", n, len(want))
			}
		})
	}
}
