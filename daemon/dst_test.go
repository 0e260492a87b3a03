package daemon

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/export"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/report"
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/room"
)

var vanLoc, _ = time.LoadLocation("America/Vancouver")

// fiveSecond is config.Sim() at 5 s periods: what these tests hold (where
// shifts fall, what is counted once) does not depend on the period, and
// their nights of 12 h and more run in a fifth of the time (the suite runs
// them under the race detector).
func fiveSecond() *config.Config {
	cfg := config.Sim()
	cfg.Control.Period, cfg.Control.MaxSampleAge = 5*time.Second, 15*time.Second
	return cfg
}

func vancouverNights() *config.Config {
	cfg := fiveSecond()
	cfg.Shifts.TimeZone = "America/Vancouver"
	cfg.Shifts.Starts = []config.TimeOfDay{config.TimeOfDay(7 * time.Hour), config.TimeOfDay(19 * time.Hour)}
	cfg.Shifts.Length = 12 * time.Hour
	return cfg
}

// The fall-back night (1 Nov 2026 in Vancouver), with restarts in both
// passes of 01:xx: the 19:00 PDT - 07:00 PST shift is 13 h, every minute is
// in the journal once, covered + gaps = 13 h, and TWA = dose / 8 h.
func TestDSTFallBackNightShiftWithRestarts(t *testing.T) {
	dir := keepDir(t, "fallback")
	cfg := vancouverNights()
	start := time.Date(2026, 10, 31, 18, 40, 0, 0, vanLoc)
	firstOneTwenty := time.Date(2026, 11, 1, 8, 20, 0, 0, time.UTC)  // 01:20 PDT
	secondOneTwenty := time.Date(2026, 11, 1, 9, 20, 0, 0, time.UTC) // 01:20 PST
	end := time.Date(2026, 11, 1, 7, 10, 0, 0, vanLoc)

	h := rigHarness(t, cfg, dir, start, testbench.RigOpts{Seed: 3})
	h.run(30 * time.Minute)
	h.rig.Room.StartSession("staff", room.TypicalSession(2, 20*time.Minute))
	h.run(firstOneTwenty.Sub(h.clk.Now()))
	h.d.shutdown()
	h2 := rigHarness(t, cfg, dir, h.clk.Now().Add(time.Minute), testbench.RigOpts{Seed: 3})
	h2.run(secondOneTwenty.Sub(h2.clk.Now()))
	h2.d.shutdown()
	h3 := rigHarness(t, cfg, dir, h2.clk.Now().Add(time.Minute), testbench.RigOpts{Seed: 3})
	h3.run(end.Sub(h3.clk.Now()))
	h3.d.shutdown()

	shift := time.Date(2026, 10, 31, 19, 0, 0, 0, vanLoc).UTC()
	s, ok := journalShifts(t, dir)[shift]
	if !ok {
		t.Fatalf("no journal summary for the night shift starting %v; have %v", shift, keys(journalShifts(t, dir)))
	}
	t.Logf("night shift: %s - %s length %v finished %v covered %v gaps %v (%d) coverage %.3f RF %v TWA %.4f",
		s.Start.In(vanLoc), s.End.In(vanLoc), time.Duration(s.Length), s.Finished, time.Duration(s.Covered), time.Duration(s.GapTotal), len(s.Gaps), s.Coverage, s.ReductionFactor, s.TWA)
	if time.Duration(s.Length) != 13*time.Hour {
		t.Errorf("length %v, want 13h", time.Duration(s.Length))
	}
	if d := time.Duration(s.Covered + s.GapTotal); d != 13*time.Hour {
		t.Errorf("covered %v + gaps %v = %v, want 13h", time.Duration(s.Covered), time.Duration(s.GapTotal), d)
	}
	j, err := journal.Open(filepath.Join(dir, "journal.db"), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	ms, err := j.Minutes(s.Start, s.End, "staff", "pm25")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[time.Time]int{}
	var dose, cov float64
	for _, m := range ms {
		seen[m.Start]++
		dose += m.Mean * m.CoveredSeconds
		cov += m.CoveredSeconds
	}
	for k, n := range seen {
		if n > 1 {
			t.Errorf("minute %v written %d times", k, n)
		}
	}
	t.Logf("minute rows in shift: %d (of 780), covered %.0f s, minutes' TWA %.4f", len(ms), cov, dose/28800)
	if math.Abs(cov-time.Duration(s.Covered).Seconds()) > 120 {
		t.Errorf("minutes cover %.0f s, the summary %v", cov, time.Duration(s.Covered))
	}
	if math.Abs(dose/28800-s.TWA) > 1e-3*math.Max(1, s.TWA) {
		t.Errorf("minutes' TWA %.5f, summary %.5f", dose/28800, s.TWA)
	}
	v, err := j.Verify(journal.VerifyOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("verify: %+v", fmt.Sprintf("%+v", *v)[:min(400, len(fmt.Sprintf("%+v", *v)))])
}

func keys[K comparable, V any](m map[K]V) []K {
	var out []K
	for k := range m {
		out = append(out, k)
	}
	return out
}

// keepDir is a temporary directory, or $DST_KEEP/name when set, so that
// ventctl can be run on the journal afterwards.
func keepDir(t *testing.T, name string) string {
	if k := os.Getenv("DST_KEEP"); k != "" {
		d := filepath.Join(k, name)
		os.RemoveAll(d)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// The spring-forward night (8 Mar 2026), with a restart across the change
// (down 01:50 PST - 03:10 PDT): the 19:00 PST - 07:00 PDT shift is 11 h.
func TestDSTSpringForwardNightShiftWithRestart(t *testing.T) {
	dir := keepDir(t, "spring")
	cfg := vancouverNights()
	start := time.Date(2026, 3, 7, 18, 40, 0, 0, vanLoc)
	down := time.Date(2026, 3, 8, 1, 50, 0, 0, vanLoc)
	up := time.Date(2026, 3, 8, 3, 10, 0, 0, vanLoc)
	end := time.Date(2026, 3, 8, 7, 10, 0, 0, vanLoc)
	h := rigHarness(t, cfg, dir, start, testbench.RigOpts{Seed: 3})
	h.run(30 * time.Minute)
	h.rig.Room.StartSession("staff", room.TypicalSession(2, 20*time.Minute))
	h.run(down.Sub(h.clk.Now()))
	h.d.shutdown()
	h2 := rigHarness(t, cfg, dir, up, testbench.RigOpts{Seed: 3})
	h2.run(end.Sub(h2.clk.Now()))
	h2.d.shutdown()
	shift := time.Date(2026, 3, 7, 19, 0, 0, 0, vanLoc).UTC()
	s, ok := journalShifts(t, dir)[shift]
	if !ok {
		t.Fatalf("no journal summary for the night shift starting %v; have %v", shift, keys(journalShifts(t, dir)))
	}
	t.Logf("night shift: %s - %s length %v finished %v covered %v gaps %v %v coverage %.3f RF %v TWA %.4f",
		s.Start.In(vanLoc), s.End.In(vanLoc), time.Duration(s.Length), s.Finished, time.Duration(s.Covered), time.Duration(s.GapTotal), s.Gaps, s.Coverage, s.ReductionFactor, s.TWA)
	if time.Duration(s.Length) != 11*time.Hour {
		t.Errorf("length %v, want 11h", time.Duration(s.Length))
	}
	if d := time.Duration(s.Covered + s.GapTotal); d != 11*time.Hour {
		t.Errorf("covered + gaps = %v, want 11h", d)
	}
	if g := time.Duration(s.GapTotal); g < 20*time.Minute || g > 22*time.Minute {
		t.Errorf("gap total %v, want about 20 min (01:50 PST to 03:10 PDT)", g)
	}
}

// shifts.time_zone changed between restarts (UTC -> America/Vancouver,
// both 07:00/19:00 12 h). The journal's running shift (07:00Z) stayed
// unfinished and unsealed for good, its last 2 h 10 min neither covered
// nor a gap, and the new schedule's 19:00 PST shift (03:00Z-15:00Z), over
// before the restart, was rebuilt from the replayed minutes: ten hours of
// air in two shifts (TWA 22.5 in one row, 20.8 in another).
func TestDSTTimeZoneChangeBetweenRestarts(t *testing.T) {
	dir := keepDir(t, "tzchange")
	cfgUTC := fiveSecond()
	cfgUTC.Shifts.TimeZone = "UTC"
	cfgVan := vancouverNights()
	h := rigHarness(t, cfgUTC, dir, time.Date(2026, 3, 2, 6, 50, 0, 0, time.UTC), testbench.RigOpts{Seed: 3})
	h.run(20 * time.Minute)
	h.rig.Room.StartSession("staff", room.TypicalSession(2, 20*time.Minute))
	h.run(10*time.Hour - 20*time.Minute) // to 16:50Z, in the 07:00Z shift
	h.d.shutdown()
	h2 := rigHarness(t, cfgVan, dir, h.clk.Now().Add(time.Minute), testbench.RigOpts{Seed: 3})
	h2.run(12 * time.Hour) // to 04:51Z Mar 3: past 19:00Z and 15:00Z (07:00 PST) and 03:00Z (19:00 PST)
	h2.d.shutdown()
	j, err := journal.Open(filepath.Join(dir, "journal.db"), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	// The rows of the two schedules overlap in time (07:00Z-19:00Z and
	// 15:00Z-03:00Z); what they measured must not.
	shifts := shiftRows(t, j, "staff", "pm25")
	measuredOnce(t, shifts)
	for _, s := range shifts {
		if !s.Finished && s.End.Before(h2.clk.Now()) {
			t.Errorf("shift %s-%s ended before the daemon's last minute but is still unfinished in the journal", s.Start.UTC().Format("15:04Z"), s.End.UTC().Format("15:04Z"))
		}
		if d := s.Covered + s.GapTotal; d != s.Elapsed {
			t.Errorf("shift %s: covered %v + gaps %v != elapsed %v", s.Start.UTC().Format("15:04Z"), time.Duration(s.Covered), time.Duration(s.GapTotal), time.Duration(s.Elapsed))
		}
	}
	// The rest of the closed shift is a gap the journal says why.
	gaps, err := j.Gaps(time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, g := range gaps {
		found = found || g.Reason == "schedule_changed" && g.Zone == "staff"
	}
	if !found {
		t.Errorf("no schedule_changed gap in the journal: %+v", gaps)
	}
}

// Shifts at 02:00, 10:00 and 18:00 in Vancouver over the spring-forward
// night: 02:00 does not exist on 8 Mar 2026. Config validation warns "that
// day's shift starts an hour off". Which way, and where does the hour go?
func TestDSTShiftStartInSkippedHour(t *testing.T) {
	dir := keepDir(t, "skipped")
	cfg := fiveSecond()
	cfg.Shifts.TimeZone = "America/Vancouver"
	cfg.Shifts.Starts = []config.TimeOfDay{config.TimeOfDay(2 * time.Hour), config.TimeOfDay(10 * time.Hour), config.TimeOfDay(18 * time.Hour)}
	cfg.Shifts.Length = 8 * time.Hour
	h := rigHarness(t, cfg, dir, time.Date(2026, 3, 7, 23, 30, 0, 0, vanLoc), testbench.RigOpts{Seed: 3})
	h.run(11 * time.Hour) // to 11:30 PDT
	h.d.shutdown()
	for st, s := range journalShifts(t, dir) {
		t.Logf("shift %s - %s length %v finished %v", st.In(vanLoc).Format("01-02 15:04 MST"), s.End.In(vanLoc).Format("01-02 15:04 MST"), time.Duration(s.Length), s.Finished)
	}
	// A roster's "02:00" on this night is the moment the clocks jump
	// (01:59:59 PST -> 03:00 PDT): the night crew works until then, 8 h.
	want := time.Date(2026, 3, 8, 10, 0, 0, 0, time.UTC) // 02:00 PST = 03:00 PDT
	if _, ok := journalShifts(t, dir)[want]; !ok {
		t.Errorf("no shift starts at the change (03:00 PDT, %s): the 02:00 shift starts elsewhere", want)
	}
}

// ventctl report -shift 02:00 for 8 Mar 2026 (same journal as above): the
// day's 02:00 shift ran (it starts 01:00 PST), but the report says "0
// shifts": the filter compares the shift's local start with "02:00".
func TestDSTReportShiftFilterFindsTheSkippedStart(t *testing.T) {
	dir := keepDir(t, "skipped-report")
	cfg := fiveSecond()
	cfg.Shifts.TimeZone = "America/Vancouver"
	cfg.Shifts.Starts = []config.TimeOfDay{config.TimeOfDay(2 * time.Hour), config.TimeOfDay(10 * time.Hour), config.TimeOfDay(18 * time.Hour)}
	cfg.Shifts.Length = 8 * time.Hour
	h := rigHarness(t, cfg, dir, time.Date(2026, 3, 8, 0, 30, 0, 0, vanLoc), testbench.RigOpts{Seed: 3})
	h.run(3 * time.Hour)
	h.d.shutdown()
	j, err := journal.Open(filepath.Join(dir, "journal.db"), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	from, to, _ := export.ParseWindow("2026-03-08", "2026-03-08", vanLoc)
	var buf bytes.Buffer
	if err := report.Write(&buf, j, report.Options{From: from, To: to, Shift: "02:00", Format: "html", Location: vanLoc, Now: h.clk.Now(), Config: cfg}); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(buf.Bytes(), []byte(">0 shifts")) || bytes.Contains(buf.Bytes(), []byte(" 0 shifts")) {
		t.Errorf("the report of the 02:00 shift of 8 Mar 2026 lists no shift; the shift ran from 01:00 PST")
	}
}

// time_zone: Local (the default) on a Pi set to Vancouver (run with
// TZ=America/Vancouver): the journal keeps "Local" as the site's zone, so
// ventctl on another machine reads the site's days in its own zone.
func TestDSTLocalZoneKeptByName(t *testing.T) {
	if time.Local.String() != "Local" || time.Now().In(time.Local).Location() == time.UTC {
		t.Log("run with TZ=America/Vancouver to mimic a Pi set to the site's zone")
	}
	dir := keepDir(t, "local")
	cfg := fiveSecond()
	cfg.Shifts.TimeZone = "Local"
	h := rigHarness(t, cfg, dir, time.Date(2026, 3, 2, 6, 50, 0, 0, time.Local), testbench.RigOpts{Seed: 3})
	h.run(30 * time.Minute)
	h.d.shutdown()
	j, err := journal.Open(filepath.Join(dir, "journal.db"), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	tz, _, _ := j.Meta(journal.TimeZoneKey)
	if _, err := time.LoadLocation(tz); err != nil || tz == "Local" {
		t.Errorf("the journal keeps the site's time zone as %q: a reader elsewhere cannot tell the site's zone (here %s)", tz, time.Now().Format("MST -0700"))
	}
}

// ventd is down across the end of the 13 h fall-back night shift (06:00 PST
// to 08:00 PST): at the restart the shift is finished with its real length
// and the missing hour as a gap.
func TestDSTDownAcrossFallBackShiftEnd(t *testing.T) {
	dir := keepDir(t, "downend")
	cfg := vancouverNights()
	h := rigHarness(t, cfg, dir, time.Date(2026, 10, 31, 18, 50, 0, 0, vanLoc), testbench.RigOpts{Seed: 3})
	h.run(time.Date(2026, 11, 1, 6, 0, 0, 0, vanLoc).Sub(h.clk.Now()))
	h.d.shutdown()
	h2 := rigHarness(t, cfg, dir, time.Date(2026, 11, 1, 8, 0, 0, 0, vanLoc), testbench.RigOpts{Seed: 3})
	h2.run(5 * time.Minute)
	h2.d.shutdown()
	all := journalShifts(t, dir)
	s, ok := all[time.Date(2026, 10, 31, 19, 0, 0, 0, vanLoc).UTC()]
	if !ok {
		t.Fatalf("no night shift; have %v", keys(all))
	}
	t.Logf("night: %s - %s length %v finished %v covered %v gaps %v %v", s.Start.In(vanLoc), s.End.In(vanLoc), time.Duration(s.Length), s.Finished, time.Duration(s.Covered), time.Duration(s.GapTotal), s.Gaps)
	if !s.Finished || time.Duration(s.Length) != 13*time.Hour || time.Duration(s.Covered+s.GapTotal) != 13*time.Hour {
		t.Errorf("night shift after a restart past its end: finished %v length %v covered+gaps %v", s.Finished, time.Duration(s.Length), time.Duration(s.Covered+s.GapTotal))
	}
	d, ok := all[time.Date(2026, 11, 1, 7, 0, 0, 0, vanLoc).UTC()]
	if ok {
		t.Logf("day: covered %v gaps %v %v", time.Duration(d.Covered), time.Duration(d.GapTotal), d.Gaps)
	}
}
