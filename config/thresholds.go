package config

import "time"

// Level is a two-step alarm threshold, like an industrial gas detector's
// A1 (warning, self-clearing) and A2 (alarm, latching). Warning < Alarm.
type Level struct {
	Warning float64 `yaml:"warning"`
	Alarm   float64 `yaml:"alarm"`
}

// Thresholds are the levels the alarms and the status page use. Every
// default comes from DESIGN.md "Domain numbers"; sites set their own.
type Thresholds struct {
	// PM25 in µg/m³. No occupational limit exists for drug smoke, so the
	// defaults are ambient standards: warning 35 (US EPA 24 h PM2.5
	// standard), alarm 125.5 (2024 AQI "very unhealthy" breakpoint).
	PM25 Level `yaml:"pm25_ugm3"`
	// CO2 in ppm: warning 1000 (outdoor + 600 ppm, the California Title
	// 24 demand-controlled ventilation indicator), alarm 5000 (ACGIH TLV
	// and OSHA PEL 8 h TWA).
	CO2 Level `yaml:"co2_ppm"`
	// VOCIndex (relative, 100 = the room's usual air): warning 200
	// ("ventilate"), alarm 400 ("intense"), from Sensirion's VOC Index
	// guidance. A relative signal, never an exposure measure.
	VOCIndex Level `yaml:"voc_index"`
	// EntryPM25 in µg/m³: a booth below this is shown as safe to enter.
	// Default 35, the US EPA 24 h standard, as for the PM2.5 warning.
	EntryPM25 float64 `yaml:"entry_pm25_ugm3"`
}

// Control tunes the room's fan control law (package control; README,
// "Tuning"). The defaults are ventd's starting points, not standards: each
// says why it was chosen, and ventbench shows what changing it does. Every
// key is honoured as written, a valid 0 included.
type Control struct {
	// Period of the control loop. Default 1s, the SPS30's measurement
	// period: running faster sees no new data.
	Period time.Duration `yaml:"period"`

	// RiseRate in µg/m³ per second: booth PM2.5 rising faster than this,
	// sustained over RiseWindow (a rise of 10 µg/m³ at the defaults), is
	// strong smoke and sends the booth's fans to full at the next period.
	// Default 2: the SPS30's noise in clean air stays well under
	// 10 µg/m³ over 5 s (the end-to-end test checks there is no false
	// trigger), while a 2 mg/min pipe into a 4 m³ booth rises 8 µg/m³
	// in a second.
	RiseRate float64 `yaml:"rise_rate_ugm3_per_s"`
	// RiseWindow is the span the rise is measured over. Default 5s.
	RiseWindow time.Duration `yaml:"rise_window"`
	// SessionExcess in µg/m³: a booth this far above its clean air and
	// still rising is weak smoke (a pipe too weak for RiseRate, or a
	// large booth) and goes to full too. Its clean air is the staff
	// area's air it draws in, as the staff sensor reads it, plus the
	// offset between the two sensors learned in quiet air. Default 5:
	// twice the difference the two sensors' noise makes in clean air.
	SessionExcess float64 `yaml:"session_excess_ugm3"`
	// RunOn keeps a booth's fans at full this long after its smoke
	// starts to clear. Default 0s: the booth's own excess keeps the fan
	// up while it clears (BoothFullExcess); a site that wants a fixed
	// hold after every session sets it.
	RunOn time.Duration `yaml:"run_on"`
	// BoothFullExcess and StaffFullExcess (µg/m³) price the air outside
	// sessions: each alone is the excess over clean air at which a fan
	// runs at full. A fan's air is worth the smoke it removes and costs
	// power that grows with speed³. Smoke in the staff area (every
	// exhaust ventilates it) is removed in proportion to the air, so the
	// staff alone asks for MaxDuty × √(excess / StaffFullExcess); a booth
	// keeps its smoke from leaking to the staff in proportion to the air
	// it gets, which asks for MaxDuty × ∛(excess / BoothFullExcess). With
	// both, the fan runs where u³ = u·staff + booth (README, "Tuning").
	// Lower values buy cleaner air with more energy. Defaults 150 and 6,
	// chosen on ventbench's tuning scenarios (the staff's air is what
	// the exposure record measures; a booth's smoke reaches it only
	// through the booth's gaps). StaffFullExcess is where the staff's
	// price starts; StaffFullUsual moves it with the room.
	BoothFullExcess float64 `yaml:"booth_full_excess_ugm3"`
	StaffFullExcess float64 `yaml:"staff_full_excess_ugm3"`
	// StaffFullUsual sets the staff excess that asks for full speed as a
	// multiple of the staff area's usual booth smoke (its excess averaged
	// over the last two hours, above the configured price no more than an
	// ordinary hour's of the last five), kept from 2/3 to 1.5 times
	// StaffFullExcess: a staff area that usually carries little smoke
	// gets full speed for less of it, one that usually carries much
	// waits for more. Until the law has seen the room it prices as
	// StaffFullExcess says. Default 3.5; 0 keeps StaffFullExcess fixed.
	StaffFullUsual float64 `yaml:"staff_full_usual"`
	// StaffMargin in µg/m³ is a staff excess over its clean air that asks
	// for no air at all. Default 0: the clean air is learned below the
	// sensor's noise, and a steady small excess is what the staff breathe
	// all shift (their TWA).
	StaffMargin float64 `yaml:"staff_margin_ugm3"`
	// StaffMarginPercent of the staff area's clean air is added to the
	// margin. The outdoor air every exhaust pulls in is a little dirtier
	// than the staff area's clean air (indoors, particles settle): more
	// air helps the staff only while their air is dirtier than that, and
	// on a smoky day the difference is several µg/m³. Default 3.
	StaffMarginPercent float64 `yaml:"staff_margin_percent"`
	// StaffClearTime bounds how slowly booth smoke in the staff area may
	// clear once the booths are quiet: an excess that lasts longer is
	// outdoor air or drift, which more extraction cannot remove, and is
	// learned as the staff area's clean air. Default 15m: about twice
	// the clearing time of a staff area with 4 air changes an hour of its
	// own and the exhaust at minimum.
	StaffClearTime time.Duration `yaml:"staff_clear_time"`
	// StaffBlindDutyPercent is the least duty of every fan while no staff
	// PM sensor can be trusted (missing, faulty, frozen) but the booth
	// sensors work: the booths are still controlled from their own
	// sensors, and the staff area gets extra air while nobody can see it.
	// Default 50 (half the flow, an eighth of full power); 100 makes a
	// blind staff area a fail-safe condition; 0 leaves only the minimum.
	StaffBlindDutyPercent float64 `yaml:"staff_blind_duty_percent"`
	// RampDown in percent of duty per minute limits how fast a fan slows,
	// so the speed never drops in one step from full to minimum. Smoke,
	// a purge or bad data raise it at once. Default 50 (full to a quarter
	// in 90 s).
	RampDown float64 `yaml:"ramp_down_percent_per_min"`
	// CleanAirLearn is the time constant with which the clean-air
	// offsets between booth and staff sensors are learned in quiet air,
	// and each booth's clean level when no staff sensor is trusted.
	// Default 10m.
	CleanAirLearn time.Duration `yaml:"clean_air_learn"`
	// MaxSampleAge: a reading older than this is missing data. Default
	// 10s (the SPS30 reads every second).
	MaxSampleAge time.Duration `yaml:"max_sample_age"`
	// PressureGain (percent of duty per Pa per minute) raises a booth's
	// fan floor while a differential pressure sensor shows the booth less
	// negative than the containment alarm's clearing point
	// (alarms.booth_pressure_pa less PressureHysteresisPa) less
	// PressureMargin, and lets it sink while it is more negative. Default
	// 2; 0 turns the pressure hold off. Held at the clearing point itself,
	// a booth's average sat on the line and a raised alarm never cleared.
	PressureGain   float64 `yaml:"pressure_gain_percent_per_pa_min"`
	PressureMargin float64 `yaml:"pressure_margin_pa"`

	// TargetPM25 is no longer used: the law steers each booth's excess
	// over its clean air (an absolute target cannot be reached when the
	// outdoor air is smoky). A file that sets it is refused with a note
	// on what replaced it.
	TargetPM25 float64 `yaml:"target_pm25_ugm3,omitempty"`
}
