package config

import (
	"fmt"
	"strings"
	"time"
)

func (d *decoder) validateShifts(c *Config) {
	s := c.Shifts
	if strings.TrimSpace(s.TimeZone) == "" {
		d.invalid("shifts.time_zone", `must name a time zone, like America/Vancouver or UTC, or Local for the Pi's own setting`)
	} else if _, err := time.LoadLocation(s.TimeZone); err != nil {
		d.invalid("shifts.time_zone", "no time zone %q: give an IANA name, like America/Vancouver, Europe/London or UTC, or Local for the Pi's own setting (timedatectl list-timezones lists them)", s.TimeZone)
	}
	if len(s.Starts) == 0 {
		d.invalid("shifts.starts", `must list at least one shift start, like ["07:00", "19:00"]`)
	}
	for i, st := range s.Starts {
		p := fmt.Sprintf("shifts.starts[%d]", i)
		for j := range i {
			q := fmt.Sprintf("shifts.starts[%d]", j)
			if s.Starts[j] == st && !d.bad[q] {
				d.invalid(p, "%s is listed twice (first as %s); list each start once", st, d.where(q))
				break
			}
		}
	}
	if loc, err := time.LoadLocation(s.TimeZone); err == nil && strings.TrimSpace(s.TimeZone) != "" {
		for i, st := range s.Starts {
			if day, ok := inClockGap(st, loc); ok {
				d.warn(fmt.Sprintf("shifts.starts[%d]", i), "%s does not exist in %s on %s (the clocks go forward over it): that day's shift starts when they jump, and the shift before it ends then; start shifts outside the change (it is usually 02:00-03:00)",
					st, s.TimeZone, day.Format("2 Jan 2006"))
			}
		}
	}
	switch {
	case s.Length <= 0:
		d.invalid("shifts.length", "must be more than 0, like 8h or 12h (got %s)", s.Length)
	case s.Length > 22*time.Hour:
		d.invalid("shifts.length", "must be at most 22h (got %s): the Brief & Scala limit reduction (8/h)×(24−h)/16 reaches 0 at 24 h, and on the night the clocks go back a shift runs an hour longer", s.Length)
	case s.Length%time.Minute != 0:
		d.invalid("shifts.length", "must be whole minutes, like 12h or 8h30m (got %s)", s.Length)
	}
}

// Exposure limits below these can only be a unit slip: a CO2 limit under
// outdoor air is exceeded by the air the room takes in, so its alarm
// latches at once and never clears, and every shift's record is over; a
// PM limit under 1 µg/m³ is below an SPS30's resolution in clean air
// (±10 µg/m³ there), and 0.025 is 25 µg/m³ typed in mg/m³.
const (
	minCO2Limit = 400 // ppm; outdoor air is about 420
	minPMLimit  = 1   // µg/m³
)

func (d *decoder) validateExposure(c *Config) {
	l := c.Exposure.Limits
	for _, q := range []struct {
		key string
		v   Limit
		r   reach
	}{{"co2_ppm", l.CO2, co2Reach}, {"pm25_ugm3", l.PM25, pmReach}, {"pm10_ugm3", l.PM10, pmReach}} {
		p := "exposure.limits." + q.key
		ok := true
		for _, k := range []struct {
			key string
			v   float64
		}{{"twa", q.v.TWA}, {"stel", q.v.STEL}} {
			kp := p + "." + k.key
			switch {
			case k.v < 0:
				d.invalid(kp, "must be 0 (no limit) or more (got %g)", k.v)
			case k.v == 0:
				continue
			case !d.withinReach(kp, k.v, q.r):
			case q.r == co2Reach && k.v < minCO2Limit:
				d.invalid(kp, "must be 0 (no limit) or at least %d ppm, outdoor air (got %g): a limit below it is exceeded by the air the room takes in; limits are in ppm, not percent: %s",
					minCO2Limit, k.v, percentAsPPM(k.v))
			case q.r == pmReach && k.v < minPMLimit:
				d.invalid(kp, "must be 0 (no limit) or at least %d µg/m³ (got %g): limits are in µg/m³, not mg/m³: %g mg/m³ is %g µg/m³",
					minPMLimit, k.v, k.v, k.v*1000)
			default:
				continue
			}
			// One mistake (a unit, a typo) a limit: said once.
			ok = false
			break
		}
		if ok && q.v.TWA > 0 && q.v.STEL > 0 && q.v.STEL < q.v.TWA {
			d.invalid(p+".stel", "must be at least the twa limit %g%s (got %g): with a STEL below it the twa limit could never be reached", q.v.TWA, d.defaulted(p+".twa"), q.v.STEL)
		}
	}
}

// percentAsPPM says what a CO2 level written in percent is in ppm.
func percentAsPPM(v float64) string {
	if ppm := v * 10000; ppm >= minCO2Limit && ppm <= co2Reach.most {
		return fmt.Sprintf("%g %% is %g ppm", v, ppm)
	}
	return "5000 ppm is 0.5 %"
}

func (d *decoder) validateAlarms(c *Config) {
	a := c.Alarms
	for _, k := range []struct {
		key string
		v   time.Duration
	}{{"on_delay", a.OnDelay}, {"off_delay", a.OffDelay}} {
		if k.v < 0 {
			d.invalid("alarms."+k.key, "must not be negative (got %s); 0 acts at once", k.v)
		}
	}
	d.atMost("alarms.on_delay", a.OnDelay, 15*time.Minute, "a longer delay would let a whole STEL window (15 min) pass before the alarm")
	d.atMost("alarms.off_delay", a.OffDelay, time.Hour, "an alarm that stays up an hour after the air cleared is one staff learn to ignore")
	if a.HysteresisPercent < 0 || a.HysteresisPercent > 50 {
		d.invalid("alarms.hysteresis_percent", "must be from 0 to 50 percent of the threshold (got %g)", a.HysteresisPercent)
	}
	// A fault window shorter than the slowest sensor's period would fault
	// between two good readings.
	slow, slowName := time.Duration(0), ""
	for _, s := range c.Sensors {
		if s.Type.DefaultAddress() != 0 && s.Type.Period() > slow {
			slow, slowName = s.Type.Period(), fmt.Sprintf("%s %s", s.Type, s.Name)
		}
	}
	for _, k := range []struct {
		key string
		v   time.Duration
	}{{"sensor_stale_after", a.SensorStaleAfter}, {"sensor_stuck_after", a.SensorStuckAfter}} {
		switch {
		case k.v <= 0:
			d.invalid("alarms."+k.key, "must be more than 0, like 10s (got %s)", k.v)
		case k.v < slow:
			d.invalid("alarms."+k.key, "must be at least the measurement period of the %s, %s, or it faults between readings (got %s)", slowName, slow, k.v)
		}
	}
	d.atMost("alarms.sensor_stale_after", a.SensorStaleAfter, 10*time.Minute, "staff must hear of a dead sensor within minutes")
	d.atMost("alarms.sensor_stuck_after", a.SensorStuckAfter, 24*time.Hour, "a frozen sensor must be found within a day")
	if a.FanStallRPM <= 0 {
		d.invalid("alarms.fan_stall_rpm", "must be more than 0 rpm (got %g)", a.FanStallRPM)
	}
	if a.FanStallMinDuty <= 0 || a.FanStallMinDuty > 100 {
		d.invalid("alarms.fan_stall_min_duty", "must be a percentage more than 0 and at most 100 (got %g): at 0 a fan that is off would count as stalled", a.FanStallMinDuty)
	}
	if a.FanStallAfter <= 0 {
		d.invalid("alarms.fan_stall_after", "must be more than 0, like 30s (got %s): a fan needs a few seconds to spin up", a.FanStallAfter)
	}
	d.atMost("alarms.fan_stall_after", a.FanStallAfter, 10*time.Minute, "a fan spins up in seconds, and a stalled one must be heard of within minutes")
	if a.FanStallMinDuty > 0 && a.FanStallMinDuty <= 100 {
		d.warnFraction("alarms.fan_stall_min_duty", a.FanStallMinDuty)
	}
	switch {
	case a.BoothPressurePa >= 0:
		d.invalid("alarms.booth_pressure_pa", "must be below 0 Pa, like -5 (got %g): a booth must be at negative pressure so smoke flows in, not out", a.BoothPressurePa)
	case a.BoothPressurePa < -125:
		d.invalid("alarms.booth_pressure_pa", "must be -125 Pa or more (got %g): beyond the SDP810-125Pa's range the alarm could never clear, and a room runs at a few pascals", a.BoothPressurePa)
	}
	switch p := a.BoothAirflowPercent; {
	case p < 0 || p > 100:
		d.invalid("alarms.booth_airflow_percent", "must be a percentage from 0 (off) to 100 (got %g): the share of its fans' rated air below which a booth's measured airflow is reported", p)
	case p > 0 && p <= 1 && d.has("alarms.booth_airflow_percent"):
		d.warn("alarms.booth_airflow_percent", "read as %g %% of the fans' rated air; it is a percentage: for %g %% write %g", p, p*100, p*100)
	}
}

func (d *decoder) validateJournal(c *Config) {
	j := c.Journal
	if j.RetentionDays < 1 || j.RetentionDays > 3650 {
		d.invalid("journal.retention_days", "must be from 1 to 3650 days (got %d); export older records as CSV", j.RetentionDays)
	}
	switch {
	case j.MaxSizeMB < 16:
		d.invalid("journal.max_size_mb", "must be at least 16 MB (got %d)", j.MaxSizeMB)
	case j.MaxSizeMB > maxJournalMB:
		d.invalid("journal.max_size_mb", "must be at most %d MB, 1 TiB, larger than any SD card (got %d)", maxJournalMB, j.MaxSizeMB)
	}
	if j.FlushInterval < 10*time.Second || j.FlushInterval > 10*time.Minute {
		d.invalid("journal.flush_interval", "must be from 10s to 10m (got %s): shorter wears out the SD card, longer loses more at a power cut", j.FlushInterval)
	}
}

// inClockGap reports the first day in the coming year on which the time of
// day st does not exist in loc (a daylight-saving change skips it).
func inClockGap(st TimeOfDay, loc *time.Location) (time.Time, bool) {
	h, m := int(time.Duration(st)/time.Hour), int(time.Duration(st)%time.Hour/time.Minute)
	y := time.Now().Year()
	for day := time.Date(y, 1, 1, 0, 0, 0, 0, loc); day.Year() <= y+1; day = day.AddDate(0, 0, 1) {
		t := time.Date(day.Year(), day.Month(), day.Day(), h, m, 0, 0, loc)
		if t.Hour() != h || t.Minute() != m {
			return day, true
		}
	}
	return time.Time{}, false
}
