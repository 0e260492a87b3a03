package daemon

import (
	"bytes"
	"database/sql"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/snapshot"
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/room"
)

func shiftTWA(s *snapshot.Snapshot, zone string, q string) (float64, float64) {
	for _, e := range s.Exposure {
		if e.Zone == zone && string(e.Quantity) == q && e.Shift != nil {
			return e.Shift.TWA, e.Shift.Coverage
		}
	}
	return -1, -1
}

func TestJournalKeepsShiftAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	start := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC) // a shift starts at 07:00 (sim.yaml)
	h := newHarness(t, dir, start)
	h.run(30 * time.Minute)
	h.rig.Room.StartSession("staff", room.TypicalSession(2, 20*time.Minute))
	s := h.run(90 * time.Minute)
	before, covBefore := shiftTWA(s, "staff", "pm25")
	if before <= 0 || covBefore < 99 {
		t.Fatalf("staff PM2.5 shift TWA %v, coverage %v%%", before, covBefore)
	}
	h.d.shutdown()

	// Ten minutes later a new daemon on the same state directory.
	h2 := newHarness(t, dir, s.Time.Add(10*time.Minute))
	s2 := h2.run(2 * time.Second)
	after, covAfter := shiftTWA(s2, "staff", "pm25")
	// Σ CᵢTᵢ carries over; the minute being written when it stopped may
	// be lost: at most a minute of the highest level, /8 h.
	if d := before - after; d < -0.05 || d > 60*100/(8*3600.0) {
		t.Fatalf("shift TWA %v before the restart, %v after", before, after)
	}
	if covAfter >= covBefore || covAfter > 95 {
		t.Fatalf("coverage %v%% after a 10 min outage (was %v%%): the outage must count as a gap", covAfter, covBefore)
	}
	h2.d.shutdown()
	j, err := journal.Open(filepath.Join(dir, "journal.db"), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	gaps, err := j.Gaps(start, s2.Time.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var down bool
	for _, g := range gaps {
		if g.Reason == journal.GapDaemonDown && g.End.Sub(g.Start) >= 9*time.Minute {
			down = true
		}
	}
	if !down {
		t.Fatalf("no daemon_down gap for the outage: %+v", gaps)
	}
	ms, err := j.Minutes(start, s2.Time, "staff", "pm25")
	if err != nil || len(ms) < 115 {
		t.Fatalf("%d staff PM2.5 minutes in the journal (err %v), want about 120", len(ms), err)
	}
}

// newLogHarness is newHarness with the log kept for inspection. The log is
// read while the daemon's outputs write to it, so it is a locked buffer.
func newLogHarness(t *testing.T, dir string, start time.Time) (*harness, *testbench.LogBuffer) {
	t.Helper()
	return newLogHarnessCfg(t, config.Sim(), dir, start)
}

// newLogHarnessCfg is newLogHarness for cfg.
func newLogHarnessCfg(t *testing.T, cfg *config.Config, dir string, start time.Time) (*harness, *testbench.LogBuffer) {
	t.Helper()
	var logs testbench.LogBuffer
	clk := clock.NewSim(start, 0)
	rig, err := testbench.NewRig(cfg, clk, nil, testbench.RigOpts{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	d, err := New(Options{Config: cfg, Clock: clk, Hardware: rig, Log: slog.New(slog.NewTextHandler(&logs, nil)), StateDir: dir, Sim: true})
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, clk: clk, rig: rig, d: d, dir: dir}, &logs
}

func TestUnwritableJournalKeepsControlling(t *testing.T) {
	// A state directory under a regular file cannot be created, even by root.
	file := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	h, logs := newLogHarness(t, filepath.Join(file, "state"), t0)
	s := h.run(10 * time.Minute)
	if _, _, ok := hasAlarm(s, alarm.JournalRule); !ok {
		t.Fatalf("no journal fault alarm: %+v", s.Alarms)
	}
	if s.Health.JournalOK || s.Health.JournalError == "" || !s.Health.ClockSynchronized {
		t.Errorf("health %+v: want the journal shown as failing, the (simulated) clock as synchronised", s.Health)
	}
	if !strings.Contains(logs.String(), "check that the state directory exists and is writable") {
		t.Errorf("the log does not say what to do:\n%s", logs.String())
	}
	// Control goes on: smoke still sends the fan to full.
	h.rig.Room.StartSession("booth", room.TypicalSession(3, 3*time.Minute))
	s = h.run(10 * time.Second)
	if f := s.Fans[0]; f.Duty != 1 || f.Mode != "boost" {
		t.Fatalf("with no journal the fan did not answer smoke: %+v", f)
	}
	// The technician fixes it; the journal opens within a minute, with
	// no restart, and keeps what was held in memory meanwhile.
	fixedAt := h.clk.Now()
	if err := os.Remove(file); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(file, "state"), 0o755); err != nil {
		t.Fatal(err)
	}
	h.run(5 * time.Minute)
	s = h.run(time.Minute) // the loop sees what the journal did in the meantime
	if _, _, ok := hasAlarm(s, alarm.JournalRule); ok || !s.Health.JournalOK {
		t.Fatalf("5 min after the state directory came back: journal fault still there (%+v)\n%s", s.Health, logs)
	}
	h.d.shutdown()
	j, err := journal.OpenReadOnly(filepath.Join(file, "state", "journal.db"), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	ms, err := j.Minutes(time.Time{}, time.Time{}, "staff", "pm25")
	if err != nil || len(ms) < 16 || !ms[0].Start.Before(fixedAt.Add(-10*time.Minute)) {
		t.Fatalf("%d minutes kept, from %v: want those held in memory since the start too (%v)", len(ms), ms[0].Start, err)
	}
}

func TestCorruptJournalIsMovedAside(t *testing.T) {
	dir := t.TempDir()
	garbage := bytes.Repeat([]byte("not a database "), 1000)
	if err := os.WriteFile(filepath.Join(dir, "journal.db"), garbage, 0o644); err != nil {
		t.Fatal(err)
	}
	h, logs := newLogHarness(t, dir, t0)
	s := h.run(5 * time.Minute)
	if _, _, ok := hasAlarm(s, alarm.JournalRule); ok {
		t.Fatalf("journal fault after starting a fresh journal: %+v", s.Alarms)
	}
	if !strings.Contains(logs.String(), "moved it aside") {
		t.Errorf("the log does not say the damaged journal was moved:\n%s", logs.String())
	}
	entries, _ := os.ReadDir(dir)
	moved := false
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "journal.db.") && strings.Contains(e.Name(), "corrupt") {
			moved = true
		}
	}
	if !moved {
		t.Errorf("no moved-aside file in %v", entries)
	}
	checkReplaced(t, h, s)
}

// checkReplaced checks that a journal replaced at start raised the
// latching fault and that the fresh journal records the replacement.
func checkReplaced(t *testing.T, h *harness, s *snapshot.Snapshot) {
	t.Helper()
	id, _, ok := hasAlarm(s, alarm.JournalReplacedRule)
	if !ok {
		t.Fatalf("no %s alarm after replacing the journal: %+v", alarm.JournalReplacedRule, s.Alarms)
	}
	if s = h.run(10 * time.Minute); !func() bool { _, _, ok := hasAlarm(s, alarm.JournalReplacedRule); return ok }() {
		t.Error("the replaced-journal alarm cleared by itself; it must latch until acknowledged")
	}
	h.call(func() {
		if _, err := h.d.Acknowledge(t.Context(), id, tester, "old file kept for the audit"); err != nil {
			t.Error(err)
		}
	})
	if s = h.run(time.Second); func() bool { _, _, ok := hasAlarm(s, alarm.JournalReplacedRule); return ok }() {
		t.Error("the replaced-journal alarm is still active after acknowledgement")
	}
	h.d.shutdown()
	j, err := journal.OpenReadOnly(filepath.Join(h.dir, "journal.db"), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	acts, err := j.Actions(time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, a := range acts {
		found = found || a.Kind == string(record.ActJournalReplaced) && strings.Contains(a.Target, ".corrupt-") && a.Error != ""
	}
	if !found {
		t.Errorf("the fresh journal does not record the replacement: %+v", acts)
	}
}

func TestForeignJournalIsNotAdopted(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "journal.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL); INSERT INTO invoices VALUES (1, 9.5)`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	before, _ := os.ReadFile(path)
	h, logs := newLogHarness(t, dir, t0)
	s := h.run(time.Minute)
	if !strings.Contains(logs.String(), "not a ventd journal") {
		t.Errorf("the log does not say the file was not a journal:\n%s", logs)
	}
	matches, _ := filepath.Glob(path + ".corrupt-*")
	var kept bool
	for _, m := range matches {
		if b, _ := os.ReadFile(m); bytes.Equal(b, before) {
			kept = true
		}
	}
	if !kept {
		t.Errorf("the other program's database was not kept unchanged beside the fresh journal: %v", matches)
	}
	checkReplaced(t, h, s)
}

// The minute in progress goes to the journal at once with an alarm
// transition or an action, and the minute's end adds the rest to the same
// row: a crash right after an alarm loses none of the air around it.
func TestAlarmMinuteWrittenAtOnce(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir, t0)
	h.run(90 * time.Second) // mid-minute
	h.call(func() { h.d.Purge(t.Context(), "booth", tester, "drill") })
	mid := h.clk.Now()
	h.snapshot()
	j, err := journal.OpenReadOnly(filepath.Join(dir, "journal.db"), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := j.Minutes(mid.Truncate(time.Minute), mid, "staff", "pm25")
	j.Close()
	if err != nil || len(ms) != 1 || ms[0].CoveredSeconds < 20 || ms[0].CoveredSeconds > 40 {
		t.Fatalf("the minute of the purge on disk at once: %+v, %v; want one row covering the half minute so far", ms, err)
	}
	h.run(time.Minute)
	h.snapshot()
	j, _ = journal.OpenReadOnly(filepath.Join(dir, "journal.db"), journal.Options{})
	defer j.Close()
	ms, _ = j.Minutes(mid.Truncate(time.Minute), mid, "staff", "pm25")
	if len(ms) != 1 || ms[0].CoveredSeconds != 60 || ms[0].Count != 60 {
		t.Fatalf("after the minute: %+v; want the rest merged into one row of 60 s", ms)
	}
}

// A journal replaced at start whose old file cannot be read takes the alarm
// sequence with it: numbering from 1 again repeated numbers a pager bridge
// had seen (it dropped the journal-replaced fault itself as a duplicate)
// and alarm ids an acknowledgement could name. The sequence now starts
// above any number it gave before.
func TestReplacedJournalRepeatsNoNumber(t *testing.T) {
	dir := t.TempDir()
	h, _ := newLogHarness(t, dir, t0)
	h.rig.Room.SetFanStalled("booth-exhaust", true)
	s := h.run(3 * time.Minute)
	stall, _, ok := hasAlarm(s, alarm.FanStallRule("booth-exhaust"))
	if !ok {
		t.Fatalf("no fan stall alarm to number: %+v", s.Alarms)
	}
	h.d.shutdown()
	h.d.Close()
	garbage := bytes.Repeat([]byte("not a database "), 1000)
	if err := os.WriteFile(filepath.Join(dir, "journal.db"), garbage, 0o644); err != nil {
		t.Fatal(err)
	}
	later := h.clk.Now().Add(time.Hour)
	h2, logs := newLogHarness(t, dir, later)
	s = h2.run(time.Minute)
	replaced, _, ok := hasAlarm(s, alarm.JournalReplacedRule)
	if !ok {
		t.Fatalf("no %s alarm: %+v", alarm.JournalReplacedRule, s.Alarms)
	}
	if floor := uint64(later.Unix() / 60); replaced <= stall || replaced < floor {
		t.Errorf("after the replacement the first alarm is %d; the stall before it was %d: want above it, from %d on", replaced, stall, floor)
	}
	if !strings.Contains(logs.String(), "the alarm sequence starts at the minutes since 1970") {
		t.Errorf("the log does not say the sequence jumped:\n%s", logs)
	}
}
