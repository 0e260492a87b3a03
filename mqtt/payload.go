package mqtt

import (
	"encoding/json"
	"math"
	"time"

	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/sample"
)

// Event is the payload of an alarm transition on <base>/events. Seq is
// the transition's sequence number: consecutive across restarts, so a
// consumer that sees 41 after 39 knows one is missing, and one that sees
// 40 twice knows the second is a repeat (QoS 1 delivers at least once).
// It reads the same whether the event went out live or from the journal
// after an outage.
type Event struct {
	Seq       uint64        `json:"seq"`
	AlarmID   uint64        `json:"alarm_id"`
	Rule      string        `json:"rule"`
	Kind      string        `json:"kind"`
	Level     string        `json:"level"`
	Subject   string        `json:"subject"`
	Quantity  string        `json:"quantity,omitempty"`
	Time      time.Time     `json:"time"`
	Value     alarm.Reading `json:"value"`     // null when unknown
	Threshold alarm.Reading `json:"threshold"` // null for a condition (a fault, no level)
	Message   string        `json:"message"`
	Who       string        `json:"who,omitempty"` // acknowledgements
	Note      string        `json:"note,omitempty"`
	Site      string        `json:"site"`
	Room      string        `json:"room"`
}

// event is one transition waiting in the outbox, its payload made once.
type event struct {
	seq     uint64
	payload []byte
}

// stamp is a time as the journal keeps it: UTC milliseconds.
func stamp(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

func liveEvent(e alarm.Event, site, room string) event {
	return encode(Event{
		Seq: e.ID, AlarmID: e.AlarmID, Rule: string(e.RuleID), Kind: string(e.Kind), Level: e.Level.String(),
		Subject: e.Subject, Quantity: string(e.Quantity), Time: stamp(e.Time), Value: known(float64(e.Value)),
		Threshold: thresholdOf(string(e.Quantity), e.Threshold), Message: e.Message, Who: e.Who, Note: e.Note, Site: site, Room: room,
	})
}

func journalEvent(e journal.PendingEvent, site, room string) event {
	return encode(Event{
		Seq: e.ID, AlarmID: e.AlarmID, Rule: e.Rule, Kind: e.Kind, Level: e.Level, Subject: e.Subject,
		Quantity: e.Quantity, Time: stamp(e.Time), Value: known(e.Value), Threshold: thresholdOf(e.Quantity, e.Threshold),
		Message: e.Message, Who: e.Who, Note: e.Note, Site: site, Room: room,
	})
}

// known is v, or NaN (JSON null) when v is not a number: what the journal
// stores for a missing value.
func known(v float64) alarm.Reading {
	if math.IsInf(v, 0) {
		return alarm.Reading(math.NaN())
	}
	return alarm.Reading(v)
}

// thresholdOf is an event's threshold, or NaN (JSON null) for a
// condition: a fault or warning that is a state, not a level crossed (a
// stall, a stale sensor, sensors reading apart), has no quantity and no
// threshold, and "threshold": 0 read as a limit of 0 to a manager's
// template ("0 (limit 0)"). Every rule with a level has a quantity or a
// threshold of its own (the airflow warning: a share of the rated air).
func thresholdOf(quantity string, threshold float64) alarm.Reading {
	if quantity == "" && threshold == 0 {
		return alarm.Reading(math.NaN())
	}
	return known(threshold)
}

func encode(e Event) event {
	b, err := json.Marshal(e)
	if err != nil {
		// Only plain fields and Readings (NaN as null): cannot fail.
		panic("mqtt: marshal event: " + err.Error())
	}
	return event{seq: e.Seq, payload: b}
}

// Alarm is the retained payload of an active alarm on <base>/alarm/<rule>:
// the alarm as /api/state lists it, with the room's site and name, but for
// what changes every period. Its value and peak are not here (the state
// topic has them: null here read to a manager, an hour later, as unknown),
// and its message is the one it raised with (the live one says the value
// now), so the payload changes only when the alarm does: raised, latched,
// returned, held, acknowledged. The threshold is null for a condition with
// no level, as in the events.
type Alarm struct {
	ID        uint64          `json:"id"`
	RuleID    alarm.RuleID    `json:"rule"`
	Level     alarm.Level     `json:"level"`
	Subject   string          `json:"subject"`
	Quantity  sample.Quantity `json:"quantity,omitempty"`
	Threshold alarm.Reading   `json:"threshold"`
	Since     time.Time       `json:"since"`
	Condition bool            `json:"condition"`
	Latching  bool            `json:"latching"`
	Held      bool            `json:"held"`
	Acked     bool            `json:"acked"`
	AckedBy   string          `json:"acked_by,omitempty"`
	AckedAt   time.Time       `json:"acked_at,omitzero"`
	AckNote   string          `json:"ack_note,omitempty"`
	Message   string          `json:"message"`
	Site      string          `json:"site"`
	Room      string          `json:"room"`
}

func alarmPayload(a alarm.Alarm, site, room string) []byte {
	msg := a.RaisedMessage
	if msg == "" { // an alarm saved before there was one
		msg = a.Message
	}
	b, err := json.Marshal(Alarm{ID: a.ID, RuleID: a.RuleID, Level: a.Level, Subject: a.Subject, Quantity: a.Quantity,
		Threshold: thresholdOf(string(a.Quantity), a.Threshold), Since: a.Since, Condition: a.Condition, Latching: a.Latching,
		Held: a.Held, Acked: a.Acked, AckedBy: a.AckedBy, AckedAt: a.AckedAt, AckNote: a.AckNote, Message: msg, Site: site, Room: room})
	if err != nil {
		panic("mqtt: marshal alarm: " + err.Error())
	}
	return b
}
