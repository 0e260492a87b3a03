package sgp4x

import (
	"math"
	"testing"
)

func TestHumidityTicks(t *testing.T) {
	for _, tc := range []struct {
		rh   float64
		want uint16
	}{
		{50, 0x8000}, // the datasheet's default
		{0, 0x0000},
		{100, 0xffff},
		{45, 29491}, // 45 × 655.35 = 29490.75
		{33.3, 21823},
		{-5, 0x0000}, // clamped
		{120, 0xffff},
		{math.Inf(1), 0xffff},
		{math.NaN(), DefaultRHTicks},
	} {
		if got := HumidityTicks(tc.rh); got != tc.want {
			t.Errorf("HumidityTicks(%v) = %d (0x%04x), want %d (0x%04x)", tc.rh, got, got, tc.want, tc.want)
		}
	}
}

func TestTemperatureTicks(t *testing.T) {
	for _, tc := range []struct {
		c    float64
		want uint16
	}{
		{25, 0x6666}, // the datasheet's default
		{-45, 0x0000},
		{130, 0xffff},
		{21, 24716}, // 66 × 374.4857 = 24716.06
		{0, 16852},  // 45 × 374.4857 = 16851.86
		{-50, 0x0000},
		{200, 0xffff},
		{math.Inf(-1), 0x0000},
		{math.NaN(), DefaultTempTicks},
	} {
		if got := TemperatureTicks(tc.c); got != tc.want {
			t.Errorf("TemperatureTicks(%v) = %d (0x%04x), want %d (0x%04x)", tc.c, got, got, tc.want, tc.want)
		}
	}
}

func TestDefaultsAreTheDatasheetWords(t *testing.T) {
	if HumidityTicks(DefaultRH) != DefaultRHTicks || TemperatureTicks(DefaultTempC) != DefaultTempTicks {
		t.Fatalf("defaults %#x %#x", HumidityTicks(DefaultRH), TemperatureTicks(DefaultTempC))
	}
}
