package export_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/sample"
)

// A JSON shift's gaps said when and how long, never why: an auditor had to
// match them against the gaps section by hand. Each carries its reason,
// the journal's word for it; a gap of the record that spans ventd down and
// its start is one part per reason, and a part no gap row covers says so.
func TestJSONShiftGapsHaveReasons(t *testing.T) {
	j := newJournal(t)
	start := dayShift.Start.UTC()
	down := start.Add(2 * time.Hour)
	fault := start.Add(5 * time.Hour)
	sum := exposure.Summary{Quantity: sample.PM25, Unit: "µg/m³", Zone: "staff", Start: start, End: start.Add(12 * time.Hour),
		Until: start.Add(12 * time.Hour), Finished: true, TWA: 4.2, MeanCovered: 8.4, ReductionFactor: 0.5, Limits: exposure.Limits{Alarm: 125.5},
		Gaps: []exposure.Gap{
			{Start: start, Length: exposure.Duration(30 * time.Second)},                      // before ventd ran: no row
			{Start: down, Length: exposure.Duration(10*time.Minute + 2051*time.Millisecond)}, // down, then starting
			{Start: fault, Length: exposure.Duration(time.Minute)},
		}}
	write(t, j, journal.Batch{
		Shifts: []journal.Shift{{Zone: "staff", Quantity: "pm25", Start: sum.Start, End: sum.End, Finished: true, Summary: summaryJSON(t, sum)}},
		Gaps: []journal.Gap{
			{Start: down, End: down.Add(10 * time.Minute), Reason: journal.GapDaemonDown},
			{Start: down.Add(10 * time.Minute), End: down.Add(10*time.Minute + 2051*time.Millisecond), Zone: "staff", Quantity: "pm25", Reason: "starting"},
			{Start: down.Add(10 * time.Minute), End: down.Add(10*time.Minute + 6052*time.Millisecond), Zone: "staff", Quantity: "co2", Reason: "starting"},
			{Start: fault, End: fault.Add(time.Minute), Zone: "staff", Quantity: "pm25", Reason: "sensor_fault"},
		},
	})
	var raw struct {
		Shifts []struct {
			Gaps []map[string]any `json:"gaps"`
		} `json:"shifts"`
	}
	if err := json.Unmarshal(run(t, j, dayOptions(t, "json")), &raw); err != nil || len(raw.Shifts) != 1 {
		t.Fatalf("%v: %d shifts", err, len(raw.Shifts))
	}
	want := []struct {
		start  time.Time
		length float64
		reason string
	}{{start, 30, "unrecorded"}, {down, 600, "daemon_down"}, {down.Add(10 * time.Minute), 2.051, "starting"}, {fault, 60, "sensor_fault"}}
	got := raw.Shifts[0].Gaps
	for _, g := range got {
		t.Logf("gap %v %v s %v", g["start"], g["length_s"], g["reason"])
	}
	if len(got) != len(want) {
		t.Fatalf("%d gaps, want %d: %v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i]["start"] != w.start.Format(time.RFC3339Nano) || got[i]["length_s"] != w.length || got[i]["reason"] != w.reason {
			t.Errorf("gap %d: %v; want %s %v s %s", i, got[i], w.start.Format(time.RFC3339Nano), w.length, w.reason)
		}
	}
	p := parseCSV(t, run(t, j, dayOptions(t, "csv")))
	if n := p.sections["shifts"][0]["gaps"]; n != "4" {
		t.Errorf("CSV gaps %s; want 4, the parts listed with their reasons", n)
	}
}
