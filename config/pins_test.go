package config

import (
	"strings"
	"testing"
)

// withTach is staffPM(base) with the fan's tachometer on pin, written at
// line 23.
func withTach(pin string) string {
	return staffPM(base) + "    tach: {pin: " + quoteYAML(pin) + "}\n"
}

func quoteYAML(s string) string { return `"` + s + `"` }

// A pin name periph cannot open on a Pi passed check-config and failed
// only at start: the fan never opened, or the purge button or beacon was
// silently absent. It is refused now, saying what to write.
func TestPinNamesThatCannotOpenRefused(t *testing.T) {
	for _, c := range []struct{ pin, msg string }{
		{"GPIO99", `no pin is named "GPIO99": the Pi's GPIOs are GPIO0 to GPIO27 on the 40-pin header`},
		{"GPIO54", `no pin is named "GPIO54": the Pi's GPIOs are GPIO0 to GPIO27`},
		{"99", `no pin is named "99": the Pi's GPIOs are GPIO0 to GPIO27`},
		{"GPI027", `no pin is named "GPI027": did you mean GPIO27? periph's names are exact`},
		{"GPI017", "did you mean GPIO17?"},
		{"GPI06", "did you mean GPIO6?"},
		{"GP1O16", "did you mean GPIO16?"},
		{"GPIO1O", "did you mean GPIO10?"},
		{"gpio6", `no pin is named "gpio6": did you mean GPIO6?`},
		{"GPIO06", `no pin is named "GPIO06": did you mean GPIO6?`},
		{"06", "did you mean GPIO6?"},
		{"GPIO 6", "did you mean GPIO6?"},
		{"BCM17", "did you mean GPIO17?"},
		{"PIN31", "header pin 31 is GPIO6, so write GPIO6"},
		{"pin 31", "header pin 31 is GPIO6"},
		{"P1_12", "header pin 12 is GPIO18"},
		{"GPIOX", `no pin is named "GPIOX": write the pin's BCM GPIO number, like GPIO27`},
		{"tach pin", `no pin is named "tach pin": write the pin's BCM GPIO number`},
		{"", "must name the GPIO pin the wire is on by its BCM number, like GPIO6"},
	} {
		errs := parseErrors(t, withTach(c.pin))
		if len(errs) != 1 || errs[0].Line != 23 || errs[0].Path != "fans[0].tach.pin" || !strings.Contains(errs[0].Msg, c.msg) {
			t.Errorf("tach pin %q: got %v\nwant test.yaml:23: fans[0].tach.pin: …%s…", c.pin, errs, c.msg)
		}
	}
	// The purge button, the beacon and a relay are checked alike.
	wantOneError(t, staffPM(base)+"purge_button: {pin: GPI017, zone: booth}\n", 23, "purge_button.pin", "did you mean GPIO17?")
	wantOneError(t, staffPM(base)+"alarm_output: {pin: GPIO99}\n", 23, "alarm_output.pin", `no pin is named "GPIO99"`)
	relay := strings.Replace(staffPM(base), "backend: sysfs_pwm\n    sysfs_pwm: {chip: 0, channel: 0}", "backend: relay\n    relay: {pin: gpio27}", 1)
	wantOneError(t, relay, 20, "fans[0].relay.pin", "did you mean GPIO27?")
}

// What opens today stays accepted: GPIO<n> silently; a bare n, a GPIO
// off the header, periph's function names and kernel line names with a
// warning that says to write the GPIO number.
func TestPinNamesThatOpenAccepted(t *testing.T) {
	for _, pin := range []string{"GPIO6", "GPIO0", "GPIO27"} {
		c, err := Parse([]byte(withTach(pin)), "test.yaml")
		if err != nil {
			t.Errorf("tach pin %q: %v", pin, err)
			continue
		}
		wantWarnings(t, c)
	}
	for _, w := range []struct{ pin, msg string }{
		{"GPIO40", "test.yaml:23: fans[0].tach.pin: GPIO40 is not on the Pi's 40-pin header (GPIO0 to GPIO27): only a Compute Module brings it out"},
		{"53", "test.yaml:23: fans[0].tach.pin: pin: 53 is read as GPIO53, which is not on the Pi's 40-pin header (only a Compute Module brings it out): write GPIO53 to say so"},
		{"6", "test.yaml:23: fans[0].tach.pin: pin: 6 is read as GPIO6 (header pin 31); header pin 6 is ground, not a GPIO: write GPIO6 to say so"},
		{"0", "test.yaml:23: fans[0].tach.pin: pin: 0 is read as GPIO0 (header pin 27): write GPIO0 to say so"},
		{"PWM1", "test.yaml:23: fans[0].tach.pin: PWM1 is periph's name for whichever pin has that function when ventd starts"},
		{"GPCLK0", "test.yaml:23: fans[0].tach.pin: GPCLK0 is periph's name for whichever pin has that function"},
		{"TXD1", "test.yaml:23: fans[0].tach.pin: TXD1 is not a GPIO number: periph may know it as the kernel's name of a GPIO line"},
	} {
		c, err := Parse([]byte(withTach(w.pin)), "test.yaml")
		if err != nil {
			t.Errorf("tach pin %q: %v", w.pin, err)
			continue
		}
		wantWarnings(t, c, w.msg)
	}
}

// The clash check folds the names of one pin: GPIO06 (refused, with a
// did-you-mean) still clashes with GPIO6, and PWM0_OUT with PWM0.
func TestPinClashFoldsNames(t *testing.T) {
	for in, want := range map[string]string{
		"GPIO6": "GPIO6", "6": "GPIO6", "GPIO06": "GPIO6", "06": "GPIO6", "gpio6": "GPIO6",
		"PWM0_OUT": "PWM0", "PWM0": "PWM0", "GPCLK1": "CLK1",
	} {
		if got := pinKey(in); got != want {
			t.Errorf("pinKey(%q) = %q, want %q", in, got, want)
		}
	}
	errs := parseErrors(t, withTach("GPIO6")+"purge_button: {pin: GPIO06, zone: booth}\n")
	var typo, clash bool
	for _, e := range errs {
		typo = typo || e.Path == "purge_button.pin" && strings.Contains(e.Msg, "did you mean GPIO6?")
		clash = clash || e.Path == "purge_button.pin" && strings.Contains(e.Msg, "pin GPIO06 is already used by fans[0].tach")
	}
	if !typo || !clash {
		t.Errorf("purge button on GPIO06 beside the tach on GPIO6: %v: want the did-you-mean and the clash", errs)
	}
}

// The wiring table gives the header pin first ("purge button | pin 11
// (GPIO17)"), and a technician wrote purge_button: {pin: 11}: it was read
// as GPIO11 (header pin 23) with no word, and the responders' button never
// fired. Any bare number is still read as periph reads it (a config refused
// at start would leave the room with no ventd), with a warning naming both
// readings.
func TestBarePinNumberWarnsOfHeaderReading(t *testing.T) {
	for _, c := range []struct{ line, want string }{
		{"purge_button: {pin: 11, zone: booth}\n", "test.yaml:23: purge_button.pin: pin: 11 is read as GPIO11 (header pin 23); header pin 11 is GPIO17: write GPIO11 or GPIO17 to say which"},
		{"purge_button: {pin: \"11\", zone: booth}\n", "test.yaml:23: purge_button.pin: pin: 11 is read as GPIO11 (header pin 23); header pin 11 is GPIO17: write GPIO11 or GPIO17 to say which"},
		{"alarm_output: {pin: 36}\n", "test.yaml:23: alarm_output.pin: pin: 36 is read as GPIO36, which is not on the Pi's 40-pin header (only a Compute Module brings it out); header pin 36 is GPIO16: write GPIO36 or GPIO16 to say which"},
		{"alarm_output: {pin: 4}\n", "test.yaml:23: alarm_output.pin: pin: 4 is read as GPIO4 (header pin 7); header pin 4 is 5 V power, not a GPIO: write GPIO4 to say so"},
	} {
		c2, err := Parse([]byte(staffPM(base)+c.line), "test.yaml")
		if err != nil {
			t.Errorf("%s: %v", c.line, err)
			continue
		}
		wantWarnings(t, c2, c.want)
	}
	c, err := Parse([]byte(withTach("31")), "test.yaml")
	if err != nil {
		t.Fatal(err)
	}
	wantWarnings(t, c, "test.yaml:23: fans[0].tach.pin: pin: 31 is read as GPIO31, which is not on the Pi's 40-pin header (only a Compute Module brings it out); header pin 31 is GPIO6: write GPIO31 or GPIO6 to say which")
	// Read as periph reads it: the bare number is the GPIO of that number.
	if got := c.Fans[0].Tach.Pin; got != "31" {
		t.Errorf("tach pin = %q, want it kept as written", got)
	}
}
