package daemon

import (
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/room"
)

// The schedule changed across a restart made between two shifts (one
// 07:00 8 h shift a day, then one 08:00 8 h shift a day; down 15:10-15:11):
// the journal has no running shift, so Resume never says
// ErrScheduleChanged and RecordShiftsFrom is never called. The replay then
// builds the new 08:00 shift from the minutes 08:00-15:00 that the
// finished 07:00 shift already holds: the same air in two shift rows.
func TestScheduleChangedBetweenShiftsCountsNoMinuteTwice(t *testing.T) {
	tod := func(hs ...int) (out []config.TimeOfDay) {
		for _, h := range hs {
			out = append(out, config.TimeOfDay(time.Duration(h)*time.Hour))
		}
		return out
	}
	t.Run("between shifts", func(t *testing.T) {
		// one 07:00 8 h shift, then one 08:00 8 h shift; down 15:10-15:11
		scheduleChange(t, tod(7), 8*time.Hour, tod(8), 8*time.Hour, time.Date(2026, 3, 2, 6, 50, 0, 0, time.UTC), 8*time.Hour+20*time.Minute, time.Hour)
	})
	t.Run("running shift resumes", func(t *testing.T) {
		// 07/15/23 8 h, then 07/19 12 h; down 13:00-13:01: the running
		// 07:00 shift resumes as 07:00-19:00 (no ErrScheduleChanged), and
		// the replay from 04:46 rebuilds the new 19:00-07:00 shift from
		// minutes the finished 23:00-07:00 shift holds.
		scheduleChange(t, tod(7, 15, 23), 8*time.Hour, tod(7, 19), 12*time.Hour, time.Date(2026, 3, 1, 22, 50, 0, 0, time.UTC), 14*time.Hour+10*time.Minute, time.Hour)
	})
}

func scheduleChange(t *testing.T, startsA []config.TimeOfDay, lenA time.Duration, startsB []config.TimeOfDay, lenB time.Duration, start time.Time, runA, runB time.Duration) {
	dir := t.TempDir()
	cfgA := fiveSecond()
	cfgA.Shifts.TimeZone = "UTC"
	cfgA.Shifts.Starts = startsA
	cfgA.Shifts.Length = lenA
	cfgB := fiveSecond()
	cfgB.Shifts.TimeZone = "UTC"
	cfgB.Shifts.Starts = startsB
	cfgB.Shifts.Length = lenB
	h := rigHarness(t, cfgA, dir, start, testbench.RigOpts{Seed: 3})
	h.run(20 * time.Minute)
	h.rig.Room.StartSession("staff", room.TypicalSession(2, 20*time.Minute))
	h.run(runA - 20*time.Minute)
	h.d.shutdown()
	h2 := rigHarness(t, cfgB, dir, h.clk.Now().Add(time.Minute), testbench.RigOpts{Seed: 3})
	h2.run(runB)
	h2.d.shutdown()
	j, err := journal.Open(filepath.Join(dir, "journal.db"), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	measuredOnce(t, shiftRows(t, j, "staff", "pm25"))
}

// shiftRows returns the journal's shift rows of zone and quantity with
// their summaries, logged.
func shiftRows(t *testing.T, j *journal.Journal, zone, q string) []exposure.Summary {
	t.Helper()
	rows, err := j.Shifts(time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var out []exposure.Summary
	for _, r := range rows {
		if r.Zone != zone || r.Quantity != q {
			continue
		}
		var s exposure.Summary
		if err := json.Unmarshal(r.Summary, &s); err != nil {
			t.Fatal(err)
		}
		s.Finished = s.Finished || r.Finished
		t.Logf("shift %s - %s finished %v: until %s covered %v gaps %v TWA %.4f", r.Start.UTC().Format("01-02 15:04Z"), r.End.UTC().Format("01-02 15:04Z"), r.Finished,
			s.Until.UTC().Format("01-02 15:04:05Z"), time.Duration(s.Covered), time.Duration(s.GapTotal), s.TWA)
		out = append(out, s)
	}
	return out
}

// measuredOnce fails when two shift summaries count the same measured
// time: each one's measured time is [start, until) less its gaps. Rows of
// two schedules may overlap in time; what they measured must not.
func measuredOnce(t *testing.T, shifts []exposure.Summary) {
	t.Helper()
	type iv struct{ a, b time.Time }
	var covered []iv
	for _, s := range shifts {
		if s.GapsOmitted > 0 {
			t.Fatalf("shift %s: gaps omitted; its measured time cannot be told", s.Start.UTC().Format("15:04Z"))
		}
		var mine []iv
		at := s.Start
		for _, g := range s.Gaps {
			if g.Start.After(at) {
				mine = append(mine, iv{at, g.Start})
			}
			at = g.Start.Add(time.Duration(g.Length))
		}
		if s.Until.After(at) {
			mine = append(mine, iv{at, s.Until})
		}
		for _, m := range mine {
			for _, o := range covered {
				if o.a.Before(m.b) && m.a.Before(o.b) {
					t.Errorf("measured time counted in two shifts: %s-%s and %s-%s", o.a.UTC().Format("15:04:05Z"), o.b.UTC().Format("15:04:05Z"), m.a.UTC().Format("15:04:05Z"), m.b.UTC().Format("15:04:05Z"))
				}
			}
		}
		covered = append(covered, mine...)
	}
}
