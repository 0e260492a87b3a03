package config

import (
	"fmt"
	"math"
	"strconv"
)

// FailOffDuty is the lowest safe_duty a PWM fan may have without
// allow_fan_off_on_sensor_fault: many PWM fans stop or stall below
// 20-30 % duty, so a safe duty under 30 % may leave the booth without
// extraction exactly when its data cannot be trusted.
const FailOffDuty = 30

// failsOff says how a fan ends up on a sensor fault when that is off or
// nearly off, or "" when it keeps extracting, and the least safe duty
// that keeps it extracting.
func failsOff(f Fan) (how string, least int) {
	relay := f.Backend == BackendRelay
	least = FailOffDuty
	if relay {
		least = RelayOnDuty
	}
	switch {
	case f.SafeDuty == 0:
		return "off", least
	case relay && f.SafeDuty < RelayOnDuty:
		return fmt.Sprintf("off (a relay is off below %d %%)", RelayOnDuty), least
	case !relay && f.SafeDuty < FailOffDuty:
		return "nearly off (many fans stop below 20-30 %)", least
	}
	return "", least
}

// checkFailOff refuses a fan that a sensor fault would leave off unless
// the file says so in allow_fan_off_on_sensor_fault, and warns about
// duties that look like fractions of 1 where percent is meant.
func (d *decoder) checkFailOff(p string, f Fan) {
	allow := p + ".allow_fan_off_on_sensor_fault"
	off, least := failsOff(f)
	switch {
	case off != "" && !f.AllowFanOffOnSensorFault:
		d.invalid(p+".safe_duty", "%g %%%s leaves this fan %s whenever a sensor fails, goes stale or sends garbage, and the booth fills with smoke while the data that would show it is missing: "+
			"write safe_duty: 100 (full extraction, the default) or at least %d; if this fan must stop without data, add allow_fan_off_on_sensor_fault: true to it and make sure something else clears the booth",
			f.SafeDuty, fractionNote(f.SafeDuty), off, least)
	case off != "":
		d.warn(allow, "this fan runs at safe_duty %g %% (%s) when a sensor fails, goes stale or sends garbage: only the fault alarm then protects the booth", f.SafeDuty, off)
	case f.AllowFanOffOnSensorFault:
		d.warn(allow, "has no effect: safe_duty %g %% keeps the fan extracting on a sensor fault; remove it", f.SafeDuty)
	}
	for _, k := range []struct {
		key string
		v   float64
	}{{"min_duty", f.MinDuty}, {"max_duty", f.MaxDuty}, {"safe_duty", f.SafeDuty}} {
		if k.key == "safe_duty" && off != "" && !f.AllowFanOffOnSensorFault {
			continue // refused above, with the same note
		}
		d.warnFraction(p+"."+k.key, k.v)
	}
}

// warnFraction warns about a percentage written as a fraction of 1.
func (d *decoder) warnFraction(path string, v float64) {
	if d.has(path) && v > 0 && v <= 1 {
		pct := strconv.FormatFloat(math.Round(v*1e8)/1e6, 'f', -1, 64)
		d.warn(path, "read as %g %% of full speed; duties are percent, 0 to 100: for %s %% write %s", v, pct, pct)
	}
}

// fractionNote is " (duties are percent: ...)" for a duty of at most 1.
func fractionNote(v float64) string {
	if v > 0 && v <= 1 {
		return fmt.Sprintf(" (duties are percent: %g is %g %%, not %g %%)", v, v, math.Round(v*1e8)/1e6)
	}
	return ""
}
