package scd4x

import (
	"math"
	"strings"
	"testing"
)

// TestConversions covers every raw-count conversion in both directions,
// with the datasheet's examples and the ends of each range. periph's
// countToOffset(1498) returns about 4e-9 °C; the 4 °C row catches that.
func TestConversions(t *testing.T) {
	const tol = 1e-3
	decode := []struct {
		name string
		f    func(uint16) float64
		w    uint16
		want float64
	}{
		{"co2 500 ppm (datasheet)", co2PPM, 0x01f4, 500},
		{"co2 max", co2PPM, 40000, 40000},
		{"T 25 °C (datasheet)", celsius, 0x6667, 25.0027},
		{"T min", celsius, 0, -45},
		{"T max", celsius, 0xffff, 130},
		{"RH 37 % (datasheet)", percentRH, 0x5eb9, 37.0016},
		{"RH 0", percentRH, 0, 0},
		{"RH 100", percentRH, 0xffff, 100},
		{"offset 6.2 °C (datasheet)", offsetCelsius, 0x0912, 6.2005},
		{"offset 4 °C (factory)", offsetCelsius, 1498, 4.0002},
		{"offset 0", offsetCelsius, 0, 0},
		{"pressure 98 700 Pa (datasheet)", pressurePa, 0x03db, 98700},
	}
	for _, c := range decode {
		if got := c.f(c.w); math.Abs(got-c.want) > tol {
			t.Errorf("%s: 0x%04x -> %v, want %v", c.name, c.w, got, c.want)
		}
	}

	encode := []struct {
		name    string
		f       func() (uint16, error)
		want    uint16
		wantErr string
	}{
		{"offset 5.4 °C (datasheet)", func() (uint16, error) { return offsetWord(5.4) }, 0x07e6, ""},
		{"offset 4 °C", func() (uint16, error) { return offsetWord(4) }, 1498, ""},
		{"offset 0", func() (uint16, error) { return offsetWord(0) }, 0, ""},
		{"offset 20 °C", func() (uint16, error) { return offsetWord(20) }, 7490, ""},
		{"offset negative", func() (uint16, error) { return offsetWord(-1) }, 0, "want 0 to 20 °C"},
		{"offset too big", func() (uint16, error) { return offsetWord(21) }, 0, "want 0 to 20 °C"},
		{"offset NaN", func() (uint16, error) { return offsetWord(math.NaN()) }, 0, "out of range"},
		{"altitude 1950 m (datasheet)", func() (uint16, error) { return altitudeWord(1950) }, 0x079e, ""},
		{"altitude 0", func() (uint16, error) { return altitudeWord(0) }, 0, ""},
		{"altitude 3000 m", func() (uint16, error) { return altitudeWord(3000) }, 3000, ""},
		{"altitude negative", func() (uint16, error) { return altitudeWord(-10) }, 0, "want 0 to 3000 m"},
		{"altitude too high", func() (uint16, error) { return altitudeWord(3001) }, 0, "want 0 to 3000 m"},
		{"pressure 98 700 Pa (datasheet)", func() (uint16, error) { return pressureWord(98700) }, 0x03db, ""},
		{"pressure rounds", func() (uint16, error) { return pressureWord(101325) }, 1013, ""},
		{"pressure in hPa by mistake", func() (uint16, error) { return pressureWord(1013) }, 0, "pass pascals"},
		{"FRC 480 ppm (datasheet)", func() (uint16, error) { return frcWord(480) }, 0x01e0, ""},
		{"FRC negative", func() (uint16, error) { return frcWord(-1) }, 0, "want 0 to 40000 ppm"},
	}
	for _, c := range encode {
		got, err := c.f()
		switch {
		case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
			t.Errorf("%s: err = %v, want one saying %q", c.name, err, c.wantErr)
		case c.wantErr == "" && (err != nil || got != c.want):
			t.Errorf("%s: 0x%04x, %v, want 0x%04x", c.name, got, err, c.want)
		}
	}

	for _, c := range []struct {
		w    uint16
		want int
	}{{0x7fce, -50}, {0x8000, 0}, {0x8032, 50}} {
		if got := frcCorrection(c.w); got != c.want {
			t.Errorf("FRC answer 0x%04x -> %d ppm, want %d", c.w, got, c.want)
		}
	}
	for _, c := range []struct {
		w    uint16
		want bool
	}{{0x8006, true}, {0x8000, false}, {0xf800, false}, {0x0001, true}, {0x0400, true}} {
		if got := dataReady(c.w); got != c.want {
			t.Errorf("data ready 0x%04x -> %v, want %v", c.w, got, c.want)
		}
	}
	if got := serialNumber([]uint16{0xf896, 0x9f07, 0x3bbe}); got != 273325796834238 {
		t.Errorf("serial = %d, want 273325796834238 (datasheet)", got)
	}
}
