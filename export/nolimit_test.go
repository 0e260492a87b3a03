package export_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/sample"
)

// A time over a limit the pollutant does not have (PM10 has no alarm
// level; no STEL limit for drug smoke) is unknown: an empty cell in CSV and
// null in JSON, by the export's own rule. Both wrote 0, which reads as
// measured and never over. A limit that exists keeps its figure, 0 too.
func TestNoLimitTimeOverIsEmpty(t *testing.T) {
	j := newJournal(t)
	start := dayShift.Start.UTC()
	shift := func(q sample.Quantity, lim exposure.Limits) journal.Shift {
		sum := exposure.Summary{Quantity: q, Unit: "µg/m³", Zone: "staff", Start: start, End: start.Add(12 * time.Hour),
			Until: start.Add(12 * time.Hour), Finished: true, TWA: 4.2, MeanCovered: 8.4, ReductionFactor: 0.5, Limits: lim,
			TimeOverAlarm: exposure.Duration(0), TimeOverSTEL: exposure.Duration(0)}
		return journal.Shift{Zone: "staff", Quantity: string(q), Start: sum.Start, End: sum.End, Finished: true, Summary: summaryJSON(t, sum)}
	}
	write(t, j, journal.Batch{Shifts: []journal.Shift{
		shift(sample.PM10, exposure.Limits{Source: "none"}),
		shift(sample.PM25, exposure.Limits{Alarm: 125.5, Source: "site"}),
	}})
	cols := []string{"time_over_alarm_s", "time_over_alarm_above_range_s", "time_stel_over_limit_s"}
	p := parseCSV(t, run(t, j, dayOptions(t, "csv")))
	for _, r := range p.sections["shifts"] {
		for _, c := range cols {
			t.Logf("CSV %s %s = %q", r["quantity"], c, r[c])
		}
		want := map[string]string{"pm10": "", "pm25": "0.000"}[r["quantity"]]
		if r["time_over_alarm_s"] != want || r["time_over_alarm_above_range_s"] != want || r["time_stel_over_limit_s"] != "" {
			t.Errorf("CSV %s: time over the alarm level %q (above the range %q), over the STEL limit %q; want %q, %q and empty (no STEL limit)",
				r["quantity"], r["time_over_alarm_s"], r["time_over_alarm_above_range_s"], r["time_stel_over_limit_s"], want, want)
		}
	}
	var raw struct {
		Shifts []map[string]any `json:"shifts"`
	}
	if err := json.Unmarshal(run(t, j, dayOptions(t, "json")), &raw); err != nil || len(raw.Shifts) != 2 {
		t.Fatalf("%v: %d shifts", err, len(raw.Shifts))
	}
	for _, sh := range raw.Shifts {
		for _, c := range cols {
			t.Logf("JSON %s %s = %v", sh["quantity"], c, sh[c])
		}
		if sh["time_stel_over_limit_s"] != nil {
			t.Errorf("JSON %s: time_stel_over_limit_s %v with no STEL limit; want null", sh["quantity"], sh["time_stel_over_limit_s"])
		}
		alarm, above := sh["time_over_alarm_s"], sh["time_over_alarm_above_range_s"]
		switch sh["quantity"] {
		case "pm10":
			if alarm != nil || above != nil {
				t.Errorf("JSON pm10: time over the alarm level %v (above the range %v) with no alarm level; want null", alarm, above)
			}
		case "pm25":
			if alarm != 0.0 || above != 0.0 {
				t.Errorf("JSON pm25: time over the alarm level %v (above the range %v); want 0, its level exists", alarm, above)
			}
		}
	}
}
