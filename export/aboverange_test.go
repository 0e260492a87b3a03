package export_test

import (
	"math"
	"testing"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/sample"
)

// A shift rebuilt from the journal's minutes (no summary stored) and the
// OpenMetrics backfill counted none of the time the staff sensor read
// above its range as over the alarm level, where the daemon counts it
// live: 10 min 20 s of dense smoke read 0 s over 125.5 µg/m³. Both now
// count the above_range gaps as the live tracker does, to the second.
func TestRebuiltShiftCountsAboveRangeOverAlarm(t *testing.T) {
	c := *cfg
	c.Zones = []config.Zone{{Name: "staff", Kind: config.Staff}}
	c.Sensors = []config.Sensor{{Name: "staff-pm", Type: config.SPS30, Zone: "staff", PMCalibration: 1}}
	c.Thresholds.PM25 = config.Level{Warning: 35, Alarm: 125.5}
	tr, err := exposure.New(exposure.Opts{Quantity: sample.PM25, Zone: "staff", Limits: exposure.ConfigLimits(&c, sample.PM25), Schedule: sched})
	if err != nil {
		t.Fatal(err)
	}
	// Smoke over the range from 20 s into a minute, so that minutes hold
	// both data and time above the range.
	smoke := [2]time.Time{dayShift.Start.Add(3*time.Hour + 20*time.Second), dayShift.Start.Add(3*time.Hour + 10*time.Minute + 40*time.Second)}
	var b journal.Batch
	var m *journal.Minute
	for at := dayShift.Start.Add(-exposure.STELWindow); at.Before(dayShift.End); at = at.Add(time.Second) {
		if start := at.Truncate(time.Minute); m == nil || !m.Start.Equal(start) {
			if m != nil && m.Count > 0 {
				b.Minutes = append(b.Minutes, *m)
			}
			m = &journal.Minute{Start: start, Zone: "staff", Quantity: "pm25"}
		}
		if !at.Before(smoke[0]) && at.Before(smoke[1]) {
			if err := tr.AddAboveRange(at, 1000); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := tr.Add(at, 40); err != nil {
			t.Fatal(err)
		}
		m.Mean = (m.Mean*float64(m.Count) + 40) / float64(m.Count+1)
		m.Max, m.Count, m.CoveredSeconds = 40, m.Count+1, m.CoveredSeconds+1
	}
	b.Minutes = append(b.Minutes, *m)
	b.Gaps = []journal.Gap{{Start: smoke[0], End: smoke[1], Zone: "staff", Quantity: "pm25", Reason: record.GapAboveRange}}
	if err := tr.Gap(dayShift.End, dayShift.End); err != nil {
		t.Fatal(err)
	}
	var live exposure.Summary
	for _, s := range finishedOf(tr) {
		if s.Start.Equal(dayShift.Start) {
			live = s
		}
	}
	if want := exposure.Duration(smoke[1].Sub(smoke[0])); live.TimeOverAlarm != want || live.TimeOverAlarmAboveRange != want {
		t.Fatalf("live: over alarm %v, above the range %v; want %v", live.TimeOverAlarm, live.TimeOverAlarmAboveRange, want)
	}
	j := newJournal(t)
	write(t, j, b)

	o := dayOptions(t, "csv")
	o.Config = &c
	r := shiftRow(t, parseCSV(t, run(t, j, o)), "staff", dayShift.Start)
	if r["source"] != "minutes" || r["time_over_alarm_s"] != f3(live.TimeOverAlarm.Std().Seconds()) ||
		r["time_over_alarm_above_range_s"] != f3(live.TimeOverAlarmAboveRange.Std().Seconds()) ||
		r["coverage_pct"] != f3(live.Coverage) {
		t.Errorf("rebuilt: source %s, over alarm %s s, above the range %s s, coverage %s %%; live %v, %v, %.3f %%",
			r["source"], r["time_over_alarm_s"], r["time_over_alarm_above_range_s"], r["coverage_pct"],
			live.TimeOverAlarm, live.TimeOverAlarmAboveRange, live.Coverage)
	}

	o.Format = "openmetrics"
	var over, above float64
	for _, s := range parseOM(t, run(t, j, o)) {
		if s.labels["zone"] != "staff" || s.labels["pollutant"] != "pm25" || !s.at.Equal(dayShift.End.Add(-time.Minute)) {
			continue
		}
		switch s.name {
		case "ventd_exposure_shift_over_alarm_seconds":
			over = s.value
		case "ventd_exposure_shift_over_alarm_above_range_seconds":
			above = s.value
		}
	}
	if want := live.TimeOverAlarm.Std().Seconds(); math.Abs(over-want) > 1e-9 || math.Abs(above-want) > 1e-9 {
		t.Errorf("openmetrics a minute before the shift's end: over alarm %v s, above the range %v s; live %v s", over, above, want)
	}
}

func finishedOf(tr *exposure.Tracker) []exposure.Summary {
	s, _ := tr.TakeFinished()
	return s
}
