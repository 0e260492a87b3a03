package config

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// A bus no line of the shipped boot config turns on (0, 2, 7) passed
// check-config with a plain OK; on the Pi it does not exist unless the
// site's own overlay makes it. A warning names the buses the boot config
// does turn on.
func TestBusTheBootConfigDoesNotTurnOnWarned(t *testing.T) {
	for _, bus := range []string{"0", "2", "7", "I2C7", "/dev/i2c-2"} {
		n, _ := busNumber(bus)
		c, err := Parse([]byte(strings.Replace(staffPM(base), `bus: "5"`, `bus: "`+bus+`"`, 1)), "test.yaml")
		if err != nil {
			t.Fatalf("bus %s: %v", bus, err)
		}
		wantWarnings(t, c, "test.yaml:15: sensors[2].bus: I2C bus "+strconv.Itoa(n)+": no line of /usr/share/ventd/config.txt turns on bus "+strconv.Itoa(n)+
			" (it turns on bus 1, and on a Pi 4 buses 3 to 6 once their lines are uncommented): put the device on one of those, or add to /boot/firmware/config.txt the dtoverlay line of your own that creates /dev/i2c-"+strconv.Itoa(n))
	}
	for _, bus := range []string{"3", "4", "6", "I2C3", "/dev/i2c-4", "sim1"} {
		c, err := Parse([]byte(strings.Replace(staffPM(base), `bus: "5"`, `bus: "`+bus+`"`, 1)), "test.yaml")
		if err != nil {
			t.Fatalf("bus %s: %v", bus, err)
		}
		wantWarnings(t, c)
	}
	// A PCA9685 board's bus is checked alike.
	pca := strings.Replace(staffPM(base), "backend: sysfs_pwm\n    sysfs_pwm: {chip: 0, channel: 0}", "backend: pca9685\n    pca9685: {bus: \"2\", channel: 0}", 1)
	c, err := Parse([]byte(pca), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	wantWarnings(t, c, "test.yaml:20: fans[0].pca9685.bus: I2C bus 2: no line of /usr/share/ventd/config.txt turns on bus 2")
}

// The buses the validator, ventd's open errors and ventctl doctor know
// are the lines of firmware/boot/config.txt, which the package installs
// as /usr/share/ventd/config.txt: every bus line of the file (commented
// out or not) is in bootBuses, with the pins its comment names, and every
// bus in bootBuses has its line there.
func TestBootBusesAreTheBootConfigsLines(t *testing.T) {
	data, err := os.ReadFile("../firmware/boot/config.txt")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(data), "\n")
	comment := regexp.MustCompile(`^# (?:I2C )?bus ([0-9]+)(?: on the header)?: (GPIO[0-9]+) = SDA \(pin [0-9]+\), (GPIO[0-9]+) = SCL`)
	busLine := regexp.MustCompile(`^#?(dtparam=i2c_arm=on|dtoverlay=i2c[0-9]+\b.*)$`)
	found := map[int]bool{}
	pins := map[int][2]string{}
	for _, l := range lines {
		if m := comment.FindStringSubmatch(l); m != nil {
			n, _ := strconv.Atoi(m[1])
			pins[n] = [2]string{m[2], m[3]}
		}
		m := busLine.FindStringSubmatch(l)
		if m == nil {
			continue
		}
		var b BootBus
		for _, bb := range bootBuses {
			if bb.Line == m[1] {
				b = bb
			}
		}
		if b.Line == "" {
			t.Errorf("config.txt line %q turns on a bus bootBuses lacks (or has with another line)", l)
			continue
		}
		found[b.Number] = true
		if b.Fixed != !strings.HasPrefix(l, "#") {
			t.Errorf("config.txt line %q: bus %d Fixed=%v, but the line is commented=%v", l, b.Number, b.Fixed, strings.HasPrefix(l, "#"))
		}
	}
	for _, b := range bootBuses {
		if !found[b.Number] {
			t.Errorf("bus %d: config.txt has no line %q", b.Number, b.Line)
		}
		if p := pins[b.Number]; p != [2]string{b.SDA, b.SCL} {
			t.Errorf("bus %d: config.txt's comment puts it on SDA/SCL %v, bootBuses on %s/%s", b.Number, p, b.SDA, b.SCL)
		}
	}
}

// The fix for a bus that does not exist is the boot config's own line.
func TestBusFix(t *testing.T) {
	for n, want := range map[int]string{
		1: "add dtparam=i2c_arm=on to /boot/firmware/config.txt",
		3: "add dtoverlay=i2c3,pins_4_5,baudrate=50000 to /boot/firmware/config.txt (a Pi 4's bus 3, on GPIO4/GPIO5; /usr/share/ventd/config.txt has the line",
		6: "add dtoverlay=i2c6,pins_22_23,baudrate=50000 to",
		0: "no line of /usr/share/ventd/config.txt turns on bus 0 (it turns on bus 1, and on a Pi 4 buses 3 to 6",
	} {
		if got := BusFix(n, PiBootConfig); !strings.HasPrefix(got, want) {
			t.Errorf("BusFix(%d, PiBootConfig) = %q, want %q…", n, got, want)
		}
	}
}
