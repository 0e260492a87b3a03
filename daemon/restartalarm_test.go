package daemon

import (
	"testing"
	"time"

	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/sample"
)

// A fault that lasts through a restart is the same alarm after it: the
// pager is not sent a clear and a new raise for a fan that never turned
// or a sensor that never came back while ventd was down.
func TestFaultAcrossRestartIsNotPagedAgain(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir, t0)
	h.run(15 * time.Minute)
	h.rig.Room.SetFanStalled("booth-exhaust", true)
	h.bus().Disconnect(0x69)
	s := h.run(2 * time.Minute)
	rules := []alarm.RuleID{alarm.FanStallRule("booth-exhaust"), alarm.SensorRule("booth-pm", alarm.FaultStale)}
	ids := map[alarm.RuleID]uint64{}
	for _, r := range rules {
		id, _, ok := hasAlarm(s, r)
		if !ok {
			t.Fatalf("no %s alarm before the restart: %+v", r, s.Alarms)
		}
		ids[r] = id
	}
	h.d.shutdown()

	h2 := newHarness(t, dir, s.Time.Add(time.Minute))
	h2.rig.Room.SetFanStalled("booth-exhaust", true)
	h2.bus().Disconnect(0x69)
	for i := range 180 {
		s := h2.run(time.Second)
		for _, r := range rules {
			id, _, ok := hasAlarm(s, r)
			switch {
			case !ok:
				t.Fatalf("%d s after the restart %s is not active: the fault never ended", i+1, r)
			case id != ids[r]:
				t.Fatalf("%d s after the restart %s is alarm %d, was %d: a fault that lasted through the restart was raised again as new", i+1, r, id, ids[r])
			}
		}
	}
	h2.d.shutdown()
}

// A sensor frozen before a restart and still frozen after it (a restart
// does not power the sensor off): its fault stays the same alarm, not a
// "cleared" on the pager half a minute after the start and a new raise
// half an hour later, when the stuck detector has watched it again.
func TestFrozenSensorAcrossRestartStaysOneAlarm(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir, t0)
	h.run(5 * time.Minute)
	if err := h.rig.SensorFault("staff-pm", "stuck", true); err != nil {
		t.Fatal(err)
	}
	rule := alarm.SensorRule("staff-pm", alarm.FaultStuck)
	s := h.run(35 * time.Minute)
	id, _, ok := hasAlarm(s, rule)
	if !ok {
		t.Fatalf("no %s alarm 35 min into a freeze: %+v", rule, s.Alarms)
	}
	h.d.shutdown()

	h2 := newHarness(t, dir, s.Time.Add(time.Minute))
	if err := h2.rig.SensorFault("staff-pm", "stuck", true); err != nil {
		t.Fatal(err)
	}
	for i := range 40 * 60 {
		s := h2.run(time.Second)
		got, _, ok := hasAlarm(s, rule)
		switch {
		case !ok:
			t.Fatalf("%d s after the restart %s is not active: the sensor never moved", i+1, rule)
		case got != id:
			t.Fatalf("%d s after the restart %s is alarm %d, was %d", i+1, rule, got, id)
		}
		for _, r := range s.Readings {
			if r.Sensor == "staff-pm" && r.Quantity == sample.PM25 && r.Quality == sample.Good {
				t.Fatalf("%d s after the restart the frozen staff-pm reads %v as good air", i+1, r.Value)
			}
		}
	}
	// Once the reading moves again the fault clears.
	if err := h2.rig.SensorFault("staff-pm", "stuck", false); err != nil {
		t.Fatal(err)
	}
	if s := h2.run(2 * time.Minute); func() bool { _, _, ok := hasAlarm(s, rule); return ok }() {
		t.Fatalf("%s still active 2 min after the reading moved again", rule)
	}
	h2.d.shutdown()
}
