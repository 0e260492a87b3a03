package gasindex

import (
	"strings"
	"testing"
	"time"
)

// The index is 0 through the 45 s blackout (46 samples at 1 s, as the
// reference counts 0..45 inclusive), then 1..500.
func TestBlackout(t *testing.T) {
	for _, tc := range []struct {
		interval time.Duration
		zeros    int
	}{{time.Second, 46}, {10 * time.Second, 5}} {
		a := NewVOC(tc.interval)
		for i := range tc.zeros + 5 {
			got := a.Process(27000)
			if i < tc.zeros && got != 0 {
				t.Fatalf("interval %v: sample %d: index %d during the blackout, want 0", tc.interval, i, got)
			}
			if i >= tc.zeros && (got < 1 || got > 500) {
				t.Fatalf("interval %v: sample %d: index %d after the blackout, want 1..500", tc.interval, i, got)
			}
		}
	}
}

// Extreme raw values are clamped, and the index stays within 1..500.
func TestRange(t *testing.T) {
	for _, k := range []Kind{VOC, NOx} {
		a := newAlgorithm(k, time.Second)
		for _, s := range steady(24000, 3600) {
			a.Process(s)
		}
		lo, hi := int32(500), int32(0)
		for i := range 7200 {
			sraw := int32(1) // far below the minimum
			if i >= 3600 {
				sraw = 64999 // far above the clamp
			}
			got := a.Process(sraw)
			lo, hi = min(lo, got), max(hi, got)
		}
		if lo < 1 || hi > 500 {
			t.Errorf("%s: index ranged %d..%d, want within 1..500", k, lo, hi)
		}
		if hi-lo < 100 {
			t.Errorf("%s: index ranged only %d..%d over extreme inputs", k, lo, hi)
		}
	}
}

// Samples of 0 or >= 65000 are the sensor's "no value": the previous valid
// sample is reused, so they move nothing.
func TestInvalidSamplesReusePrevious(t *testing.T) {
	ref, gap := NewVOC(time.Second), NewVOC(time.Second)
	sig := steady(27000, 3000)
	for i, s := range sig {
		in := s
		if i > 1000 && i%10 == 0 {
			in = []int32{0, 65000, 65535}[i%3]
			s = sig[i-1] // what the algorithm must have reused
		}
		if r, g := ref.Process(s), gap.Process(in); r != g {
			t.Fatalf("sample %d (sraw %d): index %d, want %d as with the previous sample", i, in, g, r)
		}
	}
}

func TestConstructors(t *testing.T) {
	if a := NewVOC(0); a.SamplingInterval() != time.Second || a.Kind() != VOC || a.String() != "gasindex(voc, 1s)" {
		t.Errorf("NewVOC(0) = %v, want the 1 s default", a)
	}
	if a := NewNOx(10 * time.Second); a.SamplingInterval() != 10*time.Second || a.Kind() != NOx {
		t.Errorf("NewNOx(10s) = %v", a)
	}
	defer func() {
		if r := recover(); r == nil || !strings.Contains(r.(string), "negative sampling interval") {
			t.Errorf("NewVOC(-1s) panicked with %v, want a message naming the negative interval", r)
		}
	}()
	NewVOC(-time.Second)
}

func TestReset(t *testing.T) {
	a := NewNOx(time.Second)
	for _, s := range steady(16000, 1000) {
		a.Process(s)
	}
	a.Reset()
	fresh := NewNOx(time.Second)
	for i, s := range steady(16500, 1000) {
		if g, w := a.Process(s), fresh.Process(s); g != w {
			t.Fatalf("sample %d after Reset: %d, fresh instance %d", i, g, w)
		}
	}
}

func BenchmarkProcess(b *testing.B) {
	for _, k := range []Kind{VOC, NOx} {
		b.Run(k.String(), func(b *testing.B) {
			sig := smokyDay(k, 4096)
			a := newAlgorithm(k, time.Second)
			for _, s := range sig {
				a.Process(s)
			}
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				a.Process(sig[i&4095])
				i++
			}
		})
	}
}
