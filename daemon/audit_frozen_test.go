package daemon

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/testbench"
)

// frozenShiftsAgree checks each staff CO2 shift summary in dir's journal
// against its minute rows: the covered time and the TWA an auditor
// recomputes from the export's minutes must be the summary's.
func frozenShiftsAgree(t *testing.T, dir string) {
	t.Helper()
	j := journalIn(t, dir)
	shifts, _ := j.Shifts(time.Time{}, time.Time{})
	for _, sh := range shifts {
		if sh.Zone != "staff" || sh.Quantity != "co2" {
			continue
		}
		var sum exposure.Summary
		if err := json.Unmarshal(sh.Summary, &sum); err != nil {
			t.Fatal(err)
		}
		ms, _ := j.Minutes(sh.Start, sh.End, "staff", "co2")
		var cov, dose float64
		for _, m := range ms {
			cov += m.CoveredSeconds
			dose += m.Mean * m.CoveredSeconds
		}
		if d := math.Abs(cov - sum.Covered.Std().Seconds()); d > 60 {
			t.Errorf("staff/co2 shift %s (finished %v): the summary covers %v, its minute rows %.0f s", sh.Start.Format(time.DateTime), sh.Finished, sum.Covered.Std(), cov)
		}
		if twa := dose / (8 * 3600); math.Abs(twa-sum.TWA) > 0.01*sum.TWA {
			t.Errorf("staff/co2 shift %s (finished %v): TWA %.2f in the summary, %.2f from its minute rows", sh.Start.Format(time.DateTime), sh.Finished, sum.TWA, twa)
		}
	}
}

// A reading that froze 15 min before a shift's end is found frozen 15 min
// into the next shift. The journal takes the frozen time out of the minute
// rows on both sides of the boundary, but the finished shift's sealed
// summary, written at its end, still counts its 15 frozen minutes as
// measured air: the sealed TWA and coverage disagree with the export's
// minutes and with the sensor_frozen gap the export lists inside it.
func TestFrozenAcrossShiftEndAgreesWithTheSealedShift(t *testing.T) {
	dir := t.TempDir()
	h := rigHarness(t, eightHourShifts(), dir, t0, testbench.RigOpts{Seed: 7}) // 07:00, the shift ends at 08:00
	h.run(45 * time.Minute)
	if err := h.rig.SensorFault("staff-co2", "stuck", true); err != nil {
		t.Fatal(err)
	}
	h.run(45 * time.Minute)
	h.rig.SensorFault("staff-co2", "stuck", false)
	h.run(15 * time.Minute)
	h.d.shutdown()
	frozenShiftsAgree(t, dir)
}

// The wall clock steps forward 10 min (network time correcting a Pi) while
// a staff CO2 reading is frozen, before it is found: the step is a gap
// (loop_stalled here, clock_jump on a Pi) inside the frozen span. The
// tracker then takes the span's whole wall time out of the shift, the
// 10 min it never counted too: the shift loses 10 min of measured air
// from before the freeze and counts the step twice among its gaps, and the
// running and sealed figures disagree with the minute rows, which the
// journal retracts minute by minute.
func TestFrozenSpanWithAGapAgreesWithTheShift(t *testing.T) {
	dir := t.TempDir()
	h := rigHarness(t, eightHourShifts(), dir, t0.Add(time.Hour), testbench.RigOpts{Seed: 7})
	h.run(20 * time.Minute)
	if err := h.rig.SensorFault("staff-co2", "stuck", true); err != nil {
		t.Fatal(err)
	}
	h.run(5 * time.Minute)
	h.clk.Advance(10 * time.Minute)
	h.run(40 * time.Minute)
	h.rig.SensorFault("staff-co2", "stuck", false)
	h.run(15 * time.Minute)
	h.d.shutdown()
	frozenShiftsAgree(t, dir)
}

// A frozen staff CO2 sensor whose cable drops a few reads every 20 min (a
// NACK for 3 s, which the next good read ends) is never found frozen: each
// failed read starts the stuck watch again, so 90 min of the same reading,
// to the ppm, count as measured air: no frozen fault, no sensor_frozen gap,
// every minute row a flat line. A failed read tells nothing about whether
// the reading moved; the reading that follows it does.
func TestFrozenSensorWithFlakyReadsIsFound(t *testing.T) {
	dir := t.TempDir()
	h := rigHarness(t, eightHourShifts(), dir, t0.Add(time.Hour), testbench.RigOpts{Seed: 7})
	h.run(10 * time.Minute)
	if err := h.rig.SensorFault("staff-co2", "stuck", true); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		h.run(20 * time.Minute)
		h.rig.SensorFault("staff-co2", "nack", true)
		h.run(3 * time.Second)
		h.rig.SensorFault("staff-co2", "nack", false)
	}
	h.d.shutdown()
	j := journalIn(t, dir)
	gaps, _ := j.Gaps(time.Time{}, time.Time{})
	for _, g := range gaps {
		if g.Zone == "staff" && g.Quantity == "co2" && g.Reason == "sensor_frozen" {
			return
		}
	}
	ms, _ := j.Minutes(t0.Add(time.Hour+15*time.Minute), time.Time{}, "staff", "co2")
	flat := 0
	for _, m := range ms {
		if m.Max == m.Mean {
			flat++
		}
	}
	t.Errorf("staff-co2 stuck for 100 min with a failed read every 20 min: no sensor_frozen gap; %d of %d minute rows since read a flat line as measured air", flat, len(ms))
}
