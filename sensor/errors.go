package sensor

import (
	"errors"
	"strings"
	"syscall"

	"github.com/ventd/ventd/drivers/sensirion"
)

// Error kinds, as Sensor counts them and /metrics labels them.
const (
	KindCRC    = "crc"
	KindNACK   = "nack"
	KindStatus = "status"
	KindOther  = "other"
)

// ErrDeviceStatus marks a read the device itself flagged as bad (an SPS30
// reporting its fan stopped).
var ErrDeviceStatus = errors.New("device reports a fault")

// ErrBusy means the sensor is busy with maintenance (a recalibration):
// try again when it is done.
var ErrBusy = errors.New("sensor busy")

// Kind classifies a read error.
func Kind(err error) string {
	switch {
	case errors.Is(err, sensirion.ErrCRC):
		return KindCRC
	case isNACK(err):
		return KindNACK
	case errors.Is(err, ErrDeviceStatus):
		return KindStatus
	}
	return KindOther
}

// isNACK recognises a device that did not acknowledge: EREMOTEIO from
// Linux's i2c-dev (periph formats it with %v, so also by its text).
func isNACK(err error) bool {
	return errors.Is(err, syscall.EREMOTEIO) || strings.Contains(err.Error(), "remote I/O error")
}

// Hint says what a technician can do about err.
func Hint(err error) string {
	switch Kind(err) {
	case KindNACK:
		return "the sensor does not answer: check its cable and power, and that its address is right (ventctl scan)"
	case KindCRC:
		return "data arrives corrupted: check the cable length (under 50 cm for I2C), pull-ups and interference"
	case KindStatus:
		return "the sensor reports a fault itself: see the status list; replace the sensor if it persists"
	}
	return "see the error"
}
