package room

import (
	"fmt"
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

// TestSparseExpmIsDenseExpm checks that summing the series with
// sparseSeries changes no number of the exponential: over rooms of one to
// eight booths, fans from still to full, a door open or shut and steps
// from a millisecond to an hour (up to a dozen squarings), expm's
// propagators equal those it makes with denseSeries (==: a zero's sign
// may differ, see sparseSeries).
func TestSparseExpmIsDenseExpm(t *testing.T) {
	for _, booths := range []int{1, 2, 6, 8} {
		cfg := Default()
		if booths > 1 {
			cfg = manyBooths(booths)
		}
		r := mustNew(t, cfg)
		n := len(r.zones)
		sparseW, denseW := newExpmScratch(n), newExpmScratch(n)
		denseW.keepZeros = true
		phi, gamma, phiD, gammaD := newMatrix(n), newMatrix(n), newMatrix(n), newMatrix(n)
		dep := make([]float64, n)
		compared := 0
		for _, speed := range []float64{0, 0.013, 0.25, 0.731, 1} {
			for _, door := range []bool{false, true} {
				for i, f := range r.fans {
					f.speed = speed * float64(i+1) / float64(len(r.fans))
				}
				if len(r.doors) > 0 {
					r.doors[0].open = door
				}
				r.flowKey(r.key)
				r.buildFlows(r.transient)
				for _, dt := range []time.Duration{time.Millisecond, 40 * time.Millisecond, 750 * time.Millisecond,
					time.Second, 1960 * time.Millisecond, 17 * time.Second, time.Minute, time.Hour} {
					for g := range nGroups {
						for i := range n {
							dep[i] = r.zones[i].deposition[g]
						}
						expm(phi, gamma, r.flows.a, dep, dt.Hours(), sparseW)
						expm(phiD, gammaD, r.flows.a, dep, dt.Hours(), denseW)
						for i := range phi.a {
							if phi.a[i] != phiD.a[i] || gamma.a[i] != gammaD.a[i] {
								t.Fatalf("%d booths, speed %g, door %v, %v, group %d, entry %d: Φ %.17g Γ %.17g, with the zeros Φ %.17g Γ %.17g",
									booths, speed, door, dt, g, i, phi.a[i], gamma.a[i], phiD.a[i], gammaD.a[i])
							}
						}
						compared++
					}
				}
			}
		}
		t.Logf("%d booths: %d exponentials the same", booths, compared)
	}
}

// manyBooths is Default's staff area with n booths, each with a fan and a
// door, one of the fans shared by the last two booths.
func manyBooths(n int) Config {
	cfg := Default()
	cfg.Zones, cfg.Fans, cfg.Doors = cfg.Zones[1:], nil, nil
	for i := range n {
		b := fmt.Sprintf("b%d", i+1)
		cfg.Zones = append(cfg.Zones, ZoneConfig{Name: b, Kind: Booth, VolumeM3: float64(3 + i%3), LeakageM3h: 10,
			Neighbour: "staff", DepositionPerHour: TypicalDeposition()})
		cfg.Doors = append(cfg.Doors, DoorConfig{Name: b, Between: [2]string{b, "staff"}, OpenExchangeM3h: 150})
		if i < n-1 {
			cfg.Fans = append(cfg.Fans, FanConfig{Name: b, Zones: []string{b}, MaxFlowM3h: 250})
		} else {
			last := &cfg.Fans[len(cfg.Fans)-1]
			last.Zones = append(last.Zones, b)
			last.MaxFlowM3h = 600
		}
	}
	return cfg
}

// BenchmarkExpm takes one step length's propagators (every deposition
// group's) for a room of four booths with their fans at 60 %, as the room
// does each time a fan settles at a new duty, for the lengths the
// sensors' polls make; keepZeros sums the series with denseSeries.
func BenchmarkExpm(b *testing.B) {
	for _, dt := range []time.Duration{40 * time.Millisecond, 90 * time.Millisecond, 750 * time.Millisecond} {
		for _, keepZeros := range []bool{false, true} {
			b.Run(fmt.Sprintf("step=%v/keepZeros=%v", dt, keepZeros), func(b *testing.B) {
				r := mustNew(b, manyBooths(4))
				for _, f := range r.fans {
					f.speed = 0.6
				}
				r.flowKey(r.key)
				r.buildFlows(r.transient)
				n := len(r.zones)
				w := newExpmScratch(n)
				w.keepZeros = keepZeros
				p := newPropagator(n)
				dep := make([]float64, n)
				for b.Loop() {
					for g := range nGroups {
						for i := range n {
							dep[i] = r.zones[i].deposition[g]
						}
						expm(p.phi[g], p.gamma[g], r.flows.a, dep, dt.Hours(), w)
					}
				}
			})
		}
	}
}
