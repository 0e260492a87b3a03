package alarm

import "github.com/ventd/ventd/sample"

// RuleID names a rule stably across restarts and config edits: events,
// MQTT topics, acknowledgements and the journal refer to it. Build one with
// the functions below, never by hand, so every package spells them alike.
type RuleID string

// Check is what a zone rule compares.
type Check string

// The zone checks.
const (
	CheckWarning Check = "warning" // instantaneous value, A1
	CheckAlarm   Check = "alarm"   // instantaneous value, A2
	CheckSTEL    Check = "stel"    // rolling 15 min average
	CheckTWA     Check = "twa"     // rolling 8 h TWA
)

// ZoneRule is the rule for check of quantity q in zone:
// "<zone>/<quantity>/<check>".
func ZoneRule(zone string, q sample.Quantity, c Check) RuleID {
	return RuleID(zone + "/" + string(q) + "/" + string(c))
}

// SensorFault is a sensor's fault condition.
type SensorFault string

// The sensor faults.
const (
	FaultStale SensorFault = "stale" // no new reading
	FaultCRC   SensorFault = "crc"   // readings fail their CRC
	FaultRange SensorFault = "range" // readings outside what it measures
	FaultStuck SensorFault = "stuck" // the reading froze
	// FaultDevice: the sensor reports a fault of its own (an SPS30's
	// blocked fan or failed laser), so its readings mean nothing.
	FaultDevice SensorFault = "device"
)

// SensorRule is the fault rule f of sensor: "sensor/<name>/<fault>".
func SensorRule(sensor string, f SensorFault) RuleID {
	return RuleID("sensor/" + sensor + "/" + string(f))
}

// FanStallRule is the fault raised while fan does not turn though driven:
// "fan/<name>/stall".
func FanStallRule(fan string) RuleID { return RuleID("fan/" + fan + "/stall") }

// FanTachRule is the fault raised while fan's tachometer cannot be
// opened: the fan is driven, but a stall cannot be seen.
// "fan/<name>/tach".
func FanTachRule(fan string) RuleID { return RuleID("fan/" + fan + "/tach") }

// FanOutputRule is the fault raised while fan's duty cannot be set:
// "fan/<name>/output".
func FanOutputRule(fan string) RuleID { return RuleID("fan/" + fan + "/output") }

// PressureRule is the fault raised while booth has lost negative pressure:
// "<booth>/pressure/containment".
func PressureRule(booth string) RuleID { return RuleID(booth + "/pressure/containment") }

// AirflowRule is the warning raised while booth's measured airflow is
// below its share of the fans' rated air: "<booth>/airflow/low".
func AirflowRule(booth string) RuleID { return RuleID(booth + "/airflow/low") }

// SensorsApartRule is the warning raised while booth's PM2.5 sensor and
// the staff area's read further apart in quiet air than working sensors
// can: "<booth>/sensors/apart".
func SensorsApartRule(booth string) RuleID { return RuleID(booth + "/sensors/apart") }

// JournalRule is the fault raised while the journal cannot keep records.
const JournalRule RuleID = "journal/write"

// ClockBehindRule is the fault raised while the clock is far behind the
// exposure record (more than 6 h): the record waits for the clock, and
// staff and the technician must know it is not being kept.
const ClockBehindRule RuleID = "clock/behind"

// JournalReplacedRule is the fault raised when a damaged or foreign journal
// file was moved aside and a fresh one started: it latches until someone
// acknowledges that records before then are in the moved file.
const JournalReplacedRule RuleID = "journal/replaced"
