package alarm

import (
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/sample"
)

// Every default rule's raised message names what it is about and says what
// to do: the facilities manager reads it on a pager away from the room, and
// staff on the wall tablet, and "PM2.5 in staff reached the alarm level"
// alone leaves both to guess.
func TestEveryRaisedMessageSaysWhatToDo(t *testing.T) {
	s := DefaultSetup()
	s.StaffZones = []string{"staff"}
	s.PressureBooths = []string{"booth-1"}
	s.AirflowBooths, s.AirflowPercent = []string{"booth-1"}, 60
	s.Sensors = []string{"booth-pm"}
	s.Fans = []string{"booth-exhaust"}
	s.Outputs = []string{"booth-exhaust"}
	s.Journal = true
	s.Exposure[sample.PM25] = ExposureLimits{STEL: 500, TWA: 100}
	rules := DefaultRules(s)
	e := mustEngine(t, rules...)
	// Words that start an instruction in the messages.
	verbs := []string{"check", "clean", "replace", "leave", "ventilate", "keep", "lower", "power", "acknowledge", "do not", "find"}
	start := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	for _, r := range rules {
		var raised *Event
		for i := range 200 {
			now := start.Add(time.Duration(i) * time.Second)
			var evs []Event
			var err error
			switch r.Direction {
			case Above:
				evs, err = e.Evaluate(now, r.ID, r.Threshold+2*r.Hysteresis+10, true)
			case Below:
				evs, err = e.Evaluate(now, r.ID, r.Threshold-2*r.Hysteresis-10, true)
			default:
				evs, err = e.SetCondition(now, r.ID, true, 0)
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) > 0 && evs[0].Kind == Raised {
				raised = &evs[0]
				break
			}
		}
		if raised == nil {
			t.Errorf("%s did not raise", r.ID)
			continue
		}
		msg := strings.ToLower(raised.Message)
		if !strings.Contains(msg, strings.ToLower(r.Subject)) {
			t.Errorf("%s: %q does not name %s", r.ID, raised.Message, r.Subject)
		}
		advice := false
		for _, v := range verbs {
			advice = advice || strings.Contains(msg, v)
		}
		if !advice {
			t.Errorf("%s: %q says what happened but not what to do", r.ID, raised.Message)
		}
	}
}
