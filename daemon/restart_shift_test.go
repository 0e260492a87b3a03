package daemon

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/room"
)

// eightHourShifts is the simulated room with three 8 h shifts (00:00,
// 08:00, 16:00 UTC): a restart replays 8 h 15 min of minutes, which
// reaches into the shift before the running one.
func eightHourShifts() *config.Config {
	cfg := config.Sim()
	cfg.Shifts.Starts = []config.TimeOfDay{0, config.TimeOfDay(8 * time.Hour), config.TimeOfDay(16 * time.Hour)}
	cfg.Shifts.Length = 8 * time.Hour
	return cfg
}

// journalShifts reads the staff PM2.5 shift summaries, by start.
func journalShifts(t *testing.T, dir string) map[time.Time]exposure.Summary {
	t.Helper()
	j, err := journal.Open(filepath.Join(dir, "journal.db"), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	rows, err := j.Shifts(time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[time.Time]exposure.Summary{}
	for _, r := range rows {
		if r.Zone != "staff" || r.Quantity != "pm25" {
			continue
		}
		var s exposure.Summary
		if err := json.Unmarshal(r.Summary, &s); err != nil {
			t.Fatal(err)
		}
		out[r.Start.UTC()] = s
	}
	return out
}

// A restart leaves a finished shift as the journal has it. The replay that
// rebuilds the rolling windows reaches back 8 h 15 min, into the shift
// before the running one; it used to finish that shift again from the
// part of its minutes it reached and write it over the sealed summary
// (an auditor's sweep: TWA 10.8 over the limit became 9.7 under it).
func TestRestartLeavesFinishedShiftsAlone(t *testing.T) {
	dir := t.TempDir()
	cfg := eightHourShifts()
	start := time.Date(2026, 3, 1, 23, 50, 0, 0, time.UTC)
	h := rigHarness(t, cfg, dir, start, testbench.RigOpts{Seed: 7})
	h.run(20 * time.Minute)
	h.rig.Room.StartSession("staff", room.TypicalSession(2, 20*time.Minute)) // smoke early in the shift
	h.run(8*time.Hour + 20*time.Minute)                                      // to 08:30, into the next shift
	h.d.shutdown()
	shift := time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)
	before := journalShifts(t, dir)[shift]
	if !before.Finished || !before.Complete || before.TWA <= 0 {
		t.Fatalf("the 00:00 shift before the restart: %+v", before)
	}

	h2 := rigHarness(t, cfg, dir, h.clk.Now().Add(time.Minute), testbench.RigOpts{Seed: 7})
	h2.run(2 * time.Minute)
	h2.d.shutdown()
	after := journalShifts(t, dir)[shift]
	if after.TWA != before.TWA || after.Covered != before.Covered || after.Complete != before.Complete ||
		after.TimeOverSTEL != before.TimeOverSTEL || after.GapTotal != before.GapTotal {
		t.Errorf("the finished 00:00 shift changed with a restart:\nbefore TWA %v covered %v complete %v gaps %v\nafter  TWA %v covered %v complete %v gaps %v",
			before.TWA, before.Covered, before.Complete, before.GapTotal, after.TWA, after.Covered, after.Complete, after.GapTotal)
	}
}

// Down for longer than the replay reaches (a weekend, a dead SD card),
// the running shift's unmeasured time is a gap, its covered time and gaps
// add up to its length, and a shift wholly inside the outage is recorded
// at no coverage rather than missing. It used to say 12 % covered and no
// gap at all.
func TestLongOutageIsAGapInTheShift(t *testing.T) {
	dir := t.TempDir()
	cfg := eightHourShifts()
	h := rigHarness(t, cfg, dir, time.Date(2026, 3, 2, 7, 50, 0, 0, time.UTC), testbench.RigOpts{Seed: 7})
	h.run(70 * time.Minute) // to 09:00, an hour into the 08:00 shift
	h.d.shutdown()

	back := time.Date(2026, 3, 3, 1, 0, 0, 0, time.UTC) // 16 h later
	h2 := rigHarness(t, cfg, dir, back, testbench.RigOpts{Seed: 7})
	h2.run(2 * time.Minute)
	h2.d.shutdown()
	shifts := journalShifts(t, dir)
	day := shifts[time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)]
	if !day.Finished || day.Complete {
		t.Fatalf("the 08:00 shift: finished %v complete %v; want finished, incomplete", day.Finished, day.Complete)
	}
	if sum := day.Covered.Std() + day.GapTotal.Std(); sum < 8*time.Hour-2*time.Minute || sum > 8*time.Hour {
		t.Errorf("the 08:00 shift: covered %v + gaps %v = %v, want its 8 h", day.Covered.Std(), day.GapTotal.Std(), sum)
	}
	if day.GapTotal.Std() < 6*time.Hour {
		t.Errorf("the 08:00 shift: gaps %v after 7 h down", day.GapTotal.Std())
	}
	evening, ok := shifts[time.Date(2026, 3, 2, 16, 0, 0, 0, time.UTC)]
	if !ok || !evening.Finished || evening.Covered != 0 || evening.GapTotal.Std() != 8*time.Hour {
		t.Errorf("the 16:00 shift, wholly inside the outage: present %v, %+v; want finished, nothing covered, an 8 h gap", ok, evening)
	}
}

// The outage's gap in the journal starts where the data stopped, not at
// the next minute: the gaps an auditor adds up then match the shift's
// unmeasured time (they were 55 s short).
func TestOutageGapStartsAtTheLastReading(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir, t0)
	h.run(10*time.Minute + 25*time.Second)
	stopped := h.clk.Now()
	h.d.shutdown()
	h2 := newHarness(t, dir, stopped.Add(10*time.Minute))
	h2.run(5 * time.Second)
	h2.d.shutdown()
	j, err := journal.Open(filepath.Join(dir, "journal.db"), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	gaps, err := j.Gaps(t0, stopped.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range gaps {
		if g.Reason != journal.GapDaemonDown {
			continue
		}
		if d := g.Start.Sub(stopped); d < -2*time.Second || d > 2*time.Second {
			t.Errorf("the outage's gap starts at %s, the data stopped at %s", g.Start.Format(time.TimeOnly), stopped.Format(time.TimeOnly))
		}
		return
	}
	t.Fatalf("no daemon_down gap: %+v", gaps)
}

// A journal that could be read but not written at start (a card remounted
// read-only, a directory left to root) was not restored from: this run's
// shift started at the restart, and once the journal opened for writing its
// running summary replaced the stored one (07:00 shift: 47 % covered and a
// gap over minutes the file held). Now the shift carries on from the file.
func TestReadOnlyJournalAtStartIsRestoredFrom(t *testing.T) {
	dir := t.TempDir()
	cfg := eightHourShifts()
	h := rigHarness(t, cfg, dir, time.Date(2026, 3, 2, 7, 59, 0, 0, time.UTC), testbench.RigOpts{Seed: 7})
	h.run(91 * time.Minute) // to 09:30, 90 minutes into the 08:00 shift
	h.d.shutdown()
	shift := time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)
	before := journalShifts(t, dir)[shift]

	var refused atomic.Int32
	openJournalFile = func(path string, opts journal.Options) (*journal.Journal, error) {
		if refused.Add(1) == 1 {
			return nil, fmt.Errorf("journal: directory %s is not writable: read-only file system", filepath.Dir(path))
		}
		return journal.Open(path, opts)
	}
	t.Cleanup(func() { openJournalFile = journal.Open })
	h2 := rigHarness(t, cfg, dir, h.clk.Now().Add(30*time.Second), testbench.RigOpts{Seed: 7})
	h2.run(5 * time.Minute) // the recorder opens it again within a minute
	h2.d.shutdown()
	if refused.Load() < 2 {
		t.Fatalf("the journal was opened %d times, want a refusal and a reopen", refused.Load())
	}
	after := journalShifts(t, dir)[shift]
	if after.Covered.Std() < before.Covered.Std()+4*time.Minute {
		t.Errorf("the 08:00 shift covered %v before the restart, %v after 5 more minutes: the stored figures were replaced by this run's",
			before.Covered.Std(), after.Covered.Std())
	}
	// The sensors' factors did not change: none is journaled as changed
	// (read from the journal the start could not write, they were
	// "set ... (was )" for every sensor).
	j, err := journal.OpenReadOnly(filepath.Join(dir, "journal.db"), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	cals, err := j.Calibrations(h.clk.Now(), h2.clk.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cals {
		t.Errorf("a restart that changed no config journaled %s %s: %s", c.Sensor, c.Kind, c.Note)
	}
}
