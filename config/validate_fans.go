package config

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

func (d *decoder) validateFans(c *Config) {
	seen := map[string]string{}
	for i, f := range c.Fans {
		p := fmt.Sprintf("fans[%d]", i)
		d.checkName(p, f.Name, seen)
		if len(f.Zones) == 0 {
			d.invalid(p+".zones", "must list at least one booth this fan exhausts")
		}
		for j, zn := range f.Zones {
			zp := fmt.Sprintf("%s.zones[%d]", p, j)
			// A zone whose kind is itself a mistake (kind: Booth) is
			// said there, not again here.
			if z := d.checkZone(c, zp, zn); z != nil && z.Kind != Booth && slices.Contains(zoneKinds, z.Kind) {
				d.invalid(zp, "zone %q is %s zone; fans exhaust booths", zn, z.Kind.withArticle())
			}
			if slices.Index(f.Zones, zn) < j {
				d.invalid(zp, "zone %q is listed twice", zn)
			}
		}
		d.checkBackend(p, f)
		if f.Tach != nil {
			d.checkPin(p+".tach.pin", f.Tach.Pin)
			if f.Tach.PulsesPerRev < 1 || f.Tach.PulsesPerRev > 24 {
				d.invalid(p+".tach.pulses_per_rev", "must be from 1 to 24 (got %d); most fans give 2", f.Tach.PulsesPerRev)
			}
		}
		switch {
		case f.MaxFlowM3H <= 0:
			d.invalid(p+".max_flow_m3h", "must be more than 0 m³/h, the fan's free-air flow from its datasheet (got %g)", f.MaxFlowM3H)
		case f.MaxFlowM3H > maxFlowM3H:
			d.invalid(p+".max_flow_m3h", "must be at most %d m³/h (got %g): is it in m³/h, the fan's free-air flow from its datasheet?", maxFlowM3H, f.MaxFlowM3H)
		}
		switch {
		case f.RatedPowerW <= 0:
			d.invalid(p+".rated_power_w", "must be more than 0 W, the fan's rated power from its datasheet (got %g)", f.RatedPowerW)
		case f.RatedPowerW > maxPowerW:
			d.invalid(p+".rated_power_w", "must be at most %d W (got %g): is it in watts, the fan's rated power from its datasheet?", maxPowerW, f.RatedPowerW)
		}
		okDuty := true
		for _, k := range []struct {
			key string
			v   float64
		}{{"min_duty", f.MinDuty}, {"max_duty", f.MaxDuty}, {"safe_duty", f.SafeDuty}} {
			if k.v < 0 || k.v > 100 {
				d.invalid(p+"."+k.key, "must be a percentage from 0 to 100 (got %g)", k.v)
				okDuty = false
			}
		}
		if !okDuty {
			continue
		}
		if f.MinDuty > f.MaxDuty {
			d.invalid(p+".min_duty", "must not exceed max_duty %g%s (got %g)", f.MaxDuty, d.defaulted(p+".max_duty"), f.MinDuty)
		}
		if f.Backend == BackendRelay {
			d.checkRelayDuties(p, f)
		}
		if f.SafeDuty < f.MinDuty {
			d.invalid(p+".safe_duty", "must be at least min_duty %g (got %g): it is the duty when data is missing, and for extraction the safe side is more air", f.MinDuty, f.SafeDuty)
			continue
		}
		d.checkFailOff(p, f)
		d.warnCapped(p, f)
	}
}

// warnCapped warns of a max_duty below 100 on a fan whose speed follows
// it: the law's "full" for a session, a purge and a booth in alarm is
// max_duty, so a fan held down for noise is held down in smoke too. Only
// safe_duty may go past it (a fan held down still fails to full), and the
// message says what a fault then gives, as written or by default.
func (d *decoder) warnCapped(p string, f Fan) {
	if !d.has(p+".max_duty") || f.MaxDuty >= 100 || f.MaxDuty <= 1 || f.Backend == BackendRelay {
		return // at most 1 is warned of as a fraction; a relay is full from 50 %
	}
	fault := fmt.Sprintf("a sensor fault runs it at safe_duty %g %%%s", f.SafeDuty, d.defaulted(p+".safe_duty"))
	if f.SafeDuty > f.MaxDuty {
		fault += ", above max_duty"
	}
	d.warn(p+".max_duty", "%g %% caps this fan in smoke too: a session, a purge and a booth in alarm only reach %g %% (%s); for full extraction in smoke write max_duty: 100 (the default), and keep it quiet in clean air with the control keys or min_duty",
		f.MaxDuty, f.MaxDuty, fault)
}

// defaulted marks a value in a message as the default when it was not
// written, so "must not exceed 100" is not a mystery.
func (d *decoder) defaulted(path string) string {
	if d.has(path) {
		return ""
	}
	return " (the default)"
}

// checkBackend checks that exactly the block backend names is present.
func (d *decoder) checkBackend(p string, f Fan) {
	blocks := map[Backend]bool{
		BackendSysfsPWM: f.SysfsPWM != nil, BackendGPIOPWM: f.GPIOPWM != nil,
		BackendPCA9685: f.PCA9685 != nil, BackendRelay: f.Relay != nil,
	}
	if !slices.Contains(backends, f.Backend) {
		d.invalid(p+".backend", "must be %s (got %q)%s", oneOf(backends), f.Backend, didYouMean(string(f.Backend), backends))
	}
	for _, b := range backends {
		if blocks[b] && b != f.Backend && slices.Contains(backends, f.Backend) {
			d.invalid(p+"."+string(b), "backend is %s, so this %s block is not used: remove it or set backend: %s", f.Backend, b, b)
		}
	}
	if f.Backend != BackendSim && slices.Contains(backends, f.Backend) && !blocks[f.Backend] {
		d.invalid(p+".backend", "backend %s needs a %s: block saying where the fan is wired", f.Backend, f.Backend)
	}
	if o := f.SysfsPWM; o != nil {
		q := p + ".sysfs_pwm"
		if o.Chip < 0 {
			d.invalid(q+".chip", "must be 0 or more (got %d); chip N is /sys/class/pwm/pwmchipN", o.Chip)
		}
		if o.Channel < 0 {
			d.invalid(q+".channel", "must be 0 or more (got %d); channel N is pwmchip*/pwmN", o.Channel)
		}
		d.checkFrequency(q+".frequency_hz", o.FrequencyHz, 1, 1_000_000)
		d.warnLowFrequency(q+".frequency_hz", o.FrequencyHz, fourWireHint)
		if _, ok := pwmPins[o.Channel]; o.Chip == 0 && o.Channel > 0 && !ok && d.has(q+".channel") {
			d.warn(q+".channel", "pwmchip0 has channels 0 and 1 (GPIO18 and GPIO19) with the pwm-2chan overlay as firmware/boot/config.txt turns it on: channel %d does not exist there and the fan would not open at start; write 0 or 1 (unless your own overlay or a Pi 5 has more: ls /sys/class/pwm/pwmchip0)", o.Channel)
		}
	}
	if o := f.GPIOPWM; o != nil {
		// periph drives the Pi's PWM block through /dev/mem and DMA: root
		// only. The packaged service runs as user ventd without either, so
		// the fan would never open there.
		d.warn(p+".backend", "gpio_pwm needs root (periph drives the PWM block through /dev/mem); the packaged service runs as user ventd and cannot open it: use sysfs_pwm (dtoverlay=pwm-2chan, GPIO18/GPIO19) or a pca9685 board")
		d.checkPin(p+".gpio_pwm.pin", o.Pin)
		d.checkFrequency(p+".gpio_pwm.frequency_hz", o.FrequencyHz, 1, 1_000_000)
		d.warnLowFrequency(p+".gpio_pwm.frequency_hz", o.FrequencyHz, fourWireHint)
	}
	if o := f.PCA9685; o != nil {
		q := p + ".pca9685"
		d.checkBus(q+".bus", o.Bus)
		if d.has(q + ".address") {
			d.checkAddr(q+".address", o.Address)
		}
		if o.Channel < 0 || o.Channel > 15 {
			d.invalid(q+".channel", "must be a PCA9685 channel, 0 to 15 (got %d)", o.Channel)
		}
		// The prescaler (3-255) on the 25 MHz internal oscillator.
		d.checkFrequency(q+".frequency_hz", o.FrequencyHz, 24, 1526)
		d.warnLowFrequency(q+".frequency_hz", o.FrequencyHz, "a PCA9685 gives 24–1526 Hz, and fans and PWM-to-0–10 V converters on one run at its default, 1000: leave frequency_hz out")
	}
	if o := f.Relay; o != nil {
		d.checkPin(p+".relay.pin", o.Pin)
		if o.MinSwitchTime < 0 {
			d.invalid(p+".relay.min_switch_time", "must not be negative (got %s)", o.MinSwitchTime)
		}
		d.atMost(p+".relay.min_switch_time", o.MinSwitchTime, 10*time.Minute, "the fan could not follow a session or a purge for that long")
	}
}

// minLikelyPWMHz is the lowest PWM frequency a fan ventd drives is likely
// to want: 4-wire fans expect 21-28 kHz (Intel's specification), and
// PWM-to-0-10 V converters for EC fans take about 1-10 kHz. Below it a
// frequency is more likely kHz written as Hz (25 for 25 kHz), on which a
// 4-wire fan runs at full or hunts.
const minLikelyPWMHz = 1000

// fourWireHint says what to write for a kernel or periph PWM fan.
const fourWireHint = "4-wire fans expect 21–28 kHz: 25000? (leave frequency_hz out for 25 kHz); a PWM-to-0–10 V converter for an EC fan takes the frequency on its label (most 1–10 kHz)"

// warnLowFrequency warns of a written PWM frequency below
// minLikelyPWMHz; hint says what to write instead.
func (d *decoder) warnLowFrequency(path string, hz int, hint string) {
	if d.has(path) && !d.bad[path] && hz >= 1 && hz < minLikelyPWMHz {
		d.warn(path, "%d Hz is below 1 kHz, is it kHz written as Hz? %s", hz, hint)
	}
}

func (d *decoder) checkFrequency(path string, hz, lo, hi int) {
	if hz < lo || hz > hi {
		d.invalid(path, "must be from %d to %d Hz (got %d)", lo, hi, hz)
	}
}

// checkPin refuses a pin name that cannot open on a Pi, which would
// otherwise pass here and fail only at start: a fan never opened, a purge
// button or beacon silently absent. pihost opens a name with periph's
// gpioreg.ByName, an exact lookup: on a Pi it knows GPIO0 to GPIO53 (the
// BCM numbers), the bare numbers 0 to 53, the function names of the bcm283x
// driver (PWM0, I2C1_SDA) and the kernel's names of its GPIO lines. The
// BCM name is the one to write: the others are read, with a warning, so
// that a file that opened before still opens.
func (d *decoder) checkPin(path, pin string) {
	if strings.TrimSpace(pin) == "" {
		d.invalid(path, "must name the GPIO pin the wire is on by its BCM number, like GPIO6, as `pinout` prints it")
		return
	}
	if n, ok := gpioNumber(pin); ok {
		if pin != "GPIO"+strconv.Itoa(n) {
			d.warn(path, "%s", bareNumberWarning(n))
			return
		}
		if n > maxHeaderGPIO {
			d.warn(path, "GPIO%d is not on the Pi's 40-pin header (GPIO0 to GPIO%d): only a Compute Module brings it out; check the number (`pinout` prints the header)", n, maxHeaderGPIO)
		}
		return
	}
	if bcmFunctions[pin] {
		d.warn(path, "%s is periph's name for whichever pin has that function when ventd starts, which config.txt decides: it can move, and the pin checks cannot tell which it is; write the pin's GPIO number, like GPIO18, as `pinout` prints it", pin)
		return
	}
	if hint := pinHint(pin); hint != "" {
		d.invalid(path, "no pin is named %q: %s", pin, hint)
		return
	}
	if lineName.MatchString(pin) {
		d.warn(path, "%s is not a GPIO number: periph may know it as the kernel's name of a GPIO line (gpioinfo lists them), which differs between Pi models, and the pin checks cannot tell which pin it is; write the pin's GPIO number, like GPIO27, as `pinout` prints it", pin)
		return
	}
	d.invalid(path, "no pin is named %q: write the pin's BCM GPIO number, like GPIO27, as `pinout` prints it", pin)
}

// bareNumberWarning says how a pin written as a bare number is read
// (periph's gpioreg takes "11" as GPIO11) and what the same number would
// be as a header position: the README's wiring table, a HAT's silkscreen
// and many tutorials give the header pin, and a purge button wired to
// header pin 11 (GPIO17) but configured as 11 would never fire. A
// warning, not a refusal: a config refused at start leaves the room with
// no ventd at all.
func bareNumberWarning(n int) string {
	read := fmt.Sprintf("pin: %d is read as GPIO%d", n, n)
	if pos, ok := gpioHeader[n]; ok {
		read += fmt.Sprintf(" (header pin %d)", pos)
	} else {
		read += ", which is not on the Pi's 40-pin header (only a Compute Module brings it out)"
	}
	if g, ok := headerGPIO[n]; ok {
		return fmt.Sprintf("%s; header pin %d is GPIO%d: write GPIO%d or GPIO%d to say which", read, n, g, n, g)
	}
	if what, ok := headerPower[n]; ok {
		return fmt.Sprintf("%s; header pin %d is %s, not a GPIO: write GPIO%d to say so", read, n, what, n)
	}
	return fmt.Sprintf("%s: write GPIO%d to say so, as `pinout` prints it", read, n)
}

// maxGPIO is the highest BCM GPIO periph's bcm283x driver registers;
// maxHeaderGPIO the highest on the 40-pin header.
const (
	maxGPIO       = 53
	maxHeaderGPIO = 27
)

// gpioNumber is the BCM number of a pin named GPIO<n> or <n> exactly as
// periph registers it: upper case, no leading zero, n at most maxGPIO.
func gpioNumber(pin string) (int, bool) {
	return canonicalNumber(strings.TrimPrefix(pin, "GPIO"))
}

// canonicalNumber reads s as a GPIO number written as periph registers
// it (no sign, no leading zero, at most maxGPIO).
func canonicalNumber(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	if err != nil || s != strconv.Itoa(n) || n < 0 || n > maxGPIO {
		return 0, false
	}
	return n, true
}

var (
	// gpioTypo is a GPIO name as typed wrong: lower case, a letter O or
	// I for a 0 or 1 (GPI027 for GPIO27), a leading zero, a separator.
	gpioTypo = regexp.MustCompile(`^(?:GP[I1L]?[O0]?|BCM)[ _-]?([0-9OIL]+)$`)
	// headerPin is a position on the 40-pin header (pin 31), not a GPIO.
	headerPin = regexp.MustCompile(`^(?:PIN|P1_|P|PHYS)[ _#-]?([0-9]+)$`)
	// lineName is a name the kernel may give a GPIO line (SDA1, TXD1).
	lineName = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
	// digitTypo reads the letters typed for digits.
	digitTypo = strings.NewReplacer("O", "0", "I", "1", "L", "1")
)

// headerGPIO is the BCM GPIO at each GPIO position of the 40-pin header.
var headerGPIO = map[int]int{
	3: 2, 5: 3, 7: 4, 8: 14, 10: 15, 11: 17, 12: 18, 13: 27, 15: 22, 16: 23, 18: 24, 19: 10, 21: 9, 22: 25,
	23: 11, 24: 8, 26: 7, 27: 0, 28: 1, 29: 5, 31: 6, 32: 12, 33: 13, 35: 19, 36: 16, 37: 26, 38: 20, 40: 21,
}

// gpioHeader is the header position of each GPIO on the 40-pin header.
var gpioHeader = map[int]int{}

func init() {
	for pos, n := range headerGPIO {
		gpioHeader[n] = pos
	}
}

// headerPower is what the header positions that are not GPIOs carry.
var headerPower = map[int]string{
	1: "3.3 V power", 17: "3.3 V power", 2: "5 V power", 4: "5 V power",
	6: "ground", 9: "ground", 14: "ground", 20: "ground", 25: "ground", 30: "ground", 34: "ground", 39: "ground",
}

// pinHint says what a pin name that cannot be a GPIO was likely meant to
// be, or "" when it does not look like a try at one.
func pinHint(pin string) string {
	p := strings.ToUpper(strings.TrimSpace(pin))
	if m := headerPin.FindStringSubmatch(p); m != nil {
		pos, _ := strconv.Atoi(m[1])
		if n, ok := headerGPIO[pos]; ok {
			return fmt.Sprintf("pins are named by their BCM GPIO number, not their place on the header: header pin %d is GPIO%d, so write GPIO%d, as `pinout` prints it", pos, n, n)
		}
		return "pins are named by their BCM GPIO number, not their place on the header: write the GPIO number `pinout` prints beside it, like GPIO27"
	}
	var digits string
	switch m := gpioTypo.FindStringSubmatch(p); {
	case m != nil:
		digits = digitTypo.Replace(m[1])
	case p != "" && strings.Trim(p, "0123456789") == "":
		digits = p // a bare number with a leading zero, or too high
	case strings.HasPrefix(p, "GP") || strings.HasPrefix(p, "BCM"):
		return "write the pin's BCM GPIO number, like GPIO27, as `pinout` prints it"
	default:
		return ""
	}
	digits = strings.TrimLeft(digits, "0")
	if digits == "" {
		digits = "0"
	}
	if n, ok := canonicalNumber(digits); ok {
		return fmt.Sprintf("did you mean GPIO%d? periph's names are exact: upper case, a digit 0 and 1 (not the letters O and I), no leading zero; write GPIO%d, the BCM number as `pinout` prints it", n, n)
	}
	return fmt.Sprintf("the Pi's GPIOs are GPIO0 to GPIO%d on the 40-pin header (GPIO%d at most on a Compute Module); write the BCM number of the pin the wire is on, like GPIO27, as `pinout` prints it", maxHeaderGPIO, maxGPIO)
}

// bcmFunctions are the function names periph's bcm283x driver registers as
// aliases of the pin that has (or can have) the function.
var bcmFunctions = map[string]bool{}

// bcmFunctionAlias are the other names bcm283x registers for a function.
var bcmFunctionAlias = map[string]string{"GPCLK0": "CLK0", "GPCLK1": "CLK1", "GPCLK2": "CLK2", "PWM0_OUT": "PWM0", "PWM1_OUT": "PWM1"}

func init() {
	for _, f := range strings.Fields(`CLK0 CLK1 CLK2 PWM0 PWM1 PWM0_0 PWM0_1 PWM1_0 PWM1_1
		I2S_DIN I2S_DOUT I2S_SCK I2S_WS`) {
		bcmFunctions[f] = true
	}
	for _, n := range []string{"0", "1", "3", "4", "5", "6"} {
		bcmFunctions["I2C"+n+"_SDA"], bcmFunctions["I2C"+n+"_SCL"] = true, true
	}
	for n := range 7 {
		for _, f := range []string{"CLK", "CS0", "CS1", "MISO", "MOSI"} {
			bcmFunctions[fmt.Sprintf("SPI%d_%s", n, f)] = true
		}
	}
	bcmFunctions["SPI0_CS2"], bcmFunctions["SPI1_CS2"], bcmFunctions["SPI2_CS2"] = true, true, true
	for n := range 6 {
		for _, f := range []string{"TX", "RX", "CTS", "RTS"} {
			bcmFunctions[fmt.Sprintf("UART%d_%s", n, f)] = true
		}
	}
	for a := range bcmFunctionAlias {
		bcmFunctions[a] = true
	}
}

// clashHint says what to do about two devices in one place.
func clashHint(what string) string {
	switch {
	case strings.HasPrefix(what, "address"):
		return ": two devices cannot answer at one address; put one on another bus, or both behind a PCA9548A mux (mux: {address: 0x70, channel: N})"
	case strings.HasPrefix(what, "pin"):
		return ": give one of them another pin"
	}
	return ": give one of them another channel"
}

// validateOutputs finds two things wired to the same place: two devices
// answering at one I2C address, two fans on one PWM channel, one pin used
// twice.
func (d *decoder) validateOutputs(c *Config) {
	used := map[string]string{}  // place → path of the first user
	owner := map[string]string{} // place → what kind of device, for shared boards
	// claim records that the device at path (an entry of the file) uses
	// place; devices of one shared kind (a mux, a PCA9685 board) may share.
	claim := func(place, kind, path, field, what string) {
		if first, ok := used[place]; ok && (kind == "" || owner[place] != kind) {
			d.invalid(path+field, "%s is already used by %s%s", what, d.where(first), clashHint(what))
			return
		}
		if _, ok := used[place]; !ok {
			used[place], owner[place] = path, kind
		}
	}
	direct := func(bus string, a Addr) string { return "i2c " + busKey(bus) + " " + a.String() }
	// Devices on the bus itself first: they answer whichever mux channel
	// is open, so they clash with devices behind a mux at their address.
	for i, s := range c.Sensors {
		p := fmt.Sprintf("sensors[%d]", i)
		if s.Address == 0 {
			continue // an unknown sensor type, reported already
		}
		if s.Mux == nil {
			claim(direct(s.Bus, s.Address), "", p, ".address", fmt.Sprintf("address %s on bus %s", s.Address, s.Bus))
		} else if s.Mux.Address >= 0x70 && s.Mux.Address <= 0x77 {
			claim(direct(s.Bus, s.Mux.Address), "pca9548", p, ".mux.address", fmt.Sprintf("address %s on bus %s", s.Mux.Address, s.Bus))
		}
	}
	for i, f := range c.Fans {
		if o := f.PCA9685; o != nil {
			p := fmt.Sprintf("fans[%d].pca9685", i)
			claim(direct(o.Bus, o.Address), "pca9685", p, ".address", fmt.Sprintf("address %s on bus %s", o.Address, o.Bus))
			claim(fmt.Sprintf("%s ch %d", direct(o.Bus, o.Address), o.Channel), "", p, ".channel", fmt.Sprintf("PCA9685 %s channel %d", o.Address, o.Channel))
		}
	}
	for i, s := range c.Sensors {
		if s.Mux == nil || s.Address == 0 {
			continue
		}
		p := fmt.Sprintf("sensors[%d]", i)
		if first, ok := used[direct(s.Bus, s.Address)]; ok {
			d.invalid(p+".address", "address %s is also used by %s on bus %s itself, which answers on every mux channel; give one of them another address or bus", s.Address, d.where(first), s.Bus)
			continue
		}
		claim(fmt.Sprintf("%s mux %s ch %d", direct(s.Bus, s.Mux.Address), s.Address, s.Mux.Channel), "", p, ".address",
			fmt.Sprintf("address %s behind mux %s channel %d", s.Address, s.Mux.Address, s.Mux.Channel))
	}
	for i, f := range c.Fans {
		p := fmt.Sprintf("fans[%d]", i)
		if o := f.SysfsPWM; o != nil {
			claim(fmt.Sprintf("pwmchip%d/pwm%d", o.Chip, o.Channel), "", p, ".sysfs_pwm.channel", fmt.Sprintf("pwmchip%d channel %d", o.Chip, o.Channel))
		}
		pin := func(field, pin string) { claim("pin "+pinKey(pin), "", p+field, "", "pin "+pin) }
		if f.GPIOPWM != nil {
			pin(".gpio_pwm.pin", f.GPIOPWM.Pin)
		}
		if f.Relay != nil {
			pin(".relay.pin", f.Relay.Pin)
		}
		if f.Tach != nil {
			pin(".tach.pin", f.Tach.Pin)
		}
	}
	if b := c.PurgeButton; b != nil {
		claim("pin "+pinKey(b.Pin), "", "purge_button", ".pin", "pin "+b.Pin)
	}
	if o := c.AlarmOutput; o != nil {
		claim("pin "+pinKey(o.Pin), "", "alarm_output", ".pin", "pin "+o.Pin)
	}
	d.checkBusPins(c, used)
	d.checkPWMPins(c, used)
}

// pwmPins are the GPIOs of pwmchip0's channels as
// firmware/boot/config.txt's overlay routes them
// (dtoverlay=pwm-2chan,pin=18,func=2,pin2=19,func2=2).
var pwmPins = map[int]string{0: "GPIO18", 1: "GPIO19"}

// checkPWMPins warns of a pin (a tach, a relay, a button, a beacon) that
// is a hardware PWM channel's output a fan in the file uses: driving or
// reading it would fight the fan's PWM signal. A warning, not a refusal:
// an overlay of the site's own may route the channels elsewhere.
func (d *decoder) checkPWMPins(c *Config, used map[string]string) {
	for i, f := range c.Fans {
		o := f.SysfsPWM
		if o == nil || o.Chip != 0 {
			continue
		}
		pin, ok := pwmPins[o.Channel]
		if !ok {
			continue
		}
		if path, ok := used["pin "+pin]; ok {
			d.warn(path, "pin %s is pwmchip0 channel %d's output as firmware/boot/config.txt routes it (pwm-2chan), which fans[%d] (%s) drives: wire it to a free pin (unless your overlay moved the channel)",
				pin, o.Channel, i, f.Name)
		}
	}
}

// checkBusPins finds a pin (a tach, a button, a relay) that is SDA or SCL
// of an I2C bus the room's sensors or PWM boards are on: the bus would
// stop working, or the pin would read the bus's traffic. On bus 1 that is
// certain (a mistake); on the overlay buses, where the overlay may have
// moved them, a warning. A bus the shipped boot config has no line for
// (0, 2, 7) is a warning too: it exists only if the site's own overlay
// makes it.
func (d *decoder) checkBusPins(c *Config, used map[string]string) {
	buses := map[string]string{} // bus key → the first device on it
	on := func(bus, path string) {
		if _, ok := buses[busKey(bus)]; !ok {
			buses[busKey(bus)] = path
		}
	}
	for i, s := range c.Sensors {
		on(s.Bus, fmt.Sprintf("sensors[%d]", i))
	}
	for i, f := range c.Fans {
		if o := f.PCA9685; o != nil {
			on(o.Bus, fmt.Sprintf("fans[%d].pca9685", i))
		}
	}
	for _, bus := range slices.Sorted(maps.Keys(buses)) {
		n, number := busNumber(bus)
		if !number {
			continue // the simulator's sim0
		}
		bp, known := BootI2CBus(n)
		if !known {
			d.warn(buses[bus]+".bus", "I2C bus %d: %s", n, BusFix(n, PiBootConfig))
			continue
		}
		for _, pin := range []struct{ name, role string }{{bp.SDA, "SDA"}, {bp.SCL, "SCL"}} {
			path, ok := used["pin "+pin.name]
			if !ok {
				continue
			}
			if bp.Fixed {
				d.invalid(path, "pin %s is %s of I2C bus %s, which %s is on; wire it to a free pin (the README's wiring table lists them)",
					pin.name, pin.role, bus, d.where(buses[bus]))
			} else {
				d.warn(path, "pin %s is %s of I2C bus %s as %s turns it on (%s), and %s is on bus %s: "+
					"wire it to a free pin, or put the sensor on another bus (unless your overlay moved bus %s elsewhere)",
					pin.name, pin.role, bus, BootConfig, bp.Line, d.where(buses[bus]), bus, bus)
			}
		}
	}
}

// busKey folds the names periph's i2creg gives one bus ("1", "I2C1",
// "/dev/i2c-1") to one key.
func busKey(bus string) string {
	k := strings.TrimPrefix(strings.TrimPrefix(bus, "/dev/i2c-"), "I2C")
	if n, err := strconv.Atoi(k); err == nil && n >= 0 {
		return strconv.Itoa(n) // "01" opens bus 1 too (periph's i2creg reads the number)
	}
	return k
}

// pinKey folds the names of one pin to one key for the clash checks:
// "6", "GPIO06" and "gpio6" to "GPIO6" (the last two are refused by
// checkPin, but still clash), and periph's second names of a function
// (PWM0_OUT) to its first (PWM0).
func pinKey(pin string) string {
	p := strings.ToUpper(strings.TrimSpace(pin))
	digits := strings.TrimPrefix(p, "GPIO")
	if n, err := strconv.Atoi(digits); err == nil && digits != "" && strings.Trim(digits, "0123456789") == "" {
		return "GPIO" + strconv.Itoa(n)
	}
	if f, ok := bcmFunctionAlias[p]; ok {
		return f
	}
	return p
}

// maxPMLevel is the highest PM level a threshold or a limit may name: ten
// times the 1000 µg/m³ an SPS30 is specified to, which the sensor layer
// still takes as smoke (sensor.checkPM's saturation).
const maxPMLevel = 10000

// reach is what a working sensor reports of a quantity, for the levels
// (thresholds, exposure limits) that name it: a level beyond it never
// sounds.
type reach struct {
	most float64 // the highest reading
	spec float64 // the highest within the sensor's specification; 0 for most
	unit string  // as a message writes it after a number: " ppm"
	why  string
}

var (
	pmReach  = reach{maxPMLevel, 1000, " µg/m³", "an SPS30 or SEN5x is specified to 1000 µg/m³ and reads a few thousand in dense smoke; levels are in µg/m³"}
	co2Reach = reach{40000, 0, " ppm", "an SCD4x reads to 40000 ppm"}
	vocReach = reach{500, 0, "", "the VOC Index runs from 1 to 500"}
)

// withinReach refuses a level v above what r's sensor can report, saying
// so; false when refused.
func (d *decoder) withinReach(path string, v float64, r reach) bool {
	if v <= r.most {
		return true
	}
	d.invalid(path, "must be at most %g%s (got %g): %s, so a level above it never sounds", r.most, r.unit, v, r.why)
	return false
}

func (d *decoder) validateThresholds(c *Config) {
	t := c.Thresholds
	for _, l := range []struct {
		key string
		v   Level
		r   reach
	}{
		{"pm25_ugm3", t.PM25, pmReach},
		{"co2_ppm", t.CO2, co2Reach},
		{"voc_index", t.VOCIndex, vocReach},
	} {
		p := "thresholds." + l.key
		ok := true
		for _, k := range []struct {
			key string
			v   float64
		}{{"warning", l.v.Warning}, {"alarm", l.v.Alarm}} {
			switch {
			case k.v <= 0:
				d.invalid(p+"."+k.key, "must be more than 0 (got %g)", k.v)
				ok = false
			case !d.withinReach(p+"."+k.key, k.v, l.r):
				// One mistake (a unit, a typo) a level: said once.
				ok = false
			}
			if !ok {
				break
			}
		}
		if ok && l.v.Warning >= l.v.Alarm {
			d.invalid(p+".warning", "must be below the alarm level %g%s (got %g)", l.v.Alarm, d.defaulted(p+".alarm"), l.v.Warning)
		}
	}
	switch e := t.EntryPM25; {
	case e <= 0:
		d.invalid("thresholds.entry_pm25_ugm3", "must be more than 0 (got %g)", e)
	case t.PM25.Alarm > 0 && e >= t.PM25.Alarm && d.has("thresholds.entry_pm25_ugm3"):
		// Responders would be told a booth is safe to enter in air the
		// staff area's alarm calls dangerous, and a purge would stop there.
		d.invalid("thresholds.entry_pm25_ugm3", "must be below the PM2.5 alarm level %g µg/m³%s (got %g): it is the level a booth is safe to enter at; thresholds are in µg/m³",
			t.PM25.Alarm, d.defaulted("thresholds.pm25_ugm3.alarm"), e)
	case t.PM25.Warning > 0 && e > t.PM25.Warning:
		// The default 35 under a site's own lower levels is said, not
		// refused: the site set its levels, and may set this one too.
		d.warn("thresholds.entry_pm25_ugm3", "%g µg/m³%s is above the PM2.5 warning level %g: responders would be told a booth is safe to enter in air the staff area is warned of; set entry_pm25_ugm3 below it",
			e, d.defaulted("thresholds.entry_pm25_ugm3"), t.PM25.Warning)
	}
}

// checkRelayDuties refuses a relay that could never switch on and warns
// about one that could never switch off.
func (d *decoder) checkRelayDuties(p string, f Fan) {
	if f.MaxDuty < RelayOnDuty {
		d.invalid(p+".max_duty", "%g %%%s never switches this relay on: a relay is on from %d %%; write max_duty: 100 (the default)", f.MaxDuty, fractionNote(f.MaxDuty), RelayOnDuty)
	}
	if f.MinDuty >= RelayOnDuty {
		d.warn(p+".min_duty", "%g %% keeps this relay on all the time (it is on from %d %%); write min_duty: 0 (the default) to let ventd switch the fan off in clean air", f.MinDuty, RelayOnDuty)
	}
}
