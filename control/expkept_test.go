package control

import (
	"math"
	"math/rand/v2"
	"testing"
)

// An expKept answers as math.Exp and math.Expm1 do, to the bit, whatever
// the arguments and however often they come back: a few over and over,
// more than it keeps, zeros of either sign, infinities and NaN.
func TestExpKeptIsMath(t *testing.T) {
	args := []float64{-1.0 / 3600, -1.001 / 3600, -0.999 / 3600, -0.05, 0, math.Copysign(0, -1),
		math.Inf(-1), math.Inf(1), math.NaN(), -2.5, 1e-300}
	rng := rand.New(rand.NewPCG(11, 12))
	var e, m expKept
	for range 100000 {
		x := args[rng.IntN(len(args))]
		if rng.IntN(10) == 0 {
			x = -rng.ExpFloat64()
		}
		if got, want := e.exp(x), math.Exp(x); math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("exp(%v) = %v, math.Exp %v", x, got, want)
		}
		if got, want := m.expm1(x), math.Expm1(x); math.Float64bits(got) != math.Float64bits(want) {
			t.Fatalf("expm1(%v) = %v, math.Expm1 %v", x, got, want)
		}
	}
}
