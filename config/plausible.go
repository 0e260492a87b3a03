package config

import (
	"fmt"

	"github.com/ventd/ventd/sample"
)

// Plausible ranges. A value outside them is accepted (a site may really
// have it) with a warning that names the usual mistake: a technician
// typing litres for cubic metres or mg/m³ for µg/m³ gets a controller that
// runs, on numbers a thousand times off.
const (
	maxLikelyBoothM3  = 50   // a smoking booth is a few m³
	minLikelyStaffM3  = 5    // a staff area someone works in
	maxLikelyStaffM3  = 5000 // a large hall; more is litres
	maxLikelyFanACH   = 1000 // air changes an hour a fan gives its booths
	minLikelyFanACH   = 5    // below this it hardly clears them
	maxLikelyPMCal    = 2    // optical PM over-reads smoke: sites set 0.3-1
	minLikelyPMCal    = 0.1  // below this smoke reads as clean air
	minLikelyPM25Warn = 5    // µg/m³; the WHO 24 h guideline is 15
	minLikelyCO2Warn  = 450  // ppm; outdoor air is about 420
	maxLikelyStallRPM = 5000 // a stalled fan turns slower than this
)

// warnUnlikely warns of values that pass every rule but are likely in the
// wrong unit or for the wrong part. It runs after validation, on values
// that passed it.
func (d *decoder) warnUnlikely(c *Config) {
	odd := map[string]bool{} // zones whose volume was warned of: their fans' air changes follow from it
	for i, z := range c.Zones {
		p := fmt.Sprintf("zones[%d].volume_m3", i)
		if !d.has(p) || d.bad[p] || z.VolumeM3 <= 0 {
			continue
		}
		odd[z.Name] = true
		switch {
		case z.Kind == Booth && z.VolumeM3 > maxLikelyBoothM3:
			d.warn(p, "a booth of %g m³ is the size of a room; volumes are in cubic metres (a 4 m³ booth is 4000 litres)", z.VolumeM3)
		case z.Kind == Staff && z.VolumeM3 < minLikelyStaffM3:
			d.warn(p, "a staff area of %g m³ is smaller than a wardrobe; volumes are in cubic metres, length × width × height", z.VolumeM3)
		case z.Kind == Staff && z.VolumeM3 > maxLikelyStaffM3:
			d.warn(p, "a staff area of %g m³ is a warehouse; volumes are in cubic metres (litres are a thousand times more)", z.VolumeM3)
		default:
			odd[z.Name] = false
		}
	}
	for i, f := range c.Fans {
		p := fmt.Sprintf("fans[%d].max_flow_m3h", i)
		if d.bad[p] || f.MaxFlowM3H <= 0 {
			continue
		}
		var vol float64
		said := false
		for _, zn := range f.Zones {
			if z := c.Zone(zn); z != nil {
				vol += z.VolumeM3
				said = said || odd[zn]
			}
		}
		if vol <= 0 || said {
			continue
		}
		switch ach := f.MaxFlowM3H / vol; {
		case ach > maxLikelyFanACH:
			d.warn(p, "%g m³/h is %.0f air changes an hour for %g m³ of booth: is it in m³/h (1 CFM is 1.7 m³/h), and the booth's volume in m³?", f.MaxFlowM3H, ach, vol)
		case ach < minLikelyFanACH:
			d.warn(p, "%g m³/h is %.1f air changes an hour for %g m³ of booth, too few to clear smoke: is it in m³/h (1 CFM is 1.7 m³/h)?", f.MaxFlowM3H, ach, vol)
		}
	}
	for i, s := range c.Sensors {
		p := fmt.Sprintf("sensors[%d]", i)
		if s.Type.Measures(sample.PM25) && d.has(p+".pm_calibration") && s.PMCalibration > maxLikelyPMCal {
			d.warn(p+".pm_calibration", "%g multiplies every PM reading; optical sensors over-read smoke, so a factor from a gravimetric comparison is about 0.3-1 (1 leaves readings as measured)", s.PMCalibration)
		}
		if s.Type.Measures(sample.PM25) && d.has(p+".pm_calibration") && !d.bad[p+".pm_calibration"] && s.PMCalibration > 0 && s.PMCalibration < minLikelyPMCal {
			d.warn(p+".pm_calibration", "%g multiplies every PM reading and hides smoke: a booth in heavy smoke would read as clean air and its fans run slow; a factor from a gravimetric comparison is about 0.3-1 (1 leaves readings as measured)", s.PMCalibration)
		}
		if want := s.Type.DefaultAddress(); want != 0 && d.has(p+".address") && !d.bad[p+".address"] && s.Address != want && !(s.Type == SDP31 && s.Address >= 0x21 && s.Address <= 0x23) {
			d.warn(p+".address", "this %s answers at %s (its datasheet's fixed address), not %s, unless an address translator sits in front of it; leave address out", s.Type, want, s.Address)
		}
	}
	t := c.Thresholds
	if d.has("thresholds.pm25_ugm3.warning") && t.PM25.Warning > 0 && t.PM25.Warning < minLikelyPM25Warn {
		d.warn("thresholds.pm25_ugm3.warning", "%g µg/m³ is below clean outdoor air on most days: thresholds are in µg/m³, not mg/m³ (0.035 mg/m³ is 35 µg/m³)", t.PM25.Warning)
	}
	if d.has("thresholds.co2_ppm.warning") && t.CO2.Warning > 0 && t.CO2.Warning < minLikelyCO2Warn {
		d.warn("thresholds.co2_ppm.warning", "%g ppm is below outdoor air (about 420 ppm): the staff area would be in warning all day", t.CO2.Warning)
	}
	for _, k := range []string{"warning", "alarm"} {
		p := "thresholds.pm25_ugm3." + k
		v := t.PM25.Alarm
		if k == "warning" {
			v = t.PM25.Warning
		}
		if d.has(p) && !d.bad[p] && v > pmReach.spec && v <= pmReach.most {
			d.warn(p, "%g µg/m³ is above the %g µg/m³ an SPS30 or SEN5x is specified to: it reports more in dense smoke, but outside its specification, so this %s may rarely sound; if a decimal point slipped, write %g",
				v, pmReach.spec, k, v/10)
			break // an alarm above a warning so high is the same choice
		}
	}
	l := c.Exposure.Limits
	for _, q := range []struct {
		key string
		v   Limit
	}{{"pm25_ugm3", l.PM25}, {"pm10_ugm3", l.PM10}} {
		for _, k := range []struct {
			key string
			v   float64
		}{{"twa", q.v.TWA}, {"stel", q.v.STEL}} {
			p := "exposure.limits." + q.key + "." + k.key
			switch {
			case !d.has(p) || d.bad[p] || k.v < minPMLimit || k.v > pmReach.most:
			case k.v < minLikelyPM25Warn:
				d.warn(p, "%g µg/m³ is below clean outdoor air on most days, so the staff would be over it every shift: limits are in µg/m³, not mg/m³ (%g mg/m³ is %g µg/m³)", k.v, k.v, k.v*1000)
			case k.v > pmReach.spec:
				d.warn(p, "%g µg/m³ is above the %g µg/m³ an SPS30 or SEN5x is specified to: the staff's air is judged against it on readings outside the sensor's specification", k.v, pmReach.spec)
			}
		}
	}
	if d.has("alarms.fan_stall_rpm") && c.Alarms.FanStallRPM > maxLikelyStallRPM {
		d.warn("alarms.fan_stall_rpm", "%g rpm is faster than most fans turn at full: every fan with a tachometer would read as stalled; it is the speed below which a driven fan counts as stopped (default 300)", c.Alarms.FanStallRPM)
	}
}
