package control

import (
	"math"
	"math/rand/v2"
	"testing"
)

// maxOf and minOf answer as math.Max and math.Min do, to the bit: for
// infinities, NaNs, zeros of either sign and ordinary numbers alike.
func TestMinMaxOfAreMath(t *testing.T) {
	vals := []float64{math.Inf(1), math.Inf(-1), math.NaN(), math.Copysign(0, -1), 0, 1, -1,
		math.SmallestNonzeroFloat64, -math.SmallestNonzeroFloat64, math.MaxFloat64, -math.MaxFloat64, 0.1, 1e-300}
	rng := rand.New(rand.NewPCG(5, 6))
	for range 1000 {
		vals = append(vals, rng.NormFloat64()*math.Pow(10, float64(rng.IntN(20)-10)))
	}
	vals = append(vals, vals[len(vals)-1]) // a number beside itself
	for _, x := range vals {
		for _, y := range vals {
			if got, want := maxOf(x, y), math.Max(x, y); math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("maxOf(%v, %v) = %v, math.Max %v", x, y, got, want)
			}
			if got, want := minOf(x, y), math.Min(x, y); math.Float64bits(got) != math.Float64bits(want) {
				t.Fatalf("minOf(%v, %v) = %v, math.Min %v", x, y, got, want)
			}
		}
	}
}
