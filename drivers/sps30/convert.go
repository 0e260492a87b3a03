package sps30

import (
	"fmt"
	"math"
)

// decodeFloat joins two words into the big-endian IEEE754 float the sensor
// sends in the 0x0300 output format.
func decodeFloat(hi, lo uint16) float32 {
	return math.Float32frombits(uint32(hi)<<16 | uint32(lo))
}

// valueNames label the ten measured values, in the order the sensor sends
// them, for error messages.
var valueNames = [10]string{
	"mass PM1.0", "mass PM2.5", "mass PM4.0", "mass PM10",
	"number PM0.5", "number PM1.0", "number PM2.5", "number PM4.0", "number PM10",
	"typical particle size",
}

// decodeValues converts the 20 words of Read Measured Values. A negative,
// NaN or infinite value is an error: a particle concentration cannot be
// one, and a fault must never pass for clean air.
func decodeValues(w []uint16) (Reading, error) {
	if len(w) != 20 {
		return Reading{}, fmt.Errorf("got %d words, want 20", len(w))
	}
	var v [10]float64
	for i := range v {
		f := float64(decodeFloat(w[2*i], w[2*i+1]))
		if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
			return Reading{}, fmt.Errorf("%s is %v: %w", valueNames[i], f, ErrOutOfRange)
		}
		v[i] = f
	}
	return Reading{
		MassPM1: v[0], MassPM25: v[1], MassPM4: v[2], MassPM10: v[3],
		NumPM05: v[4], NumPM1: v[5], NumPM25: v[6], NumPM4: v[7], NumPM10: v[8],
		TypicalSize: v[9],
	}, nil
}

// decodeASCII turns words of two characters each into a string ending at
// the first NUL.
func decodeASCII(w []uint16) string {
	b := make([]byte, 0, 2*len(w))
	for _, x := range w {
		b = append(b, byte(x>>8), byte(x))
	}
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}
