package control

import (
	"math"
	"strconv"
)

// keptReason is a reason's text kept with what it says: a key for its
// words (which booth it names, which of its forms) and its figures as
// printed, read back. A fan's reason is asked every period and its
// figures, printed to a tenth or a whole µg/m³, mostly stand still:
// printing them to see was most of the law's decisions.
type keptReason struct {
	ok    bool
	key   int
	shown [4]float64
	text  string
}

// get returns the text kept for key, if each of figs prints with prec
// decimals as the text's figures did (prints: shownSame).
func (k *keptReason) get(key, prec int, figs ...float64) (string, bool) {
	if !k.ok || k.key != key {
		return "", false
	}
	for i, v := range figs {
		if !shownSame(v, k.shown[i], prec) {
			return "", false
		}
	}
	return k.text, true
}

// set keeps text for key and figs, which it prints with prec decimals.
func (k *keptReason) set(text string, key, prec int, figs ...float64) {
	k.ok, k.key, k.text = true, key, text
	for i, v := range figs {
		var buf [32]byte
		k.shown[i], _ = strconv.ParseFloat(string(strconv.AppendFloat(buf[:0], v, 'f', prec, 64)), 64)
	}
}

// shownSame reports whether v prints with prec decimals (0 or 1, as %.0f
// or %.1f: strconv's 'f', rounded correctly) as the figure shown does,
// shown being that text read back: where it cannot tell at once (v
// within a billionth of the rounding's edge, NaN, infinities, figures of
// a million and more), it says no and the caller prints v.
//
// v prints as D, the decimal shown reads, when it is within half a unit
// of the last place of D: no other such decimal is as near. shown is D
// to within half its ulp, under 2⁻³³ below 2²⁰, so |v − shown| under
// half a unit less 1e-9 (its own rounding, at most 2⁻⁵³ of it, is less
// again) keeps v well within. A figure's sign is printed from v's sign
// bit, −0.0 too, and D's is shown's: away from zero the two agree by the
// distance alone, at zero they must.
func shownSame(v, shown float64, prec int) bool {
	half := 0.5
	if prec == 1 {
		half = 0.05
	}
	return math.Signbit(v) == math.Signbit(shown) && math.Abs(shown) < 1<<20 && math.Abs(v-shown) < half-1e-9
}
