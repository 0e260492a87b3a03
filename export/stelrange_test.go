package export_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/sample"
)

// In dense smoke every sensor reads above its range: that time is left out
// of the 15 min average though the air held at least the range's top, so
// the shift's STEL peak understates it, and the export said nothing
// (stel_peak_is_lower_bound false for a live shift). The peak is flagged a
// lower bound, and stel_peak_above_range_s says how much of its window
// was above the range.
func TestSTELPeakWithAboveRangeIsALowerBound(t *testing.T) {
	j := newJournal(t)
	start := dayShift.Start.UTC()
	peakAt := start.Add(3 * time.Hour)
	sum := exposure.Summary{Quantity: sample.PM25, Unit: "µg/m³", Zone: "staff", Start: start, End: start.Add(12 * time.Hour),
		Until: start.Add(12 * time.Hour), Finished: true, TWA: 42, MeanCovered: 80, ReductionFactor: 0.5,
		Limits: exposure.Limits{Alarm: 125.5}, STELPeak: 912, STELPeakAt: peakAt}
	clean := sum
	clean.Zone = "booth"
	write(t, j, journal.Batch{
		Shifts: []journal.Shift{
			{Zone: "staff", Quantity: "pm25", Start: sum.Start, End: sum.End, Finished: true, Summary: summaryJSON(t, sum)},
			{Zone: "booth", Quantity: "pm25", Start: sum.Start, End: sum.End, Finished: true, Summary: summaryJSON(t, clean)},
		},
		Gaps: []journal.Gap{{Start: peakAt.Add(-6 * time.Minute), End: peakAt.Add(-2 * time.Minute), Zone: "staff", Quantity: "pm25", Reason: "above_range"}},
	})
	p := parseCSV(t, run(t, j, dayOptions(t, "csv")))
	for zone, want := range map[string][2]string{"staff": {"true", "240.000"}, "booth": {"false", "0.000"}} {
		r := shiftRow(t, p, zone, dayShift.Start)
		t.Logf("%s: stel_peak %s, stel_peak_is_lower_bound %q, stel_peak_above_range_s %q", zone, r["stel_peak"], r["stel_peak_is_lower_bound"], r["stel_peak_above_range_s"])
		if r["stel_peak_is_lower_bound"] != want[0] || r["stel_peak_above_range_s"] != want[1] {
			t.Errorf("%s: lower bound %q, above the range %q s of the peak's window; want %q, %q", zone,
				r["stel_peak_is_lower_bound"], r["stel_peak_above_range_s"], want[0], want[1])
		}
	}
	var doc struct {
		Shifts []map[string]any `json:"shifts"`
	}
	if err := json.Unmarshal(run(t, j, dayOptions(t, "json")), &doc); err != nil {
		t.Fatal(err)
	}
	for _, sh := range doc.Shifts {
		if sh["zone"] == "staff" && (sh["stel_peak_is_lower_bound"] != true || sh["stel_peak_above_range_s"] != 240.0) {
			t.Errorf("JSON staff: lower bound %v, above the range %v; want true, 240", sh["stel_peak_is_lower_bound"], sh["stel_peak_above_range_s"])
		}
	}
}
