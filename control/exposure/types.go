package exposure

import (
	"encoding/json"
	"math"
	"strconv"
	"time"
)

// Conc is a concentration in the pollutant's unit that may be unknown: NaN
// when there was no valid data to compute it from. It marshals to JSON null
// then, so that no output can show unknown air as 0.
type Conc float64

// Unknown is the Conc of a value with no valid data behind it.
var Unknown = Conc(math.NaN())

// Known reports whether c was computed from valid data.
func (c Conc) Known() bool { return !math.IsNaN(float64(c)) && !math.IsInf(float64(c), 0) }

// MarshalJSON writes a number, or null when c is unknown.
func (c Conc) MarshalJSON() ([]byte, error) {
	if !c.Known() {
		return []byte("null"), nil
	}
	return json.Marshal(float64(c))
}

// UnmarshalJSON reads a number, or null as Unknown.
func (c *Conc) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*c = Unknown
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*c = Conc(f)
	return nil
}

// Duration is a time.Duration that marshals to JSON as seconds, the unit
// an exposure report and a spreadsheet expect.
type Duration time.Duration

// Std returns d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

func (d Duration) String() string { return time.Duration(d).String() }

// MarshalJSON writes d in seconds.
func (d Duration) MarshalJSON() ([]byte, error) {
	return strconv.AppendFloat(nil, time.Duration(d).Seconds(), 'f', -1, 64), nil
}

// UnmarshalJSON reads seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	var s float64
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*d = Duration(math.Round(s * float64(time.Second)))
	return nil
}

// Gap is a stretch of time without valid data.
type Gap struct {
	Start  time.Time `json:"start"`
	Length Duration  `json:"length_s"`
}

// Excursion is one period during which the rolling 15 min TWA was above a
// level: from the first one-second evaluation above it to the first one not
// above it (or, while it lasts, to the latest evaluation).
type Excursion struct {
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	Peak    float64   `json:"peak"` // highest 15 min TWA during the period
	Ongoing bool      `json:"ongoing"`
}

// Excursions are the periods in one shift with the 15 min TWA above Level,
// checked against the ACGIH rule: no more than four a day, at least 60 min
// between successive ones. A worker works one shift a day, so the day is the
// shift.
type Excursions struct {
	Level    float64     `json:"level"` // 0: no such limit, nothing counted
	Count    int         `json:"count"`
	Periods  []Excursion `json:"periods"`
	Omitted  int         `json:"periods_omitted"` // periods counted but not listed (list is capped)
	TooMany  bool        `json:"too_many"`        // more than 4
	TooClose bool        `json:"too_close"`       // two less than 60 min apart
}

// Violations are the limit checks of one shift. Each stays set once it
// happened; TWA can only grow during a shift, so a TWA violation before the
// shift ends is already final.
type Violations struct {
	// TWA: the OSHA E so far is above the (Brief & Scala adjusted) TWA limit.
	TWA bool `json:"twa"`
	// STEL: the 15 min TWA was above the STEL limit at some time, which
	// ACGIH says should not happen at any time during a workday.
	STEL bool `json:"stel"`
	// STELExcursions: periods above the STEL limit were more than 4 or less
	// than 60 min apart.
	STELExcursions bool `json:"stel_excursions"`
	// TWAExcursions: the ACGIH rule for exposures above the TLV-TWA up to
	// the STEL (15 min TWA above the TWA limit) more than 4 times or less
	// than 60 min apart.
	TWAExcursions bool `json:"twa_excursions"`
}

// Any reports whether any limit was violated.
func (v Violations) Any() bool { return v.TWA || v.STEL || v.STELExcursions || v.TWAExcursions }
