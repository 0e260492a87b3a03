package daemon

import (
	"testing"
	"time"

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
	frozenShiftsAgree(t, dir)
}
