package control

import (
	"math/rand/v2"
	"testing"

	"github.com/ventd/ventd/sample"
)

// A sensorIndex gives, for each configured sensor, the sample a map of
// the input by name would: whatever the input's order from one period to
// the next, with sensors missing, repeated (the last counts) or unknown.
func TestSensorIndexAnswersAsAMap(t *testing.T) {
	configured := []string{"a", "b", "c", "d"}
	var x sensorIndex
	for _, n := range configured {
		x.slot(n)
	}
	if s := x.slot("b"); s != 1 {
		t.Fatalf("a sensor named again got slot %d, want its own 1", s)
	}
	names := append([]string{"unknown", ""}, configured...)
	rng := rand.New(rand.NewPCG(1, 2))
	var in []sample.Sample
	for period := range 2000 {
		if period%3 != 0 { // mostly the same order as before, as the daemon gives it
			in = in[:0]
			for range rng.IntN(8) {
				in = append(in, sample.Sample{Sensor: names[rng.IntN(len(names))], Value: rng.Float64()})
			}
		}
		x.take(in)
		byName := map[string]sample.Sample{}
		for _, s := range in {
			byName[s.Sensor] = s
		}
		for _, n := range configured {
			got, ok := x.get(x.slot(n))
			want, wantOK := byName[n]
			if ok != wantOK || ok && got.Value != want.Value {
				t.Fatalf("period %d, input %v: %s gave %v %v, want %v %v", period, in, n, got, ok, want, wantOK)
			}
		}
		x.done()
	}
}
