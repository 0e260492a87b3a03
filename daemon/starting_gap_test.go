package daemon

import (
	"testing"
	"time"

	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/testbench"
)

// Every start wrote sensor_fault gaps of 1.4 to 5.4 s, the time until the
// sensors' first readings came: an auditor read a sensor fault into every
// restart. That time has its own reason, starting; a sensor that fails at
// the start (not on its bus) is a sensor_fault gap from the first period.
func TestStartIsNoSensorFault(t *testing.T) {
	dir := t.TempDir()
	h := rigHarness(t, eightHourShifts(), dir, t0, testbench.RigOpts{Seed: 7})
	h.run(2 * time.Minute)
	h.d.shutdown()
	gaps, err := journalIn(t, dir).Gaps(time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	starting := 0
	for _, g := range gaps {
		switch g.Reason {
		case record.GapSensorFault:
			t.Errorf("%s/%s: a sensor_fault gap %s-%s at a start with every sensor working", g.Zone, g.Quantity,
				g.Start.Format(time.TimeOnly+".000"), g.End.Format(time.TimeOnly+".000"))
		case record.GapStarting:
			starting++
			if g.Start.Sub(t0) > time.Second || g.End.Sub(g.Start) > 10*time.Second {
				t.Errorf("%s/%s: starting gap %s-%s; want one from the start until the first reading, seconds later", g.Zone, g.Quantity,
					g.Start.Format(time.TimeOnly+".000"), g.End.Format(time.TimeOnly+".000"))
			}
		}
	}
	if starting == 0 {
		t.Errorf("no starting gap: the time before the first readings is unaccounted for; gaps %+v", gaps)
	}

	dir = t.TempDir()
	h = rigHarness(t, eightHourShifts(), dir, t0, testbench.RigOpts{Seed: 7})
	if err := h.rig.SensorFault("staff-pm", "disconnect", true); err != nil {
		t.Fatal(err)
	}
	h.run(2 * time.Minute)
	h.d.shutdown()
	gaps, err = journalIn(t, dir).Gaps(time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var fault time.Duration
	for _, g := range gaps {
		if g.Zone != "staff" || g.Quantity != "pm25" {
			continue
		}
		switch g.Reason {
		case record.GapSensorFault:
			fault += g.End.Sub(g.Start)
		case record.GapStarting:
			t.Errorf("staff pm25: a starting gap %s-%s with its sensor off the bus from the start: that is a fault",
				g.Start.Format(time.TimeOnly+".000"), g.End.Format(time.TimeOnly+".000"))
		}
	}
	if fault < 2*time.Minute-time.Second {
		t.Errorf("staff pm25 off the bus for 2 min: %v of sensor_fault gaps; gaps %+v", fault, gaps)
	}
}
