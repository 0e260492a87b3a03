// Package snapshot is the one picture of the room at an instant that every
// output renders: /api/state, /metrics, and later MQTT and the status page.
// The control loop builds a new Snapshot each period and publishes it by
// pointer; readers never lock the loop and never see half an update.
package snapshot

import (
	"sync/atomic"
	"time"

	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/control/exposure"
)

// Snapshot is the state of the room. It is immutable once published.
type Snapshot struct {
	Site string    `json:"site"`
	Room string    `json:"room"`
	Time time.Time `json:"time"` // the loop's clock: simulated time under -sim
	Sim  bool      `json:"sim"`
	// Mode is the most urgent fan mode in the room (safe > purge > boost > normal).
	Mode     string    `json:"mode"`
	Readings []Reading `json:"readings"`
	Sensors  []Sensor  `json:"sensors"`
	Fans     []Fan     `json:"fans"`
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

// Health is the daemon's own state.
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
}

// Reading is the latest value of one quantity from one sensor.
type Reading struct {
	Sensor     string    `json:"sensor"`
	Zone       string    `json:"zone"`
	Quantity   string    `json:"quantity"`
	Value      float64   `json:"value"`
	Unit       string    `json:"unit"`
	Time       time.Time `json:"time"`
	AgeSeconds float64   `json:"age_seconds"`
	// Quality is good, warmup, stale, fault or out_of_range; anything but
	// good is unknown air, never clean air.
	Quality string `json:"quality"`
	Error   string `json:"error,omitempty"`
}

// Sensor is the health of one sensor.
type Sensor struct {
	Name    string `json:"name"`
	Type    string `json:"type"`
	Zone    string `json:"zone"`
	Bus     string `json:"bus"`
	Address string `json:"address"`
	Serial  string `json:"serial,omitempty"`
	// Up is true while reads succeed.
	Up          bool              `json:"up"`
	LastSuccess time.Time         `json:"last_success"`
	Errors      map[string]uint64 `json:"errors"` // by kind: crc, nack, not_ready, status, other
	Status      []string          `json:"status,omitempty"`
	Error       string            `json:"error,omitempty"`
}

// Fan is the state of one fan output.
type Fan struct {
	Name   string   `json:"name"`
	Zones  []string `json:"zones"`
	Duty   float64  `json:"duty"` // 0..1 as commanded
	Mode   string   `json:"mode"`
	Reason string   `json:"reason"`
	// RPM is the tachometer reading; absent without a tachometer.
	RPM *float64 `json:"rpm,omitempty"`
	// SecondsToEntry estimates when the booth is below the entry
	// threshold: 0 now, -1 unknown (not falling).
	SecondsToEntry float64 `json:"seconds_to_entry"`
	Error          string  `json:"error,omitempty"`
}

// Latest holds the most recent snapshot for concurrent readers.
type Latest struct{ p atomic.Pointer[Snapshot] }

// Store publishes s; s must not be changed afterwards.
func (l *Latest) Store(s *Snapshot) { l.p.Store(s) }

// Load returns the latest snapshot, nil before the first.
func (l *Latest) Load() *Snapshot { return l.p.Load() }
