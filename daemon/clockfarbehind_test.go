package daemon

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/room"
)

// twoHourShifts is the simulated room with 2 h shifts from 07:00 to 15:00,
// so that a test seals several in a few simulated hours.
func twoHourShifts() *config.Config {
	cfg := config.Sim()
	cfg.Shifts.TimeZone = "UTC"
	cfg.Shifts.Starts = []config.TimeOfDay{config.TimeOfDay(7 * time.Hour), config.TimeOfDay(9 * time.Hour), config.TimeOfDay(11 * time.Hour), config.TimeOfDay(13 * time.Hour)}
	cfg.Shifts.Length = 2 * time.Hour
	return cfg
}

// farBehindJournal runs ventd from 07:00 to 14:20 with a staff session in
// the first shift (07:00-09:00, 09:00-11:00 and 11:00-13:00 sealed), and
// returns the state directory.
func farBehindJournal(t *testing.T, cfg *config.Config) string {
	t.Helper()
	dir := t.TempDir()
	h := rigHarness(t, cfg, dir, t0, testbench.RigOpts{Seed: 7})
	h.run(20 * time.Minute)
	h.rig.Room.StartSession("staff", room.TypicalSession(2, 10*time.Minute))
	h.run(7 * time.Hour)
	h.d.shutdown()
	return dir
}

// A Pi booted without network after a power cut can start hours or days in
// the past (no fake-hwclock file, or an NTP server gone wrong). ventd then
// took the journal's later rows for a damaged one and recorded from the
// clock's time: minutes of sealed shifts were recorded a second time and
// merged with the first, a sealed shift was finished again over its first
// record, and ventctl verify listed both as ventd's own allowed rewrites.
func TestClockFarBehindTheJournalRewritesNoSealedShift(t *testing.T) {
	cfg := twoHourShifts()
	dir := farBehindJournal(t, cfg)

	j := journalIn(t, dir)
	sealed, err := j.Shifts(t0, t0.Add(6*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	minutesBefore, err := j.Minutes(t0, t0.Add(6*time.Hour), "", "")
	if err != nil {
		t.Fatal(err)
	}
	headBefore, err := j.ChainHead()
	if err != nil {
		t.Fatal(err)
	}
	vBefore, err := j.Verify(journal.VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	j.Close()
	if len(sealed) == 0 {
		t.Fatal("no shifts in the journal")
	}

	// Seven hours behind the journal: the clock reads 07:30 again, inside
	// the sealed 07:00-09:00 shift, and runs past the end of 09:00-11:00.
	back := t0.Add(30 * time.Minute)
	h2, logs := newLogHarnessCfg(t, cfg, dir, back)
	h2.run(10 * time.Second)
	h2.rig.Room.StartSession("booth", room.TypicalSession(3, 3*time.Minute))
	s := h2.run(15 * time.Second)
	if f := s.Fans[0]; f.Duty != 1 {
		t.Errorf("with the clock behind the journal the booth fan did not answer smoke: %+v", f)
	}
	h2.run(3*time.Hour + 40*time.Minute)
	h2.d.shutdown()

	j2 := journalIn(t, dir)
	after, err := j2.Shifts(t0, t0.Add(6*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(sealed) {
		t.Errorf("%d shift rows from 07:00 to 13:00 before, %d after", len(sealed), len(after))
	}
	for i, sh := range sealed {
		if !sh.Finished || i >= len(after) {
			continue
		}
		if a := after[i]; !bytes.Equal(a.Summary, sh.Summary) || !a.Finished {
			t.Errorf("sealed shift %s %s from %s rewritten by a clock 7 h behind the journal:\nwas %s\nnow %s", sh.Zone, sh.Quantity,
				sh.Start.Format(time.RFC3339), sh.Summary, a.Summary)
		}
	}
	minutesAfter, err := j2.Minutes(t0, t0.Add(6*time.Hour), "", "")
	if err != nil {
		t.Fatal(err)
	}
	changed := 0
	for i, m := range minutesBefore {
		if i >= len(minutesAfter) || minutesAfter[i] != m {
			changed++
		}
	}
	if changed > 0 || len(minutesAfter) != len(minutesBefore) {
		t.Errorf("%d of %d minutes of the sealed shifts changed (%d rows now): recorded again under a clock 7 h behind", changed, len(minutesBefore), len(minutesAfter))
	}
	v, err := j2.Verify(journal.VerifyOptions{Head: headBefore.Hash})
	if err != nil {
		t.Fatal(err)
	}
	if !v.OK() {
		t.Errorf("verify: %d problems: %v", v.ProblemCount, v.Problems)
	}
	if v.Rewrites != vBefore.Rewrites {
		t.Errorf("verify lists %d rows rewritten (%s), %d before the restart (%s): ventd rewrote the sealed record", v.Rewrites, v.RewriteCounts(), vBefore.Rewrites, vBefore.RewriteCounts())
	}
	_ = logs
}

// Far behind the journal, ventd says so with a fault alarm (what is wrong,
// what to do), journals what it measures apart (an hourly clock_behind
// action with the zones' figures, stamped where the record stands), and
// once the clock is set right the record resumes by itself: the time from
// where it stood is a clock_behind gap, and the fault clears.
func TestClockFarBehindTheJournalSaysSoAndResumes(t *testing.T) {
	cfg := twoHourShifts()
	dir := farBehindJournal(t, cfg)
	j := journalIn(t, dir)
	newest, _, err := j.Newest()
	if err != nil {
		t.Fatal(err)
	}
	j.Close()

	back := t0.Add(30 * time.Minute)
	h, logs := newLogHarnessCfg(t, cfg, dir, back)
	if !strings.Contains(logs.String(), "the clock is far behind the exposure journal") {
		t.Errorf("the start does not log that the clock is far behind the journal:\n%s", tail(logs.String(), 2000))
	}
	s := h.run(70 * time.Minute)
	var msg string
	for _, a := range s.Alarms.Alarms {
		if a.RuleID == alarm.ClockBehindRule {
			msg = a.Message
		}
	}
	if msg == "" {
		t.Fatalf("no %s fault with the clock 7 h behind the journal: %+v", alarm.ClockBehindRule, s.Alarms.Alarms)
	}
	for _, want := range []string{"far behind the exposure record", "timedatectl", "behind the record's last time"} {
		if !strings.Contains(msg, want) {
			t.Errorf("the clock fault's message does not say %q: %s", want, msg)
		}
	}
	// Set right: the clock steps to 15:00, past the record.
	h.clk.Advance(15*time.Hour - h.clk.Now().Sub(t0))
	s = h.run(20 * time.Minute)
	if _, _, ok := hasAlarm(s, alarm.ClockBehindRule); ok {
		t.Errorf("the clock fault is still active 20 min after the clock was set right")
	}
	resumed := h.clk.Now()
	h.d.shutdown()

	j = journalIn(t, dir)
	if n := minutesAfter(t, dir, t0.Add(8*time.Hour)); n < 15 {
		t.Errorf("%d staff PM2.5 minutes recorded in the 20 min after the clock was set right (want about 20)", n)
	}
	acts, err := j.Actions(time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var held []journal.Action
	for _, a := range acts {
		if a.Kind == string(record.ActClockBehind) {
			held = append(held, a)
		}
	}
	if len(held) != 2 {
		t.Fatalf("%d clock_behind actions for 70 min measured under a clock behind the record (want 2: the first hour, and the rest when the clock was set right): %+v", len(held), held)
	}
	for _, a := range held {
		if a.Time.Before(newest.Add(-2*time.Minute)) || a.Time.After(newest) {
			t.Errorf("clock_behind action at %s: want it where the record stood, %s", a.Time.Format(time.RFC3339), newest.Format(time.RFC3339))
		}
		if !strings.Contains(a.Result, "staff pm25 mean") || !strings.Contains(a.Result, "its real time unknown") {
			t.Errorf("clock_behind action does not give the staff PM2.5 figures as measured at an unknown time: %s", a.Result)
		}
	}
	gaps, err := j.Gaps(newest.Add(-time.Hour), resumed)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, g := range gaps {
		if g.Reason == record.GapClockBehind && g.Zone == "staff" && g.Quantity == "pm25" {
			found = true
			if g.Start.After(newest) || g.End.Before(t0.Add(8*time.Hour)) {
				t.Errorf("clock_behind gap %s to %s: want it from where the record stood (%s) to when the clock was set right (15:00)", g.Start.Format(time.RFC3339), g.End.Format(time.RFC3339), newest.Format(time.RFC3339))
			}
		}
	}
	if !found {
		t.Errorf("no clock_behind gap for staff PM2.5: %+v", gaps)
	}
}
