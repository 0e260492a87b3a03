package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/daemon"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/scenario"
)

// auditShift is a 12 h day shift with something for every part of the
// report: booth sessions, one with the door open; a session in the staff
// area that raises the staff PM2.5 alarm, acknowledged by name; a 6 min
// sensor outage (a gap and a fault alarm); a CO2 calibration (by the test).
const auditShift = `name: audit-shift
duration: 12h10m
events:
  - {at: 0s, occupants: {zone: staff, count: 2}}
  - {at: 35m, session: {zone: booth, duration: 4m, pm25_mg_per_min: 3}}
  - {at: 2h, session: {zone: booth, duration: 5m, pm25_mg_per_min: 4}}
  - {at: 2h2m, door: {name: booth-door, open: true, for: 3m}}
  - {at: 3h, session: {zone: staff, duration: 5m, pm25_mg_per_min: 5}}
  - {at: 5h, sensor_fault: {sensor: staff-pm, kind: disconnect, for: 6m}}
  - {at: 8h, session: {zone: booth, duration: 3m, pm25_mg_per_min: 2}}
  - {at: 10h30m, session: {zone: booth, duration: 4m, pm25_mg_per_min: 3}}
`

var (
	auditStart = time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)
	auditEnd   = auditStart.Add(12 * time.Hour)
)

const (
	ackWho   = "Dana Reyes"
	purgeWho = "Lee Chan"
	ackNote  = "client moved out"
	calWho   = "Sam Okafor"
)

// runAuditShift runs the real daemon (drivers on the simulated I2C bus,
// room model, control loop, journal) on simulated time from 06:56 to
// 19:02, purging the booths, acknowledging the staff PM2.5 alarm and
// recalibrating the CO2 sensor on the way, and returns the state
// directory it wrote.
func runAuditShift(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	cfg := config.Sim()
	// A 5 s control period, a valid site setting, makes the 12 h run five
	// times quicker; the exposure record still gets a sample every 5 s.
	cfg.Control.Period = 5 * time.Second
	sc, err := scenario.Parse([]byte(auditShift), "audit-shift.yaml")
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewSim(auditStart.Add(-4*time.Minute), 0)
	rig, err := testbench.NewRig(cfg, clk, sc, testbench.RigOpts{Seed: 7, ScenarioStart: auditStart})
	if err != nil {
		t.Fatal(err)
	}
	d, err := daemon.New(daemon.Options{Config: cfg, Clock: clk, Hardware: rig, StateDir: dir, Sim: true,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The technician's requests go in on the loop's own goroutine, from
	// the clock's hook, at the simulated time they are due: sent from
	// another goroutine, a request landed whenever that goroutine got to
	// it, by which time the simulation at full speed could be an hour on
	// (the acknowledgement then fell outside 10:00 on a busy machine).
	// Each is queued with a context already done, so the call returns at
	// once instead of waiting for the loop it runs on; the loop serves it
	// at its next period, and the report shows what it did.
	queued, stop := context.WithCancel(context.Background())
	stop()
	queue := func(what string, err error) {
		if err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("%s: %v", what, err)
		}
	}
	acked, calibrated, purged := false, false, false
	clk.OnAdvance(func(now time.Time) {
		switch {
		case !purged && now.After(auditStart.Add(2*time.Hour+3*time.Minute)):
			_, err := d.Purge(queued, "", record.Actor{Name: purgeWho, Via: "socket"}, "booth check")
			queue("purge", err)
			purged = true
		case !acked && now.After(auditStart.Add(3*time.Hour+8*time.Minute)):
			p := d.Latest()
			if p == nil {
				return
			}
			for _, a := range p.Alarms.Alarms {
				if a.Level == alarm.LevelAlarm && a.Subject == "staff" && !a.Acked && !acked {
					_, err := d.Acknowledge(queued, a.ID, record.Actor{Name: ackWho, Via: "socket"}, ackNote)
					queue(fmt.Sprintf("acknowledge alarm %d", a.ID), err)
					acked = true
				}
			}
		case !calibrated && now.After(auditStart.Add(6*time.Hour)):
			_, err := d.ForcedRecalibration(queued, "staff-co2", 420, false, record.Actor{Name: calWho, Via: "socket"}, "outdoor air check")
			queue("calibrate", err)
			calibrated = true
		case now.After(auditEnd.Add(2 * time.Minute)):
			cancel() // the shift is over: stop here, however fast the machine
		}
	})
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx) }()
	runErr := <-done
	if runErr != nil {
		t.Fatal(runErr)
	}
	// Run waits 2 s of wall time for its outputs; on a loaded machine the
	// journal's writer may still be behind. The last record marks a clean
	// stop: wait for it to be on disk, so every read below sees the end.
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(20 * time.Millisecond) {
		j, err := journal.OpenReadOnly(filepath.Join(dir, "journal.db"), journal.Options{})
		if err != nil {
			t.Fatal(err)
		}
		v, _, err := j.Meta("daemon.clean_stop")
		j.Close()
		if err == nil && v == "1" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the journal holds no clean stop a minute after the daemon stopped (%q, %v)", v, err)
		}
	}
	if !acked {
		t.Fatal("the staff PM2.5 alarm never rose: the scenario no longer exercises an acknowledgement")
	}
	return dir
}

// need returns the path of a Debian program the test needs; without it,
// it fails under CI and skips elsewhere, saying what to install.
func need(t *testing.T, prog, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(prog)
	if err == nil {
		return p
	}
	if strings.EqualFold(os.Getenv("CI"), "true") {
		t.Fatalf("%s not found: CI must install %s (testbench/test.sh does)", prog, pkg)
	}
	t.Skipf("%s not found: sudo apt-get install %s", prog, pkg)
	return ""
}

// simConfig is the simulated room's configuration file, for -config.
func simConfig() string { return filepath.Join("..", "..", "config", "sim.yaml") }
