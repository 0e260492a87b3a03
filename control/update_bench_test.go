package control

import (
	"math"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/sample"
)

// benchRoom is testbench's 2-booth room, and two hours of what its
// sensors read, a period a second, as the daemon hands them to the law
// (every PM2.5 and pressure sample, in the same order each period): a
// session in one booth or the other every ten minutes, each clearing
// into the staff area. The air does not answer the fans; the law's work
// for a period is much the same either way.
func benchRoom(tb testing.TB) (Params, [][]sample.Sample) {
	tb.Helper()
	cfg, err := config.Load("../testbench/rooms/booths-2.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	p, err := ParamsFor(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	read := func(v float64) float64 {
		v += (0.2 + 0.008*v) * math.Max(-2, math.Min(2, rng.NormFloat64()))
		return float64(float32(math.Max(v, 0)))
	}
	booth := []float64{8, 8}
	staff := 8.0
	var periods [][]sample.Sample
	for s := range 2 * 3600 {
		now := t0.Add(time.Duration(s) * time.Second)
		for i := range booth {
			at := (s + i*300) % 1200 // booth i's session starts at 0 of its cycle
			if at < 180 {
				booth[i] += 2.5
			}
			booth[i] += (8 - booth[i]) / 60
		}
		staff += (8 + 0.03*(booth[0]+booth[1]-16) - staff) / 300
		in := []sample.Sample{{Sensor: "staff-pm", Zone: "staff", Quantity: sample.PM25, Value: read(staff), Time: now}}
		for i, b := range p.Booths {
			in = append(in, sample.Sample{Sensor: b.PM[0], Zone: b.Zone, Quantity: sample.PM25, Value: read(booth[i]), Time: now})
		}
		periods = append(periods, in)
	}
	return p, periods
}

// BenchmarkRoomUpdate is the law over two hours of a 2-booth room.
func BenchmarkRoomUpdate(b *testing.B) {
	p, periods := benchRoom(b)
	b.ResetTimer()
	var st []BoothStatus
	for range b.N {
		r, err := NewRoom(p)
		if err != nil {
			b.Fatal(err)
		}
		for _, in := range periods {
			r.Update(in[0].Time, in)
			st = r.AppendBooths(st[:0])
		}
	}
}
