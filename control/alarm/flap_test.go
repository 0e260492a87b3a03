package alarm

import (
	"testing"
	"time"
)

func TestFlappingSuppression(t *testing.T) {
	r := pmRule()
	r.OnDelay, r.OffDelay = 0, 0
	r.FlapCount, r.FlapWindow = 3, time.Hour
	e := mustEngine(t, r)
	// Six 2-minute excursions, one every 10 minutes, then clean air; one
	// more excursion at 2h30.
	evs := run(t, e, r.ID, t0, 3*time.Hour, func(el time.Duration) float64 {
		if (el < time.Hour && el%(10*time.Minute) < 2*time.Minute) ||
			(el >= 150*time.Minute && el < 152*time.Minute) {
			return 60
		}
		return 10
	})
	want := []Kind{Raised, Cleared, Raised, Cleared, Raised, Held, Cleared, Raised, Cleared}
	got := kinds(evs)
	if len(got) != len(want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("events %v, want %v", got, want)
		}
	}
	held, release := evs[5], evs[6]
	if held.AlarmID != evs[4].AlarmID || release.AlarmID != held.AlarmID {
		t.Errorf("held and released alarm %d/%d, want the third alarm %d", held.AlarmID, release.AlarmID, evs[4].AlarmID)
	}
	if at := held.Time.Sub(t0); at != 22*time.Minute {
		t.Errorf("held at %v, want 22m (the third clear)", at)
	}
	// The last excursion ends at 52m: released an hour of quiet later.
	if at := release.Time.Sub(t0); at != 112*time.Minute {
		t.Errorf("released at %v, want 1h52m", at)
	}
	if evs[7].AlarmID <= release.AlarmID {
		t.Errorf("raise after release reuses id %d", evs[7].AlarmID)
	}
}

func TestFlappingHeldShowsInSummary(t *testing.T) {
	r := Rule{ID: "fan/f1/stall", Level: LevelFault, Subject: "f1", Direction: WhenTrue,
		FlapCount: 2, FlapWindow: 30 * time.Minute}
	e := mustEngine(t, r)
	set := func(at time.Duration, on bool) []Event {
		evs, err := e.SetCondition(t0.Add(at), r.ID, on, 0)
		if err != nil {
			t.Fatal(err)
		}
		return evs
	}
	set(0, true)
	set(time.Minute, false)
	set(2*time.Minute, true)
	if evs := set(3*time.Minute, false); len(evs) != 1 || evs[0].Kind != Held {
		t.Fatalf("second clear: %v, want held", kinds(evs))
	}
	s := e.Summary(t0.Add(4 * time.Minute))
	if len(s.Alarms) != 1 || !s.Alarms[0].Held || s.Alarms[0].Condition || s.Highest != LevelFault {
		t.Fatalf("summary %+v, want one held fault", s)
	}
	// The condition coming back while held continues the same alarm.
	if evs := set(5*time.Minute, true); len(evs) != 0 {
		t.Errorf("recurrence while held: %v, want nothing", kinds(evs))
	}
	if evs := set(6*time.Minute, false); len(evs) != 0 {
		t.Errorf("clear while held: %v, want nothing", kinds(evs))
	}
	if evs := set(36*time.Minute, false); len(evs) != 1 || evs[0].Kind != Cleared {
		t.Errorf("after 30 min quiet: %v, want cleared", kinds(evs))
	}
}
