package sen5x

import (
	"fmt"
	"time"

	"periph.io/x/conn/v3/i2c"

	"github.com/ventd/ventd/drivers/sensirion"
)

// Identify asks the device at addr for its product name and serial number,
// changing nothing on it, for a technician's bus scan. sleep is the clock's
// Sleep.
func Identify(bus i2c.Bus, addr uint16, sleep func(time.Duration)) (sensirion.Identity, error) {
	d := &Dev{c: sensirion.Conn{Bus: bus, Addr: addr, Sleep: sleep}}
	name, err := d.readASCII(cmdProductName, execName)
	if err != nil {
		return sensirion.Identity{}, fmt.Errorf("sen5x: read product name: %w", err)
	}
	if _, ok := parseVariant(name); !ok {
		return sensirion.Identity{Part: "Sensirion?", Note: fmt.Sprintf("product name %q is not a SEN50, SEN54 or SEN55", name)}, nil
	}
	id := sensirion.Identity{Part: name}
	if s, err := d.readASCII(cmdSerial, execName); err == nil {
		id.Serial = s
	} else {
		id.Note = fmt.Sprintf("serial unreadable: %v", err)
	}
	return id, nil
}
