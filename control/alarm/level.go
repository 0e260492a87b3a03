package alarm

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
)

// Level is how serious an alarm is. Levels are ordered, LevelWarning <
// LevelAlarm < LevelFault, so the highest level of a subject is the one to
// show. A fault ranks highest because it means the protection itself is
// compromised (no trustworthy reading, a stalled fan, a booth that no longer
// holds negative pressure), as a gas detector in fault is treated as "not
// protected" whatever it last read.
type Level int

// The levels. The zero Level is LevelNone: no alarm; no rule may have it.
const (
	LevelNone    Level = iota
	LevelWarning       // A1: self-clearing low alarm
	LevelAlarm         // A2: high alarm, latching by default
	LevelFault         // equipment: sensor or fan problem
)

var levelNames = [...]string{"none", "warning", "alarm", "fault"}

func (l Level) String() string {
	if l >= 0 && int(l) < len(levelNames) {
		return levelNames[l]
	}
	return "level(" + strconv.Itoa(int(l)) + ")"
}

// MarshalText writes the level's name, so JSON and MQTT carry "alarm", not 2.
func (l Level) MarshalText() ([]byte, error) {
	if l < 0 || int(l) >= len(levelNames) {
		return nil, fmt.Errorf("alarm: cannot marshal %v: not a level", l)
	}
	return []byte(levelNames[l]), nil
}

// UnmarshalText reads a level's name.
func (l *Level) UnmarshalText(b []byte) error {
	for i, n := range levelNames {
		if string(b) == n {
			*l = Level(i)
			return nil
		}
	}
	return fmt.Errorf("alarm: unknown level %q; use warning, alarm or fault", b)
}

// Direction says which side of the threshold is bad, or that the rule is
// a boolean condition fed by SetCondition.
type Direction int

// The directions. The zero Direction is invalid so that a rule that forgot
// to say is rejected rather than guessed.
const (
	Above    Direction = iota + 1 // value ≥ Threshold raises
	Below                         // value ≤ Threshold raises
	WhenTrue                      // a boolean condition (SetCondition)
)

func (d Direction) String() string {
	switch d {
	case Above:
		return "above"
	case Below:
		return "below"
	case WhenTrue:
		return "when_true"
	}
	return "direction(" + strconv.Itoa(int(d)) + ")"
}

// Kind is what happened to an alarm.
type Kind string

// The event kinds.
const (
	// Raised: the condition held for the rule's on-delay; a new alarm with
	// a new id.
	Raised Kind = "raised"
	// Cleared: the alarm is over and leaves the active list.
	Cleared Kind = "cleared"
	// Acknowledged: someone took note; Who and Note say who and why.
	Acknowledged Kind = "acknowledged"
	// Latched: the condition of a latching alarm cleared, but the alarm
	// stays until acknowledged (a gas detector's A2).
	Latched Kind = "latched"
	// Held: the condition cleared, but the rule raised too often within its
	// flap window, so the alarm is held active instead of clearing and
	// raising again (see the package doc).
	Held Kind = "held"
	// Returned: the condition of a latched alarm came back before anyone
	// acknowledged it. The same alarm, active again; without this, the
	// last word a pager had was "latched" (back below the level).
	Returned Kind = "returned"
)

// Reading is a measured value that may be unknown (NaN): a stale sensor's
// last value is not a value. It marshals to JSON null then, since
// encoding/json refuses NaN and 0 would read as clean air.
type Reading float64

// Known reports whether r is a real number.
func (r Reading) Known() bool {
	return !math.IsNaN(float64(r)) && !math.IsInf(float64(r), 0)
}

// MarshalJSON writes a number, or null when r is unknown.
func (r Reading) MarshalJSON() ([]byte, error) {
	if !r.Known() {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, float64(r), 'g', -1, 64), nil
}

// UnmarshalJSON reads a number, or null as NaN.
func (r *Reading) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*r = Reading(math.NaN())
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("alarm: reading %s: %w", b, err)
	}
	*r = Reading(f)
	return nil
}
