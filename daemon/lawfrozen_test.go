package daemon

import (
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/control"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/snapshot"
	"github.com/ventd/ventd/testbench/room"
)

// frozenAlarm returns the active frozen-reading fault of sensor.
func frozenAlarm(s *snapshot.Snapshot, sensor string) (alarm.Alarm, bool) {
	for _, a := range s.Alarms.Alarms {
		if a.RuleID == alarm.SensorRule(sensor, alarm.FaultStuck) {
			return a, true
		}
	}
	return alarm.Alarm{}, false
}

// boothPMShift is the booth's PM2.5 shift so far.
func boothPMShift(t *testing.T, s *snapshot.Snapshot) *exposure.Summary {
	t.Helper()
	for _, e := range s.Exposure {
		if e.Zone == "booth" && e.Quantity == sample.PM25 && e.Shift != nil {
			return e.Shift
		}
	}
	t.Fatal("no booth PM2.5 shift")
	return nil
}

// The booth and staff PM sensors freeze together in clean air, each
// repeating its last reading with good CRCs. The booth's reading is found
// frozen within 5 min, by the law (frozenStill) or by the sensor layer
// (an SPS30's stuck time is 5 min, the configured 30 min being longer),
// whichever sees it first, and its fan runs at the safe duty; the
// frozen-reading fault is raised then and says what the fans do and what
// to do. The other's verdict, and the configured stuck time running out,
// leave it the same alarm, not a second one.
func TestBoothAndStaffFrozenRaiseTheAlarmWithinMinutes(t *testing.T) {
	h := newHarness(t, "", t0)
	h.run(20 * time.Minute)
	for _, s := range []string{"booth-pm", "staff-pm"} {
		if err := h.rig.SensorFault(s, "stuck", true); err != nil {
			t.Fatal(err)
		}
	}
	took := h.until(6*time.Minute, "booth fan at its safe duty", func() bool { return h.fan(0).Mode == control.ModeSafe })
	if took < 4*time.Minute {
		t.Fatalf("safe after %v: before frozenStill, by %q", took, h.fan(0).Reason)
	}
	s := h.snapshot()
	a, ok := frozenAlarm(s, "booth-pm")
	if !ok {
		t.Fatalf("booth fan safe after %v, but no frozen-reading fault: %+v", took, s.Alarms.Alarms)
	}
	for _, want := range []string{"booth-pm", "looks frozen", "fans run at their safe duty", "power it off and on"} {
		if !strings.Contains(a.Message, want) {
			t.Errorf("alarm %q lacks %q", a.Message, want)
		}
	}
	// The law's words or the sensor layer's, whichever found it first.
	if !strings.Contains(a.Message, "stuck at exactly") && !strings.Contains(a.Message, "unchanged since") {
		t.Errorf("alarm %q says neither the law's \"stuck at exactly\" nor the sensor layer's \"unchanged since\"", a.Message)
	}
	// A session behind the two frozen sensors: the fan stays safe (full).
	h.rig.StartSession("booth", room.TypicalSession(3, 4*time.Minute))
	for range 4 * 60 {
		h.step(time.Second)
		if f := h.fan(0); f.Mode != control.ModeSafe || f.Duty != 1 {
			t.Fatalf("session behind two frozen sensors: %+v", f)
		}
	}
	// Both have had their say, and the configured stuck time (30 min)
	// runs out: the same alarm, and the staff sensor's own.
	s = h.run(30*time.Minute - took - 4*time.Minute + 30*time.Second)
	b, ok := frozenAlarm(s, "booth-pm")
	if !ok || b.ID != a.ID {
		t.Fatalf("after the stuck time: booth-pm's frozen fault %+v (found %v), want the same alarm %d", b, ok, a.ID)
	}
	if _, ok := frozenAlarm(s, "staff-pm"); !ok {
		t.Fatalf("staff-pm frozen 30 min: no frozen-reading fault: %+v", s.Alarms.Alarms)
	}
	// The booth sensor comes back: its reading moves and is trusted again.
	h.rig.SensorFault("booth-pm", "stuck", false)
	h.until(30*time.Second, "booth fan out of its safe duty", func() bool { return h.fan(0).Mode != control.ModeSafe })
}

// A booth reading frozen at a session's height (the reviewer's: stuck at
// 395 µg/m³) while the staff sensor is frozen too. Before, the reading
// counted as the booth's air until the stuck time, though the law
// distrusted it: the booth's shift TWA rose by the frozen value. Now the
// law's verdict takes the time since the reading stopped moving back out
// of the record, as the stuck detector's does: a sensor_frozen gap from
// where it froze, and the TWA as it stood. The stuck time's own verdict
// later adds nothing.
func TestBoothReadingFrozenByTheLawLeavesTheExposureRecord(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir, t0) // a shift starts at t0
	h.run(20 * time.Minute)
	h.rig.StartSession("booth", room.TypicalSession(3, 4*time.Minute))
	h.run(2 * time.Minute)
	for _, s := range []string{"booth-pm", "staff-pm"} {
		if err := h.rig.SensorFault(s, "stuck", true); err != nil {
			t.Fatal(err)
		}
	}
	froze := h.clk.Now()
	s := h.run(5 * time.Second)
	level := h.boothLevel("booth")
	if level < 100 {
		t.Fatalf("booth frozen at %.0f µg/m³: the test wants it frozen at a session's height", level)
	}
	before := boothPMShift(t, s).TWA
	s = h.run(10 * time.Minute)
	sum := boothPMShift(t, s)
	if sum.TWA > before+0.5 {
		t.Errorf("booth TWA %.2f, %.2f when the reading froze at %.0f µg/m³: the frozen reading counted as the booth's air", sum.TWA, before, level)
	}
	frozenGaps := func(sum *exposure.Summary) (n int, g exposure.Gap) {
		for _, gp := range sum.Gaps {
			if d := gp.Start.Sub(froze); d > -3*time.Second && d < 3*time.Second {
				n, g = n+1, gp
			}
		}
		return n, g
	}
	if n, g := frozenGaps(sum); n != 1 || g.Length.Std() < 9*time.Minute {
		t.Fatalf("booth PM2.5 gaps %+v: want one from where the reading froze (%s), 10 min long", sum.Gaps, froze.Format("15:04:05"))
	}
	if _, ok := frozenAlarm(s, "booth-pm"); !ok {
		t.Errorf("booth-pm frozen 10 min at %.0f µg/m³, the staff sensor too: no frozen-reading fault", level)
	}
	s = h.run(25 * time.Minute) // past the stuck time
	sum = boothPMShift(t, s)
	if sum.TWA > before+0.5 {
		t.Errorf("booth TWA %.2f after the stuck time, %.2f when the reading froze", sum.TWA, before)
	}
	if n, _ := frozenGaps(sum); n != 1 {
		t.Errorf("booth PM2.5 gaps after the stuck time %+v: want one from where the reading froze", sum.Gaps)
	}
	h.d.shutdown()
	j := journalIn(t, dir)
	gaps, _ := j.Gaps(time.Time{}, time.Time{})
	found := 0
	for _, g := range gaps {
		if g.Zone == "booth" && g.Quantity == "pm25" && g.Reason == "sensor_frozen" {
			found++
		}
	}
	if found != 1 {
		t.Errorf("the journal has %d sensor_frozen gaps for booth/pm25, want 1", found)
	}
}

// fanModeLines are the log's "fan mode" lines that mention want.
func fanModeLines(log, want string) []string {
	var out []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, `msg="fan mode"`) && strings.Contains(l, want) {
			out = append(out, l)
		}
	}
	return out
}

// The staff PM sensor is lost: every fan rises to the staff-blind duty
// (50 %), with no change of mode. That is a "fan mode" line in the log
// (before, none: the fan doubled its air with nothing said), and so is its
// return; a staff sensor that comes and goes logs it once a minute at most.
func TestStaffBlindDutyIsLogged(t *testing.T) {
	h, logs := newLogHarness(t, "", t0)
	h.run(10 * time.Minute)
	if err := h.rig.SensorFault("staff-pm", "disconnect", true); err != nil {
		t.Fatal(err)
	}
	h.until(time.Minute, "the fan at the staff-blind duty", func() bool { return h.fan(0).StaffBlind })
	if f := h.fan(0); f.Mode != control.ModeNormal || f.Duty != 0.5 {
		t.Fatalf("staff sensor lost: %+v, want normal at 50 %%", f)
	}
	if got := fanModeLines(logs.String(), "staff_blind=true"); len(got) != 1 || !strings.Contains(got[0], "duty=50%") || !strings.Contains(got[0], "staff PM2.5 not trusted") {
		t.Fatalf("fan mode lines at the staff-blind duty: %q, want one at 50 %% saying why", got)
	}
	h.rig.SensorFault("staff-pm", "disconnect", false)
	h.until(time.Minute, "the fan back from the staff-blind duty", func() bool { return !h.fan(0).StaffBlind })
	if got := fanModeLines(logs.String(), "staff_blind=false"); len(got) != 0 {
		t.Fatalf("back within a minute of the last line: %q, want it held back", got)
	}
	// The sensor comes and goes for 10 min: at most a line a minute.
	for range 20 {
		h.rig.SensorFault("staff-pm", "disconnect", true)
		h.step(15 * time.Second)
		h.rig.SensorFault("staff-pm", "disconnect", false)
		h.step(15 * time.Second)
	}
	h.step(2 * time.Minute)
	lines := fanModeLines(logs.String(), "staff_blind=")
	if len(lines) < 5 || len(lines) > 12 {
		t.Fatalf("%d fan mode lines for a staff sensor coming and going for 10 min: want about one a minute:\n%s", len(lines), strings.Join(lines, "\n"))
	}
	if last := lines[len(lines)-1]; !strings.Contains(last, "staff_blind=false") {
		t.Errorf("the last line, with the sensor back: %q", last)
	}
}

// The staff SPS30 freezes while the booth's sensor works. The booth
// sensor's reading moves, so the law has no frozen booth to find, and the
// staff sensor was left to the sensor layer's stuck time: 30 min of the
// frozen value recorded as the staff area's air, the fans at the booth's
// own duty. An SPS30 whose reading stands exactly still for 5 min is
// frozen (its reading moves every second), so within about 5 min the
// stuck fault is raised, every fan runs at least at the staff-blind duty,
// and the frozen stretch leaves the staff exposure record.
func TestFrozenStaffSPS30IsFoundWithinMinutes(t *testing.T) {
	h := newHarness(t, t.TempDir(), t0) // a shift starts at t0
	h.run(20 * time.Minute)
	froze := h.clk.Now()
	if err := h.rig.SensorFault("staff-pm", "stuck", true); err != nil {
		t.Fatal(err)
	}
	s := h.run(4*time.Minute + 50*time.Second)
	if _, _, ok := hasAlarm(s, alarm.SensorRule("staff-pm", alarm.FaultStuck)); ok {
		t.Fatalf("staff-pm frozen at 4:50, before its 5 min: %+v", s.Alarms.Alarms)
	}
	if f := h.fan(0); f.StaffBlind {
		t.Fatalf("fan at the staff-blind duty before the freeze was found: %+v", f)
	}
	took := 4*time.Minute + 50*time.Second + h.until(40*time.Second, "fan at the staff-blind duty", func() bool { return h.fan(0).StaffBlind })
	s = h.snapshot()
	if _, _, ok := hasAlarm(s, alarm.SensorRule("staff-pm", alarm.FaultStuck)); !ok {
		t.Fatalf("staff-pm frozen %v: no frozen-reading fault: %+v", took, s.Alarms.Alarms)
	}
	if sn := sensorSnap(s, "booth-pm"); !sn.Up {
		t.Fatalf("booth-pm: %+v, want it working", sn)
	}
	if _, _, ok := hasAlarm(s, alarm.SensorRule("booth-pm", alarm.FaultStuck)); ok {
		t.Fatalf("booth-pm found frozen too: %+v", s.Alarms.Alarms)
	}
	for i := range h.d.fans {
		if f := h.fan(i); f.Mode == control.ModeSafe || f.Duty < 0.5 {
			t.Errorf("fan %d with the staff sensor frozen and the booth working: %+v, want at least the staff-blind duty (50 %%), not safe", i, f)
		}
	}
	sum := staffPMShift(t, s)
	var gap *exposure.Gap
	for i, g := range sum.Gaps {
		if g.Start.Sub(froze).Abs() < 2*time.Second {
			gap = &sum.Gaps[i]
		}
	}
	if gap == nil {
		t.Fatalf("no gap in the staff record from where the reading froze (%s): %+v", froze.Format(time.TimeOnly), sum.Gaps)
	}
	if gap.Length.Std() < 5*time.Minute-2*time.Second {
		t.Errorf("the gap is %v long; the reading was found frozen %v after it stopped", gap.Length, took)
	}
}
