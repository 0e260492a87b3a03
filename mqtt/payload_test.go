package mqtt

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/sample"
)

// A condition (a stall, a stale sensor) has no level: its event's
// threshold is null, live and from the journal alike, where it read 0 ("0
// (limit 0)" in a manager's template). A level keeps its threshold.
func TestAConditionHasNoThreshold(t *testing.T) {
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		name string
		live alarm.Event
		want any
	}{
		{"stall", alarm.Event{ID: 1, AlarmID: 1, RuleID: alarm.FanStallRule("booth-exhaust"), Kind: alarm.Raised, Level: alarm.LevelFault, Subject: "booth-exhaust", Time: at}, nil},
		{"warning", alarm.Event{ID: 2, AlarmID: 2, RuleID: "staff/pm25/warning", Kind: alarm.Raised, Level: alarm.LevelWarning, Subject: "staff", Quantity: sample.PM25, Value: 40, Threshold: 35, Time: at}, 35.0},
		{"airflow", alarm.Event{ID: 3, AlarmID: 3, RuleID: alarm.AirflowRule("booth"), Kind: alarm.Raised, Level: alarm.LevelWarning, Subject: "booth", Value: 50, Threshold: 60, Time: at}, 60.0},
	} {
		live := liveEvent(c.live, "site", "room")
		stored := journalEvent(journal.PendingEvent{Event: journal.Event{ID: c.live.ID, AlarmID: c.live.AlarmID, Rule: string(c.live.RuleID), Kind: string(c.live.Kind),
			Level: c.live.Level.String(), Subject: c.live.Subject, Quantity: string(c.live.Quantity), Time: at, Value: float64(c.live.Value), Threshold: c.live.Threshold}}, "site", "room")
		for _, e := range []event{live, stored} {
			var got map[string]any
			if err := json.Unmarshal(e.payload, &got); err != nil {
				t.Fatal(err)
			}
			if got["threshold"] != c.want {
				t.Errorf("%s: threshold %v in %s; want %v", c.name, got["threshold"], e.payload, c.want)
			}
		}
		if string(live.payload) != string(stored.payload) {
			t.Errorf("%s: live %s, from the journal %s: want the same", c.name, live.payload, stored.payload)
		}
		// The retained alarm says the same, and carries no value or peak
		// (they read null, "unknown", to a manager an hour later).
		var got map[string]any
		a := alarm.Alarm{ID: c.live.AlarmID, RuleID: c.live.RuleID, Level: c.live.Level, Subject: c.live.Subject, Quantity: c.live.Quantity,
			Threshold: c.live.Threshold, Value: c.live.Value, Peak: c.live.Value, Since: at, Condition: true, Message: "now", RaisedMessage: "as raised"}
		if err := json.Unmarshal(alarmPayload(a, "site", "room"), &got); err != nil {
			t.Fatal(err)
		}
		_, value := got["value"]
		_, peak := got["peak"]
		if got["threshold"] != c.want || value || peak || got["message"] != "as raised" || got["site"] != "site" || got["id"] != float64(c.live.AlarmID) {
			t.Errorf("%s: retained alarm %v; want threshold %v, no value or peak, the message it raised with", c.name, got, c.want)
		}
	}
}
