package config

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// PiBootConfig is the Pi's own boot configuration (/boot/config.txt
// before Raspberry Pi OS 12).
const PiBootConfig = "/boot/firmware/config.txt"

// BootConfig is where the package installs firmware/boot/config.txt, the
// lines a Pi's /boot/firmware/config.txt needs for ventd.
const BootConfig = "/usr/share/ventd/config.txt"

// BootBus is one of the Pi's I2C buses as firmware/boot/config.txt turns
// it on: the line that does, and the pins it puts the bus on.
type BootBus struct {
	Number   int
	SDA, SCL string // BCM names, as `pinout` prints them
	// Fixed: the header's own bus (1), whose pins no overlay moves.
	Fixed bool
	// Line is the config.txt line that turns the bus on, as the shipped
	// file has it (commented out, for the buses only a Pi 4 has).
	Line string
}

// bootBuses are the buses firmware/boot/config.txt turns on (a test
// holds the two together): bus 1 on the header's own pins, and the Pi 4's
// extra buses on their overlays' default pins. An overlay can put bus 4
// on GPIO8/9 instead, and a Pi 5's differ, so for those a pin clash is
// only likely.
var bootBuses = []BootBus{
	{1, "GPIO2", "GPIO3", true, "dtparam=i2c_arm=on"},
	{3, "GPIO4", "GPIO5", false, "dtoverlay=i2c3,pins_4_5,baudrate=50000"},
	{4, "GPIO6", "GPIO7", false, "dtoverlay=i2c4,pins_6_7,baudrate=50000"},
	{5, "GPIO12", "GPIO13", false, "dtoverlay=i2c5,pins_12_13,baudrate=50000"},
	{6, "GPIO22", "GPIO23", false, "dtoverlay=i2c6,pins_22_23,baudrate=50000"},
}

// BootI2CBus is bus n as the shipped config.txt turns it on; false for a
// bus no line of it turns on.
func BootI2CBus(n int) (BootBus, bool) {
	for _, b := range bootBuses {
		if b.Number == n {
			return b, true
		}
	}
	return BootBus{}, false
}

// BootI2CBuses says which buses the shipped config.txt turns on, for a
// message: "bus 1, and on a Pi 4 buses 3 to 6 once their lines are
// uncommented".
func BootI2CBuses() string {
	first, last := bootBuses[1].Number, bootBuses[len(bootBuses)-1].Number
	return fmt.Sprintf("bus %d, and on a Pi 4 buses %d to %d once their lines are uncommented", bootBuses[0].Number, first, last)
}

// BusFix says how to turn on I2C bus n: the line from the shipped
// config.txt to add to file (the Pi's /boot/firmware/config.txt) for a bus
// it has, or that it has none for another.
func BusFix(n int, file string) string {
	b, ok := BootI2CBus(n)
	switch {
	case ok && b.Fixed:
		return fmt.Sprintf("add %s to %s (or: sudo raspi-config nonint do_i2c 0) and reboot", b.Line, file)
	case ok:
		return fmt.Sprintf("add %s to %s (a Pi 4's bus %d, on %s/%s; %s has the line, commented out, and says how a Pi 5 differs) and reboot",
			b.Line, file, n, b.SDA, b.SCL, BootConfig)
	}
	return fmt.Sprintf("no line of %s turns on bus %d (it turns on %s): put the device on one of those, or add to %s the dtoverlay line of your own that creates /dev/i2c-%d, and reboot",
		BootConfig, n, BootI2CBuses(), file, n)
}

// busNumber is the number of a config's bus name ("1", "I2C1",
// "/dev/i2c-1"); false for a name that is no number (the simulator's
// "sim0").
func busNumber(bus string) (int, bool) {
	n, err := strconv.Atoi(busKey(bus))
	return n, err == nil && n >= 0
}

var (
	// simBus is a simulated bus (ventd -sim, ventbench, the testbench).
	simBus = regexp.MustCompile(`^sim[0-9]+$`)
	// busTypo is a bus number written as neither periph nor the kernel
	// names it: i2c-1 (the kernel's sysfs name), i2c1, I2C-1, /dev/i2c1,
	// bus 1.
	busTypo = regexp.MustCompile(`(?i)^\s*(?:/?dev/)?(?:i2c|bus)[-_ ]?([0-9]+)\s*$`)
)

// checkBus refuses a bus name that is a bus number written in a form
// periph's i2creg cannot open (it knows bus 1 as "1", "/dev/i2c-1" and
// "I2C1"): such a name would fail at start, and it skips the address,
// pin and boot config checks, which go by the number. A name the checks
// cannot read as a number at all is a warning: another board's periph
// driver may know it, but nothing here can check it.
func (d *decoder) checkBus(path, bus string) {
	if strings.TrimSpace(bus) == "" {
		d.invalid(path, `must name an I2C bus, like "1" or "/dev/i2c-1"`)
		return
	}
	if _, ok := busNumber(bus); ok || simBus.MatchString(bus) {
		return
	}
	if m := busTypo.FindStringSubmatch(bus); m != nil {
		n, err := strconv.Atoi(m[1])
		if err == nil {
			d.invalid(path, "no I2C bus is named %q: ventd opens bus %d as %d, /dev/i2c-%d or I2C%d; write %d (or /dev/i2c-%d)", bus, n, n, n, n, n, n)
			return
		}
	}
	d.warn(path, "bus %q is no I2C bus number: the checks for two devices at one address, for pins on the bus's lines and for the boot config's line cannot check it, and ventd opens it only if a driver knows that name; for the Pi's bus N write N (or /dev/i2c-N), as `ls /dev/i2c-*` lists them", bus)
}
