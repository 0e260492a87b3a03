package journal

import (
	"fmt"
	"time"
)

// Minute is one pollutant's one-minute aggregate in one zone.
type Minute struct {
	Start          time.Time // UTC, on a minute boundary
	Zone, Quantity string
	Mean, Max      float64
	Count          int     // samples averaged, at least 1
	CoveredSeconds float64 // seconds of the minute the samples stand for, 0–60
	// Backwards is set by the journal on read: how far behind the newest
	// time already written this row was when written (0 normally).
	Backwards time.Duration
}

// Event is one alarm transition (raised, cleared, acknowledged…), as the
// alarm engine numbers them. Its ID is unique: writing it again is a no-op.
type Event struct {
	ID, AlarmID                          uint64
	Rule, Kind, Level, Subject, Quantity string
	Time                                 time.Time
	Value, Threshold                     float64 // NaN when there is none (a sensor fault)
	Message                              string
	Backwards                            time.Duration // set on read
}

// Ack is a person acknowledging an alarm.
type Ack struct {
	AlarmID   uint64
	Time      time.Time
	Who, Note string
	Backwards time.Duration // set on read
}

// Calibration kinds the daemon writes; others are accepted as given.
const (
	CalFRC               = "frc"                // SCD4x forced recalibration
	CalASCOn             = "asc_on"             // automatic self-calibration enabled
	CalASCOff            = "asc_off"            // automatic self-calibration disabled
	CalTemperatureOffset = "temperature_offset" // SCD4x temperature offset
	CalPMFactor          = "pm_factor"          // site gravimetric factor for optical PM
)

// Calibration records a change to how a sensor's readings are corrected.
type Calibration struct {
	Time                  time.Time
	Sensor, Serial, Kind  string
	Reference, Correction float64 // NaN when not applicable
	Who, Note             string
	Backwards             time.Duration // set on read
}

// ConfigChange records the configuration in force from Time, by hash.
type ConfigChange struct {
	Time          time.Time
	Hash, Summary string
	Backwards     time.Duration // set on read
}

// Gap reasons the daemon writes; others are accepted as given.
const (
	GapDaemonDown  = "daemon_down"
	GapSensorFault = "sensor_fault"
	GapClockJump   = "clock_jump"
)

// Gap is a span with no data: it is reported, never counted as clean air.
// Empty Zone or Quantity means all. A gap written again with the same
// Start, Zone, Quantity and Reason is extended to the later End, so an
// ongoing fault can be written every minute.
type Gap struct {
	Start, End     time.Time
	Zone, Quantity string
	Reason         string
	Backwards      time.Duration // set on read
}

// ClockStatus records whether the clock was trustworthy, from the daemon
// (Source "chrony", "timesyncd"…) or from the journal itself (Source
// "journal": Synchronized false when times went backwards, true when they
// are again at or after the newest time written).
type ClockStatus struct {
	Time         time.Time
	Synchronized bool
	Source, Note string
	Backwards    time.Duration // set on read
}

// SourceJournal is the ClockStatus source of rows the journal adds itself.
const SourceJournal = "journal"

// Action is a request someone made that changes the room (a purge, an
// acknowledgement, a calibration, a config reload), done or refused.
type Action struct {
	Time         time.Time
	Kind, Target string
	// Who is the name given; Via how the request came (socket, mqtt,
	// page, button); UID the caller's uid as the kernel reported it
	// (nil: not known); Peer the remote address or client id.
	Who, Via  string
	UID       *uint32
	Peer      string
	Note      string
	Result    string        // what happened
	Error     string        // why it was refused; empty when done
	Backwards time.Duration // set on read
}

// Batch is everything to record for one interval, written in one
// transaction: all of it or none of it.
type Batch struct {
	Minutes       []Minute
	Events        []Event
	Acks          []Ack
	Calibrations  []Calibration
	ConfigChanges []ConfigChange
	Gaps          []Gap
	ClockStatus   []ClockStatus
	// Shifts are upserted on (Zone, Quantity, Start): the daemon writes the
	// running shift's summary every flush and the finished one at its end.
	Shifts  []Shift
	Actions []Action
	// Ventilation are booths' ventilation measurements (ventilation.go).
	Ventilation []Ventilation
	// Meta is set with the batch, so that a value such as the next alarm
	// id commits with the events that used it.
	Meta map[string]string
	// Retractions take readings back out of minutes already written
	// (this batch's included); they add no row of their own.
	Retractions []Retraction
}

// Retraction says that Value stood for Zone's Quantity from From to To
// and was not the air: a frozen sensor's reading, found frozen only once
// it had not changed for a while. Write takes it back out of the minutes
// of that time, so that they agree with the shift's record, which counts
// that time as a sensor_frozen gap: a minute keeps the count and the
// seconds measured outside From–To, and its mean without the frozen
// value; a minute wholly inside is left with none (count 0), and readers
// skip it. Its rows are rewritten, and the chain says so.
type Retraction struct {
	From, To       time.Time
	Zone, Quantity string
	Value          float64
}

// Len returns the number of rows in the batch.
func (b *Batch) Len() int {
	return len(b.Minutes) + len(b.Events) + len(b.Acks) + len(b.Calibrations) +
		len(b.ConfigChanges) + len(b.Gaps) + len(b.ClockStatus) + len(b.Shifts) + len(b.Actions) + len(b.Ventilation) + len(b.Meta) + len(b.Retractions)
}

// Result tells what Write did besides writing.
type Result struct {
	// DuplicateEvents counts events whose ID was already in the journal and
	// were skipped.
	DuplicateEvents int
	// Backwards is non-nil when some rows were behind the newest time
	// already written by more than the tolerance: they were written and
	// flagged. The daemon should log it.
	Backwards *Backwards
}

// Backwards describes rows written by a clock that went backwards.
type Backwards struct {
	Newest   time.Time     // newest time written before this batch
	Earliest time.Time     // earliest flagged time in this batch
	Jump     time.Duration // Newest − Earliest
	Rows     int           // rows flagged
	// Started is true for the first flagged batch after good ones: the
	// journal added a ClockStatus row (Source "journal") for it.
	Started bool
}

func (b *Backwards) String() string {
	return fmt.Sprintf("clock went backwards by %v: %d rows from %s are before the newest time written, %s; written and flagged",
		b.Jump, b.Rows, b.Earliest.Format(time.RFC3339), b.Newest.Format(time.RFC3339))
}
