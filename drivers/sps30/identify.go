package sps30

import (
	"fmt"
	"strings"
	"time"

	"periph.io/x/conn/v3/i2c"

	"github.com/ventd/ventd/drivers/sensirion"
)

// Identify asks the device at addr for its product type and serial number
// (datasheet 6.3.8 and 6.3.9), changing nothing on it. A part that answers
// with another product type (a SEN5x also sits at 0x69) is reported with
// Part "Sensirion?" and a note. sleep is the clock's Sleep.
func Identify(bus i2c.Bus, addr uint16, sleep func(time.Duration)) (sensirion.Identity, error) {
	c := &sensirion.Conn{Bus: bus, Addr: addr, Sleep: sleep}
	w, err := c.Read(cmdProductType, 0, 4)
	if err != nil {
		return sensirion.Identity{}, fmt.Errorf("sps30: read product type: %w", err)
	}
	pt := decodeASCII(w)
	if !strings.HasPrefix(pt, "0008") {
		return sensirion.Identity{Part: "Sensirion?", Note: fmt.Sprintf("product type %q is not an SPS30's 00080000 (a SEN5x also sits at 0x69)", pt)}, nil
	}
	id := sensirion.Identity{Part: "SPS30"}
	if w, err := c.Read(cmdSerial, 0, 16); err == nil {
		id.Serial = decodeASCII(w)
	} else {
		id.Note = fmt.Sprintf("serial unreadable: %v", err)
	}
	return id, nil
}
