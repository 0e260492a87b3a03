package sps30_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/drivers/sps30"
	"github.com/ventd/ventd/testbench/air"
	"github.com/ventd/ventd/testbench/i2csim"
	"github.com/ventd/ventd/testbench/sps30sim"
)

func TestAutoCleanInterval(t *testing.T) {
	r := newRig(t, air.Fixed(air.Clean), sps30sim.Opts{})
	if got, err := r.dev.AutoCleanInterval(); err != nil || got != 168*time.Hour {
		t.Errorf("default AutoCleanInterval = %v, %v, want 168h", got, err)
	}
	for _, d := range []time.Duration{96 * time.Hour, 0, time.Second, sps30.MaxAutoCleanInterval} {
		if err := r.dev.SetAutoCleanInterval(d); err != nil {
			t.Fatal(err)
		}
		if got, err := r.dev.AutoCleanInterval(); err != nil || got != d {
			t.Errorf("AutoCleanInterval after setting %v = %v, %v", d, got, err)
		}
	}
	for _, bad := range []time.Duration{-time.Second, 1500 * time.Millisecond, sps30.MaxAutoCleanInterval + time.Second} {
		err := r.dev.SetAutoCleanInterval(bad)
		if err == nil || !strings.Contains(err.Error(), "whole seconds") {
			t.Errorf("SetAutoCleanInterval(%v) = %v, want a clear refusal", bad, err)
		}
	}
}

// pollSecond waits a second and polls once, reporting whether a new
// measurement came.
func pollSecond(t *testing.T, r *rig) bool {
	t.Helper()
	r.clk.Sleep(time.Second)
	var got sps30.Reading
	err := r.dev.Sense(&got)
	if errors.Is(err, sps30.ErrNotReady) {
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	return true
}

func TestCleanFan(t *testing.T) {
	r := newRig(t, air.Fixed(air.Clean), sps30sim.Opts{})
	r.settle(t)
	if err := r.dev.CleanFan(); err != nil {
		t.Fatal(err)
	}
	if !r.sim.Cleaning() {
		t.Fatal("simulator not cleaning after CleanFan")
	}
	// 10 s at full fan speed with no new measurements.
	held := 0
	for pollSecond(t, r) == false {
		held++
		if held > 20 {
			t.Fatal("no measurement 20 s after the fan cleaning started")
		}
	}
	if held < 9 || held > 10 {
		t.Errorf("fan cleaning held measurements for %d s, want about 10", held)
	}
	checkMass(t, r.next(t), air.Clean)
}

func TestAutoClean(t *testing.T) {
	r := newRig(t, air.Fixed(air.Clean), sps30sim.Opts{})
	if err := r.dev.SetAutoCleanInterval(60 * time.Second); err != nil {
		t.Fatal(err)
	}
	if err := r.dev.Start(); err != nil {
		t.Fatal(err)
	}
	missed := 0
	for range 90 {
		if !pollSecond(t, r) {
			missed++
		}
	}
	if missed < 9 || missed > 11 {
		t.Errorf("%d seconds without a measurement in 90 s with a 60 s auto-cleaning interval, want about 10", missed)
	}
}

func TestSleepWake(t *testing.T) {
	r := newRig(t, air.Fixed(air.Clean), sps30sim.Opts{})
	if err := r.dev.Start(); err != nil {
		t.Fatal(err)
	}
	if err := r.dev.Sleep(); !errors.Is(err, i2csim.ErrNACK) {
		t.Errorf("Sleep while measuring = %v, want a NACK (stop first)", err)
	}
	if err := r.dev.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := r.dev.Sleep(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.dev.Serial(); !errors.Is(err, i2csim.ErrNACK) {
		t.Errorf("Serial while asleep = %v, want a NACK", err)
	}
	r.clk.Sleep(time.Second) // let the pulse's 100 ms window pass
	if err := r.dev.WakeUp(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.dev.Serial(); err != nil {
		t.Errorf("Serial after WakeUp: %v", err)
	}
	// WakeUp on an idle sensor is harmless.
	if err := r.dev.WakeUp(); err != nil {
		t.Errorf("WakeUp while idle: %v", err)
	}
	checkMass(t, r.settle(t), air.Clean)
}

// TestNewWakesSleeper checks that New finds a sensor left asleep, as after
// a daemon restart.
func TestNewWakesSleeper(t *testing.T) {
	r := newRig(t, air.Fixed(air.Clean), sps30sim.Opts{Serial: "SLEEPER"})
	if err := r.dev.Sleep(); err != nil {
		t.Fatal(err)
	}
	r.clk.Sleep(time.Minute)
	dev, err := sps30.New(r.bus, &sps30.Opts{Clock: r.clk})
	if err != nil {
		t.Fatalf("New on a sleeping sensor: %v", err)
	}
	if s, err := dev.Serial(); err != nil || s != "SLEEPER" {
		t.Errorf("Serial = %q, %v", s, err)
	}
}

func TestReset(t *testing.T) {
	r := newRig(t, air.Fixed(air.Clean), sps30sim.Opts{})
	r.settle(t)
	r.sim.SetFanFailure(true)
	r.clk.Sleep(3 * time.Second)
	r.sim.SetFanFailure(false)
	if err := r.dev.Reset(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.dev.DataReady(); !errors.Is(err, i2csim.ErrNACK) {
		t.Errorf("DataReady after Reset = %v, want a NACK: reset leaves the sensor idle", err)
	}
	if s, err := r.dev.Status(); err != nil || !s.OK() {
		t.Errorf("Status after Reset = %v, %v", s, err)
	}
	checkMass(t, r.settle(t), air.Clean)
}

// TestNewAfterTransientNACK checks that New on a measuring sensor (a
// daemon restart) survives one refused transfer.
func TestNewAfterTransientNACK(t *testing.T) {
	r := newRig(t, air.Fixed(air.Clean), sps30sim.Opts{})
	r.settle(t)
	r.bus.Inject(sps30.DefaultAddr, i2csim.Fault{Kind: i2csim.FaultNACK, Count: 1})
	dev, err := sps30.New(r.bus, &sps30.Opts{Clock: r.clk})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	r.dev = dev
	checkMass(t, r.next(t), air.Clean) // still measuring
}

// TestRestartWhileMeasuring is a daemon restart: a new Dev finds the sensor
// measuring, and Start must still succeed.
func TestRestartWhileMeasuring(t *testing.T) {
	r := newRig(t, air.Fixed(air.Clean), sps30sim.Opts{})
	r.settle(t)
	dev, err := sps30.New(r.bus, &sps30.Opts{Clock: r.clk})
	if err != nil {
		t.Fatal(err)
	}
	if err := dev.Start(); err != nil {
		t.Fatalf("Start on a measuring sensor: %v", err)
	}
	r.dev = dev
	checkMass(t, r.settle(t), air.Clean)
}

func TestHalt(t *testing.T) {
	r := newRig(t, air.Fixed(air.Clean), sps30sim.Opts{})
	if err := r.dev.Start(); err != nil {
		t.Fatal(err)
	}
	if err := r.dev.Halt(); err != nil {
		t.Fatal(err)
	}
	if _, err := r.dev.DataReady(); !errors.Is(err, i2csim.ErrNACK) {
		t.Errorf("DataReady after Halt = %v, want a NACK: halted sensor is idle", err)
	}
	if err := r.dev.Halt(); err != nil {
		t.Errorf("Halt on an idle sensor: %v", err)
	}
	r.bus.Disconnect(sps30.DefaultAddr)
	if err := r.dev.Halt(); !errors.Is(err, i2csim.ErrNACK) {
		t.Errorf("Halt on a missing sensor = %v, want a NACK", err)
	}
}
