package record

import (
	"encoding/json"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/sample"
)

// Period is what happened in one control period. It is immutable once
// published: outputs share it and must not change it.
//
// The first group of fields is the room's state at the end of the period
// (the latest picture: a later record supersedes it). The second group is
// the period's events: each is delivered to every output exactly once, in
// order, even when an output's backlog is merged.
type Period struct {
	// Number counts control periods since the daemon started, from 1.
	Number uint64
	// Time is the loop's clock when the period's decisions were made
	// (simulated time under -sim).
	Time time.Time
	// Covers is how many control periods this record stands for: 1, or
	// more when an output fell behind and its backlog was merged.
	Covers int

	Site, Room string
	Sim        bool
	// Config is the configuration in force (a reload replaces it; it is
	// never changed in place), for outputs that show thresholds.
	Config *config.Config

	// Readings holds the latest sample of every quantity of every sensor,
	// sensors in config order, with its quality: anything but Good is
	// unknown air, never clean air.
	Readings []sample.Sample
	Sensors  []Sensor
	Fans     []Fan
	// Booths is each booth as the room's law sees it, with the
	// ventilation it has measured (config order).
	Booths []Booth
	// Staff is the staff area as the room's law sees it; nil for a law
	// that does not watch it and until its first reading.
	Staff *StaffAir
	// Exposure is each zone's exposure record per pollutant, after this
	// period's data.
	Exposure []exposure.Snapshot
	// Alarms are the active alarms after this period.
	Alarms alarm.Summary
	Health Health
	// Scenario says what the simulated room is doing (sim only).
	Scenario []string

	// Transitions are the alarm transitions of the period, oldest first;
	// each Event.ID is its sequence number (consecutive, rising across
	// restarts).
	Transitions []alarm.Event
	// Minutes are the one-minute aggregates that ended in this period.
	Minutes []Minute
	// Gaps are stretches without valid data that ended (or were found) in
	// this period.
	Gaps []Gap
	// Actions are the requests served in this period: purges,
	// acknowledgements, calibrations, config reloads, with who asked.
	Actions      []Action
	Calibrations []Calibration
	// Shifts are the exposure summaries of shifts that ended, and of
	// finished shifts amended since (a reading found frozen after the end
	// had frozen before it): the journal replaces the one it holds.
	Shifts        []exposure.Summary
	Clock         []ClockStatus
	ConfigChanges []ConfigChange
	// Ventilation are the booths' decay measurements the law made in this
	// period (a clearing measured), for the journal's history.
	Ventilation []Ventilation
	// Saved is state a restart must not lose (learned VOC baseline,
	// maintenance counters, where the alarm sequence got to), set when it
	// is due to be kept; later values of a key replace earlier ones.
	Saved map[string]string
}

// Urgent reports whether p holds something the journal writes as it
// arrives rather than with the minute's batch: a closed minute, an alarm
// transition, an action, a calibration, a config change, an exposure gap or
// a finished shift. The loop takes each shift's running summary afresh for
// such a record, so the summary the journal stores beside them is current.
func (p *Period) Urgent() bool {
	return len(p.Minutes)+len(p.Transitions)+len(p.Actions)+len(p.Calibrations)+
		len(p.ConfigChanges)+len(p.Gaps)+len(p.Shifts) > 0
}

// HasEvents reports whether p carries anything besides state.
func (p *Period) HasEvents() bool {
	return len(p.Transitions)+len(p.Minutes)+len(p.Gaps)+len(p.Actions)+len(p.Calibrations)+
		len(p.Shifts)+len(p.Clock)+len(p.ConfigChanges)+len(p.Ventilation)+len(p.Saved) > 0
}

// Sensor is the health of one sensor.
type Sensor struct {
	// SensorID says which sensor: its fields read as Sensor's own (Name,
	// Serial...), in JSON too. It changes only with the unit (a serial read
	// once it opens), so the records of a sensor share one, and is never
	// nil in a published record. Half a Sensor's size, and a record's
	// sensors were a fifth of what the loop allocated.
	*SensorID
	// Up is true while reads succeed.
	Up          bool      `json:"up"`
	LastSuccess time.Time `json:"last_success"`
	// Errors counts failed reads by kind (crc, nack, status, other).
	Errors map[string]uint64 `json:"errors"`
	// Status lists problems the device reports itself (SPS30 fan...).
	Status []string `json:"status,omitempty"`
	// Frozen is set while the reading has not changed for the stuck
	// time: it counts as unknown air.
	Frozen bool   `json:"frozen,omitempty"`
	Error  string `json:"error,omitempty"`
}

// UnmarshalJSON reads what Sensor's JSON is, and gives the result a
// SensorID even where the text names none of its fields ("{"up": true}",
// from something else answering on ventd's port): a reader of s.Name must
// find "", not a nil pointer.
func (s *Sensor) UnmarshalJSON(b []byte) error {
	type plain Sensor
	v := plain{SensorID: &SensorID{}}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*s = Sensor(v)
	return nil
}

// SensorID names one sensor: its configured name, type, zone, bus and
// address, and the serial of the unit answering there. Immutable once in
// a record.
type SensorID struct {
	Name    string            `json:"name"`
	Type    config.SensorType `json:"type"`
	Zone    string            `json:"zone"`
	Bus     string            `json:"bus"`
	Address string            `json:"address"`
	Serial  string            `json:"serial,omitempty"`
}

// Fan is one fan's decision and state.
type Fan struct {
	Name  string   `json:"name"`
	Zones []string `json:"zones"`
	// Duty is what the fan runs at, 0..1: as commanded, or for a fan on
	// a relay (OnOff) 0 or 1 as the relay is switched.
	Duty float64 `json:"duty"`
	// OnOff marks a fan on a relay: off or full, nothing between.
	OnOff  bool         `json:"on_off,omitempty"`
	Mode   control.Mode `json:"mode"`
	Reason string       `json:"reason"`
	// FanFault marks a safe duty taken for a fan of its booths that does
	// not work (a stall, an output that cannot be set), not for air ventd
	// cannot read: the reason says which fan.
	FanFault bool `json:"fan_fault,omitempty"`
	// RPM is the tachometer reading; absent without a tachometer.
	RPM *float64 `json:"rpm,omitempty"`
	// SecondsToEntry estimates when the booths are below the entry
	// threshold: 0 now, -1 unknown (not falling).
	SecondsToEntry float64 `json:"seconds_to_entry"`
	Error          string  `json:"error,omitempty"`
}

// Booth is one booth as the room's law sees it.
type Booth struct {
	Zone    string `json:"zone"`
	Session bool   `json:"session"`
	Purging bool   `json:"purging"`
	// Trusted is false while any of its PM sensors cannot be trusted.
	Trusted bool `json:"trusted"`
	// SecondsToEntry estimates when the booth is below the entry
	// threshold: 0 now, -1 unknown (a session, not falling).
	SecondsToEntry float64 `json:"seconds_to_entry"`
	// NominalACH is the air changes per hour the fans' datasheet flow
	// promises at their present duty (max_flow_m3h × duty / volume_m3).
	NominalACH float64 `json:"nominal_ach"`
	// Measured is what the booth's clearings showed; nil until the first
	// was measured (unknown, never 0).
	Measured *MeasuredACH `json:"measured,omitempty"`
}

// StaffAir is the staff area as the room's law sees it: the booth smoke it
// holds beyond its clean air, and how much of it sends the fans to full
// speed, which the law learns from the smoke the area usually carries
// (control.StaffStatus). It tells a facilities manager why the fans run
// as they do between sessions.
type StaffAir struct {
	// Trusted is false while no staff PM sensor can be trusted; the
	// figures are then the last ones known.
	Trusted bool `json:"trusted"`
	// PM25 is the worst staff PM2.5 (smoothed over 20 s); CleanAir what it
	// would read with no booth smoke (outdoor air, sensor offset, drift);
	// Excess the difference, the smoke the fans can still remove.
	PM25     float64 `json:"pm25_ugm3"`
	CleanAir float64 `json:"clean_air_ugm3"`
	Excess   float64 `json:"excess_ugm3"`
	// ClearingGap is how far the clean air stands above the air coming
	// in while outdoor smoke clears (the end of a plume): the room holds
	// the smoke it took in, and the fans remove it as they do booth smoke.
	// Read from how fast the clean air falls; 0 (left out) while it holds
	// or rises.
	ClearingGap float64 `json:"clearing_gap_ugm3,omitempty"`
	// UsualExcess is the excess averaged over the last 2 h (above the
	// configured price, no more than an ordinary hour's of the last 5,
	// the median of their means); nil until
	// learned (and when control.staff_full_usual is 0).
	UsualExcess *float64 `json:"usual_excess_ugm3,omitempty"`
	// FullSpeedExcess is the excess that alone sends the fans to full
	// speed: control.staff_full_usual × UsualExcess, within 2/3 and 1.5 ×
	// control.staff_full_excess_ugm3, lowered (to a quarter at most)
	// while AvoidableShare is above 3 %.
	FullSpeedExcess float64 `json:"full_speed_excess_ugm3"`
	// AvoidableShare is the part of the booth smoke the fans could remove
	// that the staff area kept over the last 3 h (0: as little as full
	// extraction would leave, 1: as much as the fans at their minimum), as
	// the law estimates it (control.StaffStatus); nil while there was too
	// little smoke to tell.
	AvoidableShare *float64 `json:"avoidable_share,omitempty"`
	// BoothPrice is how far the booths' smoke price is relaxed while the
	// staff area keeps under 1 % of the avoidable smoke: the booth excess
	// that alone sends a booth's fans to full is
	// control.booth_full_excess_ugm3 times it (1 as configured, up to 2).
	BoothPrice float64 `json:"booth_price_factor"`
	// FanLeverage is how much less the fans' air is worth to the staff
	// area than in the room the price was set for (1 to 2): the booth
	// smoke's part of the staff need is divided by it (control.StaffStatus).
	FanLeverage float64 `json:"fan_leverage_factor"`
	// Outdoor is how the clean air follows the outdoor air, as the law
	// learned it; nil without a trusted outdoor sensor.
	Outdoor *OutdoorLink `json:"outdoor,omitempty"`
}

// OutdoorLink is what the control law learned of how the staff area's
// clean air follows the outdoor air (an outdoor zone's PM2.5).
type OutdoorLink struct {
	// PM25 is the outdoor PM2.5 the law reads, smoothed over a minute.
	PM25 float64 `json:"pm25_ugm3"`
	// Gain is the share of an outdoor change the staff area's clean air
	// takes on (1 until the outdoor air has moved enough to say; less
	// behind a supply filter).
	Gain float64 `json:"gain"`
	// GeneralACH is the staff area's own ventilation, air changes an hour
	// besides the fans': the candidate (1, 2, 4 or 8) whose lag explains
	// the staff level best. A fall says its ventilation weakened.
	GeneralACH float64 `json:"general_ach"`
}

// MeasuredACH is a booth's ventilation as measured from how fast its
// smoke clears (see control.Decay).
type MeasuredACH struct {
	// ACH is the measured air changes per hour at the present duty.
	ACH float64 `json:"ach"`
	// Share is ACH / NominalACH: the part of its fans' rated air the booth
	// really gets. It falls with a clogged filter, a failing fan or a
	// door propped open.
	Share float64 `json:"share"`
	// Observations counts the clearing intervals measured; Last is when
	// the latest was.
	Observations int       `json:"observations"`
	Last         time.Time `json:"last"`
}

// Ventilation is one decay measurement of a booth: the law's estimate
// after a newly measured clearing interval.
type Ventilation struct {
	Time         time.Time
	Zone         string
	ACH          float64 // measured, at the duty of the time
	NominalACH   float64 // the datasheet's, at the same duty
	Share        float64 // ACH / NominalACH
	Observations int     // intervals measured so far, this one included
}

// Health is the daemon's own state: what an auditor needs to trust the
// record, and a technician to find what is wrong.
type Health struct {
	Started time.Time `json:"started"`
	// ClockSynchronized is false while the system clock has no time
	// source (a Pi has no battery clock): timestamps may be wrong.
	ClockSynchronized bool `json:"clock_synchronized"`
	// JournalOK is false while the exposure journal cannot keep records;
	// JournalError says why.
	JournalOK    bool   `json:"journal_ok"`
	JournalError string `json:"journal_error,omitempty"`
	// LoopOverruns counts control periods that ran late.
	LoopOverruns uint64 `json:"loop_overruns"`
	// Stopping marks the last record of a deliberate stop (a restart, an
	// update): the fans are left at their safe duty and nothing reads the
	// air until ventd runs again, so no figure in it is current.
	Stopping bool `json:"stopping,omitempty"`
}

// Minute is one pollutant's one-minute aggregate in one zone.
type Minute struct {
	Start          time.Time // on a minute boundary
	Zone           string
	Quantity       sample.Quantity
	Mean, Max      float64
	Count          int     // periods averaged, at least 1
	CoveredSeconds float64 // seconds of the minute the samples stand for, 0–60
}

// Gap reasons.
const (
	GapDaemonDown  = "daemon_down"
	GapSensorFault = "sensor_fault"
	// GapStarting is time after ventd started before the first reading
	// of the zone's sensors came (an SPS30 measures a second or so after
	// it is started, an SCD41 after 5 s): no fault, no measurement. A
	// sensor that fails before its first reading, or gives none for its
	// silent time (30 s at least), is a sensor_fault from then.
	GapStarting = "starting"
	// GapAboveRange is time every sensor of the zone read above its
	// specified range (heavy smoke, as sample.ErrAboveRange): no fault,
	// but no measurement either. The air was at least the sensor's range,
	// never clean, and the shift's TWA is a lower bound; its time counts
	// over the alarm level when the range's top is at or above it
	// (exposure.Tracker.AddAboveRange), and the journal's gap keeps it
	// for a shift rebuilt from the minutes.
	GapAboveRange = "above_range"
	// GapSensorFrozen covers a reading that stopped changing, from when it
	// froze (found only once it had not changed for the stuck time).
	GapSensorFrozen = "sensor_frozen"
	// GapClockJump is time the wall clock skipped (stepped forward).
	GapClockJump = "clock_jump"
	// GapLoopStalled is time ventd's loop did not run although ventd was
	// up: the Pi, a hung part or the kernel held it longer than a reading
	// stands for.
	GapLoopStalled = "loop_stalled"
	// GapJournalLost covers records lost with a damaged journal.
	GapJournalLost = "journal_lost"
	// GapClockBehind is time the exposure record waited for a clock
	// behind it (stepped back, or behind the journal at a start): from
	// where the record stood until the clock passed it. ventd may have
	// been down for part of it; what it measured in the rest is journaled
	// apart (a clock_behind action), its time unknown.
	GapClockBehind = "clock_behind"
	// GapScheduleChanged is the rest of a shift the site's schedule no
	// longer has (its shifts or time zone changed across a restart).
	GapScheduleChanged = "schedule_changed"
)

// Gap is a span without valid data: reported, never counted as clean air.
// Empty Zone or Quantity means all.
type Gap struct {
	Start, End time.Time
	Zone       string
	Quantity   sample.Quantity
	Reason     string
	// Value is, for a sensor_frozen gap, the reading that stood still:
	// the minutes already recorded counted it as the air, and the
	// journal takes it back out of them.
	Value float64
}

// Calibration records a change to how a sensor's readings are corrected.
type Calibration struct {
	Time                  time.Time
	Sensor, Serial, Kind  string
	Reference, Correction float64 // NaN when not applicable
	By                    Actor
	Note                  string
}

// ClockStatus records whether the system clock was trustworthy.
type ClockStatus struct {
	Time         time.Time
	Synchronized bool
	Source, Note string
}

// ConfigChange records the configuration in force from Time, by hash.
type ConfigChange struct {
	Time          time.Time
	Hash, Summary string
	By            Actor
}
