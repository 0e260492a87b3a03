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

// Control tunes the fan control loop. The defaults are ventd's starting
// points, not standards; tune them on site.
type Control struct {
	// Period of the control loop. Default 1s, the SPS30's measurement
	// period: running faster sees no new data.
	Period time.Duration `yaml:"period"`
	// RiseRate in µg/m³ per second: booth PM2.5 rising faster than this,
	// sustained over 5 s (a rise of 10 µg/m³ at the default), means a
	// session has started and sends the fan to max duty at once instead of
	// waiting for the level to climb. Default 2: the weakest pipe
	// (1 mg/min) into a 4 m³ booth rises about 4 µg/m³ per second, while
	// the SPS30's noise in clean air stays well under 10 µg/m³ over 5 s
	// (the end-to-end test checks there is no false trigger).
	RiseRate float64 `yaml:"rise_rate_ugm3_per_s"`
	// TargetPM25 in µg/m³ is the booth level the loop steers to.
	// Default 25: below the 35 µg/m³ entry level by more than the SPS30's
	// ±10 µg/m³ accuracy. It must not exceed Thresholds.EntryPM25, or the
	// booth would settle where it is never safe to enter.
	TargetPM25 float64 `yaml:"target_pm25_ugm3"`
	// RampDown in percent of duty per minute limits how fast the fan slows
	// once the air is clean, so a lingering plume is not left behind.
	// Default 10 (full to off in 10 minutes).
	RampDown float64 `yaml:"ramp_down_percent_per_min"`
	// RunOn keeps the fan high after a session ends. Default 2m: a 4 m³
	// booth at 300 m³/h (75 air changes an hour) reaches 1% of its level
	// in 4.6/75 h ≈ 3.7 min, and the ramp down covers the rest.
	RunOn time.Duration `yaml:"run_on"`
}
