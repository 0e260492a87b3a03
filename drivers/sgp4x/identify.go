package sgp4x

import (
	"fmt"
	"time"

	"periph.io/x/conn/v3/i2c"

	"github.com/ventd/ventd/drivers/sensirion"
)

// Identify asks the device at addr for its feature set and serial number,
// changing nothing on it. A feature set of neither an SGP40 nor an SGP41
// is reported with Part "Sensirion?" and a note. sleep is the clock's
// Sleep.
func Identify(bus i2c.Bus, addr uint16, sleep func(time.Duration)) (sensirion.Identity, error) {
	c := &sensirion.Conn{Bus: bus, Addr: addr, Sleep: sleep}
	w, err := c.Read(cmdFeatureSet, execFeatureSet, 1)
	if err != nil {
		return sensirion.Identity{}, fmt.Errorf("sgp4x: get feature set: %w", err)
	}
	var id sensirion.Identity
	switch w[0] & 0x1ff {
	case 0x040:
		id.Part = "SGP41"
	case 0x020:
		id.Part = "SGP40"
	default:
		return sensirion.Identity{Part: "Sensirion?", Note: fmt.Sprintf("feature set 0x%04x is not an SGP40's or SGP41's", w[0])}, nil
	}
	if s, err := c.Read(cmdSerial, execSerial, 3); err == nil {
		id.Serial = fmt.Sprintf("%012x", uint64(s[0])<<32|uint64(s[1])<<16|uint64(s[2]))
	}
	return id, nil
}
