package control

import (
	"math"
	"math/rand/v2"
	"testing"
)

// fanAirByFans is fanAir as a pass over every fan and the booths it
// names, which the room's boothFans stand in for.
func fanAirByFans(r *Room, booth int) (now, full, least float64) {
	add := func(f *fan, n float64) {
		q := f.spec.MaxFlowM3h / n
		now += f.spec.air(f.duty) * q
		full += f.spec.air(f.spec.MaxDuty) * q
		least += f.spec.air(f.spec.MinDuty) * q
	}
	for i, f := range r.fans {
		if r.faults.dead(i) {
			continue
		}
		if booth < 0 {
			add(f, 1)
			continue
		}
		for _, b := range f.spec.Booths {
			if b == booth {
				add(f, float64(len(f.spec.Booths)))
			}
		}
	}
	return now, full, least
}

// fanAir from the booths' lists of fans is the pass over every fan, to
// the bit: fans shared between booths, a booth named twice by a fan,
// relays, fans that do not work.
func TestFanAirByBoothIsByFan(t *testing.T) {
	p := Params{Tuning: simParams(t, nil).Tuning}
	for _, z := range []string{"b0", "b1", "b2"} {
		p.Booths = append(p.Booths, Booth{Zone: z, VolumeM3: 4, PM: []string{z + "-pm"}})
	}
	for i, bs := range [][]int{{0}, {0, 1}, {2, 2}, {1, 2, 0}, {2}} {
		p.Fans = append(p.Fans, FanSpec{Name: string(rune('a' + i)), Booths: bs, MinDuty: 0.1 * float64(i), MaxDuty: 1 - 0.05*float64(i),
			SafeDuty: 0.5, MaxFlowM3h: 100 + 37*float64(i), RatedPowerW: 40, OnOff: i == 3})
	}
	r, err := NewRoom(p)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(7, 8))
	for range 200 {
		for i, f := range r.fans {
			f.duty = rng.Float64()
			why := ""
			if rng.IntN(4) == 0 {
				why = "stalled"
			}
			r.SetFanFault(i, why)
		}
		for b := -1; b < len(p.Booths); b++ {
			q, full, least := r.fanAir(b)
			wq, wfull, wleast := fanAirByFans(r, b)
			if math.Float64bits(q) != math.Float64bits(wq) || math.Float64bits(full) != math.Float64bits(wfull) || math.Float64bits(least) != math.Float64bits(wleast) {
				t.Fatalf("booth %d: fanAir %v %v %v, by fan %v %v %v", b, q, full, least, wq, wfull, wleast)
			}
		}
	}
}

// speedForIterated is speedFor without its shortcut for a booth alone.
func speedForIterated(b, a float64) float64 {
	u := math.Max(math.Sqrt(a), math.Cbrt(b))
	for range 30 {
		next := math.Cbrt(a*u + b)
		if next-u < 1e-6 {
			u = next
			break
		}
		u = next
	}
	return math.Min(u, 1)
}

// speedFor's shortcut for a booth alone (no staff need) answers as the
// iteration does, to the bit.
func TestSpeedForBoothAloneIsIterated(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for i := range 100000 {
		b := rng.ExpFloat64() * math.Pow(10, float64(i%9-4))
		for _, a := range []float64{0, math.Copysign(0, -1), rng.Float64()} {
			if got, want := speedFor(b, a), speedForIterated(b, a); math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("speedFor(%v, %v) = %v, iterated %v", b, a, got, want)
			}
		}
	}
}
