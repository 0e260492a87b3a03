package config

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Shifts is the site's shift pattern, over which exposure is accounted:
// an 8 h TWA per shift (OSHA 29 CFR 1910.1000(d)), with the limits
// reduced by Brief & Scala for shifts longer than 8 h.
type Shifts struct {
	// TimeZone is an IANA time zone name (America/Vancouver) or "Local",
	// the Pi's own setting (timedatectl). Default "Local". Shifts start on
	// this zone's wall clock, across daylight saving changes.
	TimeZone string `yaml:"time_zone"`
	// Starts are the times of day shifts start, in any order; at least
	// one, each once. Shifts may overlap (a handover) or leave gaps.
	// Default 07:00, 15:00 and 23:00: three 8 h shifts, the day OSHA's
	// 8 h TWA is written for.
	Starts []TimeOfDay `yaml:"starts"`
	// Length of every shift, more than 0 and at most 22 h (a shift spanning
	// the autumn DST change runs an hour longer). Default 8h
	// (OSHA's TWA period, so no Brief & Scala reduction).
	Length time.Duration `yaml:"length"`
}

// Location loads TimeZone ("Local" is time.Local). It cannot fail for a
// Config that Parse returned on the same machine.
func (s Shifts) Location() (*time.Location, error) {
	loc, err := time.LoadLocation(s.TimeZone)
	if err != nil {
		return nil, fmt.Errorf("config: shifts.time_zone: %w", err)
	}
	return loc, nil
}

// PressureHysteresisPa is how far below alarms.booth_pressure_pa a
// booth's average pressure must come before its containment alarm clears:
// 1 Pa, the LEED minimum margin and above an SDP810's noise. The pressure
// hold keeps the booth control.pressure_margin_pa below that point, so a
// contained booth clears its alarm instead of sitting on the line.
const PressureHysteresisPa = 1

// ZoneName is TimeZone, with "Local" resolved to this machine's IANA name
// where it can be found ($TZ, else the /etc/localtime link), so that a
// record read on another machine (an auditor's laptop, a Pi moved to UTC)
// keeps the site's zone. It is "Local" when no name can be found.
func (s Shifts) ZoneName() string {
	if s.TimeZone != "Local" {
		return s.TimeZone
	}
	if tz, ok := os.LookupEnv("TZ"); ok {
		tz = strings.TrimPrefix(tz, ":")
		if tz == "" {
			return "UTC" // as Go reads an empty TZ
		}
		if _, err := time.LoadLocation(tz); err == nil && !filepath.IsAbs(tz) {
			return tz
		}
		return "Local"
	}
	if p, err := filepath.EvalSymlinks("/etc/localtime"); err == nil {
		if i := strings.LastIndex(p, "zoneinfo/"); i >= 0 {
			if name := p[i+len("zoneinfo/"):]; name != "" {
				if _, err := time.LoadLocation(name); err == nil {
					return name
				}
			}
		}
	}
	return "Local"
}

// String is the schedule as the journal keeps it and a configuration row
// names it: "[07:00 19:00] for 12h in America/Vancouver" (Local resolved,
// ZoneName).
func (s Shifts) String() string {
	return fmt.Sprintf("%v for %s in %s", s.Starts, short(s.Length), s.ZoneName())
}

// TimeOfDay is a time on the wall clock as the time since midnight; the
// file writes it HH:MM ("07:00"). time.Duration(t) is the offset.
type TimeOfDay time.Duration

// String formats t as HH:MM.
func (t TimeOfDay) String() string {
	m := int(time.Duration(t) / time.Minute)
	return fmt.Sprintf("%02d:%02d", m/60, m%60)
}

// MarshalYAML writes t as the file does, "07:00".
func (t TimeOfDay) MarshalYAML() (any, error) { return t.String(), nil }

var timeOfDayRE = regexp.MustCompile(`^([01]?[0-9]|2[0-3]):([0-5][0-9])$`)

func parseTimeOfDay(s string) (TimeOfDay, bool) {
	m := timeOfDayRE.FindStringSubmatch(s)
	if m == nil {
		return 0, false
	}
	h, _ := strconv.Atoi(m[1])
	mm, _ := strconv.Atoi(m[2])
	return TimeOfDay(time.Duration(h)*time.Hour + time.Duration(mm)*time.Minute), true
}

// Exposure configures the exposure record.
type Exposure struct {
	Limits ExposureLimits `yaml:"limits"`
}

// ExposureLimits are the occupational limits per pollutant, in its unit.
// A limit of 0 means none: the TWA and STEL are still recorded, but
// nothing is compared against them.
type ExposureLimits struct {
	// CO2 in ppm: default TWA 5000 and STEL 30000 (ACGIH TLV; the OSHA
	// PEL is also 5000 ppm TWA).
	CO2 Limit `yaml:"co2_ppm"`
	// PM25 and PM10 in µg/m³: default none (0), as no occupational limit
	// exists for drug smoke. A site with a policy sets its own.
	PM25 Limit `yaml:"pm25_ugm3"`
	PM10 Limit `yaml:"pm10_ugm3"`
}

// Limit is an occupational exposure limit pair; 0 leaves either out.
// When both are set, STEL >= TWA.
type Limit struct {
	// TWA is the 8 h time-weighted average limit.
	TWA float64 `yaml:"twa"`
	// STEL is the 15 min short-term exposure limit.
	STEL float64 `yaml:"stel"`
}

// Alarms tunes how alarms rise and clear, so that staff trust them:
// nuisance alarms are the fastest way to get one ignored.
type Alarms struct {
	// OnDelay is how long a value must stay past its warning level before
	// the warning is raised. Default 30s (ventd's choice: a passing puff
	// is not an alarm).
	OnDelay time.Duration `yaml:"on_delay"`
	// OffDelay is how long a value must stay back inside (with the
	// hysteresis) before an alarm clears. Default 60s (ventd's choice).
	OffDelay time.Duration `yaml:"off_delay"`
	// HysteresisPercent of the threshold a value must fall back past
	// before an alarm clears, 0 to 50. Default 10 (ventd's choice).
	HysteresisPercent float64 `yaml:"hysteresis_percent"`
	// LatchAlarmLevel keeps alarm-level (high) alarms on until a person
	// acknowledges them, as an industrial gas detector's A2 alarm does
	// (Dräger, MSA, Honeywell BW); warnings always clear by themselves.
	// Default true.
	LatchAlarmLevel bool `yaml:"latch_alarm_level"`
	// SensorStaleAfter raises a sensor fault when a sensor has given no
	// good reading for this long (each sensor's own stale_after already
	// sends the fans to their safe duty). Default 10s: three SPS30
	// periods plus a margin.
	SensorStaleAfter time.Duration `yaml:"sensor_stale_after"`
	// SensorStuckAfter raises a sensor fault when a reading has not
	// changed at all for this long, the mark of a frozen sensor.
	// Default 30m (ventd's choice: real air is never that still). An
	// SPS30's reading is frozen after 5 min when this is longer
	// (SensorType.StillAtMost): it reports an IEEE float every second
	// whose noise moves it every second, so 300 identical readings away
	// from 0 are a frozen unit. A still 0 on a unit with a status
	// register is exempt (particle-free air).
	SensorStuckAfter time.Duration `yaml:"sensor_stuck_after"`
	// A fan with a tachometer stalls when it turns below FanStallRPM while
	// told to run at FanStallMinDuty percent or more, for FanStallAfter.
	// Defaults 300 rpm, 20% and 30s (ventd's choice: many PWM fans stop
	// below 20-30% duty, and spin up within seconds).
	FanStallRPM     float64       `yaml:"fan_stall_rpm"`
	FanStallMinDuty float64       `yaml:"fan_stall_min_duty"`
	FanStallAfter   time.Duration `yaml:"fan_stall_after"`
	// BoothPressurePa raises the containment alarm when a booth's average
	// pressure against its neighbour is above this (not negative enough),
	// from -125 to below 0. Default -5: the LEED smoking-room criterion
	// of at least 5 Pa negative on average. The alarm clears once the
	// average is PressureHysteresisPa below it.
	BoothPressurePa float64 `yaml:"booth_pressure_pa"`
	// BoothAirflowPercent raises a warning when a booth's measured airflow
	// (how fast its smoke clears, measured over at least three clearings)
	// is below this share of its fans' rated air: a clogged filter, a
	// failing fan, a door propped open or a duct come loose. 0 turns it
	// off, up to 100. Default 60 (ventd's choice: a fan in a short duct with
	// a clean filter gives most of its free-air flow; lower it for a room
	// whose ducts are long, and the warning says so).
	BoothAirflowPercent float64 `yaml:"booth_airflow_percent"`
}

// Journal tunes the on-disk record (SQLite on the SD card).
type Journal struct {
	// RetentionDays is how long records are kept, 1 to 3650. Default 400
	// (ventd's choice: a year and a month to export it). Exposure records
	// may need keeping far longer (OSHA 29 CFR 1910.1020: 30 years); that
	// is the exported CSV's job, not the SD card's.
	RetentionDays int `yaml:"retention_days"`
	// MaxSizeMB caps the journal's file; the oldest rows go first. At
	// least 16. Default 512 (ventd's choice: a small share of an 8 GB
	// card).
	MaxSizeMB int `yaml:"max_size_mb"`
	// FlushInterval is how often buffered rows are written, in one
	// transaction: SD cards die of write amplification (raspberrypi/
	// firmware #397). From 10s to 10m. Default 1m, which is also the most
	// a power cut loses.
	FlushInterval time.Duration `yaml:"flush_interval"`
}

// Retention is RetentionDays as a duration.
func (j Journal) Retention() time.Duration {
	return time.Duration(j.RetentionDays) * 24 * time.Hour
}

// MaxSizeBytes is MaxSizeMB in bytes (MiB, as SQLite's pages count).
func (j Journal) MaxSizeBytes() int64 { return int64(j.MaxSizeMB) << 20 }

// DefaultShifts returns the shifts used for keys left out of the shifts
// section (sources on Shifts).
func DefaultShifts() Shifts {
	return Shifts{
		TimeZone: "Local",
		Starts:   []TimeOfDay{TimeOfDay(7 * time.Hour), TimeOfDay(15 * time.Hour), TimeOfDay(23 * time.Hour)},
		Length:   8 * time.Hour,
	}
}

// DefaultExposure returns the exposure limits used for keys left out
// (sources on ExposureLimits).
func DefaultExposure() Exposure {
	return Exposure{Limits: ExposureLimits{CO2: Limit{TWA: 5000, STEL: 30000}}}
}

// DefaultAlarms returns the alarm tuning used for keys left out (sources
// on Alarms).
func DefaultAlarms() Alarms {
	return Alarms{
		OnDelay:           30 * time.Second,
		OffDelay:          60 * time.Second,
		HysteresisPercent: 10,
		LatchAlarmLevel:   true,
		SensorStaleAfter:  10 * time.Second,
		SensorStuckAfter:  30 * time.Minute,
		FanStallRPM:       300,
		FanStallMinDuty:   20,
		FanStallAfter:     30 * time.Second,
		BoothPressurePa:   -5,
		// Set at commissioning or lowered for long ducts: see Alarms.
		BoothAirflowPercent: 60,
	}
}

// DefaultJournal returns the journal tuning used for keys left out
// (reasons on Journal).
func DefaultJournal() Journal {
	return Journal{RetentionDays: 400, MaxSizeMB: 512, FlushInterval: time.Minute}
}

// setSectionDefaults fills the shifts, exposure, alarms and journal
// sections, key by key.
func (d *decoder) setSectionDefaults(c *Config) {
	s, ds := &c.Shifts, DefaultShifts()
	setDefault(d, "shifts.time_zone", &s.TimeZone, ds.TimeZone)
	setDefault(d, "shifts.starts", &s.Starts, ds.Starts)
	setDefault(d, "shifts.length", &s.Length, ds.Length)

	l, dl := &c.Exposure.Limits, DefaultExposure().Limits
	for _, q := range []struct {
		key      string
		dst, def *Limit
	}{{"co2_ppm", &l.CO2, &dl.CO2}, {"pm25_ugm3", &l.PM25, &dl.PM25}, {"pm10_ugm3", &l.PM10, &dl.PM10}} {
		setDefault(d, "exposure.limits."+q.key+".twa", &q.dst.TWA, q.def.TWA)
		setDefault(d, "exposure.limits."+q.key+".stel", &q.dst.STEL, q.def.STEL)
	}

	a, da := &c.Alarms, DefaultAlarms()
	setDefault(d, "alarms.on_delay", &a.OnDelay, da.OnDelay)
	setDefault(d, "alarms.off_delay", &a.OffDelay, da.OffDelay)
	setDefault(d, "alarms.hysteresis_percent", &a.HysteresisPercent, da.HysteresisPercent)
	setDefault(d, "alarms.latch_alarm_level", &a.LatchAlarmLevel, da.LatchAlarmLevel)
	setDefault(d, "alarms.sensor_stale_after", &a.SensorStaleAfter, da.SensorStaleAfter)
	setDefault(d, "alarms.sensor_stuck_after", &a.SensorStuckAfter, da.SensorStuckAfter)
	setDefault(d, "alarms.fan_stall_rpm", &a.FanStallRPM, da.FanStallRPM)
	setDefault(d, "alarms.fan_stall_min_duty", &a.FanStallMinDuty, da.FanStallMinDuty)
	setDefault(d, "alarms.fan_stall_after", &a.FanStallAfter, da.FanStallAfter)
	setDefault(d, "alarms.booth_pressure_pa", &a.BoothPressurePa, da.BoothPressurePa)
	setDefault(d, "alarms.booth_airflow_percent", &a.BoothAirflowPercent, da.BoothAirflowPercent)

	j, dj := &c.Journal, DefaultJournal()
	setDefault(d, "journal.retention_days", &j.RetentionDays, dj.RetentionDays)
	setDefault(d, "journal.max_size_mb", &j.MaxSizeMB, dj.MaxSizeMB)
	setDefault(d, "journal.flush_interval", &j.FlushInterval, dj.FlushInterval)
}
