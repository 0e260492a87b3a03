package scd4x

import (
	"fmt"
	"math"
)

// Signal conversions, datasheet section 3.5 to 3.7. Each direction of each
// conversion lives here so one table test covers them all.

// co2PPM converts read_measurement word 0: the sensor reports whole ppm.
func co2PPM(w uint16) float64 { return float64(w) }

// celsius converts read_measurement word 1: T = -45 + 175·w/(2^16-1).
func celsius(w uint16) float64 { return -45 + 175*float64(w)/65535 }

// percentRH converts read_measurement word 2: RH = 100·w/(2^16-1).
func percentRH(w uint16) float64 { return 100 * float64(w) / 65535 }

// Limits the driver accepts; outside them the value is a mistake in the
// configuration, not something to send to the sensor.
const (
	maxOffsetC    = 20     // the offset only removes self-heating; 0 to 20 °C
	maxAltitudeM  = 3000   // datasheet range of set_sensor_altitude
	minPressurePa = 70000  // datasheet range of set_ambient_pressure
	maxPressurePa = 120000 //
	maxCO2PPM     = 40000  // the sensor's output range
)

// offsetWord converts a temperature offset in °C to set_temperature_offset's
// word: w = offset·(2^16-1)/175, rounded. The Celsius factor matters: the
// word is in the same scale as a temperature reading, without the -45.
func offsetWord(c float64) (uint16, error) {
	if math.IsNaN(c) || c < 0 || c > maxOffsetC {
		return 0, fmt.Errorf("temperature offset %g °C out of range: want 0 to %d °C (the sensor's self-heating; it cannot add heat)", c, maxOffsetC)
	}
	return uint16(math.Round(c * 65535 / 175)), nil
}

// offsetCelsius converts get_temperature_offset's word to °C.
func offsetCelsius(w uint16) float64 { return 175 * float64(w) / 65535 }

// altitudeWord converts metres above sea level to set_sensor_altitude's
// word, which is metres.
func altitudeWord(m int) (uint16, error) {
	if m < 0 || m > maxAltitudeM {
		return 0, fmt.Errorf("altitude %d m out of range: want 0 to %d m above sea level", m, maxAltitudeM)
	}
	return uint16(m), nil
}

// pressureWord converts Pa to set_ambient_pressure's word, which is hPa.
func pressureWord(pa float64) (uint16, error) {
	if math.IsNaN(pa) || pa < minPressurePa || pa > maxPressurePa {
		return 0, fmt.Errorf("ambient pressure %g Pa out of range: want %d to %d Pa (pass pascals, not hPa)", pa, minPressurePa, maxPressurePa)
	}
	return uint16(math.Round(pa / 100)), nil
}

// pressurePa converts get_ambient_pressure's word (hPa) to Pa.
func pressurePa(w uint16) float64 { return float64(w) * 100 }

// frcWord checks a forced-recalibration reference and returns its word (ppm).
func frcWord(ppm int) (uint16, error) {
	if ppm < 0 || ppm > maxCO2PPM {
		return 0, fmt.Errorf("reference %d ppm out of range: want 0 to %d ppm, the CO2 the sensor sits in", ppm, maxCO2PPM)
	}
	return uint16(ppm), nil
}

// frcFailed is perform_forced_recalibration's answer when it did not work.
const frcFailed = 0xffff

// frcCorrection converts perform_forced_recalibration's answer to the
// correction in ppm: word - 0x8000 (0x7fce is -50 ppm).
func frcCorrection(w uint16) int { return int(w) - 0x8000 }

// dataReady reads get_data_ready_status: ready unless the low 11 bits are 0;
// the upper bits carry nothing the datasheet defines.
func dataReady(w uint16) bool { return w&0x07ff != 0 }

// serialNumber joins get_serial_number's three words, most significant
// first, into the 48-bit serial.
func serialNumber(w []uint16) uint64 {
	return uint64(w[0])<<32 | uint64(w[1])<<16 | uint64(w[2])
}
