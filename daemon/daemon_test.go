package daemon

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpiotest"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/snapshot"
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/i2csim"
	"github.com/ventd/ventd/testbench/room"
	"github.com/ventd/ventd/testbench/scenario"
)

var t0 = time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)

// harness is the daemon on the simulated room, stepped by hand.
type harness struct {
	t   *testing.T
	clk *clock.Sim
	rig *testbench.Rig
	d   *Daemon
	dir string
}

func newHarness(t *testing.T, dir string, start time.Time) *harness {
	t.Helper()
	cfg := config.Sim()
	clk := clock.NewSim(start, 0)
	rig, err := testbench.NewRig(cfg, clk, &scenario.Scenario{Name: "empty", Duration: 24 * time.Hour}, testbench.RigOpts{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	d, err := New(Options{Config: cfg, Clock: clk, Hardware: rig, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), StateDir: dir, Sim: true})
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, clk: clk, rig: rig, d: d, dir: dir}
}

// run steps the loop for d of simulated time and returns the last snapshot.
func (h *harness) run(d time.Duration) *snapshot.Snapshot {
	end := h.clk.Now().Add(d)
	for h.clk.Now().Before(end) {
		next := h.clk.Now().Add(time.Second)
		h.d.step(h.clk.Now())
		h.clk.Sleep(next.Sub(h.clk.Now()))
	}
	return h.snapshot()
}

// call runs fn (a request to the loop) while stepping the loop a second
// at a time until fn returns.
func (h *harness) call(fn func()) {
	done := make(chan struct{})
	go func() { defer close(done); fn() }()
	for {
		select {
		case <-done:
			return
		default:
			h.run(time.Second)
		}
	}
}

// tester is who the tests act as.
var tester = record.Actor{Name: "tester", Via: "test"}

// snapshot waits until the outputs have every record so far, then returns
// the latest picture.
func (h *harness) snapshot() *snapshot.Snapshot {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := h.d.hub.Idle(ctx); err != nil {
		h.t.Fatal(err)
	}
	return h.d.Snapshot()
}

func (h *harness) bus() *i2csim.Bus { return h.rig.SimBus("sim0") }

func sensorSnap(s *snapshot.Snapshot, name string) snapshot.Sensor {
	for _, sn := range s.Sensors {
		if sn.Name == name {
			return sn
		}
	}
	return snapshot.Sensor{}
}

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

func TestPurge(t *testing.T) {
	h := newHarness(t, t.TempDir(), t0)
	h.run(10 * time.Minute)
	h.rig.Room.StartSession("booth", room.TypicalSession(3, 3*time.Minute))
	h.run(3 * time.Minute)
	h.rig.Room.StartSession("booth", room.TypicalSession(3, 10*time.Minute)) // still smoking
	var err error
	var res string
	h.call(func() { _, err = h.d.Purge(t.Context(), "nowhere", tester, "") })
	if err == nil || !strings.Contains(err.Error(), `no zone "nowhere"; zones: booth`) {
		t.Fatalf("purge of an unknown zone: %v", err)
	}
	h.call(func() { _, err = h.d.Purge(t.Context(), "staff", tester, "") })
	if err == nil || !strings.Contains(err.Error(), `no fan serves zone "staff"; purge a booth: booth`) {
		t.Fatalf("purge of the staff area: %v", err)
	}
	h.call(func() { res, err = h.d.Purge(t.Context(), "booth", tester, "overdose drill") })
	if err != nil || !strings.Contains(res, "booth: purging") || !strings.Contains(res, "at maximum") {
		t.Fatalf("purge: %q, %v", res, err)
	}
	s := h.run(time.Second)
	if f := s.Fans[0]; f.Mode != "purge" || f.Duty != 1 {
		t.Fatalf("purge requested: fan %+v", f)
	}
	h.rig.Room.StopSession("booth")
	s = h.run(30 * time.Second)
	if f := s.Fans[0]; f.Mode != "purge" || f.SecondsToEntry <= 0 {
		t.Fatalf("purging a smoky booth: fan %+v, want purge with an entry estimate", f)
	}
	est := s.Fans[0].SecondsToEntry
	s = h.run(10 * time.Minute)
	if f := s.Fans[0]; f.Mode == "purge" || f.SecondsToEntry != 0 {
		t.Fatalf("10 min later (estimate was %.0f s): fan %+v, want purge over and booth safe", est, f)
	}
	// A clean booth is said to be safe, not purged for nothing.
	h.call(func() { res, err = h.d.Purge(t.Context(), "", tester, "") })
	if err != nil || !strings.Contains(res, "already safe to enter") {
		t.Fatalf("purge of a clean booth: %q, %v", res, err)
	}
	if s := h.run(time.Second); s.Fans[0].Mode == "purge" {
		t.Fatal("a clean booth was purged")
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

func TestShutdownLeavesFansSafe(t *testing.T) {
	h := newHarness(t, t.TempDir(), t0)
	h.run(15 * time.Minute)
	if d := h.rig.Room.Fan("booth-exhaust").Duty(); d != 0.25 {
		t.Fatalf("before shutdown duty %v", d)
	}
	h.d.shutdown()
	if d := h.rig.Room.Fan("booth-exhaust").Duty(); d != 1 {
		t.Fatalf("after shutdown the fan runs at %v, want the safe duty 1", d)
	}
}

func hasAlarm(s *snapshot.Snapshot, rule alarm.RuleID) (id uint64, acked, ok bool) {
	for _, a := range s.Alarms.Alarms {
		if a.RuleID == rule {
			return a.ID, a.Acked, true
		}
	}
	return 0, false, false
}

func TestAlarmsFanStallAndSensorFault(t *testing.T) {
	h := newHarness(t, t.TempDir(), t0)
	s := h.run(15 * time.Minute)
	if len(s.Alarms.Alarms) != 0 {
		t.Fatalf("alarms in a quiet room: %+v", s.Alarms.Alarms)
	}
	h.rig.Room.SetFanStalled("booth-exhaust", true)
	s = h.run(20 * time.Second)
	if _, _, ok := hasAlarm(s, "fan/booth-exhaust/stall"); ok {
		t.Fatal("stall alarm before its 30 s")
	}
	s = h.run(30 * time.Second)
	if _, _, ok := hasAlarm(s, "fan/booth-exhaust/stall"); !ok {
		t.Fatalf("no stall alarm 50 s into a stall: %+v", s.Alarms)
	}
	h.bus().Disconnect(0x69)
	s = h.run(30 * time.Second)
	if _, _, ok := hasAlarm(s, "sensor/booth-pm/stale"); !ok {
		t.Fatalf("no sensor fault alarm 30 s after a disconnect: %+v", s.Alarms)
	}
	if s.Alarms.Highest.String() != "fault" {
		t.Errorf("highest level %v", s.Alarms.Highest)
	}
}

func TestStaffPMAlarmLatchesUntilAcknowledged(t *testing.T) {
	h := newHarness(t, t.TempDir(), t0)
	h.run(5 * time.Minute)
	// Smoke in the staff area itself (someone smoking outside the booth).
	h.rig.Room.StartSession("staff", room.TypicalSession(20, 10*time.Minute))
	s := h.run(10 * time.Minute)
	id, _, ok := hasAlarm(s, "staff/pm25/alarm")
	if !ok {
		t.Fatalf("no staff PM2.5 alarm during heavy smoke: %+v", s.Alarms)
	}
	s = h.run(40 * time.Minute) // long clear
	if _, acked, ok := hasAlarm(s, "staff/pm25/alarm"); !ok || acked {
		t.Fatalf("the alarm-level alarm must latch until acknowledged: %+v", s.Alarms)
	}
	if _, _, ok := hasAlarm(s, "staff/pm25/warning"); ok {
		t.Error("the warning did not clear by itself")
	}
	var err error
	var res string
	if _, err := h.d.Acknowledge(t.Context(), id, record.Actor{}, ""); err == nil {
		t.Fatal("acknowledge without who accepted")
	}
	nurse := record.Actor{Name: "nurse-7", Via: "page"}
	h.call(func() { res, err = h.d.Acknowledge(t.Context(), id, nurse, "aired out") })
	if err != nil || !strings.Contains(res, "acknowledged 1 alarm(s)") {
		t.Fatalf("ack: %q, %v", res, err)
	}
	s = h.run(time.Second)
	if _, _, ok := hasAlarm(s, "staff/pm25/alarm"); ok {
		t.Fatal("acknowledged alarm still active")
	}
	var ack bool
	for _, e := range s.Events {
		if e.AlarmID == id && e.Kind == alarm.Acknowledged && e.Who == "nurse-7" {
			ack = true
		}
	}
	if !ack {
		t.Errorf("no acknowledged event with who: %+v", s.Events)
	}
	h.call(func() { _, err = h.d.Acknowledge(t.Context(), id, nurse, "") })
	if err == nil {
		t.Error("acknowledging an alarm twice accepted")
	}
	h.call(func() { _, err = h.d.Acknowledge(t.Context(), 0, nurse, "") })
	if !errors.Is(err, ErrNothingToAcknowledge) {
		t.Errorf("ack -all with nothing active: %v; want ErrNothingToAcknowledge", err)
	}
}

func TestBoothPressureContainment(t *testing.T) {
	cfg := config.Sim()
	cfg.Sensors = append(cfg.Sensors, config.Sensor{Name: "booth-dp", Type: config.SDP810, Bus: "sim0",
		Address: config.SDP810.DefaultAddress(), Zone: "booth", StaleAfter: 3 * time.Second})
	clk := clock.NewSim(t0, 0)
	rig, err := testbench.NewRig(cfg, clk, nil, testbench.RigOpts{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	d, err := New(Options{Config: cfg, Clock: clk, Hardware: rig, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Sim: true})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, clk: clk, rig: rig, d: d}
	h.run(30 * time.Minute)
	// Doors closed: the fan finds the duty that holds the booth at
	// least 5 Pa negative on average.
	var sum float64
	var n int
	for range 30 * 60 {
		s := h.run(time.Second)
		for _, r := range s.Readings {
			if r.Sensor == "booth-dp" && r.Quantity == "pressure" && r.Quality == sample.Good && r.Unit == "Pa" {
				sum += r.Value
				n++
			}
		}
	}
	if n == 0 || sum/float64(n) > -5 {
		t.Fatalf("mean booth pressure %.2f Pa over %d readings: want at least 5 Pa negative", sum/float64(n), n)
	}
	s := h.d.Snapshot()
	if _, _, ok := hasAlarm(s, "booth/pressure/containment"); ok {
		t.Fatalf("containment alarm with the booth contained: %+v", s.Alarms)
	}
	t.Logf("doors closed: mean %.2f Pa at duty %.2f (%s)", sum/float64(n), s.Fans[0].Duty, s.Fans[0].Reason)
	// A door left open loses containment: the average rises towards 0.
	rig.Room.SetDoor("booth-door", true)
	s = h.run(15 * time.Minute)
	if _, _, ok := hasAlarm(s, "booth/pressure/containment"); !ok {
		t.Fatalf("no containment alarm with the booth door open 15 min: %+v", s.Alarms)
	}
}

func shiftTWA(s *snapshot.Snapshot, zone string, q string) (float64, float64) {
	for _, e := range s.Exposure {
		if e.Zone == zone && string(e.Quantity) == q && e.Shift != nil {
			return e.Shift.TWA, e.Shift.Coverage
		}
	}
	return -1, -1
}

func TestJournalKeepsShiftAcrossRestart(t *testing.T) {
	dir := t.TempDir()
	start := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC) // a shift starts at 07:00 (sim.yaml)
	h := newHarness(t, dir, start)
	h.run(30 * time.Minute)
	h.rig.Room.StartSession("staff", room.TypicalSession(2, 20*time.Minute))
	s := h.run(90 * time.Minute)
	before, covBefore := shiftTWA(s, "staff", "pm25")
	if before <= 0 || covBefore < 99 {
		t.Fatalf("staff PM2.5 shift TWA %v, coverage %v%%", before, covBefore)
	}
	h.d.shutdown()

	// Ten minutes later a new daemon on the same state directory.
	h2 := newHarness(t, dir, s.Time.Add(10*time.Minute))
	s2 := h2.run(2 * time.Second)
	after, covAfter := shiftTWA(s2, "staff", "pm25")
	// Σ CᵢTᵢ carries over; the minute being written when it stopped may
	// be lost: at most a minute of the highest level, /8 h.
	if d := before - after; d < -0.05 || d > 60*100/(8*3600.0) {
		t.Fatalf("shift TWA %v before the restart, %v after", before, after)
	}
	if covAfter >= covBefore || covAfter > 95 {
		t.Fatalf("coverage %v%% after a 10 min outage (was %v%%): the outage must count as a gap", covAfter, covBefore)
	}
	h2.d.shutdown()
	j, err := journal.Open(filepath.Join(dir, "journal.db"), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	gaps, err := j.Gaps(start, s2.Time.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var down bool
	for _, g := range gaps {
		if g.Reason == journal.GapDaemonDown && g.End.Sub(g.Start) >= 9*time.Minute {
			down = true
		}
	}
	if !down {
		t.Fatalf("no daemon_down gap for the outage: %+v", gaps)
	}
	ms, err := j.Minutes(start, s2.Time, "staff", "pm25")
	if err != nil || len(ms) < 115 {
		t.Fatalf("%d staff PM2.5 minutes in the journal (err %v), want about 120", len(ms), err)
	}
}

// logHarness is newHarness with the log kept for inspection.
func newLogHarness(t *testing.T, dir string, start time.Time) (*harness, *strings.Builder) {
	t.Helper()
	var logs strings.Builder
	cfg := config.Sim()
	clk := clock.NewSim(start, 0)
	rig, err := testbench.NewRig(cfg, clk, nil, testbench.RigOpts{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	d, err := New(Options{Config: cfg, Clock: clk, Hardware: rig, Log: slog.New(slog.NewTextHandler(&logs, nil)), StateDir: dir, Sim: true})
	if err != nil {
		t.Fatal(err)
	}
	return &harness{t: t, clk: clk, rig: rig, d: d, dir: dir}, &logs
}

func TestUnwritableJournalKeepsControlling(t *testing.T) {
	// A state directory under a regular file cannot be created, even by root.
	file := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	h, logs := newLogHarness(t, filepath.Join(file, "state"), t0)
	s := h.run(10 * time.Minute)
	if _, _, ok := hasAlarm(s, alarm.JournalRule); !ok {
		t.Fatalf("no journal fault alarm: %+v", s.Alarms)
	}
	if s.Health.JournalOK || s.Health.JournalError == "" || !s.Health.ClockSynchronized {
		t.Errorf("health %+v: want the journal shown as failing, the (simulated) clock as synchronised", s.Health)
	}
	if !strings.Contains(logs.String(), "check that the state directory exists and is writable") {
		t.Errorf("the log does not say what to do:\n%s", logs.String())
	}
	// Control goes on: smoke still sends the fan to full.
	h.rig.Room.StartSession("booth", room.TypicalSession(3, 3*time.Minute))
	s = h.run(10 * time.Second)
	if f := s.Fans[0]; f.Duty != 1 || f.Mode != "boost" {
		t.Fatalf("with no journal the fan did not answer smoke: %+v", f)
	}
	h.d.shutdown()
}

func TestCorruptJournalIsMovedAside(t *testing.T) {
	dir := t.TempDir()
	garbage := bytes.Repeat([]byte("not a database "), 1000)
	if err := os.WriteFile(filepath.Join(dir, "journal.db"), garbage, 0o644); err != nil {
		t.Fatal(err)
	}
	h, logs := newLogHarness(t, dir, t0)
	s := h.run(5 * time.Minute)
	if _, _, ok := hasAlarm(s, alarm.JournalRule); ok {
		t.Fatalf("journal fault after starting a fresh journal: %+v", s.Alarms)
	}
	if !strings.Contains(logs.String(), "moved it aside") {
		t.Errorf("the log does not say the damaged journal was moved:\n%s", logs.String())
	}
	entries, _ := os.ReadDir(dir)
	moved := false
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "journal.db.") && strings.Contains(e.Name(), "corrupt") {
			moved = true
		}
	}
	if !moved {
		t.Errorf("no moved-aside file in %v", entries)
	}
	h.d.shutdown()
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
	j, err := journal.Open(filepath.Join(dir, "journal.db"), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
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

func TestAlarmBeaconUntilAcknowledged(t *testing.T) {
	cfg := config.Sim()
	cfg.AlarmOutput = &config.AlarmOutput{Pin: "GPIO16", Level: "alarm"}
	clk := clock.NewSim(t0, 0)
	rig, err := testbench.NewRig(cfg, clk, nil, testbench.RigOpts{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	pin := &gpiotest.Pin{N: "GPIO16", Num: 16}
	d, err := New(Options{Config: cfg, Clock: clk, Hardware: rig, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Sim: true, AlarmOutput: pin})
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{t: t, clk: clk, rig: rig, d: d}
	h.run(5 * time.Minute)
	if pin.Read() != gpio.Low {
		t.Fatal("beacon on in a quiet room")
	}
	h.rig.Room.StartSession("staff", room.TypicalSession(20, 10*time.Minute))
	s := h.run(10 * time.Minute)
	_, _, ok := hasAlarm(s, "staff/pm25/alarm")
	if !ok || pin.Read() != gpio.High {
		t.Fatalf("staff PM2.5 alarm %v, beacon %v: want both on", ok, pin.Read())
	}
	// Acknowledge everything (the smoke also took the staff sensor out of
	// its range: a fault, which sounds too).

	h.call(func() { _, err = d.Acknowledge(t.Context(), 0, record.Actor{Name: "nurse-7", Via: "page"}, "") })
	if err != nil {
		t.Fatal(err)
	}
	h.run(time.Second)
	if pin.Read() != gpio.Low {
		t.Fatal("beacon still on after the alarm was acknowledged")
	}
}

func TestMixtureIndex(t *testing.T) {
	h := newHarness(t, t.TempDir(), t0)
	s := h.run(30 * time.Minute)
	var co2 *exposure.Summary
	for _, e := range s.Exposure {
		if e.Zone == "staff" && e.Quantity == "co2" {
			co2 = e.Shift
		}
	}
	if co2 == nil || co2.AdjustedTWALimit != 2500 { // 5000 ppm × 0.5 for a 12 h shift
		t.Fatalf("staff CO2 shift %+v", co2)
	}
	if len(s.Mixture) != 1 || s.Mixture[0].Zone != "staff" || s.Mixture[0].Pollutants != 1 ||
		math.Abs(s.Mixture[0].Index-co2.TWA/2500) > 1e-12 {
		t.Fatalf("mixture %+v, want staff with CO2 alone: %v", s.Mixture, co2.TWA/2500)
	}
}

func TestNoStuckFaultFromASteadyVOCIndex(t *testing.T) {
	h := newHarness(t, t.TempDir(), t0)
	// Two quiet hours: the VOC index sits at 100, the NOx index at 1.
	s := h.run(2 * time.Hour)
	for _, a := range s.Alarms.Alarms {
		t.Errorf("alarm in a quiet room: %s (%s)", a.RuleID, a.Message)
	}
	// A frozen SPS30 is a fault once its reading has not changed for the
	// configured time (30 min by default).
	h.rig.SensorFault("booth-pm", "stuck", true)
	s = h.run(31 * time.Minute)
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

func TestFanOutputFault(t *testing.T) {
	h := newHarness(t, t.TempDir(), t0)
	h.run(time.Minute)
	// The output stops taking commands (here: released under the daemon).
	h.rig.Room.Fan("booth-exhaust").Halt()
	s := h.run(10 * time.Second)
	if _, _, ok := hasAlarm(s, "fan/booth-exhaust/output"); !ok {
		t.Fatalf("no fault for a fan output that cannot be set: %+v", s.Alarms)
	}
	if s.Fans[0].Error == "" {
		t.Errorf("fan error not shown: %+v", s.Fans[0])
	}
}
