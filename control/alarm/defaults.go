package alarm

import (
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/sample"
)

// Band is a two-step threshold like a gas detector's A1/A2: Warning
// (self-clearing) and Alarm (latching). 0 leaves that level out.
type Band struct {
	Warning, Alarm float64
}

// ExposureLimits are the occupational limits of one pollutant, in its unit;
// 0 leaves that rule out (PM2.5 has no occupational limit for drug smoke).
type ExposureLimits struct {
	STEL float64 // 15 min average
	TWA  float64 // 8 h time-weighted average
}

// Setup is what DefaultRules builds rules for: the room's names and its
// thresholds.
type Setup struct {
	// StaffZones get the instantaneous, STEL and TWA rules. Booths get
	// none: smoke there is expected, and the fan, not an alarm, answers it.
	// Outdoor zones get none either: nobody works in the air outside.
	StaffZones []string
	// PressureBooths are booths with a differential pressure sensor.
	PressureBooths []string
	// Sensors get stale, CRC, out-of-range and stuck fault rules.
	Sensors []string
	// SensorPlaces says where each sensor is wired ("I2C bus 1 at
	// 0x69"), named in its fault messages: the faults of one hung bus or
	// loose cable then show their common cause.
	SensorPlaces map[string]string
	// SensorLoss says what the fans do while a sensor gives no reading
	// (or a frozen one), in its stale and frozen faults' messages; a
	// sensor not here gets LossSafeDuty, what a booth sensor's loss does.
	SensorLoss map[string]string
	// Fans get a stall fault rule (only useful with a tachometer) and a
	// fault rule for a tachometer that cannot be opened.
	Fans []string
	// TachPins says where each fan's tachometer is wired ("GPIO6"),
	// named in its fault message.
	TachPins map[string]string
	// Outputs are fans whose duty is set every period: a fault rule for
	// an output that cannot be set.
	Outputs []string
	// Journal adds the fault rule for a journal that cannot keep records.
	Journal bool

	PM25, CO2, VOCIndex Band
	Exposure            map[sample.Quantity]ExposureLimits
	// BoothPressure in Pa: a booth above this (less negative) has lost
	// containment.
	BoothPressure float64
	// AirflowBooths get a warning while their measured airflow is below
	// AirflowPercent of their fans' rated air (the value fed is that
	// share in percent, valid once measured over enough clearings).
	AirflowBooths  []string
	AirflowPercent float64
	// ApartBooths get a warning while their PM2.5 sensor and the staff
	// area's read too far apart in quiet air (the condition the law's
	// control.SensorsApart gives; the detail says by how much).
	ApartBooths []string
	// ApartStaff is the staff zone whose warning replaces the booths'
	// when every one of ApartBooths (two or more) reads apart from it
	// the same way: then the staff sensor is the odd one out, and one
	// warning names it rather than each booth's. "" with fewer booths.
	ApartStaff string

	// Warning and Alarm time the instantaneous value rules (A1, A2).
	Warning, Alarm Timing
}

// Timing is when a value rule raises and clears.
type Timing struct {
	// OnDelay and OffDelay: see Rule.
	OnDelay, OffDelay time.Duration
	// HysteresisPercent is the hysteresis as a percentage of the threshold.
	HysteresisPercent float64
	// Latching: see Rule.
	Latching bool
}

// DefaultSetup returns the thresholds from DESIGN.md "Domain numbers", with
// no zones, sensors or fans yet.
func DefaultSetup() Setup {
	return Setup{
		// No occupational limit exists for drug smoke: EPA 24 h standard
		// and the 2024 AQI "very unhealthy" breakpoint.
		PM25: Band{Warning: 35, Alarm: 125.5},
		// Outdoor + 600 ppm (Title 24 DCV indicator); ACGIH TLV/OSHA PEL.
		CO2: Band{Warning: 1000, Alarm: 5000},
		// Sensirion's guidance: 200-400 "ventilate", above 400 "intense".
		VOCIndex: Band{Warning: 200, Alarm: 400},
		Exposure: map[sample.Quantity]ExposureLimits{
			sample.CO2: {STEL: 30000, TWA: 5000}, // ACGIH TLV-STEL, TLV-TWA
		},
		// LEED smoking-room criterion: at least 5 Pa negative on average.
		BoothPressure: -5,
		// A1: 30 s rides over a puff through an opening booth door and
		// single-sample spikes, yet warns within a minute of a real
		// build-up; 60 s off so a level drifting down through the
		// threshold clears once, not three times. 10% hysteresis: above
		// sample-to-sample noise at this level, small enough that
		// "cleared" still means better.
		Warning: Timing{OnDelay: 30 * time.Second, OffDelay: time.Minute, HysteresisPercent: 10},
		// A2: a shorter on-delay (at this level a 10 s lag is cheap next
		// to the exposure, and still skips a spike), and latching: someone
		// must see it even if the air recovers first.
		Alarm: Timing{OnDelay: 10 * time.Second, OffDelay: time.Minute, HysteresisPercent: 10, Latching: true},
	}
}

// apartRule is the sensors-apart warning about subject (a booth, or the
// staff zone when its sensor is the odd one out). The condition already
// took an hour of quiet air; it ends once the sensors agree again, held
// 10 min so a reading that hovers near the line does not page twice.
func apartRule(subject, message, back string) Rule {
	return Rule{
		ID: SensorsApartRule(subject), Level: LevelWarning, Subject: subject, Direction: WhenTrue,
		OffDelay:  10 * time.Minute,
		FlapCount: defaultFlapCount, FlapWindow: defaultFlapWindow,
		Message: message, Back: back,
	}
}

// Default flap cap for every rule: three notifications an hour is as many
// as staff will read before they stop reading (netdata #945).
const (
	defaultFlapCount  = 3
	defaultFlapWindow = time.Hour
)

var displayNames = map[sample.Quantity]string{
	sample.PM25: "PM2.5", sample.CO2: "CO2", sample.VOCIndex: "VOC Index",
}

// DefaultRules builds ventd's rules for s, named by the functions in
// ids.go.
func DefaultRules(s Setup) []Rule {
	var rules []Rule
	for _, zone := range s.StaffZones {
		for _, q := range []struct {
			q    sample.Quantity
			band Band
		}{{sample.PM25, s.PM25}, {sample.CO2, s.CO2}, {sample.VOCIndex, s.VOCIndex}} {
			rules = append(rules, instantRules(zone, q.q, q.band, s.Warning, s.Alarm)...)
			rules = append(rules, exposureRules(zone, q.q, s.Exposure[q.q])...)
		}
	}
	for _, b := range s.PressureBooths {
		rules = append(rules, Rule{
			ID: PressureRule(b), Level: LevelFault, Subject: b, Quantity: sample.Pressure,
			Direction: Above, Threshold: s.BoothPressure,
			Hysteresis: config.PressureHysteresisPa,
			// Doors open for entry and for responders; the criterion is
			// "doors closed, on average", so a minute rides over a visit.
			OnDelay: time.Minute, OffDelay: 30 * time.Second,
			FlapCount: defaultFlapCount, FlapWindow: defaultFlapWindow,
			// The clearing point is in the text: the average between it and
			// the threshold reads "not below -5 Pa (now -5.5 Pa)" otherwise.
			Message: "{subject}: booth pressure not below {threshold} {unit} on average (now {value} {unit}; clears below " +
				formatNumber(s.BoothPressure-config.PressureHysteresisPa) + " Pa): smoke may escape; check the door and the exhaust",
			Back: "{subject}: booth pressure back to {value} {unit} ({level} level {threshold} {unit})",
		})
	}
	for _, b := range s.AirflowBooths {
		rules = append(rules, Rule{
			ID: AirflowRule(b), Level: LevelWarning, Subject: b,
			Direction: Below, Threshold: s.AirflowPercent,
			// The value moves only when a clearing is measured, and each
			// measurement averages several: no delay to raise. It still
			// wanders by 5 points or more from one clearing to the next
			// (a ducted fan moving 55 % of its rating read 59-67 % over a
			// busy day), so a booth whose airflow sits at the line would
			// page the manager every hour or two with 5 points and no
			// delay: it clears 10 points above the line, held an hour
			// (several measurements), as a changed filter does.
			Hysteresis: 10, OffDelay: time.Hour,
			FlapCount: defaultFlapCount, FlapWindow: defaultFlapWindow,
			Message: "{subject}: measured airflow fell below {threshold} % of its fans' rated air (the median of its last three clearings {value} %; the warning clears after an hour 10 points above the line): " +
				"check the filter, the fan, the duct and the door (if the room was built so, lower alarms.booth_airflow_percent)",
			Back: "{subject}: measured airflow back to {value} % of its fans' rated air ({level} level {threshold} %)",
		})
	}
	for _, b := range s.ApartBooths {
		rules = append(rules, apartRule(b,
			"{subject}: {detail}: more than two working sensors differ, so one reads wrong; a technician should compare both with a reference (ventctl read) and clean or replace the one that is off",
			"{subject}: its PM2.5 sensor and the staff area's agree again"))
	}
	if s.ApartStaff != "" {
		rules = append(rules, apartRule(s.ApartStaff,
			"{subject}: {detail}: the staff sensor is most likely the one that reads wrong; a technician should compare it with a reference (ventctl read) and clean or replace it",
			"{subject}: its PM2.5 sensor and the booths' agree again"))
	}
	for _, n := range s.Sensors {
		loss := s.SensorLoss[n]
		if loss == "" {
			loss = LossSafeDuty
		}
		rules = append(rules, sensorRules(n, s.SensorPlaces[n], loss)...)
	}
	for _, f := range s.Fans {
		rules = append(rules, Rule{
			ID: FanStallRule(f), Level: LevelFault, Subject: f, Direction: WhenTrue,
			// No on-delay: the StallDetector already waited out spin-up.
			// Off-delay 30 s: a fan that catches and loses again is still broken.
			OffDelay:  30 * time.Second,
			FlapCount: defaultFlapCount, FlapWindow: defaultFlapWindow,
			Message: "fan {subject} is not turning though it is driven: the booths it serves lose its extraction (ventd runs it, and any other fan of theirs, at least at its safe duty); do not use them until it turns again, and check the fan for a jammed wheel, its power and its wiring",
			Back:    "fan {subject} is turning again: its booths have their extraction back (ventd holds it at its safe duty 10 min more, in case it stalls again at a lower speed)",
		})
	}
	for _, f := range s.Fans {
		where := ""
		if pin := s.TachPins[f]; pin != "" {
			where = " on " + pin
		}
		rules = append(rules, Rule{
			ID: FanTachRule(f), Level: LevelFault, Subject: f, Direction: WhenTrue,
			// An open is retried every 30 s and fails the same way until
			// someone fixes it: no on-delay to wait out.
			OffDelay:  30 * time.Second,
			FlapCount: defaultFlapCount, FlapWindow: defaultFlapWindow,
			// Not the output's message: the fan is driven, only its
			// speed is not watched, and the fix is the tachometer's.
			Message: "fan {subject}: its tachometer" + where + " cannot be opened ({detail}): the fan is driven, but a stalled fan cannot be seen until the tachometer opens, which ventd keeps trying; " +
				"check the tach pin's name in the config (the BCM number, as `pinout` prints it) and that the kernel offers GPIO edge detection",
			Back: "fan {subject}: its tachometer" + where + " is open, and a stalled fan can be seen again",
		})
	}
	for _, f := range s.Outputs {
		rules = append(rules, Rule{
			ID: FanOutputRule(f), Level: LevelFault, Subject: f, Direction: WhenTrue,
			// The loop sets the duty every period; a few seconds of
			// failures is a broken output, not a hiccup.
			OnDelay: 5 * time.Second, OffDelay: 30 * time.Second,
			FlapCount: defaultFlapCount, FlapWindow: defaultFlapWindow,
			Message: "fan {subject}: ventd cannot set its duty; check the PWM/relay wiring and the log",
			Back:    "fan {subject}: ventd sets its duty again",
		})
	}
	if s.Journal {
		rules = append(rules, Rule{
			ID: JournalRule, Level: LevelFault, Subject: "journal", Direction: WhenTrue,
			// A failed write is retried at the next minute; a fault that
			// lasts two means records are at risk.
			OnDelay: 2 * time.Minute, OffDelay: 30 * time.Second,
			FlapCount: defaultFlapCount, FlapWindow: defaultFlapWindow,
			Message: "the exposure journal is not keeping records: the log says why (the card full, the state directory not writable, or a journal from a newer ventd after a downgrade: upgrade ventd)",
			Back:    "the exposure journal keeps records again",
		})
		rules = append(rules, Rule{
			ID: ClockBehindRule, Level: LevelFault, Subject: "clock", Direction: WhenTrue,
			// The daemon raises it past 6 h behind and keeps it until the
			// record resumes: a clock fake-hwclock set back after a restart
			// without network catches up by itself, and is only logged.
			OffDelay:  30 * time.Second,
			FlapCount: defaultFlapCount, FlapWindow: defaultFlapWindow,
			Message: "the clock is far behind the exposure record ({detail}): the record (shift TWA, minutes) is paused so that shifts already sealed are not written over; fans and alarms work as usual, and what is measured meanwhile is journaled apart, as hourly figures with no time. " +
				"Set the time: connect the network for NTP, or run timedatectl set-time; the record resumes by itself. " +
				"If timedatectl says the clock is synchronised, the journal holds times from a clock that ran ahead: stop ventd, move journal.db aside (keep it for the audit) and start ventd",
			Back: "the clock has caught up with the exposure record, which resumes",
		})
		rules = append(rules, Rule{
			ID: JournalReplacedRule, Level: LevelFault, Subject: "journal", Direction: WhenTrue,
			Latching: true,
			Message:  "the exposure journal was damaged and replaced by a fresh one: earlier records are in the moved file (see the log and the journal's actions); keep it for the audit",
		})
	}
	return rules
}

// What the staff do at an A2 level and at an exposure limit: the numbers
// say how bad, these say what next (a pager message is read away from the
// room, with nobody to ask).
const (
	alarmAdvice = "leave the area or follow the site's high-exposure procedure; check that the booth doors are shut and the fans run; acknowledge once seen"
	limitAdvice = "limit further time there and find the source (booth doors, fans, outdoor air); acknowledge once seen"
)

// instantRules are a zone's warning and alarm levels of q. A level raises
// once the air has held at it for the on-delay, which may end with the
// value back inside the hysteresis band: the message says the level was
// reached, and the value now ("above the alarm level 125.5 (now 123.5)"
// read as a contradiction to a manager).
func instantRules(zone string, q sample.Quantity, b Band, warn, alarm Timing) []Rule {
	name := displayNames[q]
	// CO2 and VOCs come from the people and the room, and more outside
	// air is the answer; smoke in the staff area comes from the booths,
	// whose fans already run for it, and "ventilate" left a manager
	// nothing to do.
	warnAdvice := "ventilate"
	if q == sample.PM25 || q == sample.PM10 {
		warnAdvice = "check that the booth doors are shut and the fans run"
	}
	var rules []Rule
	for _, x := range []struct {
		check     Check
		level     Level
		threshold float64
		t         Timing
		message   string
	}{
		{CheckWarning, LevelWarning, b.Warning, warn, name + " in {subject} reached the warning level {threshold} {unit} (now {value} {unit}): " + warnAdvice},
		{CheckAlarm, LevelAlarm, b.Alarm, alarm, name + " in {subject} reached the alarm level {threshold} {unit} (now {value} {unit}): " + alarmAdvice},
	} {
		if x.threshold <= 0 {
			continue
		}
		rules = append(rules, Rule{
			ID: ZoneRule(zone, q, x.check), Level: x.level, Subject: zone, Quantity: q,
			Direction: Above, Threshold: x.threshold,
			Hysteresis: x.threshold * x.t.HysteresisPercent / 100,
			OnDelay:    x.t.OnDelay, OffDelay: x.t.OffDelay, Latching: x.t.Latching,
			FlapCount: defaultFlapCount, FlapWindow: defaultFlapWindow,
			Message: x.message,
		})
	}
	return rules
}

func exposureRules(zone string, q sample.Quantity, l ExposureLimits) []Rule {
	name := displayNames[q]
	var rules []Rule
	for _, x := range []struct {
		check Check
		what  string
		limit float64
	}{{CheckSTEL, "15 min average (STEL)", l.STEL}, {CheckTWA, "8 h TWA", l.TWA}} {
		if x.limit <= 0 {
			continue
		}
		rules = append(rules, Rule{
			ID: ZoneRule(zone, q, x.check), Level: LevelAlarm, Subject: zone, Quantity: q,
			Direction: Above, Threshold: x.limit,
			// No delays: the averages already span 15 min or 8 h, so a
			// further delay would only hide an exceedance. 5% hysteresis
			// keeps a rolling average hovering at the limit from chattering.
			Hysteresis: x.limit / 20,
			// Latching, as gas detectors latch STEL and TWA alarms: an
			// exceedance is an auditable event someone must acknowledge.
			Latching:  true,
			FlapCount: defaultFlapCount, FlapWindow: defaultFlapWindow,
			Message: name + " " + x.what + " in {subject} above the limit {threshold} {unit} (now {value} {unit}): " + limitAdvice,
			Back:    name + " " + x.what + " in {subject} is back to {value} {unit} (limit {threshold} {unit})",
		})
	}
	return rules
}

// What the fans do while a sensor gives no reading, for its stale and
// frozen faults' messages (Setup.SensorLoss).
const (
	// LossSafeDuty is a booth sensor's: the fans on its air go to their
	// safe duty.
	LossSafeDuty = "its air counts as unknown and the fans run at their safe duty"
	// LossStaffCO2 is a staff sensor without PM2.5: the fans follow
	// PM2.5 alone, so its loss changes no fan.
	LossStaffCO2 = "its air counts as unknown; no fan changes (the fans follow PM2.5, which it does not measure), but the staff CO₂ alarms cannot see the air until it reads again"
)

// LossStaffPM is a staff PM2.5 sensor's: the booths' fans keep following
// the booths' own sensors, and while no staff PM2.5 sensor reads every fan
// runs at least blind percent (control.staff_blind_duty_percent).
func LossStaffPM(blind float64) string {
	return "its air counts as unknown; the booths' fans keep following the booths' own sensors, and while no staff PM2.5 sensor reads every fan runs at least " +
		formatNumber(blind) + " % (control.staff_blind_duty_percent)"
}

func sensorRules(n, place, loss string) []Rule {
	name := "sensor {subject}"
	if place != "" {
		name += " (" + place + ")"
	}
	// back is what a cleared page says: the fault's own text after
	// "cleared:" read to a pager like the fault again.
	fault := func(kind SensorFault, on, off time.Duration, msg, back string) Rule {
		return Rule{
			ID: SensorRule(n, kind), Level: LevelFault, Subject: n, Direction: WhenTrue,
			OnDelay: on, OffDelay: off,
			FlapCount: defaultFlapCount, FlapWindow: defaultFlapWindow,
			Message: name + ": " + msg, Back: name + ": " + back,
		}
	}
	return []Rule{
		// The stale condition already includes the sensor's stale time;
		// 5 s more rides over one read delayed by an I2C retry. 30 s off:
		// a sensor that comes back must stay back before we say so.
		fault(FaultStale, 5*time.Second, 30*time.Second, "no new reading; "+loss+": check its cable, connector and power (the log names the error)",
			"reads again, and its readings count as the air again"),
		// The driver retries a corrupt word, and one CRC error on a long
		// cable is expected: only corruption lasting 10 s matters.
		fault(FaultCRC, 10*time.Second, time.Minute, "readings fail their CRC check; check the wiring and cable length",
			"its readings pass their CRC check again"),
		fault(FaultRange, 10*time.Second, 30*time.Second, "readings outside what the sensor can measure; check or replace it",
			"its readings are back within what it can measure"),
		// The StuckDetector already waited its duration, or the room law
		// found the booth reading frozen sooner; {detail} says which
		// (sensor.Faults.FrozenWhy), and loss what the fans do meanwhile.
		fault(FaultStuck, 0, 30*time.Second, "{detail}, so the sensor looks frozen; "+loss+": power it off and on, or replace it",
			"its reading moves again, and counts as the air again"),
		// The SPS30 sets its fan and laser bits after two failed checks a
		// second apart; ventd reads them every 10 s.
		fault(FaultDevice, 0, 30*time.Second, "the sensor reports a fault of its own (blocked fan or failed laser); its readings count as unknown air: clean or replace it",
			"no longer reports a fault of its own, and its readings count as the air again"),
	}
}
