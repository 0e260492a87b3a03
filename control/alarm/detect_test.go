package alarm

import (
	"math"
	"testing"
	"time"
)

func TestStuckDetector(t *testing.T) {
	d, err := NewStuckDetector(0.5, 10*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	rules := DefaultRules(Setup{Sensors: []string{"staff-co2"}})
	e := mustEngine(t, rules...)
	const id = "sensor/staff-co2/stuck"
	var evs []Event
	var stuckAt time.Duration = -1
	// Live for 20 min (a few ppm of noise every 5 s), frozen at 612.3 for
	// 20 min, then live again.
	for el := time.Duration(0); el < time.Hour; el += 5 * time.Second {
		v := 600 + 10*math.Sin(el.Seconds()/7)
		if el >= 20*time.Minute && el < 40*time.Minute {
			v = 612.3 + 0.2*math.Sin(el.Seconds()) // within epsilon
		}
		now := t0.Add(el)
		stuck := d.Update(now, v)
		if stuck && stuckAt < 0 {
			stuckAt = el
		}
		got, err := e.SetCondition(now, id, stuck, v)
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, got...)
	}
	if stuckAt != 30*time.Minute {
		t.Errorf("stuck from %v, want 30m (frozen at 20m, after 10m)", stuckAt)
	}
	if got := kinds(evs); len(got) != 2 || got[0] != Raised || got[1] != Cleared {
		t.Fatalf("events %v, want raised, cleared", got)
	}
	if evs[0].Level != LevelFault || evs[0].Subject != "staff-co2" {
		t.Errorf("raised %+v, want a fault on staff-co2", evs[0])
	}
	// Cleared 30 s (the default off-delay) after the readings move again.
	if at := evs[1].Time.Sub(t0); at != 40*time.Minute+30*time.Second {
		t.Errorf("cleared at %v, want 40m30s", at)
	}
	if _, err := NewStuckDetector(-1, time.Minute); err == nil {
		t.Error("negative epsilon: no error")
	}
	if _, err := NewStuckDetector(0, 0); err == nil {
		t.Error("zero duration: no error")
	}
}

func TestStaleCondition(t *testing.T) {
	e := mustEngine(t, DefaultRules(Setup{Sensors: []string{"booth-pm"}})...)
	const id = "sensor/booth-pm/stale"
	// Readings stop after 9 s; with a 10 s stale time the condition is
	// true from 20 s, and the rule's 5 s on-delay raises at 25 s.
	var last time.Time
	var evs []Event
	for el := time.Duration(0); el < 2*time.Minute; el += time.Second {
		now := t0.Add(el)
		if el < 10*time.Second || el >= time.Minute {
			last = now
		}
		stale := now.Sub(last) > 10*time.Second
		got, err := e.SetCondition(now, id, stale, math.NaN())
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, got...)
	}
	if got := kinds(evs); len(got) != 2 || got[0] != Raised || got[1] != Cleared {
		t.Fatalf("events %v, want raised, cleared", got)
	}
	if at := evs[0].Time.Sub(t0); at != 25*time.Second {
		t.Errorf("raised at %v, want 25s", at)
	}
	if at := evs[1].Time.Sub(t0); at != 90*time.Second {
		t.Errorf("cleared at %v, want 1m30s (fresh from 1m, +30s)", at)
	}
}

func TestStallDetector(t *testing.T) {
	d, err := NewStallDetector(0.2, 300, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	e := mustEngine(t, DefaultRules(Setup{Fans: []string{"booth-exhaust"}})...)
	const id = "fan/booth-exhaust/stall"
	cases := []struct {
		from      time.Duration
		duty, rpm float64
	}{
		{0, 0, 0},                            // off: not a stall
		{10 * time.Second, 0.1, 0},           // below minDuty: fans may stop there
		{20 * time.Second, 1, 0},             // spin-up: 5 s to turn
		{25 * time.Second, 1, 2400},          // running
		{60 * time.Second, 1, 0},             // seized: stall from 70 s
		{120 * time.Second, 1, 2400},         // freed
		{200 * time.Second, 0.5, math.NaN()}, // tach lost: counts as stalled
	}
	var evs []Event
	for el := time.Duration(0); el < 300*time.Second; el += time.Second {
		c := cases[0]
		for _, k := range cases {
			if el >= k.from {
				c = k
			}
		}
		now := t0.Add(el)
		got, err := e.SetCondition(now, id, d.Update(now, c.duty, c.rpm), c.rpm)
		if err != nil {
			t.Fatal(err)
		}
		evs = append(evs, got...)
	}
	want := []struct {
		k  Kind
		at time.Duration
	}{{Raised, 70 * time.Second}, {Cleared, 150 * time.Second}, {Raised, 210 * time.Second}}
	if len(evs) != len(want) {
		t.Fatalf("events %v, want %v", kinds(evs), want)
	}
	for i, w := range want {
		if evs[i].Kind != w.k || evs[i].Time.Sub(t0) != w.at {
			t.Errorf("event %d: %v at %v, want %v at %v", i, evs[i].Kind, evs[i].Time.Sub(t0), w.k, w.at)
		}
	}
	for _, bad := range []struct{ duty, rpm float64 }{{0, 300}, {0.2, 0}, {math.NaN(), 300}} {
		if _, err := NewStallDetector(bad.duty, bad.rpm, time.Second); err == nil {
			t.Errorf("NewStallDetector(%v, %v): no error", bad.duty, bad.rpm)
		}
	}
}
