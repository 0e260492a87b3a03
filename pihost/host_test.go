package pihost

import (
	"errors"
	"os"
	"strings"
	"testing"

	"periph.io/x/conn/v3/i2c"
	"periph.io/x/conn/v3/i2c/i2ctest"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/drivers/i2cclear"
)

// A bus that does not exist gets the line of the shipped boot config
// that turns it on; the fix was once the same for every bus (bus 1's
// dtparam, or a bare dtoverlay=i2c3 without its pins), wrong for bus 6.
func TestBusErrorSaysWhatToDo(t *testing.T) {
	// No machine running the tests has /dev/i2c-42.
	err := busError("42", errors.New("sysfs-i2c: open /dev/i2c-42: no such file or directory"))
	for _, want := range []string{`I2C bus "42"`, "/dev/i2c-42 does not exist", "no line of /usr/share/ventd/config.txt turns on bus 42 (it turns on bus 1, and on a Pi 4 buses 3 to 6", "reboot"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
	for bus, want := range map[string]string{
		"1":          "add dtparam=i2c_arm=on to /boot/firmware/config.txt",
		"I2C3":       "add dtoverlay=i2c3,pins_4_5,baudrate=50000 to /boot/firmware/config.txt",
		"6":          "add dtoverlay=i2c6,pins_22_23,baudrate=50000 to /boot/firmware/config.txt",
		"/dev/i2c-4": "add dtoverlay=i2c4,pins_6_7,baudrate=50000",
	} {
		if _, err := os.Stat("/dev/i2c-" + strings.TrimPrefix(strings.TrimPrefix(bus, "I2C"), "/dev/i2c-")); err == nil {
			continue // this machine has the bus
		}
		if err := busError(bus, errors.New("no such file or directory")); !strings.Contains(err.Error(), want) || strings.Count(err.Error(), "dtoverlay=i2c")+strings.Count(err.Error(), "dtparam=i2c_arm") != 1 {
			t.Errorf("bus %s: %v\nwant only %q", bus, err, want)
		}
	}
	err = busError("/dev/i2c-43", errors.New("x"))
	if !strings.Contains(err.Error(), "/dev/i2c-43 does not exist") {
		t.Errorf("device path form: %v", err)
	}
}

// periph lists the I2C buses once, when ventd starts. A bus whose
// /dev/i2c-N appeared later (udev still creating it at boot, or I2C turned
// on with raspi-config while ventd ran) stayed "unknown bus" until a
// restart: its sensors faulted, every fan at full, and doctor pointed at
// the cables. It is opened by its number instead.
func TestBusThatAppearedAfterStartOpens(t *testing.T) {
	opened := map[int]bool{}
	defer func(o func(int) (i2c.BusCloser, error)) { openDev = o }(openDev)
	openDev = func(n int) (i2c.BusCloser, error) {
		opened[n] = true
		return &i2ctest.Playback{DontPanic: true}, nil
	}
	h := &Host{buses: map[string]i2c.BusCloser{}, muxes: map[string][]string{}}
	for _, c := range []struct {
		name string
		n    int
	}{{"41", 41}, {"/dev/i2c-42", 42}, {"I2C43", 43}} {
		if _, err := h.Bus(config.Sensor{Name: "s", Bus: c.name}); err != nil {
			t.Errorf("bus %q, not known to periph: %v", c.name, err)
		}
		if !opened[c.n] {
			t.Errorf("bus %q: /dev/i2c-%d not opened by its number", c.name, c.n)
		}
	}
	if len(h.buses) != 3 {
		t.Errorf("%d buses kept open, want 3 (each opened once, then shared)", len(h.buses))
	}
	h.Bus(config.Sensor{Name: "t", Bus: "41"})
	if len(opened) != 3 {
		t.Errorf("opened %v", opened)
	}
	// A name that is no kernel bus is not guessed at.
	if _, err := h.Bus(config.Sensor{Name: "s", Bus: "ventd-mux-x"}); err == nil {
		t.Error("an unknown non-numeric bus opened")
	}
}

// The pins the bus clear pulses are the pins the validator and the boot
// config put each bus on.
func TestClearPinsAreTheBootConfigs(t *testing.T) {
	for _, n := range []int{0, 1, 2, 3, 4, 5, 6, 7} {
		b, ok := config.BootI2CBus(n)
		scl, sda, err := i2cclear.PiPins(n)
		if ok != (err == nil) || ok && (scl != b.SCL || sda != b.SDA) {
			t.Errorf("bus %d: boot config %v %+v, i2cclear %s/%s %v", n, ok, b, sda, scl, err)
		}
	}
}
