package control

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
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

// speedForIterated is speedFor without its shortcuts.
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

// speedFor's shortcuts, for a booth alone (no staff need) and for full
// speed, answer as the iteration does, to the bit: needs of every size,
// answers just under and just over full speed, zeros of either sign,
// infinities and NaN. A speedKept answers as speedFor.
func TestSpeedForShortcutsAreIterated(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	odd := []float64{0, math.Copysign(0, -1), math.Inf(1), math.NaN(), math.MaxFloat64, 1, 1 + 1e-9, 1 - 1e-9}
	need := func(i int) float64 {
		switch rng.IntN(5) {
		case 0:
			return odd[rng.IntN(len(odd))]
		case 1: // a balance near full speed: u³ = a·u + b at u near 1
			return rng.Float64() * (1 + (rng.Float64()-0.5)*1e-6)
		}
		return rng.ExpFloat64() * math.Pow(10, float64(i%9-4))
	}
	var k speedKept
	for i := range 300000 {
		b, a := need(i), need(i+3)
		switch rng.IntN(3) {
		case 0:
			a = 0
		case 1: // u = 1 exactly balances: b = 1 − a
			a = rng.Float64()
			b = 1 - a + (rng.Float64()-0.5)*1e-8
		}
		want := speedForIterated(b, a)
		if got := speedFor(b, a); math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("speedFor(%v, %v) = %v, iterated %v", b, a, got, want)
		}
		if got := k.of(b, a); math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("speedKept(%v, %v) = %v, iterated %v", b, a, got, want)
		}
	}
}

// A logTrend takes its levels' logs when asked, each once: asked now and
// then, it answers as one that took each log as the level came, over
// sessions, falls, zero levels and gaps that empty the window.
func TestLogTrendLogsWhenAsked(t *testing.T) {
	rng := rand.New(rand.NewPCG(15, 16))
	var lazy, eager logTrend
	now, level := t0, 8.0
	estimates := 0
	for i := range 20000 {
		step := time.Second
		if rng.IntN(500) == 0 {
			step = 2 * time.Minute // a gap: the window empties
		}
		now = now.Add(step)
		switch {
		case i%600 < 120:
			level += rng.Float64() * 20
		case rng.IntN(50) == 0:
			level = 0
		default:
			level = level*0.97 + rng.NormFloat64()
		}
		lazy.add(now, level)
		eager.add(now, level)
		eager.logged()
		if rng.IntN(7) == 0 {
			th := []float64{35, 10, 0.5}[rng.IntN(3)]
			if got, want := lazy.secondsTo(th), eager.secondsTo(th); math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("%d: secondsTo(%v) = %v, with every log taken at once %v", i, th, got, want)
			} else if got > 0 {
				estimates++
			}
		}
	}
	if estimates < 100 {
		t.Fatalf("only %d estimates: the test shows little", estimates)
	}
}

// A window drops the points clock.Sub puts more than its span before the
// newest, and climb and falling fit the points it puts within theirs:
// with times on the wall clock alone or with monotonic readings (mixed
// too), steps of any size, and times that go back.
func TestWindowCutIsClockSub(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 18))
	mono := time.Now()
	for _, mixed := range []int{0, 1, 2} { // wall only, monotonic only, mixed
		var w window
		var want []point
		now := t0
		if mixed == 1 {
			now = mono
		}
		for range 5000 {
			now = now.Add(time.Duration(rng.IntN(3000)-200) * time.Millisecond)
			at := now
			if mixed == 2 && rng.IntN(2) == 0 {
				at = now.Round(0)
			}
			span := []time.Duration{time.Second, 10 * time.Second, time.Minute}[rng.IntN(3)]
			p := point{at, rng.Float64()}
			w.add(p, span)
			i := 0
			for i < len(want) && clock.Sub(at, want[i].t) > span {
				i++
			}
			want = append(want[i:], p)
			if got := w.pts(); len(got) != len(want) || got[0] != want[0] {
				t.Fatalf("window of %d points from %v, want %d from %v", len(got), got[0].t, len(want), want[0].t)
			}
			for _, d := range []time.Duration{trendWindow, fallWindow} {
				h, j := w.pts(), len(w.pts())-1
				for j > 0 && clock.Sub(h[len(h)-1].t, h[j-1].t) <= d {
					j--
				}
				from := h[len(h)-1].t.Add(-d)
				k := len(h) - 1
				for k > 0 && !h[k-1].t.Before(from) {
					k--
				}
				if j != k {
					t.Fatalf("within %v of the last: from %d by clock.Sub, %d by Before", d, j, k)
				}
			}
		}
	}
}
