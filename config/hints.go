package config

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// A number written with its unit ("25%", "60 m3", "5 min") is text to
// YAML; the hints below say what to write instead, from the key's own
// unit (its suffix: volume_m3 is in m³).

var (
	// numberThenUnit is a number followed by what is not one.
	numberThenUnit = regexp.MustCompile(`^\s*([-+]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))\s*([^0-9\s,.].*?)\s*$`)
	// decimalComma is a number written with a decimal comma, 0,5.
	decimalComma = regexp.MustCompile(`^\s*([-+]?[0-9]+),([0-9]+)\s*$`)
)

// keyUnits are the units keys are in, by the end of their name, longest
// first; a level (warning, twa) is in its quantity's unit (co2_ppm).
var keyUnits = []struct{ suffix, unit string }{
	{"_ugm3_per_s", "µg/m³ per second"},
	{"_percent_per_pa_min", "% per Pa per minute"},
	{"_percent_per_min", "% per minute"},
	{"_per_minute", "per minute"},
	{"_percent", "%"},
	{"_duty", "%"},
	{"_m3h", "m³/h"},
	{"_m3", "m³"},
	{"_ugm3", "µg/m³"},
	{"_ppm", "ppm"},
	{"_pa", "Pa"},
	{"_rpm", "rpm"},
	{"_w", "W"},
	{"_hz", "Hz"},
	{"_mb", "MB"},
	{"_days", "days"},
	{"_m", "m"},
}

// levelKeys are in the unit of the quantity they are under.
var levelKeys = map[string]bool{"warning": true, "alarm": true, "twa": true, "stel": true}

// factorKeys are numbers that multiply, not percentages.
var factorKeys = map[string]bool{"pm_calibration": true, "staff_full_usual": true}

// unitOf is the unit the key at path is in, or "".
func unitOf(path string) string {
	for p := path; p != ""; p = parent(p) {
		k := lastKey(p)
		if k == "min_duty" || k == "max_duty" || k == "safe_duty" {
			return "%"
		}
		for _, u := range keyUnits {
			if strings.HasSuffix(k, u.suffix) {
				return u.unit
			}
		}
		if !levelKeys[k] {
			return ""
		}
	}
	return ""
}

// foldUnit writes a unit as it is compared: m3, ug/m3, %.
func foldUnit(u string) string {
	u = strings.ToLower(strings.ReplaceAll(u, " ", ""))
	return strings.NewReplacer("³", "3", "µ", "u", "μ", "u", "^", "", "mcg", "ug", "percent", "%", "pct", "%").Replace(u)
}

// unitAliases are what else is written for a unit, folded.
var unitAliases = map[string][]string{
	"m³/h": {"m3h", "m3/hr", "cmh"}, "W": {"watt", "watts"}, "Pa": {"pascal", "pascals"},
	"days": {"d", "day"}, "m³": {"cubicmetres", "cubicmeters"}, "µg/m³": {"ug", "ugm3"},
}

// sameUnit reports whether written (folded) is unit.
func sameUnit(written, unit string) bool {
	if written == foldUnit(unit) {
		return true
	}
	for _, a := range unitAliases[unit] {
		if written == a {
			return true
		}
	}
	return false
}

// conversions are units written for a key's unit that a factor turns into
// it: mg/m³ for µg/m³, litres for m³, CFM for m³/h.
var conversions = map[[2]string]float64{
	{"mg/m3", "µg/m³"}: 1000, {"mg", "µg/m³"}: 1000,
	{"l", "m³"}: 0.001, {"litres", "m³"}: 0.001, {"liters", "m³"}: 0.001,
	{"cfm", "m³/h"}: 1.699,
	{"khz", "Hz"}:   1000,
	{"kw", "W"}:     1000,
	{"%", "ppm"}:    10000,
	{"gb", "MB"}:    1024,
}

// numberHint says what to write for a number key whose value was text:
// "; write 25, without the %". "" when the text is no number with a unit.
func numberHint(path string, n *yaml.Node) string {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!str" {
		return ""
	}
	if m := decimalComma.FindStringSubmatch(n.Value); m != nil {
		return fmt.Sprintf("; write %s.%s, with a decimal point", m[1], m[2])
	}
	m := numberThenUnit.FindStringSubmatch(n.Value)
	if m == nil {
		return ""
	}
	num, written := m[1], m[2]
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		return ""
	}
	key, unit, w := lastKey(path), unitOf(path), foldUnit(written)
	switch {
	case factorKeys[key] && w == "%":
		return fmt.Sprintf("; %s is a factor, not a percentage: for %s %% write %g", key, num, v/100)
	case unit == "%" && w == "%":
		return fmt.Sprintf("; write %s, without the %%", num)
	case unit != "" && sameUnit(w, unit):
		return fmt.Sprintf("; write %s, without the unit: %s is in %s", num, key, unit)
	case unit != "":
		if f, ok := conversions[[2]string{w, unit}]; ok {
			return fmt.Sprintf("; %s is in %s: %s %s is %s %s, so write %s", key, unit, num, written, trim(v*f), unit, trim(v*f))
		}
		return fmt.Sprintf("; write the number alone, in %s (%s is in %s, not %s)", unit, key, unit, written)
	}
	return fmt.Sprintf("; write %s alone, without %q", num, written)
}

// trim writes a converted number without float noise: 1.699 × 100 is 169.9.
func trim(v float64) string { return strconv.FormatFloat(v, 'f', -1, 32) }

// durationUnits are the words people write for Go's duration units.
var durationUnits = map[string]string{
	"ms": "ms", "msec": "ms", "millisecond": "ms", "milliseconds": "ms",
	"s": "s", "sec": "s", "secs": "s", "second": "s", "seconds": "s",
	"m": "m", "min": "m", "mins": "m", "minute": "m", "minutes": "m",
	"h": "h", "hr": "h", "hrs": "h", "hour": "h", "hours": "h",
}

var durationPart = regexp.MustCompile(`([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]+)`)

// durationHint says how to write s, a duration with its units spelled or
// spaced as a person would ("5 min", "1 hour 30 mins", "2 days"), so Go
// reads it: "; write 5m". "" when s is no such duration.
func durationHint(s string) string {
	parts := durationPart.FindAllStringSubmatch(s, -1)
	if len(parts) == 0 || strings.TrimSpace(durationPart.ReplaceAllString(s, "")) != "" {
		return ""
	}
	var b strings.Builder
	for _, p := range parts {
		u := strings.ToLower(p[2])
		if u == "d" || u == "day" || u == "days" {
			days, err := strconv.ParseFloat(p[1], 64)
			if err != nil {
				return ""
			}
			b.WriteString(strconv.FormatFloat(days*24, 'f', -1, 64) + "h")
			continue
		}
		g, ok := durationUnits[u]
		if !ok {
			return ""
		}
		b.WriteString(p[1] + g)
	}
	d, err := time.ParseDuration(b.String())
	if err != nil || b.String() == s {
		return ""
	}
	return "; write " + short(d)
}
