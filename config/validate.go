package config

import (
	"fmt"
	"net"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/ventd/ventd/sample"
)

// invalid reports a mistake in a value that decoded, at the line its key
// was written (or its nearest written parent's). Values that already
// failed to decode or are missing are not reported twice.
func (d *decoder) invalid(path, format string, args ...any) {
	for p := path; p != ""; p = parent(p) {
		if d.bad[p] {
			return
		}
	}
	d.errorf(d.lineOf(path), path, format, args...)
}

func (d *decoder) lineOf(path string) int {
	for p := path; p != ""; p = parent(p) {
		if l, ok := d.lines[p]; ok {
			return l
		}
	}
	return 0
}

func parent(path string) string {
	if i := strings.LastIndexAny(path, ".["); i >= 0 {
		return path[:i]
	}
	return ""
}

// where names an earlier definition for "already used by" messages.
func (d *decoder) where(path string) string {
	if l := d.lineOf(path); l > 0 {
		return fmt.Sprintf("%s (line %d)", path, l)
	}
	return path
}

// MaxNameLen bounds the site, the room and every zone, sensor and fan
// name: they label every series a scrape carries and every topic.
const MaxNameLen = 64

// maxPMCal bounds pm_calibration: far above any factor a comparison
// gives (warned of from 2), low enough that no reading overflows.
const maxPMCal = 100

// names must be safe in MQTT topics and Prometheus label values.
var nameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)

// IsName reports whether s can name a zone, sensor or fan: letters,
// digits, '-', '_' and '.', starting with a letter or digit, at most
// MaxNameLen bytes. A name that arrives from outside (an MQTT command, a
// control socket request) is checked with it before it reaches the loop.
func IsName(s string) bool { return len(s) <= MaxNameLen && nameRE.MatchString(s) }

// checkName checks a zone, sensor or fan name and that it is unique in
// its list (seen maps names to the path of their first use).
func (d *decoder) checkName(path, name string, seen map[string]string) {
	p := path + ".name"
	if !nameRE.MatchString(name) {
		d.invalid(p, "must be letters, digits, '-', '_' or '.', starting with a letter or digit, as it names MQTT topics and metrics (got %q)", name)
		return
	}
	if len(name) > MaxNameLen {
		d.invalid(p, "must be at most %d characters (got %d): it labels metrics, topics and the page's rows", MaxNameLen, len(name))
		return
	}
	if first, dup := seen[name]; dup {
		d.invalid(p, "%q is already the name of %s; names must be unique", name, d.where(first))
		return
	}
	seen[name] = path
}

func (d *decoder) validate(c *Config) {
	for _, k := range []struct{ key, v string }{{"site", c.Site}, {"room", c.Room}} {
		if strings.TrimSpace(k.v) == "" {
			d.invalid(k.key, "must not be empty: it labels every metric and MQTT topic")
		}
		if n := utf8.RuneCountInString(k.v); n > MaxNameLen {
			// Every one of ~250 series carries it: a 30,000-character
			// room made each scrape 15 MB.
			d.invalid(k.key, "must be at most %d characters (got %d): it labels every metric, MQTT topic and page title", MaxNameLen, n)
		}
		// It is printed in exports, reports, terminals and page titles:
		// an escape sequence there would act, not read.
		if i := strings.IndexFunc(k.v, func(r rune) bool { return !unicode.IsGraphic(r) && r != ' ' }); i >= 0 {
			r, _ := utf8.DecodeRuneInString(k.v[i:])
			d.invalid(k.key, "must be plain text on one line (got %U at character %d of %q): no control characters, tabs or line breaks",
				r, utf8.RuneCountInString(k.v[:i])+1, k.v)
		}
	}
	if d.has("listen") {
		if err := CheckListen(c.Listen, false); err != "" {
			d.invalid("listen", "must be host:port, like 127.0.0.1:8080 or :8080 for every interface (got %q: %s)", c.Listen, err)
		}
	}
	d.validateHTTP(c)
	if d.has("state_dir") && !filepath.IsAbs(c.StateDir) {
		d.invalid("state_dir", "must be an absolute path, like /var/lib/ventd (got %q)", c.StateDir)
	}
	d.warnUnit(c)
	d.validateZones(c)
	d.validateSensors(c)
	d.validateFans(c)
	d.validateOutputs(c)
	d.validateCoverage(c)
	d.validateThresholds(c)
	d.validateControl(c)
	d.warnStaffBlind(c)
	d.warnOutdoorWithoutPM(c)
	d.validateShifts(c)
	d.validateExposure(c)
	d.validateAlarms(c)
	d.validateJournal(c)
	d.validatePage(c)
	d.validateMQTT(c)
	d.warnNamesAlike(c)
	d.warnNamesShared(c)
	d.warnUnlikely(c)
	if o := c.AlarmOutput; o != nil {
		d.checkPin("alarm_output.pin", o.Pin)
		switch o.Level {
		case "warning", "alarm", "fault":
		default:
			d.invalid("alarm_output.level", "must be warning, alarm or fault (got %q)", o.Level)
		}
	}
	if b := c.PurgeButton; b != nil {
		d.checkPin("purge_button.pin", b.Pin)
		if z := c.Zone(b.Zone); b.Zone != "" && (z == nil || z.Kind != Booth) {
			d.invalid("purge_button.zone", "must name a booth, or be left out to purge every booth (got %q)", b.Zone)
		}
	}
}

// CheckListen says what is wrong with s as an HTTP address to listen on
// ("" when nothing is): host:port, the port from 1 (or 0, any free one,
// when anyPort) to 65535. The config takes a fixed port; ventd's -listen
// flag also port 0.
func CheckListen(s string, anyPort bool) string {
	_, port, err := net.SplitHostPort(s)
	if err != nil {
		return strings.TrimPrefix(err.Error(), "address "+s+": ")
	}
	lo := 1
	if anyPort {
		lo = 0
	}
	if n, err := strconv.Atoi(port); err != nil || n < lo || n > 65535 {
		return fmt.Sprintf("the port must be a number from %d to 65535", lo)
	}
	return ""
}

func (d *decoder) validateZones(c *Config) {
	seen := map[string]string{}
	for i, z := range c.Zones {
		p := fmt.Sprintf("zones[%d]", i)
		d.checkName(p, z.Name, seen)
		if !slices.Contains(zoneKinds, z.Kind) {
			d.invalid(p+".kind", "must be booth (where people smoke), staff (where staff breathe) or outdoor (the air the room takes in) (got %q)%s",
				z.Kind, didYouMean(string(z.Kind), zoneKinds))
		}
		switch written := d.has(p + ".volume_m3"); {
		case z.Kind == Outdoor && written:
			d.invalid(p+".volume_m3", "an outdoor zone has no volume: the law reads its air, no fan clears it; remove volume_m3")
		case z.Kind == Outdoor:
		case !written && slices.Contains(zoneKinds, z.Kind):
			d.bad[p+".volume_m3"] = true
			d.errorf(d.lineOf(p), p+".volume_m3", "required key is missing: add volume_m3: followed by a number")
		case !written: // a mistyped kind says enough
		case z.VolumeM3 <= 0:
			d.invalid(p+".volume_m3", "must be more than 0 m³ (got %g)", z.VolumeM3)
		case z.VolumeM3 > maxVolumeM3:
			d.invalid(p+".volume_m3", "must be at most %d m³ (got %g): is it in cubic metres, length × width × height?", maxVolumeM3, z.VolumeM3)
		}
	}
}

// checkZone checks that a reference names a zone, suggesting the nearest.
func (d *decoder) checkZone(c *Config, path, name string) *Zone {
	if z := c.Zone(name); z != nil {
		return z
	}
	var names []string
	for _, z := range c.Zones {
		names = append(names, z.Name)
	}
	if len(names) == 0 {
		d.invalid(path, "no zone named %q (zones: is empty)", name)
		return nil
	}
	d.invalid(path, "no zone named %q; %s", name, suggest(name, names))
	return nil
}

func (d *decoder) validateSensors(c *Config) {
	seen := map[string]string{}
	for i, s := range c.Sensors {
		p := fmt.Sprintf("sensors[%d]", i)
		d.checkName(p, s.Name, seen)
		known := s.Type.DefaultAddress() != 0
		if !known {
			d.invalid(p+".type", "must be %s (got %q)%s", oneOf(sensorTypes), s.Type, didYouMean(string(s.Type), sensorTypes))
		}
		d.checkBus(p+".bus", s.Bus)
		if d.has(p + ".address") {
			d.checkAddr(p+".address", s.Address)
		}
		if m := s.Mux; m != nil {
			if d.has(p+".mux.address") && (m.Address < 0x70 || m.Address > 0x77) {
				d.invalid(p+".mux.address", "a PCA9548A answers at 0x70 to 0x77 (got %s)", m.Address)
			}
			if m.Channel < 0 || m.Channel > 7 {
				d.invalid(p+".mux.channel", "must be a PCA9548A channel, 0 to 7 (got %d)", m.Channel)
			}
		}
		if z := d.checkZone(c, p+".zone", s.Zone); z != nil && s.Type.IsPressure() && z.Kind != Booth {
			d.invalid(p+".zone", "zone %q is %s zone, but an %s measures a booth's pressure against its neighbour: put it in a booth",
				s.Zone, z.Kind.withArticle(), s.Type)
			d.bad[p+".zone"] = true // the coverage checks would only echo this
		}
		if d.has(p + ".pm_calibration") {
			switch {
			case known && !s.Type.Measures(sample.PM25):
				d.invalid(p+".pm_calibration", "only applies to PM sensors (sps30, sen54, sen55; this one is %s); remove it", s.Type)
			case s.PMCalibration <= 0:
				d.invalid(p+".pm_calibration", "must be more than 0 (got %g); it multiplies the reading, 1 leaves it as measured", s.PMCalibration)
			case s.PMCalibration > maxPMCal:
				// 1e306 made every reading +Inf: not air data, and
				// nothing JSON or the journal can hold.
				d.invalid(p+".pm_calibration", "must be at most %d (got %g); it multiplies the reading: a factor from a gravimetric comparison is about 0.3-1, 1 leaves it as measured", maxPMCal, s.PMCalibration)
			}
		}
		if d.has(p + ".co2_offset_ppm") {
			switch {
			case known && !s.Type.IsSCD4x():
				d.invalid(p+".co2_offset_ppm", "only applies to scd40 and scd41 sensors (this one is %s); remove it", s.Type)
			case s.CO2OffsetPPM < -2000 || s.CO2OffsetPPM > 2000:
				d.invalid(p+".co2_offset_ppm", "must be within ±2000 ppm (got %g); for a larger error use forced recalibration", s.CO2OffsetPPM)
			}
		}
		for _, k := range []string{"asc", "altitude_m"} {
			if d.has(p+"."+k) && known && !s.Type.IsSCD4x() {
				d.invalid(p+"."+k, "only applies to scd40 and scd41 sensors (this one is %s); remove it", s.Type)
			}
		}
		if d.has(p+".altitude_m") && (s.AltitudeM < 0 || s.AltitudeM > 3000) {
			d.invalid(p+".altitude_m", "must be within 0-3000 m, the SCD4x's compensation range (got %d)", s.AltitudeM)
		}
		if known && s.StaleAfter < s.Type.Period() {
			d.invalid(p+".stale_after", "must be at least the %s's measurement period %s, or every reading is stale (got %s)", s.Type, s.Type.Period(), s.StaleAfter)
		}
		d.atMost(p+".stale_after", s.StaleAfter, 2*time.Minute, "until then the fans run on the dead sensor's last reading instead of their safe duty")
	}
}

func (d *decoder) checkAddr(path string, a Addr) {
	// 0x00-0x07 and 0x78-0x7f are reserved by the I2C specification.
	if a < 0x08 || a > 0x77 {
		d.invalid(path, "must be an I2C address from 0x08 to 0x77 (got %s)", a)
	}
}

// validateCoverage checks that every zone can do its job: a booth needs a
// PM sensor to drive its fan and a fan to exhaust it; a staff zone needs a
// sensor for the exposure record. Where a sensor or fan is itself wrong
// (a mistyped type or zone) these checks would only echo that mistake,
// so they stand down.
func (d *decoder) validateCoverage(c *Config) {
	if d.bad["zones"] || d.bad["sensors"] || d.bad["fans"] {
		return
	}
	for i, z := range c.Zones {
		if !slices.Contains(zoneKinds, z.Kind) || d.bad[fmt.Sprintf("zones[%d].name", i)] {
			return
		}
	}
	if len(c.ZonesOf(Booth)) == 0 || len(c.ZonesOf(Staff)) == 0 {
		d.invalid("zones", "needs at least one zone of kind booth and one of kind staff")
		return
	}
	sensorsSure, fansSure := true, true
	for i, s := range c.Sensors {
		p := fmt.Sprintf("sensors[%d]", i)
		if s.Type.DefaultAddress() == 0 || c.Zone(s.Zone) == nil || d.bad[p] || d.bad[p+".type"] || d.bad[p+".zone"] {
			sensorsSure = false
		}
	}
	for i, f := range c.Fans {
		p := fmt.Sprintf("fans[%d]", i)
		fansSure = fansSure && !d.bad[p] && !d.bad[p+".zones"]
		for _, zn := range f.Zones {
			fansSure = fansSure && c.Zone(zn) != nil
		}
	}
	for i, z := range c.Zones {
		p := fmt.Sprintf("zones[%d]", i)
		var pm, pressure bool
		var air int // sensors of the air itself, not of pressure
		for _, s := range c.SensorsIn(z.Name) {
			pm = pm || s.Type.Measures(sample.PM25)
			pressure = pressure || s.Type.IsPressure()
			if !s.Type.IsPressure() {
				air++
			}
		}
		switch {
		case z.Kind == Booth && !pm && sensorsSure:
			var note string
			if pressure {
				note = " (its pressure sensor measures no PM)"
			}
			d.invalid(p, "booth %q has no PM sensor (sps30, sen54 or sen55) in it, and its fan control needs one%s", z.Name, note)
		case z.Kind == Staff && air == 0 && sensorsSure:
			d.invalid(p, "staff zone %q has no sensor in it, so no exposure can be recorded", z.Name)
		case z.Kind == Outdoor && air == 0 && sensorsSure:
			d.invalid(p, "outdoor zone %q has no sensor in it: add an sps30 with zone: %s, or remove the zone", z.Name, z.Name)
		}
		if z.Kind == Booth && len(c.FansFor(z.Name)) == 0 && fansSure {
			d.invalid(p, "booth %q has no fan: list it in the zones: of a fan", z.Name)
		}
	}
}

// warnStaffBlind warns of a room whose staff area has no PM sensor. The
// config is valid (a CO2 sensor records the staff's CO2), but the fan law
// cannot see the booth smoke that reaches the staff, so it keeps every fan
// at the blind duty all day, and no PM exposure is recorded for the staff:
// a technician should hear that before the site does.
func (d *decoder) warnStaffBlind(c *Config) {
	if len(d.errs) > 0 {
		return // a mistyped sensor would make this a wrong guess
	}
	seen := map[string]bool{}
	for _, s := range c.Sensors {
		if z := c.Zone(s.Zone); z != nil && z.Kind == Staff && s.Type.Measures(sample.PM25) {
			seen[z.Name] = true
		}
	}
	if len(seen) > 0 {
		// Each staff area is its own record: one with no PM sensor has
		// no PM2.5 exposure, whatever another one measures.
		for i, z := range c.Zones {
			if z.Kind == Staff && !seen[z.Name] {
				d.warn(fmt.Sprintf("zones[%d]", i), "staff zone %q has no PM sensor (sps30, sen54 or sen55): no PM2.5 exposure is recorded for the staff who work there, "+
					"and the fan law judges the staff's air by the other staff zones' PM; add an SPS30 (or a SEN5x) there", z.Name)
			}
		}
		return
	}
	d.warn("sensors", "no staff zone has a PM sensor (sps30, sen54 or sen55): no PM2.5 exposure is recorded for the staff, and every fan runs at "+
		"least control.staff_blind_duty_percent (%g %%) all day, since nothing sees the smoke that reaches them; add an SPS30 (or a SEN5x) in the staff area",
		c.Control.StaffBlindDutyPercent)
}

// warnOutdoorWithoutPM warns of an outdoor zone with no PM sensor: valid
// (its CO2 is context for the journal), but the fan law reads only the
// outdoor PM2.5, so the zone does nothing for the fans, which a technician
// who put it there for a wildfire day should hear.
func (d *decoder) warnOutdoorWithoutPM(c *Config) {
	if len(d.errs) > 0 {
		return
	}
	for i, z := range c.Zones {
		if z.Kind != Outdoor {
			continue
		}
		pm := false
		for _, s := range c.SensorsIn(z.Name) {
			pm = pm || s.Type.Measures(sample.PM25)
		}
		if !pm {
			d.warn(fmt.Sprintf("zones[%d]", i), "outdoor zone %q has no PM sensor (sps30, sen54 or sen55): its air is recorded, but the fan law reads only the outdoor PM2.5, "+
				"so it still takes outdoor smoke for booth smoke (or booth smoke for outdoor smoke); add an SPS30 (or a SEN5x) with zone: %s", z.Name, z.Name)
		}
	}
}

// warnNamesAlike warns of two zones, sensors or fans whose names differ
// only in case or punctuation ("booth-pm" and "booth_pm"): Home
// Assistant's ids keep letters and digits only, so MQTT discovery would
// give them one entity and the second would replace the first there.
func (d *decoder) warnNamesAlike(c *Config) {
	ids := strings.NewReplacer("-", "_", ".", "_")
	for _, group := range []struct {
		what  string
		names []string
	}{
		{"zones", namesOf(c.Zones, func(z Zone) string { return z.Name })},
		{"sensors", namesOf(c.Sensors, func(s Sensor) string { return s.Name })},
		{"fans", namesOf(c.Fans, func(f Fan) string { return f.Name })},
	} {
		seen := map[string]int{}
		for i, n := range group.names {
			id := ids.Replace(TopicLevel(n))
			if id == "" {
				continue
			}
			if j, ok := seen[id]; ok && group.names[j] != n {
				d.warn(fmt.Sprintf("%s[%d].name", group.what, i), "%q differs from %q (%s[%d]) only in case or punctuation: Home Assistant would show them as one (MQTT discovery); name them apart by a letter or digit",
					n, group.names[j], group.what, j)
				continue
			}
			seen[id] = i
		}
	}
}

// warnNamesShared warns of a name used in two of the lists, or taken by
// the journal. The alarm summary has one subject per name (zone, sensor,
// fan, "journal"), and Home Assistant one fault entity per sensor and fan
// id: a fan named like a sensor shares its fault entity (the second
// discovery config replaces the first) and each lights the other's; a
// sensor named like its zone lights the zone's safety alarm when the
// sensor fails.
func (d *decoder) warnNamesShared(c *Config) {
	type use struct {
		path, name string
	}
	ids := strings.NewReplacer("-", "_", ".", "_")
	byName := map[string]use{}
	byID := map[string]use{}
	say := func(path, name string, first use) {
		also := ""
		if first.name != name {
			also = fmt.Sprintf(" (%q)", first.name)
		}
		d.warn(path, "%q is also the name of %s%s: the alarm summary and Home Assistant key a zone's, a sensor's and a fan's alarms by name, "+
			"so an alarm of either would show on both (and a sensor and a fan share one fault entity); name them apart by a letter or digit", name, first.path, also)
	}
	for i, z := range c.Zones {
		if z.Name == "journal" && z.Kind != Outdoor {
			d.warn(fmt.Sprintf("zones[%d].name", i), "%q is the name ventd gives its journal's alarms: the alarm summary and Home Assistant would show the journal's faults as this zone's alarm; choose another name", z.Name)
		}
		if _, ok := byName[z.Name]; !ok {
			byName[z.Name] = use{fmt.Sprintf("zones[%d]", i), z.Name}
		}
	}
	for _, group := range []struct {
		what  string
		names []string
	}{
		{"sensors", namesOf(c.Sensors, func(s Sensor) string { return s.Name })},
		{"fans", namesOf(c.Fans, func(f Fan) string { return f.Name })},
	} {
		var mine []use
		for i, n := range group.names {
			p := fmt.Sprintf("%s[%d].name", group.what, i)
			id := ids.Replace(TopicLevel(n))
			switch first, ok := byName[n]; {
			case strings.EqualFold(n, "journal"):
				d.warn(p, "%q is the name ventd gives its journal's alarms: the alarm summary and Home Assistant would show this %s's faults as the journal's, and the journal's as its own; choose another name", n, strings.TrimSuffix(group.what, "s"))
			case ok && !strings.HasPrefix(first.path, group.what):
				say(p, n, first)
			default:
				if first, ok := byID[id]; ok && id != "" && !strings.HasPrefix(first.path, group.what) {
					say(p, n, first)
				}
			}
			mine = append(mine, use{fmt.Sprintf("%s[%d]", group.what, i), n})
		}
		// Added after the group: names alike within one list are
		// warnNamesAlike's.
		for _, u := range mine {
			if _, ok := byName[u.name]; !ok {
				byName[u.name] = u
			}
			if id := ids.Replace(TopicLevel(u.name)); id != "" {
				if _, ok := byID[id]; !ok {
					byID[id] = u
				}
			}
		}
	}
}

func namesOf[T any](xs []T, name func(T) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = name(x)
	}
	return out
}
