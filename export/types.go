package export

import (
	"encoding/json"
	"math"
	"strconv"
	"time"

	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/sample"
)

// Sources of a shift's figures (Shift.Source).
const (
	// SourceLive: the summary the daemon's tracker computed from 1 s data
	// and stored in the journal; the figures /metrics and /api/state showed.
	SourceLive = "live"
	// SourceMinutes: rebuilt here from the journal's minute aggregates (a
	// journal from before ventd stored summaries, or a shift stored without
	// one); see MinutesNote.
	SourceMinutes = "minutes"
)

// Document is the JSON export, one object: the header's fields, then one
// array per section. Decode a file with json.Unmarshal into it.
type Document struct {
	Header
	Shifts        []Shift        `json:"shifts"`
	Minutes       []Minute       `json:"minutes"`
	Gaps          []Gap          `json:"gaps"`
	Events        []Event        `json:"events"`
	Acks          []Ack          `json:"acks"`
	Calibrations  []Calibration  `json:"calibrations"`
	ConfigChanges []ConfigChange `json:"config_changes"`
	ClockStatus   []ClockStatus  `json:"clock_status"`
	Actions       []Action       `json:"actions"`
	Ventilation   []Ventilation  `json:"ventilation"`
}

// Header says where the records come from and what they cover.
type Header struct {
	Software  string    `json:"software"`
	Generated time.Time `json:"generated"`
	Site      string    `json:"site"`
	Room      string    `json:"room"`
	Sensors   []Sensor  `json:"sensors"`
	TimeZone  string    `json:"time_zone"`
	Window    Window    `json:"window"`
	Schema    int       `json:"journal_schema"`
	// Chain is the journal's hash chain head when the export was made:
	// ventctl verify -head HASH on a later copy of the journal shows it was
	// not edited since. Null for a journal from before the chain.
	Chain *journal.ChainHead `json:"chain"`
	// Integrity is what checking the span's rows against the chain found
	// when the export was made, in words: "verified: …" or "PROBLEMS: …"
	// (an edited row), empty for a journal from before the chain. The
	// report says the same; an export must not carry edited figures
	// without a word.
	Integrity string   `json:"integrity,omitempty"`
	Notes     []string `json:"notes"`
}

// Sensor is a sensor's name and serial number, from the journal's meta.
type Sensor struct {
	Name   string `json:"name"`
	Serial string `json:"serial"`
}

// Window is the export's extent. From and To are what was asked for (null:
// open); the span is that window widened to whole shifts, and every section
// covers the span.
type Window struct {
	From     *time.Time `json:"from"`
	To       *time.Time `json:"to"`
	SpanFrom *time.Time `json:"span_from"`
	SpanTo   *time.Time `json:"span_to"`
}

// Shift is one shift's exposure summary and where its figures come from.
type Shift struct {
	Source string `json:"source"` // SourceLive or SourceMinutes
	Note   string `json:"note,omitempty"`
	// STELPeakLowerBound is set for SourceMinutes: a peak of 15 min
	// averages of minute means cannot exceed the one from 1 s data; and
	// when every sensor read above its range in one of the shift's STEL
	// windows (dense smoke): that time, at least the range's top, is not
	// in the average.
	STELPeakLowerBound bool `json:"stel_peak_is_lower_bound"`
	// STELPeakAboveRange is how much of the STEL peak's own 15 min window
	// every sensor read above its range; null when the peak is unknown.
	STELPeakAboveRange *exposure.Duration `json:"stel_peak_above_range_s"`
	StartLocal         time.Time          `json:"start_local"` // Start in the export's time zone
	exposure.Summary
	// Gaps are the summary's gaps, each with its reason from the
	// journal's gap rows (the summary's own list has none): in JSON,
	// "gaps" of a shift; the CSV's gaps column counts them.
	Gaps []ShiftGap `json:"gaps"`
}

// Minute is one minute's aggregate of one pollutant in one zone.
type Minute struct {
	Start          time.Time `json:"start"`
	Zone           string    `json:"zone"`
	Quantity       string    `json:"quantity"`
	Unit           string    `json:"unit"`
	Mean           float64   `json:"mean"`
	Max            float64   `json:"max"`
	Count          int       `json:"count"`
	CoveredSeconds float64   `json:"covered_s"`
	// ClockBackwards is how far behind the newest time already written the
	// row was when written: 0 normally, more when the clock went back.
	ClockBackwards float64 `json:"clock_backwards_s"`
}

// Gap is a span without data. An empty Zone or Quantity means all.
type Gap struct {
	Start          time.Time `json:"start"`
	End            time.Time `json:"end"`
	Length         float64   `json:"length_s"`
	Zone           string    `json:"zone"`
	Quantity       string    `json:"quantity"`
	Reason         string    `json:"reason"`
	ClockBackwards float64   `json:"clock_backwards_s"`
}

// Event is one alarm transition.
type Event struct {
	Time           time.Time `json:"time"`
	ID             uint64    `json:"event_id"`
	AlarmID        uint64    `json:"alarm_id"`
	Rule           string    `json:"rule"`
	Kind           string    `json:"kind"`
	Level          string    `json:"level"`
	Subject        string    `json:"subject"`
	Quantity       string    `json:"quantity"`
	Value          Number    `json:"value"`
	Threshold      Number    `json:"threshold"`
	Message        string    `json:"message"`
	ClockBackwards float64   `json:"clock_backwards_s"`
}

// Ack is a person acknowledging an alarm.
type Ack struct {
	Time           time.Time `json:"time"`
	AlarmID        uint64    `json:"alarm_id"`
	Who            string    `json:"who"`
	Note           string    `json:"note"`
	ClockBackwards float64   `json:"clock_backwards_s"`
}

// Calibration is a change to how a sensor's readings are corrected.
type Calibration struct {
	Time           time.Time `json:"time"`
	Sensor         string    `json:"sensor"`
	Serial         string    `json:"serial"`
	Kind           string    `json:"kind"`
	Reference      Number    `json:"reference"`
	Correction     Number    `json:"correction"`
	Who            string    `json:"who"`
	Note           string    `json:"note"`
	ClockBackwards float64   `json:"clock_backwards_s"`
}

// ConfigChange is the configuration in force from Time.
type ConfigChange struct {
	Time           time.Time `json:"time"`
	Hash           string    `json:"hash"`
	Summary        string    `json:"summary"`
	ClockBackwards float64   `json:"clock_backwards_s"`
}

// ClockStatus says whether the clock was trustworthy from Time.
type ClockStatus struct {
	Time           time.Time `json:"time"`
	Synchronized   bool      `json:"synchronized"`
	Source         string    `json:"source"`
	Note           string    `json:"note"`
	ClockBackwards float64   `json:"clock_backwards_s"`
}

// Action is something a person (or ventd itself) did to the room: a
// purge, an acknowledgement, a calibration, a configuration reload, done
// or refused, with who asked and how.
type Action struct {
	Time   time.Time `json:"time"`
	Kind   string    `json:"kind"`
	Target string    `json:"target"`
	Who    string    `json:"who"`
	Via    string    `json:"via"`
	// UID is the caller's user id as the kernel reported it; null when
	// the request came another way.
	UID            *uint32 `json:"uid"`
	Peer           string  `json:"peer"`
	Note           string  `json:"note"`
	Result         string  `json:"result"`
	Error          string  `json:"error"`
	ClockBackwards float64 `json:"clock_backwards_s"`
}

// Ventilation is one measurement of a booth's ventilation by the control
// law, after a clearing interval: air changes per hour measured from how
// fast its smoke cleared, and what the fans' datasheet promised, both at
// the duty of the time; Share is the one to compare across time.
type Ventilation struct {
	Time           time.Time `json:"time"`
	Zone           string    `json:"zone"`
	ACH            float64   `json:"ach"`
	NominalACH     float64   `json:"nominal_ach"`
	Share          float64   `json:"share"`
	Observations   int       `json:"observations"`
	ClockBackwards float64   `json:"clock_backwards_s"`
}

// Number is a value that may be missing: NaN, written as JSON null and as
// an empty CSV field.
type Number float64

// MarshalJSON writes a number, or null for NaN.
func (n Number) MarshalJSON() ([]byte, error) {
	if math.IsNaN(float64(n)) || math.IsInf(float64(n), 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, float64(n), 'g', -1, 64), nil
}

// UnmarshalJSON reads a number, or null as NaN.
func (n *Number) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*n = Number(math.NaN())
		return nil
	}
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	*n = Number(f)
	return nil
}

func seconds(d time.Duration) float64 { return d.Seconds() }

func minuteOf(m journal.Minute) Minute {
	return Minute{Start: m.Start.UTC(), Zone: m.Zone, Quantity: m.Quantity, Unit: sample.Quantity(m.Quantity).Unit(),
		Mean: m.Mean, Max: m.Max, Count: m.Count, CoveredSeconds: m.CoveredSeconds, ClockBackwards: seconds(m.Backwards)}
}

func gapOf(g journal.Gap) Gap {
	return Gap{Start: g.Start.UTC(), End: g.End.UTC(), Length: seconds(g.End.Sub(g.Start)), Zone: g.Zone,
		Quantity: g.Quantity, Reason: g.Reason, ClockBackwards: seconds(g.Backwards)}
}

func eventOf(e journal.Event) Event {
	return Event{Time: e.Time.UTC(), ID: e.ID, AlarmID: e.AlarmID, Rule: e.Rule, Kind: e.Kind, Level: e.Level,
		Subject: e.Subject, Quantity: e.Quantity, Value: Number(e.Value), Threshold: Number(e.Threshold),
		Message: e.Message, ClockBackwards: seconds(e.Backwards)}
}

func ackOf(a journal.Ack) Ack {
	return Ack{Time: a.Time.UTC(), AlarmID: a.AlarmID, Who: a.Who, Note: a.Note, ClockBackwards: seconds(a.Backwards)}
}

func calibrationOf(c journal.Calibration) Calibration {
	return Calibration{Time: c.Time.UTC(), Sensor: c.Sensor, Serial: c.Serial, Kind: c.Kind,
		Reference: Number(c.Reference), Correction: Number(c.Correction), Who: c.Who, Note: c.Note,
		ClockBackwards: seconds(c.Backwards)}
}

func configChangeOf(c journal.ConfigChange) ConfigChange {
	return ConfigChange{Time: c.Time.UTC(), Hash: c.Hash, Summary: c.Summary, ClockBackwards: seconds(c.Backwards)}
}

func clockStatusOf(c journal.ClockStatus) ClockStatus {
	return ClockStatus{Time: c.Time.UTC(), Synchronized: c.Synchronized, Source: c.Source, Note: c.Note,
		ClockBackwards: seconds(c.Backwards)}
}

func actionOf(a journal.Action) Action {
	return Action{Time: a.Time.UTC(), Kind: a.Kind, Target: a.Target, Who: a.Who, Via: a.Via, UID: a.UID, Peer: a.Peer,
		Note: a.Note, Result: a.Result, Error: a.Error, ClockBackwards: seconds(a.Backwards)}
}

func ventilationOf(v journal.Ventilation) Ventilation {
	return Ventilation{Time: v.Time.UTC(), Zone: v.Zone, ACH: v.ACH, NominalACH: v.NominalACH, Share: v.Share,
		Observations: v.Observations, ClockBackwards: seconds(v.Backwards)}
}
