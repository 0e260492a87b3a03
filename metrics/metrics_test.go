package metrics

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/snapshot"
)

func TestCollectors(t *testing.T) {
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	snap := &snapshot.Snapshot{
		Site: "S", Room: "R", Time: t0,
		Readings: []snapshot.Reading{
			{Sensor: "staff-pm", Zone: "staff", Quantity: "pm25", Value: 12.5, Quality: sample.Good, AgeSeconds: 1},
			// A faulty reading's value is not exported: the series shows
			// the gap instead of a number that no longer describes the air.
			{Sensor: "booth-pm", Zone: "booth", Quantity: "pm25", Value: 999, Quality: sample.Fault, AgeSeconds: 30},
		},
		Exposure: []exposure.Snapshot{{
			Quantity: "pm25", Zone: "staff", STEL: exposure.Unknown, TWA8h: 3.5, Mean8h: 10, Coverage8h: 50,
			Shift: &exposure.Summary{TWA: 4.25, Coverage: 99, STELPeak: exposure.Conc(20), Start: t0.Add(-2 * time.Hour), ReductionFactor: 0.5},
		}},
		Alarms: alarm.Summary{Highest: alarm.LevelAlarm, Unacked: 1, Alarms: []alarm.Alarm{
			{ID: 7, RuleID: "staff/pm25/alarm", Level: alarm.LevelAlarm, Subject: "staff"},
		}},
	}
	reg := prometheus.NewRegistry()
	if err := Register(reg, "S", "R", func() *snapshot.Snapshot { return snap }); err != nil {
		t.Fatal(err)
	}
	want := `
# HELP ventd_pm25_ugm3 PM2.5 mass concentration in µg/m³, site calibration applied.
# TYPE ventd_pm25_ugm3 gauge
ventd_pm25_ugm3{room="R",sensor="staff-pm",site="S",zone="staff"} 12.5
# HELP ventd_exposure_shift_twa Current shift's TWA so far, OSHA formula E = Σ CᵢTᵢ / 8 h.
# TYPE ventd_exposure_shift_twa gauge
ventd_exposure_shift_twa{quantity="pm25",room="R",site="S",zone="staff"} 4.25
# HELP ventd_exposure_twa_8h Rolling 8 h TWA by the OSHA formula (Σ CᵢTᵢ / 8 h; unmeasured time adds nothing).
# TYPE ventd_exposure_twa_8h gauge
ventd_exposure_twa_8h{quantity="pm25",room="R",site="S",zone="staff"} 3.5
# HELP ventd_alarm_active 1 for each active alarm; acked says whether staff acknowledged it.
# TYPE ventd_alarm_active gauge
ventd_alarm_active{acked="false",level="alarm",room="R",rule="staff/pm25/alarm",site="S",subject="staff"} 1
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want),
		"ventd_pm25_ugm3", "ventd_exposure_shift_twa", "ventd_exposure_twa_8h", "ventd_alarm_active"); err != nil {
		t.Error(err)
	}
	// An unknown STEL (no data in the window) is absent, never 0 or NaN.
	if n, err := testutil.GatherAndCount(reg, "ventd_exposure_stel"); err != nil || n != 0 {
		t.Errorf("ventd_exposure_stel series = %d (%v), want none", n, err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			if v := m.GetGauge().GetValue(); math.IsNaN(v) {
				t.Errorf("%s exported NaN", mf.GetName())
			}
		}
	}
	// Before the first snapshot nothing is exported and nothing fails.
	snap = nil
	if _, err := reg.Gather(); err != nil {
		t.Fatal(err)
	}
}
