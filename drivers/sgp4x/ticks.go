package sgp4x

import "math"

// The uncompensated defaults: sending exactly these words leaves the
// sensor's humidity compensation off (SGP40 datasheet, Table 10).
const (
	DefaultRH    = 50.0 // %RH
	DefaultTempC = 25.0 // °C

	DefaultRHTicks   = 0x8000 // DefaultRH in ticks
	DefaultTempTicks = 0x6666 // DefaultTempC in ticks
)

// HumidityTicks converts relative humidity in % to the measurement
// command's argument, RH × 65535 / 100, clamped to 0–100 %RH. NaN gives the
// default, compensation off.
func HumidityTicks(rh float64) uint16 {
	if math.IsNaN(rh) {
		return DefaultRHTicks
	}
	return ticks(rh * 65535 / 100)
}

// TemperatureTicks converts °C to the measurement command's argument,
// (T + 45) × 65535 / 175, clamped to −45–130 °C. NaN gives the default.
func TemperatureTicks(tempC float64) uint16 {
	if math.IsNaN(tempC) {
		return DefaultTempTicks
	}
	return ticks((tempC + 45) * 65535 / 175)
}

func ticks(v float64) uint16 {
	v = math.Round(v)
	if v <= 0 {
		return 0
	}
	if v >= 65535 {
		return 65535
	}
	return uint16(v)
}
