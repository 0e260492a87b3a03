package scenario

import (
	_ "embed"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/testbench/room"
)

// Scenario is a named schedule of events over simulated time.
type Scenario struct {
	Name string
	// Duration is how long the scenario runs; a looping player starts
	// over after it.
	Duration time.Duration
	// Events in the order they happen; events at the same offset keep the
	// order they were written in.
	Events []Event
	// File is where the scenario came from, for error messages.
	File string
	// Room is the room the scenario plays in; nil: the built-in one.
	Room *Room
}

// Event is one thing that happens at an offset from the start. Exactly one
// of the action fields is set.
type Event struct {
	At time.Duration
	// Line is the event's line in its file; 0 for events built in Go.
	Line int

	Session     *Session
	Occupants   *Occupants
	Door        *Door
	FanFault    *FanFault
	SensorFault *SensorFault
	Drift       *Drift
	Outdoor     *Outdoor
	Purge       *Purge
}

// Session is someone smoking in a zone (YAML: session). Its Duration ends
// it; the room ends it on its own.
type Session struct {
	Zone string
	room.Session
}

// Occupants sets how many people are in a zone (YAML: occupants); with For
// the count goes back to what it was after that long.
type Occupants struct {
	Zone  string
	Count int
	For   time.Duration
}

// Door opens or closes a door (YAML: door); with For it goes back after
// that long.
type Door struct {
	Name string
	Open bool
	For  time.Duration
}

// FanFault jams (Stall) or frees a fan, or sets the share of its rated
// air it moves (FlowPercent: a clogged filter, a crushed or loose duct, a
// damper shut by mistake; the wheel turns and the tachometer reads as
// before) (YAML: fan_fault, with stall or flow_percent); with For the
// fault clears after that long.
type FanFault struct {
	Fan   string
	Stall bool
	// FlowPercent, when set, is the fan's air as a share of its rated
	// air, 0 to 100; 100 is the fan as rated.
	FlowPercent *float64
	For         time.Duration
}

// The kinds of sensor fault a scenario can inject; the daemon maps them
// onto the simulated bus and devices.
const (
	FaultDisconnect = "disconnect"  // the sensor drops off the bus
	FaultNACK       = "nack"        // transfers are refused
	FaultCorrupt    = "corrupt"     // CRC errors
	FaultStuck      = "stuck"       // the reading freezes
	FaultFanFailure = "fan_failure" // the PM sensor's own fan fails (an SPS30 or a SEN5x)
)

var faultKinds = []string{FaultDisconnect, FaultNACK, FaultCorrupt, FaultStuck, FaultFanFailure}

// SensorFault starts (or with Clear, ends) a fault in a sensor (YAML:
// sensor_fault); with For it ends after that long.
type SensorFault struct {
	Sensor string
	Kind   string
	Clear  bool
	For    time.Duration
}

// Purge is staff asking for a purge (YAML: purge), as the status page's
// button does, so responders can enter: of Zone's fans, or of every
// booth's when Zone is empty; with Cancel, ending one early. The daemon
// the room is wired to serves it (Rig.OnPurge); its fans, the law or
// baseline, run it.
type Purge struct {
	Zone   string
	Cancel bool
}

// Outdoor changes the outdoor air (YAML: outdoor). Fields left nil keep
// their value, except that PM1, PM4 and PM10 scale with a new PM2.5 unless
// given, keeping the outdoor size mix. With For the air goes back after
// that long.
type Outdoor struct {
	PM1, PM25, PM4, PM10  *float64
	CO2, VOC, NOx         *float64
	Temperature, Humidity *float64
	For                   time.Duration
}

// what names an event's action the way the file spells it.
func (e *Event) what() string {
	switch {
	case e.Session != nil:
		return "session"
	case e.Occupants != nil:
		return "occupants"
	case e.Door != nil:
		return "door"
	case e.FanFault != nil:
		return "fan_fault"
	case e.SensorFault != nil:
		return "sensor_fault"
	case e.Drift != nil:
		return "sensor_drift"
	case e.Outdoor != nil:
		return "outdoor"
	case e.Purge != nil:
		return "purge"
	}
	return ""
}

// Load reads and parses the scenario file at path.
func Load(path string) (*Scenario, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	defer f.Close()
	// One byte past the bound is enough for Parse to refuse it; a
	// device (-scenario /dev/zero) is not read to the end.
	data, err := io.ReadAll(io.LimitReader(f, config.MaxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("scenario: %w", err)
	}
	return Parse(data, path)
}

//go:embed default.yaml
var defaultYAML []byte

// Default is the built-in scenario `ventd -sim` plays: four hours of an
// ordinary shift for room.Default(), with staff present, sessions of 2–5 min
// every 10–30 min, the booth door opened twice and a quiet spell.
func Default() *Scenario {
	s, err := Parse(defaultYAML, "default.yaml")
	if err != nil {
		panic("scenario: the built-in default is broken: " + err.Error())
	}
	return s
}

// DefaultYAML returns the text of the built-in scenario, a starting point
// for writing one's own.
func DefaultYAML() []byte { return append([]byte(nil), defaultYAML...) }
