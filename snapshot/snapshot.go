// Package snapshot is the latest picture of the room, for readers that want
// state rather than events: /api/state, /metrics, MQTT's retained state and
// the status page. A View is one of the loop's outputs: it keeps the latest
// period record and the recent alarm transitions, and builds a Snapshot
// from them only when someone asks, at most once per period. Readers never
// lock the loop and never see half an update.
package snapshot

import (
	"time"

	"github.com/ventd/ventd/control"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/sample"
)

// Snapshot is the state of the room. It is immutable once published.
type Snapshot struct {
	Site string    `json:"site"`
	Room string    `json:"room"`
	Time time.Time `json:"time"` // the loop's clock: simulated time under -sim
	Sim  bool      `json:"sim"`
	// Mode is the most urgent fan mode in the room (safe > purge > boost > normal).
	Mode     control.Mode `json:"mode"`
	Readings []Reading    `json:"readings"`
	Sensors  []Sensor     `json:"sensors"`
	Fans     []Fan        `json:"fans"`
	// Booths is each booth as the control law sees it: its session, its
	// entry estimate and its ventilation, measured from how fast its
	// smoke clears (absent until the first clearing was measured) against
	// what its fans' datasheet promises at the present duty.
	Booths []Booth `json:"booths"`
	// Staff is the staff area as the control law sees it: the booth smoke
	// it holds beyond its clean air, and how much of it sends the fans to
	// full speed (learned from the smoke it usually carries). Absent until
	// the staff area's first reading.
	Staff *record.StaffAir `json:"staff_air,omitempty"`
	// Exposure is each zone's exposure record per pollutant: the rolling
	// 15 min STEL and 8 h TWA, and the current shift's OSHA TWA, time
	// over limits, excursions and coverage.
	Exposure []exposure.Snapshot `json:"exposure"`
	// Mixture is each zone's OSHA mixture index Σ Eᵢ/Lᵢ for the current
	// shift, over the pollutants with a TWA limit; above 1 is over.
	Mixture []Mixture `json:"mixture"`
	// Alarms are the active alarms; Events the most recent transitions
	// (the journal keeps them all).
	Alarms alarm.Summary `json:"alarms"`
	Events []alarm.Event `json:"events"`
	// Scenario lists what the simulated room is doing now (sim only).
	Scenario []string `json:"scenario,omitempty"`
	// Health is the daemon's own state: what an auditor needs to trust
	// the record, and a technician to find what is wrong.
	Health Health `json:"health"`
}

// Mixture is one zone's mixture index.
type Mixture struct {
	Zone  string  `json:"zone"`
	Index float64 `json:"index"`
	// Pollutants is how many entered the sum (those with a TWA limit).
	Pollutants int `json:"pollutants"`
}

// Health is the daemon's own state (see record.Health).
type Health = record.Health

// Reading is the latest value of one quantity from one sensor.
type Reading struct {
	Sensor     string          `json:"sensor"`
	Zone       string          `json:"zone"`
	Quantity   sample.Quantity `json:"quantity"`
	Value      float64         `json:"value"`
	Unit       string          `json:"unit"`
	Time       time.Time       `json:"time"`
	AgeSeconds float64         `json:"age_seconds"`
	// Quality is good, warmup, stale, fault or out_of_range; anything but
	// good is unknown air, never clean air.
	Quality sample.Quality `json:"quality"`
	Error   string         `json:"error,omitempty"`
	// AboveRange marks an out_of_range reading above what the sensor is
	// specified to measure (an SPS30 over 1000 µg/m³): heavy smoke, the
	// air holds at least Value; not a broken sensor.
	AboveRange bool `json:"above_range,omitempty"`
}

// Sensor is the health of one sensor (see record.Sensor).
type Sensor = record.Sensor

// SensorID says which sensor a Sensor is (see record.SensorID).
type SensorID = record.SensorID

// Booth is one booth and its measured ventilation (see record.Booth).
type Booth = record.Booth

// Fan is the state of one fan output (see record.Fan).
type Fan = record.Fan
