package daemon

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/snapshot"
	"github.com/ventd/ventd/testbench/i2csim"
)

func TestSingleCRCGlitchIsRetried(t *testing.T) {
	h := newHarness(t, t.TempDir(), t0)
	s := h.run(15 * time.Minute)
	if f := s.Fans[0]; f.Mode != "normal" || f.Duty != 0.25 {
		t.Fatalf("settled fan %+v", f)
	}
	h.bus().Inject(0x69, i2csim.Fault{Kind: i2csim.FaultCorrupt, Count: 1})
	s = h.run(time.Second)
	if f := s.Fans[0]; f.Mode != "normal" {
		t.Fatalf("one corrupt frame sent the fan to %+v; it must be retried", f)
	}
	if sn := sensorSnap(s, "booth-pm"); sn.Errors["crc"] != 1 || !sn.Up {
		t.Fatalf("booth-pm after one glitch: %+v", sn)
	}
}

func TestPersistentCRCFailsSafeAndRecovers(t *testing.T) {
	h := newHarness(t, t.TempDir(), t0)
	h.run(15 * time.Minute)
	h.bus().Inject(0x69, i2csim.Fault{Kind: i2csim.FaultCorrupt})
	s := h.run(time.Second)
	f := s.Fans[0]
	if f.Mode != "safe" || f.Duty != 1 || !strings.Contains(f.Reason, "CRC") {
		t.Fatalf("corrupt data: fan %+v, want safe with a CRC reason", f)
	}
	s = h.run(10 * time.Second)
	sn := sensorSnap(s, "booth-pm")
	if sn.Up || sn.Errors["crc"] < 5 || !strings.Contains(sn.Error, "CRC") {
		t.Fatalf("booth-pm under corruption: %+v", sn)
	}
	for _, r := range s.Readings {
		if r.Sensor == "booth-pm" && r.Quality != sample.Fault {
			t.Fatalf("reading %+v, want quality fault", r)
		}
	}
	h.bus().ClearFaults(0x69)
	s = h.run(20 * time.Second)
	if sn := sensorSnap(s, "booth-pm"); !sn.Up {
		t.Fatalf("booth-pm did not recover: %+v", sn)
	}
	if f := s.Fans[0]; f.Mode != "normal" {
		t.Fatalf("after recovery: fan %+v", f)
	}
}

func TestVOCIndexStateSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir, t0)
	s := h.run(2 * time.Hour)
	before := -1.0
	for _, r := range s.Readings {
		if r.Quantity == "voc_index" && r.Quality == sample.Good {
			before = r.Value
		}
	}
	if before < 50 {
		t.Fatalf("VOC index after 2 h = %v", before)
	}
	h.d.shutdown()

	// A new daemon on the same state directory: the index continues
	// instead of starting a new blackout (zeros for the first minute).
	h2 := newHarness(t, dir, t0.Add(2*time.Hour+time.Minute))
	s = h2.run(20 * time.Second)
	for _, r := range s.Readings {
		if r.Quantity == "voc_index" && (r.Quality != sample.Good || r.Value < 50) {
			t.Fatalf("20 s after restart VOC index = %+v, want the learned index (was %v)", r, before)
		}
	}
}

func TestForcedRecalibrationIsJournaled(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir, t0)
	h.run(5 * time.Minute) // the SCD41 needs 3 min of measurement first
	call := func(sensor string, ppm int, who string) (int, error) {
		type res struct {
			c   int
			err error
		}
		done := make(chan res, 1)
		go func() {
			c, err := h.d.ForcedRecalibration(t.Context(), sensor, ppm, false, record.Actor{Name: who, Via: "test"}, "outdoor air, window open")
			done <- res{c, err}
		}()
		for len(done) == 0 {
			h.run(time.Second)
		}
		r := <-done
		return r.c, r.err
	}
	if _, err := call("staff-co2", 1400, "tech-1"); err == nil || !strings.Contains(err.Error(), "is the sensor really in air at the reference?") {
		t.Fatalf("FRC to 1400 ppm in 420 ppm air: %v; want it refused without force", err)
	}
	if _, err := call("booth-pm", 420, "tech-1"); err == nil || !strings.Contains(err.Error(), "only SCD4x") {
		t.Fatalf("FRC on an SPS30: %v", err)
	}
	if _, err := call("staff-co2", 420, ""); err == nil {
		t.Fatal("FRC without who accepted")
	}
	if _, err := call("staff-co2", 420, "tech-1"); err != nil {
		t.Fatal(err)
	}
	s := h.run(time.Minute)
	for _, r := range s.Readings {
		if r.Sensor == "staff-co2" && r.Quantity == "co2" && r.Quality != sample.Good {
			t.Fatalf("CO2 after the recalibration: %+v", r)
		}
	}
	h.d.shutdown()
	j := journalIn(t, dir)
	cals, err := j.Calibrations(time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var frc, factor bool
	for _, c := range cals {
		frc = frc || c.Kind == journal.CalFRC && c.Who == "tech-1" && c.Reference == 420 && c.Sensor == "staff-co2" && c.Serial != ""
		factor = factor || c.Kind == journal.CalPMFactor && c.Sensor == "booth-pm" && c.Correction == 1
	}
	if !frc || !factor {
		t.Fatalf("calibrations journaled: %+v; want the FRC by tech-1 and the first PM factor", cals)
	}
}

func TestSPS30FanCleaningOnOwnSchedule(t *testing.T) {
	dir := t.TempDir()
	j, err := journal.Open(filepath.Join(dir, "journal.db"), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// A week of measuring, less a minute, counted before a restart.
	if err := j.SetMeta("sensor.booth-pm.fan_run_s", fmt.Sprint((7*24*time.Hour - time.Minute).Seconds())); err != nil {
		t.Fatal(err)
	}
	j.Close()

	h := newHarness(t, dir, t0)
	s := h.run(30 * time.Second)
	if f := s.Fans[0]; f.Mode == "safe" && strings.Contains(f.Reason, "booth-pm") {
		t.Fatalf("cleaned too early: %+v", f)
	}
	var sawSafe bool
	for range 3 * 60 {
		s = h.run(time.Second)
		if f := s.Fans[0]; f.Mode == "safe" && strings.Contains(f.Reason, "stale") {
			sawSafe = true // 10 s without readings is unknown air
		}
	}
	if !sawSafe {
		t.Error("no stale readings while the SPS30 cleaned its fan")
	}
	if sn := sensorSnap(s, "booth-pm"); !sn.Up {
		t.Fatalf("booth-pm after cleaning: %+v", sn)
	}
	h.d.shutdown()
	j, err = journal.Open(filepath.Join(dir, "journal.db"), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	cals, _ := j.Calibrations(time.Time{}, time.Time{})
	n := 0
	for _, c := range cals {
		if c.Kind == "fan_clean" && c.Sensor == "booth-pm" {
			n++
		}
	}
	if n != 1 {
		t.Fatalf("%d fan cleanings journaled, want 1: %+v", n, cals)
	}
	if v, _, _ := j.Meta("sensor.booth-pm.fan_run_s"); v == "" || v[0] == '6' {
		t.Errorf("run time after cleaning = %q, want it restarted", v)
	}
}

func TestNoStuckFaultFromASteadyVOCIndex(t *testing.T) {
	h := newHarness(t, t.TempDir(), t0)
	// Two quiet hours: the VOC index sits at 100, the NOx index at 1.
	s := h.run(2 * time.Hour)
	for _, a := range s.Alarms.Alarms {
		t.Errorf("alarm in a quiet room: %s (%s)", a.RuleID, a.Message)
	}
	// A frozen SPS30 is a fault once its reading has not changed for 5
	// min (its own stuck time, shorter than the configured 30 min).
	h.rig.SensorFault("booth-pm", "stuck", true)
	s = h.run(6 * time.Minute)
	if _, _, ok := hasAlarm(s, "sensor/booth-pm/stuck"); !ok {
		t.Fatalf("no stuck fault for a frozen SPS30: %+v", s.Alarms)
	}
	// A frozen booth sensor could hide smoke: the fan runs safe.
	if f := s.Fans[0]; f.Mode != "safe" || !strings.Contains(f.Reason, "frozen") {
		t.Fatalf("fan with a frozen booth sensor: %+v", f)
	}
	h.rig.SensorFault("booth-pm", "stuck", false)
	s = h.run(30 * time.Second)
	if f := s.Fans[0]; f.Mode == "safe" {
		t.Fatalf("fan still safe after the sensor moved again: %+v", f)
	}
}

// A frozen reading is measured air only until it is known to be frozen
// (an SPS30's 5 min here); then the whole time since it stopped changing
// becomes a gap in the record, from where it froze.
func TestFrozenSensorGapStartsWhereItFroze(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, dir, t0) // a shift starts at t0
	h.run(20 * time.Minute)
	froze := h.clk.Now()
	h.rig.SensorFault("staff-pm", "stuck", true)
	s := h.run(4 * time.Minute)
	sum := staffPMShift(t, s)
	if sum.Coverage < 99 {
		t.Fatalf("before the stuck time the frozen reading still counts as measured; coverage %.2f%%", sum.Coverage)
	}
	twaBefore := sum.TWA
	s = h.run(2 * time.Minute)
	if _, _, ok := hasAlarm(s, alarm.SensorRule("staff-pm", alarm.FaultStuck)); !ok {
		t.Fatalf("no stuck fault: %+v", s.Alarms)
	}
	sum = staffPMShift(t, s)
	var gap *exposure.Gap
	for i, g := range sum.Gaps {
		if d := g.Start.Sub(froze); d > -2*time.Second && d < 2*time.Second {
			gap = &sum.Gaps[i]
		}
	}
	if gap == nil {
		t.Fatalf("no gap starting where the reading froze (%s): %+v", froze.Format("15:04:05"), sum.Gaps)
	}
	if gap.Length.Std() < 5*time.Minute {
		t.Errorf("the gap is %v long; the reading has been frozen for over 5 min", gap.Length)
	}
	if sum.TWA >= twaBefore {
		t.Errorf("TWA %.3f after the freeze was found, %.3f before: the frozen span must leave it", sum.TWA, twaBefore)
	}
	elapsed := sum.Until.Sub(t0)
	if want := 100 * float64(elapsed-gap.Length.Std()) / float64(elapsed); sum.Coverage > want+0.1 {
		t.Errorf("coverage %.2f%%, want at most %.2f%%", sum.Coverage, want)
	}
	h.d.shutdown()
	j := journalIn(t, dir)
	gaps, err := j.Gaps(time.Time{}, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	var journaled bool
	for _, g := range gaps {
		if g.Reason == record.GapSensorFrozen && g.Zone == "staff" && g.Quantity == "pm25" && g.Start.Sub(froze).Abs() < 2*time.Second {
			journaled = true
		}
	}
	if !journaled {
		t.Errorf("the journal has no sensor_frozen gap from %s: %+v", froze.Format("15:04:05"), gaps)
	}
}

func staffPMShift(t *testing.T, s *snapshot.Snapshot) *exposure.Summary {
	t.Helper()
	for _, e := range s.Exposure {
		if e.Zone == "staff" && e.Quantity == sample.PM25 && e.Shift != nil {
			return e.Shift
		}
	}
	t.Fatal("no staff PM2.5 shift")
	return nil
}
