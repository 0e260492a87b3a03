package daemon

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
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
	dir := t.TempDir()
	cfgA := config.Sim()
	cfgA.Shifts.TimeZone = "UTC"
	cfgA.Shifts.Starts = []config.TimeOfDay{config.TimeOfDay(7 * time.Hour)}
	cfgA.Shifts.Length = 8 * time.Hour
	cfgB := config.Sim()
	cfgB.Shifts.TimeZone = "UTC"
	cfgB.Shifts.Starts = []config.TimeOfDay{config.TimeOfDay(8 * time.Hour)}
	cfgB.Shifts.Length = 8 * time.Hour
	h := rigHarness(t, cfgA, dir, time.Date(2026, 3, 2, 6, 50, 0, 0, time.UTC), testbench.RigOpts{Seed: 3})
	h.run(20 * time.Minute)
	h.rig.Room.StartSession("staff", room.TypicalSession(2, 20*time.Minute))
	h.run(8 * time.Hour) // to 15:10Z: the 07:00 shift finished at 15:00
	h.d.shutdown()
	h2 := rigHarness(t, cfgB, dir, h.clk.Now().Add(time.Minute), testbench.RigOpts{Seed: 3})
	h2.run(time.Hour) // to 16:11Z: past the new shift's end
	h2.d.shutdown()
	j, err := journal.Open(filepath.Join(dir, "journal.db"), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	rows, err := j.Shifts(time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	type iv struct{ a, b time.Time }
	var covered []iv
	for _, r := range rows {
		if r.Zone != "staff" || r.Quantity != "pm25" {
			continue
		}
		var s exposureSummary
		if err := jsonUnmarshal(r.Summary, &s); err != nil {
			t.Fatal(err)
		}
		t.Logf("shift %s - %s finished %v: until %s covered %v gaps %v TWA %.4f", r.Start.UTC().Format("15:04Z"), r.End.UTC().Format("15:04Z"), r.Finished,
			s.Until.UTC().Format("15:04:05Z"), time.Duration(s.Covered), time.Duration(s.GapTotal), s.TWA)
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
