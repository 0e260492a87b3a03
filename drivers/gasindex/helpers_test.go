package gasindex

import "math"

// smokyDay is a deterministic raw signal: a clean-air baseline with slow
// drift and noise, and a 10 min smoke session every 90 min that decays over
// minutes. Smoke lowers SRAW_VOC and raises SRAW_NOX, as on the sensor.
func smokyDay(k Kind, seconds int) []int32 {
	base, sign, depth := 27000.0, -1.0, 3000.0
	if k == NOx {
		base, sign, depth = 16000.0, 1.0, 600.0
	}
	out := make([]int32, seconds)
	var smoke float64
	seed := uint32(1)
	for i := range out {
		seed = seed*1664525 + 1013904223 // LCG noise, same every run
		noise := float64(seed>>16)/65536*20 - 10
		if i%5400 >= 3600 && i%5400 < 4200 {
			smoke += (1 - smoke) / 60
		} else {
			smoke -= smoke / 300
		}
		drift := 200 * math.Sin(2*math.Pi*float64(i)/(8*3600))
		out[i] = int32(base + drift + noise + sign*depth*smoke)
	}
	return out
}

// steady is a clean signal: baseline plus a little deterministic noise.
func steady(base int32, n int) []int32 {
	out := make([]int32, n)
	for i := range out {
		out[i] = base + int32(i*7%11) - 5
	}
	return out
}
