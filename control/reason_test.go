package control

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// Where shownSame says a value prints as an earlier one did, it does:
// near the rounding's edges, at ties, at zero of either sign, for large
// figures, NaN and infinities. The reasons print with fmt's %.0f and
// %.1f, which print as strconv's 'f'.
func TestShownSameMeansSameText(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 14))
	edges := []float64{0, 0.05, 0.25, 0.45, 0.5, 1.5, 2.5, 12.35, 99.95, -0.05, -0.5, -2.5, 1 << 20, 1e7}
	value := func() float64 {
		switch rng.IntN(6) {
		case 0: // beside an edge, or on it
			return edges[rng.IntN(len(edges))] + float64(rng.IntN(5)-2)*math.Pow(2, -float64(rng.IntN(60)))
		case 1:
			return []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), 0}[rng.IntN(5)]
		case 2:
			return rng.NormFloat64() * 1e6
		}
		return rng.NormFloat64() * 10
	}
	same := 0
	for range 1000000 {
		prec := rng.IntN(2)
		was := value()
		text := strconv.FormatFloat(was, 'f', prec, 64)
		shown, _ := strconv.ParseFloat(text, 64)
		v := value()
		if rng.IntN(2) == 0 {
			v = was + (rng.Float64()-0.5)*0.1 // near it
		}
		if fmt.Sprintf("%.*f", prec, v) != strconv.FormatFloat(v, 'f', prec, 64) {
			t.Fatalf("%v: %%.%df prints %q, strconv %q", v, prec, fmt.Sprintf("%.*f", prec, v), strconv.FormatFloat(v, 'f', prec, 64))
		}
		if shownSame(v, shown, prec) {
			same++
			if got := strconv.FormatFloat(v, 'f', prec, 64); got != text {
				t.Fatalf("%v prints %q, %v %q, but shownSame says the same (prec %d)", v, got, was, text, prec)
			}
		}
	}
	if same < 100000 {
		t.Fatalf("shownSame said the same only %d times in 1000000: the test shows little", same)
	}
}

// A keptReason gives its text only while the key and every figure's
// print are the same.
func TestKeptReason(t *testing.T) {
	var k keptReason
	if _, ok := k.get(0, 1, 1.23); ok {
		t.Fatal("an empty keptReason gave a text")
	}
	k.set("a", 2, 1, 1.23, 4.56)
	if s, ok := k.get(2, 1, 1.24, 4.58); !ok || s != "a" {
		t.Fatalf("same prints gave %q %v, want a", s, ok)
	}
	if _, ok := k.get(3, 1, 1.23, 4.56); ok {
		t.Fatal("another key gave the text")
	}
	if _, ok := k.get(2, 1, 1.23, 4.66); ok {
		t.Fatal("a figure printed otherwise gave the text")
	}
}
