package daemon

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/testbench"
)

// A sensor stuck longer than its stuck time (30 min) is found frozen, and
// the time it was frozen is retracted from the shift: a sensor_frozen gap.
// The minute rows written meanwhile must agree: the journal takes the
// frozen reading back out of them, so the shift's TWA and covered time
// recomputed from its minute rows (an auditor's check, a CSV export) are
// the sealed summary's. Found by the soak (soak_test.go): a 30 min stuck
// staff CO2 sensor had left 1,798 s of minute rows the summary did not
// count, and a TWA 4.8 % above the summary's.
func TestFrozenMinutesAgreeWithTheShift(t *testing.T) {
	dir := t.TempDir()
	h := rigHarness(t, eightHourShifts(), dir, t0.Add(time.Hour), testbench.RigOpts{Seed: 7})
	h.run(20 * time.Minute)
	if err := h.rig.SensorFault("staff-co2", "stuck", true); err != nil {
		t.Fatal(err)
	}
	h.run(45 * time.Minute)
	h.rig.SensorFault("staff-co2", "stuck", false)
	h.run(15 * time.Minute)
	h.d.shutdown()
	j := journalIn(t, dir)
	gaps, _ := j.Gaps(time.Time{}, time.Time{})
	frozen := 0
	for _, g := range gaps {
		if g.Zone == "staff" && g.Quantity == "co2" && g.Reason == "sensor_frozen" {
			frozen++
		}
	}
	if frozen == 0 {
		t.Fatalf("no sensor_frozen gap for staff/co2 after 45 min stuck: the test needs one")
	}
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
			t.Errorf("staff/co2 shift %s: the summary covers %v, its minute rows %.0f s (the frozen time is in both a gap and the minutes)", sh.Start.Format(time.DateTime), sum.Covered.Std(), cov)
		}
		if twa := dose / (8 * 3600); math.Abs(twa-sum.TWA) > 0.01*sum.TWA {
			t.Errorf("staff/co2 shift %s: TWA %.2f in the summary, %.2f from its minute rows", sh.Start.Format(time.DateTime), sum.TWA, twa)
		}
	}
}
