package room

import (
	"math"
	"testing"
	"time"
)

// relDiff is |a − b| relative to the larger of the two.
func relDiff(a, b float64) float64 {
	if a == b {
		return 0
	}
	return math.Abs(a-b) / max(math.Abs(a), math.Abs(b))
}

// TestBlockExpmIsFullExpm checks that the exponential taken on the n×n
// blocks gives the numbers of the full 2n×2n one, over flows from a
// closed room to a purge with a door open and steps from a millisecond
// to an hour (up to a dozen squarings). Without fused multiply-add (as
// Go compiles for amd64) they are the same bits; where the compiler fuses
// (arm64) the two orders of work may round differently.
func TestBlockExpmIsFullExpm(t *testing.T) {
	three := Default()
	three.Zones, three.Fans, three.Doors = three.Zones[1:], nil, nil
	for _, b := range []string{"b1", "b2", "b3"} {
		three.Zones = append(three.Zones, ZoneConfig{Name: b, Kind: Booth, VolumeM3: 4, LeakageM3h: 10, Neighbour: "staff",
			DepositionPerHour: TypicalDeposition()})
		three.Fans = append(three.Fans, FanConfig{Name: b, Zones: []string{b}, MaxFlowM3h: 300})
		three.Doors = append(three.Doors, DoorConfig{Name: b, Between: [2]string{b, "staff"}, OpenExchangeM3h: 150})
	}
	for booths, cfg := range map[int]Config{1: Default(), 3: three} {
		r := mustNew(t, cfg)
		n := len(r.zones)
		w := newExpmScratch(n)
		phi, gamma := newMatrix(n), newMatrix(n)
		worst := 0.0
		for _, speed := range []float64{0, 0.25, 0.731, 1} {
			for _, door := range []bool{false, true} {
				for _, f := range r.fans {
					f.speed = speed
				}
				r.doors[0].open = door
				r.flowKey(r.key)
				r.buildFlows(r.transient)
				for _, dt := range []time.Duration{time.Millisecond, 40 * time.Millisecond, 750 * time.Millisecond,
					time.Second, 17 * time.Second, time.Minute, time.Hour} {
					h := dt.Hours()
					for g := range nGroups {
						dep := make([]float64, n)
						full := newMatrix(2 * n)
						for i := range n {
							dep[i] = r.zones[i].deposition[g]
							for j := range n {
								full.set(i, j, r.flows.a.at(i, j)*h)
							}
							full.add(i, i, -r.zones[i].deposition[g]*h)
							full.set(i, n+i, h)
						}
						e := refExpm(full)
						expm(phi, gamma, r.flows.a, dep, h, w)
						for i := range n {
							for j := range n {
								worst = max(worst, relDiff(phi.at(i, j), e.at(i, j)), relDiff(gamma.at(i, j), e.at(i, n+j)))
							}
						}
					}
				}
			}
		}
		if worst > 1e-13 {
			t.Errorf("%d booths: block and full exponentials differ by up to %.3g relative", booths, worst)
		}
		t.Logf("%d booths: largest difference %.3g relative", booths, worst)
	}
}
