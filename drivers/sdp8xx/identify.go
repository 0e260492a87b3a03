package sdp8xx

import (
	"fmt"
	"time"

	"periph.io/x/conn/v3/i2c"

	"github.com/ventd/ventd/drivers/sensirion"
)

// Identify asks the device at addr for its product identifier (two
// commands, then six words: product number and serial), changing nothing
// on it. An SDP in continuous measurement refuses; it is not stopped.
// sleep is the clock's Sleep.
func Identify(bus i2c.Bus, addr uint16, sleep func(time.Duration)) (sensirion.Identity, error) {
	d := &Dev{c: sensirion.Conn{Bus: bus, Addr: addr, Sleep: sleep}}
	pn, serial, err := d.readID()
	if err != nil {
		return sensirion.Identity{}, fmt.Errorf("sdp8xx: read product identifier: %w", err)
	}
	id := sensirion.Identity{Serial: fmt.Sprintf("%x", serial), Note: fmt.Sprintf("product 0x%08x", pn)}
	switch pn >> 16 {
	case 0x0301:
		id.Part = "SDP3x"
	case 0x0302:
		id.Part = "SDP8xx"
	default:
		return sensirion.Identity{Part: "Sensirion?", Note: fmt.Sprintf("product number 0x%08x is not an SDP3x or SDP8xx", pn)}, nil
	}
	return id, nil
}
