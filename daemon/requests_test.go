package daemon

import (
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/room"
	"github.com/ventd/ventd/testbench/scenario"
)

func TestPurge(t *testing.T) {
	h := newHarness(t, t.TempDir(), t0)
	h.run(10 * time.Minute)
	h.rig.Room.StartSession("booth", room.TypicalSession(3, 3*time.Minute))
	h.run(3 * time.Minute)
	h.rig.Room.StartSession("booth", room.TypicalSession(3, 10*time.Minute)) // still smoking
	var err error
	var res string
	h.call(func() { _, err = h.d.Purge(t.Context(), "nowhere", tester, "") })
	if err == nil || !strings.Contains(err.Error(), `no zone "nowhere"; zones: booth`) {
		t.Fatalf("purge of an unknown zone: %v", err)
	}
	// Every way in (page, socket, MQTT) checks the name too; the loop
	// refuses a name a reader of the record cannot see whatever came.
	for _, name := range []string{"\u200b\u200b", "Al\u202eice", "\u2800", "--"} {
		h.call(func() { _, err = h.d.Purge(t.Context(), "booth", record.Actor{Name: name, Via: "test"}, "") })
		if err == nil || !strings.Contains(err.Error(), "give a plain name or staff id") {
			t.Errorf("purge by %q: %v; want it refused", name, err)
		}
	}
	h.call(func() { _, err = h.d.Purge(t.Context(), "staff", tester, "") })
	if err == nil || !strings.Contains(err.Error(), `no fan serves zone "staff"; purge a booth: booth`) {
		t.Fatalf("purge of the staff area: %v", err)
	}
	h.call(func() { res, err = h.d.Purge(t.Context(), "booth", tester, "overdose drill") })
	if err != nil || !strings.Contains(res, "booth: purging") || !strings.Contains(res, "at maximum") {
		t.Fatalf("purge: %q, %v", res, err)
	}
	s := h.run(time.Second)
	if f := s.Fans[0]; f.Mode != "purge" || f.Duty != 1 {
		t.Fatalf("purge requested: fan %+v", f)
	}
	h.rig.Room.StopSession("booth")
	s = h.run(30 * time.Second)
	if f := s.Fans[0]; f.Mode != "purge" || f.SecondsToEntry <= 0 {
		t.Fatalf("purging a smoky booth: fan %+v, want purge with an entry estimate", f)
	}
	est := s.Fans[0].SecondsToEntry
	s = h.run(10 * time.Minute)
	if f := s.Fans[0]; f.Mode == "purge" || f.SecondsToEntry != 0 {
		t.Fatalf("10 min later (estimate was %.0f s): fan %+v, want purge over and booth safe", est, f)
	}
	// A clean booth is said to be safe, not purged for nothing.
	h.call(func() { res, err = h.d.Purge(t.Context(), "", tester, "") })
	if err != nil || !strings.Contains(res, "already safe to enter") {
		t.Fatalf("purge of a clean booth: %q, %v", res, err)
	}
	if s := h.run(time.Second); s.Fans[0].Mode == "purge" {
		t.Fatal("a clean booth was purged")
	}
}

func TestShutdownLeavesFansSafe(t *testing.T) {
	h := newHarness(t, t.TempDir(), t0)
	h.run(15 * time.Minute)
	if d := h.rig.Room.Fan("booth-exhaust").Duty(); d != 0.25 {
		t.Fatalf("before shutdown duty %v", d)
	}
	h.d.shutdown()
	if d := h.rig.Room.Fan("booth-exhaust").Duty(); d != 1 {
		t.Fatalf("after shutdown the fan runs at %v, want the safe duty 1", d)
	}
}

func TestStaffPMAlarmLatchesUntilAcknowledged(t *testing.T) {
	h := newHarness(t, t.TempDir(), t0)
	h.run(5 * time.Minute)
	// Smoke in the staff area itself (someone smoking outside the booth).
	h.rig.Room.StartSession("staff", room.TypicalSession(20, 10*time.Minute))
	s := h.run(10 * time.Minute)
	id, _, ok := hasAlarm(s, "staff/pm25/alarm")
	if !ok {
		t.Fatalf("no staff PM2.5 alarm during heavy smoke: %+v", s.Alarms)
	}
	s = h.run(40 * time.Minute) // long clear
	if _, acked, ok := hasAlarm(s, "staff/pm25/alarm"); !ok || acked {
		t.Fatalf("the alarm-level alarm must latch until acknowledged: %+v", s.Alarms)
	}
	if _, _, ok := hasAlarm(s, "staff/pm25/warning"); ok {
		t.Error("the warning did not clear by itself")
	}
	var err error
	var res string
	if _, err := h.d.Acknowledge(t.Context(), id, record.Actor{}, ""); err == nil {
		t.Fatal("acknowledge without who accepted")
	}
	nurse := record.Actor{Name: "nurse-7", Via: "page"}
	h.call(func() { res, err = h.d.Acknowledge(t.Context(), id, nurse, "aired out") })
	if err != nil || !strings.Contains(res, "acknowledged 1 alarm(s)") {
		t.Fatalf("ack: %q, %v", res, err)
	}
	s = h.run(time.Second)
	if _, _, ok := hasAlarm(s, "staff/pm25/alarm"); ok {
		t.Fatal("acknowledged alarm still active")
	}
	var ack bool
	for _, e := range s.Events {
		if e.AlarmID == id && e.Kind == alarm.Acknowledged && e.Who == "nurse-7" {
			ack = true
		}
	}
	if !ack {
		t.Errorf("no acknowledged event with who: %+v", s.Events)
	}
	h.call(func() { _, err = h.d.Acknowledge(t.Context(), id, nurse, "") })
	if err == nil {
		t.Error("acknowledging an alarm twice accepted")
	}
	h.call(func() { _, err = h.d.Acknowledge(t.Context(), 0, nurse, "") })
	if !errors.Is(err, ErrNothingToAcknowledge) {
		t.Errorf("ack -all with nothing active: %v; want ErrNothingToAcknowledge", err)
	}
}

func TestAlarmBeaconUntilAcknowledged(t *testing.T) {
	cfg := config.Sim()
	cfg.AlarmOutput = &config.AlarmOutput{Pin: "GPIO16", Level: "alarm"}
	clk := clock.NewSim(t0, 0)
	rig, err := testbench.NewRig(cfg, clk, nil, testbench.RigOpts{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	pin := &gpiotest.Pin{N: "GPIO16", Num: 16}
	d, err := New(Options{Config: cfg, Clock: clk, Hardware: rig, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Sim: true, AlarmOutput: pin})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, clk: clk, rig: rig, d: d}
	h.run(5 * time.Minute)
	if pin.Read() != gpio.Low {
		t.Fatal("beacon on in a quiet room")
	}
	h.rig.Room.StartSession("staff", room.TypicalSession(20, 10*time.Minute))
	s := h.run(10 * time.Minute)
	_, _, ok := hasAlarm(s, "staff/pm25/alarm")
	if !ok || pin.Read() != gpio.High {
		t.Fatalf("staff PM2.5 alarm %v, beacon %v: want both on", ok, pin.Read())
	}
	// Acknowledge everything (the smoke also took the staff sensor out of
	// its range: a fault, which sounds too).

	h.call(func() { _, err = d.Acknowledge(t.Context(), 0, record.Actor{Name: "nurse-7", Via: "page"}, "") })
	if err != nil {
		t.Fatal(err)
	}
	h.run(time.Second)
	if pin.Read() != gpio.Low {
		t.Fatal("beacon still on after the alarm was acknowledged")
	}
}

// A scenario can ask for purges as staff do (responders waiting to enter),
// so a simulated day, ventbench's among them, runs them through the same
// request queue as the status page's button: served at the next period,
// journaled by "scenario", the fans at full until the booth is below the
// entry level. Two runs of the same day give the same seconds.
func TestScenarioPurgeIsARequest(t *testing.T) {
	sc, err := scenario.Parse([]byte(`name: purge-day
duration: 1h
events:
  - {at: 10m, session: {zone: booth, duration: 8m, pm25_mg_per_min: 3}}
  - {at: 14m, purge: {zone: booth}}
  - {at: 30m, session: {zone: booth, duration: 5m, pm25_mg_per_min: 3}}
  - {at: 36m, purge: {}}
  - {at: 36m30s, purge: {cancel: true}}
`), "purge-day.yaml")
	if err != nil {
		t.Fatal(err)
	}
	run := func() (started, ended time.Time, acts []journal.Action) {
		dir := t.TempDir()
		h := dayHarness(t, config.Sim(), sc, dir, t0, testbench.RigOpts{Seed: 3}, nil)
		for range 60 * 60 {
			s := h.run(time.Second)
			purging := s.Fans[0].Mode == "purge"
			switch {
			case purging && started.IsZero():
				started = s.Time
			case !purging && !started.IsZero() && ended.IsZero():
				ended = s.Time
			}
		}
		if err := h.rig.Err(); err != nil {
			t.Fatal(err)
		}
		h.d.shutdown()
		acts, err := journalIn(t, dir).Actions(time.Time{}, time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		return started, ended, acts
	}
	started, ended, acts := run()
	if want := t0.Add(14 * time.Minute); started.Before(want) || started.After(want.Add(2*time.Second)) {
		t.Errorf("purge started at %v, want within a period of %v", started.Sub(t0), want.Sub(t0))
	}
	if ended.IsZero() || ended.Sub(started) < 4*time.Minute {
		t.Errorf("purge %v → %v: want it to run through the session's last 4 min and end at the entry level", started.Sub(t0), ended.Sub(t0))
	}
	var kinds []string
	for _, a := range acts {
		if a.Via == "scenario" && a.Who == "scenario" {
			kinds = append(kinds, a.Kind+" "+a.Target)
		}
	}
	if want := []string{"purge booth", "purge all booths", "cancel_purge all booths"}; !slices.Equal(kinds, want) {
		t.Errorf("journaled by the scenario: %q, want %q (all: %+v)", kinds, want, acts)
	}
	if s2, e2, _ := run(); !s2.Equal(started) || !e2.Equal(ended) {
		t.Errorf("a second run purged %v → %v, the first %v → %v", s2.Sub(t0), e2.Sub(t0), started.Sub(t0), ended.Sub(t0))
	}
}
