package daemon

import (
	"testing"
	"time"

	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/room"
)

// Smoke above the sensor's range is heavy smoke, not a fault: ventd raises
// no sensor fault for it, but the exposure record's gap for that time said
// sensor_fault, so an auditor read the minutes of a session's peak as a
// broken sensor. The gap says above_range, and a sensor that then drops
// off is a sensor_fault gap of its own.
func TestSmokeAboveRangeIsAnAboveRangeGap(t *testing.T) {
	dir := t.TempDir()
	h := rigHarness(t, eightHourShifts(), dir, t0, testbench.RigOpts{Seed: 7})
	h.run(2 * time.Minute)
	h.rig.Room.StartSession("booth", room.Session{PM25MgPerMin: 40, Duration: 3 * time.Minute})
	h.run(10 * time.Minute)
	h.d.shutdown()
	gaps, err := journalIn(t, dir).Gaps(time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var above time.Duration
	for _, g := range gaps {
		if g.Zone != "booth" || g.Quantity != "pm25" {
			continue
		}
		switch g.Reason {
		case record.GapAboveRange:
			above += g.End.Sub(g.Start)
		case record.GapSensorFault:
			if g.Start.After(t0.Add(time.Minute)) {
				t.Errorf("booth pm25: a sensor_fault gap %s-%s during the session: the sensor read above its range, it was not faulty",
					g.Start.Format(time.TimeOnly), g.End.Format(time.TimeOnly))
			}
		}
	}
	if above < 30*time.Second {
		t.Errorf("booth pm25: %v of above_range gaps in a 40 mg/min session; gaps: %+v", above, gaps)
	}
}
