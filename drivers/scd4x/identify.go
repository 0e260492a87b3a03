package scd4x

import (
	"errors"
	"fmt"
	"time"

	"periph.io/x/conn/v3/i2c"

	"github.com/ventd/ventd/drivers/sensirion"
)

// cmdGetVariant is get_sensor_variant (datasheet 1.5 and later firmware).
const cmdGetVariant = 0x202f

// Identify asks the device at addr for its serial number and variant. An
// SCD4x in periodic measurement answers no such command; with stop set it
// is then stopped (and left idle, as the Identity's note says) to answer,
// otherwise the error is returned. sleep is the clock's Sleep.
func Identify(bus i2c.Bus, addr uint16, sleep func(time.Duration), stop bool) (sensirion.Identity, error) {
	c := &sensirion.Conn{Bus: bus, Addr: addr, Sleep: sleep}
	var id sensirion.Identity
	w, err := c.Read(cmdGetSerial, execShort, 3)
	if err != nil && stop && !isCRC(err) {
		// Refused: absent, asleep (powered down), or measuring, when it
		// takes only measurement commands. Stop answers only the last.
		if serr := c.Write(cmdStopPeriodic, execStop); serr != nil {
			return id, fmt.Errorf("scd4x: get serial number: %w", err)
		}
		id.Note = "was measuring: stopped its periodic measurement to read the serial; left idle (ventd starts it again)"
		w, err = c.Read(cmdGetSerial, execShort, 3)
		if err != nil {
			id.Part, id.Note = "SCD4x?", id.Note+fmt.Sprintf("; serial still unreadable: %v", err)
			return id, nil
		}
	}
	if err != nil {
		return id, fmt.Errorf("scd4x: get serial number: %w", err)
	}
	id.Part, id.Serial = "SCD4x", fmt.Sprintf("%012x", serialNumber(w))
	// Older parts refuse get_sensor_variant, which changes nothing.
	if v, err := c.Read(cmdGetVariant, execShort, 1); err == nil {
		switch v[0] >> 12 {
		case 0:
			id.Part = "SCD40"
		case 1:
			id.Part = "SCD41"
		case 5:
			id.Part = "SCD43"
		}
	}
	return id, nil
}

func isCRC(err error) bool { return errors.Is(err, sensirion.ErrCRC) }
