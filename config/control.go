package config

import "time"

// setControlDefaults fills every control key the file left out.
func (d *decoder) setControlDefaults(k *Control) {
	dk := DefaultControl()
	setDefault(d, "control.period", &k.Period, dk.Period)
	setDefault(d, "control.rise_rate_ugm3_per_s", &k.RiseRate, dk.RiseRate)
	setDefault(d, "control.rise_window", &k.RiseWindow, dk.RiseWindow)
	setDefault(d, "control.session_excess_ugm3", &k.SessionExcess, dk.SessionExcess)
	setDefault(d, "control.run_on", &k.RunOn, dk.RunOn)
	setDefault(d, "control.booth_full_excess_ugm3", &k.BoothFullExcess, dk.BoothFullExcess)
	setDefault(d, "control.staff_margin_ugm3", &k.StaffMargin, dk.StaffMargin)
	setDefault(d, "control.staff_full_excess_ugm3", &k.StaffFullExcess, dk.StaffFullExcess)
	setDefault(d, "control.staff_full_usual", &k.StaffFullUsual, dk.StaffFullUsual)
	setDefault(d, "control.staff_margin_percent", &k.StaffMarginPercent, dk.StaffMarginPercent)
	setDefault(d, "control.staff_clear_time", &k.StaffClearTime, dk.StaffClearTime)
	setDefault(d, "control.staff_blind_duty_percent", &k.StaffBlindDutyPercent, dk.StaffBlindDutyPercent)
	setDefault(d, "control.ramp_down_percent_per_min", &k.RampDown, dk.RampDown)
	setDefault(d, "control.clean_air_learn", &k.CleanAirLearn, dk.CleanAirLearn)
	setDefault(d, "control.max_sample_age", &k.MaxSampleAge, dk.MaxSampleAge)
	setDefault(d, "control.pressure_gain_percent_per_pa_min", &k.PressureGain, dk.PressureGain)
	setDefault(d, "control.pressure_margin_pa", &k.PressureMargin, dk.PressureMargin)
}

func (d *decoder) validateControl(c *Config) {
	k := c.Control
	positive := func(key string, v float64, why string) {
		if !(v > 0) {
			d.invalid("control."+key, "must be more than 0 (got %g)%s", v, why)
		}
	}
	notNegative := func(key string, v float64) {
		if v < 0 {
			d.invalid("control."+key, "must not be negative (got %g)", v)
		}
	}
	between := func(key string, v time.Duration, lo, hi time.Duration, like string) {
		if v < lo || v > hi {
			d.invalid("control."+key, "must be from %s to %s, like %s (got %s)", short(lo), short(hi), like, short(v))
		}
	}
	switch {
	case k.Period < 100*time.Millisecond:
		d.invalid("control.period", "must be at least 100ms, like 1s (got %s): the sensors measure once a second at most, and a faster loop only burns the Pi's CPU", short(k.Period))
	case k.Period > 10*time.Second:
		d.invalid("control.period", "must be at most 10s, like 1s (got %s): the fan must answer smoke within seconds", short(k.Period))
	}
	// Upper bounds where a larger value would switch a response off: a
	// value so high the law never sees smoke is no tuning but a fault.
	atMost := func(key string, v, hi float64, why string) {
		if v > hi {
			d.invalid("control."+key, "must be at most %g (got %g): %s", hi, v, why)
		}
	}
	positive("rise_rate_ugm3_per_s", k.RiseRate, "")
	atMost("rise_rate_ugm3_per_s", k.RiseRate, 100, "a pipe raises a small booth by a few µg/m³ a second; above this the rise detector never sends the fan to full (default 2)")
	atMost("session_excess_ugm3", k.SessionExcess, 200, "a session would go unseen until the booth is thick with smoke (default 5)")
	atMost("booth_full_excess_ugm3", k.BoothFullExcess, 1000, "an SPS30 reads to 1000 µg/m³: above it a booth's smoke never asks for full speed (default 150)")
	atMost("staff_full_excess_ugm3", k.StaffFullExcess, 100, "the staff would pass their alarm levels before their smoke asked for full speed (default 6)")
	atMost("staff_margin_ugm3", k.StaffMargin, 50, "the staff's smoke would be ignored up to this much above their clean air (default 0)")
	between("rise_window", k.RiseWindow, time.Second, time.Minute, "5s")
	positive("session_excess_ugm3", k.SessionExcess, "; it is how far above clean air a rising booth counts as smoke")
	if k.RunOn < 0 {
		d.invalid("control.run_on", "must not be negative (got %s)", k.RunOn)
	}
	d.atMost("control.run_on", k.RunOn, time.Hour, "a booth with a working fan clears in minutes; for a longer hold use a purge")
	positive("booth_full_excess_ugm3", k.BoothFullExcess, "")
	notNegative("staff_margin_ugm3", k.StaffMargin)
	if k.StaffMarginPercent < 0 || k.StaffMarginPercent > 50 {
		d.invalid("control.staff_margin_percent", "must be from 0 to 50 (got %g)", k.StaffMarginPercent)
	}
	positive("staff_full_excess_ugm3", k.StaffFullExcess, "")
	if !(k.StaffFullUsual >= 0 && k.StaffFullUsual <= 50) {
		d.invalid("control.staff_full_usual", "must be from 0 to 50, like 3.5 (got %g); 0 keeps staff_full_excess_ugm3 fixed", k.StaffFullUsual)
	}
	between("staff_clear_time", k.StaffClearTime, time.Minute, 4*time.Hour, "15m")
	if k.StaffBlindDutyPercent < 0 || k.StaffBlindDutyPercent > 100 {
		d.invalid("control.staff_blind_duty_percent", "must be a percentage from 0 to 100 (got %g)", k.StaffBlindDutyPercent)
	} else {
		d.warnFraction("control.staff_blind_duty_percent", k.StaffBlindDutyPercent)
	}
	if k.RampDown <= 0 || k.RampDown > 100 {
		d.invalid("control.ramp_down_percent_per_min", "must be more than 0 and at most 100 (got %g)", k.RampDown)
	}
	between("clean_air_learn", k.CleanAirLearn, time.Minute, 24*time.Hour, "10m")
	periodOK := k.Period >= 100*time.Millisecond && k.Period <= 10*time.Second // else said above
	if periodOK && (k.MaxSampleAge < k.Period || k.MaxSampleAge > time.Minute) {
		d.invalid("control.max_sample_age", "must be from control.period %s%s to 1m (got %s): an older reading counts as missing",
			short(k.Period), d.defaulted("control.period"), short(k.MaxSampleAge))
	}
	notNegative("pressure_gain_percent_per_pa_min", k.PressureGain)
	notNegative("pressure_margin_pa", k.PressureMargin)
	if d.has("control.target_pm25_ugm3") {
		d.invalid("control.target_pm25_ugm3", "is no longer used: ventd steers each booth's excess over its clean air "+
			"(the staff air it draws in), since an absolute target cannot be met on a smoky day; remove it "+
			"(booth_full_excess_ugm3 and session_excess_ugm3 tune the booth, README, Tuning)")
	}
}
