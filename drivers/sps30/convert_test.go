package sps30

import (
	"errors"
	"math"
	"testing"
)

func TestDecodeFloat(t *testing.T) {
	for _, c := range []struct {
		hi, lo uint16
		want   float32
	}{
		{0x0000, 0x0000, 0},
		{0x3f80, 0x0000, 1},
		{0x3f00, 0x0000, 0.5},
		{0x4060, 0x0000, 3.5},
		{0x40a8, 0x0000, 5.25},
		{0x4148, 0x0000, 12.5},
		{0x42fb, 0x0000, 125.5},
		{0x447a, 0x0000, 1000},
		{0x3dcc, 0xcccd, 0.1},                         // not exact in binary: the nearest float32
		{0x4996, 0xb43f, 1234567.9},                   // low word matters
		{0x0000, 0x0001, math.SmallestNonzeroFloat32}, // denormal
		{0xbf80, 0x0000, -1},
	} {
		if got := decodeFloat(c.hi, c.lo); got != c.want {
			t.Errorf("decodeFloat(0x%04x, 0x%04x) = %v, want %v", c.hi, c.lo, got, c.want)
		}
	}
}

func TestDecodeValues(t *testing.T) {
	words := func(f ...uint32) []uint16 {
		w := make([]uint16, 0, 20)
		for _, b := range f {
			w = append(w, uint16(b>>16), uint16(b))
		}
		return w
	}
	ok := []uint32{0x40600000, 0x40a80000, 0x40c00000, 0x40e00000, 0x41c00000, 0x41e00000, 0x41e40000, 0x41e40000, 0x41e40000, 0x3f000000}
	r, err := decodeValues(words(ok...))
	want := Reading{3.5, 5.25, 6, 7, 24, 28, 28.5, 28.5, 28.5, 0.5}
	if err != nil || r != want {
		t.Fatalf("decodeValues = %+v, %v", r, err)
	}
	for _, c := range []struct {
		name string
		i    int
		bits uint32
	}{
		{"negative PM2.5", 1, 0xbf800000},
		{"NaN PM10", 3, 0x7fc00000},
		{"+Inf size", 9, 0x7f800000},
		{"-Inf NC0.5", 4, 0xff800000},
	} {
		bad := append([]uint32(nil), ok...)
		bad[c.i] = c.bits
		if _, err := decodeValues(words(bad...)); !errors.Is(err, ErrOutOfRange) {
			t.Errorf("%s: err = %v, want ErrOutOfRange", c.name, err)
		}
	}
	if _, err := decodeValues(make([]uint16, 10)); err == nil {
		t.Error("10 words accepted")
	}
}

func TestDecodeASCII(t *testing.T) {
	for _, c := range []struct {
		w    []uint16
		want string
	}{
		{[]uint16{0x3030, 0x3038, 0x3030, 0x3030}, "00080000"},
		{[]uint16{0x4142, 0x4300, 0x4445}, "ABC"},
		{[]uint16{0x0000, 0x4142}, ""},
		{nil, ""},
	} {
		if got := decodeASCII(c.w); got != c.want {
			t.Errorf("decodeASCII(%04x) = %q, want %q", c.w, got, c.want)
		}
	}
}
