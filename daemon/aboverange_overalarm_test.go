package daemon

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/export"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/report"
	"github.com/ventd/ventd/snapshot"
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/room"
)

// staffPM25 is the staff area's PM2.5 exposure record in s.
func staffPM25(t *testing.T, s *snapshot.Snapshot) exposure.Snapshot {
	t.Helper()
	for _, e := range s.Exposure {
		if e.Zone == "staff" && e.Quantity == "pm25" {
			return e
		}
	}
	t.Fatal("no staff pm25 exposure record")
	return exposure.Snapshot{Series: &exposure.Series{}}
}

// aboveRangeIn sums the journal's above_range gaps of the staff PM2.5.
func aboveRangeIn(t *testing.T, j *journal.Journal) time.Duration {
	t.Helper()
	gaps, err := j.Gaps(time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var above time.Duration
	for _, g := range gaps {
		if g.Zone == "staff" && g.Quantity == "pm25" && g.Reason == record.GapAboveRange {
			above += g.End.Sub(g.Start)
		}
	}
	return above
}

// Dense smoke in the staff area reads above the SPS30's 1000 µg/m³, far
// over the 125.5 µg/m³ alarm level; the record kept it as an above_range
// gap and counted none of it over the alarm level: minutes of the worst
// air read 0 s over it, live, after a restart, in the export and in the
// report. Now the time counts, and each of them says how much of the
// figure it is, with the same figure.
func TestStaffSmokeAboveRangeIsTimeOverAlarm(t *testing.T) {
	dir := t.TempDir()
	cfg := eightHourShifts()
	h := rigHarness(t, cfg, dir, t0, testbench.RigOpts{Seed: 7})
	h.run(2 * time.Minute)
	h.rig.Room.StartSession("staff", room.Session{PM25MgPerMin: 200, Duration: 12 * time.Minute})
	h.run(10 * time.Minute) // stopped in the smoke
	before := staffPM25(t, h.snapshot())
	h.d.shutdown()
	first := aboveRangeIn(t, journalIn(t, dir))
	if first < 3*time.Minute {
		t.Fatalf("%v above the range before the restart; the test wants minutes of it", first)
	}
	if sh := before.Shift; sh == nil || sh.TimeOverAlarm.Std() < first-2*time.Minute {
		// The shift summary in a record is taken each minute.
		t.Errorf("live, before the restart: shift %+v over the alarm level, %v above the range", sh, first)
	}
	if before.Totals.OverAlarm.Std() < first || before.Totals.OverAlarmAboveRange.Std() != first {
		t.Errorf("live totals: over alarm %v, above the range %v; the journal has %v above the range",
			before.Totals.OverAlarm, before.Totals.OverAlarmAboveRange, first)
	}

	h2 := rigHarness(t, cfg, dir, h.clk.Now().Add(time.Minute), testbench.RigOpts{Seed: 7})
	restored := staffPM25(t, h2.run(time.Second))
	if sh := restored.Shift; sh == nil || sh.TimeOverAlarmAboveRange.Std() != first || sh.TimeOverAlarm.Std() < first {
		t.Errorf("after the restart: shift %+v; the journal has %v above the range", sh, first)
	}
	h2.run(time.Minute)
	h2.rig.Room.StartSession("staff", room.Session{PM25MgPerMin: 200, Duration: 12 * time.Minute})
	h2.run(12 * time.Minute)
	h2.d.shutdown()
	j := journalIn(t, dir)
	above := aboveRangeIn(t, j)
	shifts := journalShifts(t, dir)
	final, ok := shifts[t0.Truncate(8*time.Hour)]
	if !ok {
		t.Fatalf("no staff pm25 summary for the shift; have %v", shifts)
	}
	if final.TimeOverAlarmAboveRange.Std() != above || final.TimeOverAlarm.Std() < above {
		t.Errorf("journal: over the alarm level %v, above the range %v; its above_range gaps sum to %v",
			final.TimeOverAlarm, final.TimeOverAlarmAboveRange, above)
	}

	t.Logf("above the range %v before the restart, %v in all; the shift's time over the alarm level %v", first, above, final.TimeOverAlarm)
	var buf bytes.Buffer
	if err := export.Write(&buf, j, export.Options{Format: "json", Now: h2.clk.Now(), Software: "test", Config: cfg}); err != nil {
		t.Fatal(err)
	}
	var doc export.Document
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	var row *export.Shift
	for i, r := range doc.Shifts {
		if r.Zone == "staff" && r.Quantity == "pm25" && r.Start.Equal(final.Start) {
			row = &doc.Shifts[i]
		}
	}
	if row == nil || row.TimeOverAlarm != final.TimeOverAlarm || row.TimeOverAlarmAboveRange != final.TimeOverAlarmAboveRange {
		t.Fatalf("export: %+v; the journal's summary has %v over the alarm level, %v of it above the range", row, final.TimeOverAlarm, final.TimeOverAlarmAboveRange)
	}
	f := row.Fields()
	if f["time_over_alarm_s"] == "" || f["time_over_alarm_above_range_s"] == "" || f["time_over_alarm_above_range_s"] == "0.000" {
		t.Errorf("export CSV fields: time_over_alarm_s %q, time_over_alarm_above_range_s %q", f["time_over_alarm_s"], f["time_over_alarm_above_range_s"])
	}

	buf.Reset()
	if err := report.Write(&buf, j, report.Options{Format: "html", Location: time.UTC, Now: h2.clk.Now(), Config: cfg}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{f["time_over_alarm_s"] + " s", "above the sensor&#39;s range", f["time_over_alarm_above_range_s"] + " s"} {
		if !bytes.Contains(buf.Bytes(), []byte(want)) {
			t.Errorf("the report lacks %q: it must give the time over the alarm level and how much of it was above the sensor's range", want)
		}
	}
}
