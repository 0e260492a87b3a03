package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"periph.io/x/conn/v3/i2c"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/daemon"
	"github.com/ventd/ventd/sdnotify/sdnotifytest"
	"github.com/ventd/ventd/testbench"
)

// TestSystemdNotifyFromRun runs ventd as systemd would start it (on the
// simulated room): READY=1, watchdog pings, STOPPING=1 when it stops.
func TestSystemdNotifyFromRun(t *testing.T) {
	sock := sdnotifytest.Listen(t)
	sdnotifytest.Watchdog(t, 400*time.Millisecond)
	var logs testbench.LogBuffer
	a, ctx, cancel := newTestApp(t, &logs, "-sim", "-sim-speed", "10", "-listen", "127.0.0.1:0", "-state-dir", t.TempDir())
	done := make(chan error, 1)
	go func() { done <- a.run(ctx) }()
	if got := sock.Next(t); !strings.HasPrefix(got, "READY=1\n") {
		t.Fatalf("first notification %q, want READY=1", got)
	}
	for i := 0; i < 3; i++ {
		if got := sock.Next(t); got != "WATCHDOG=1" {
			t.Fatalf("notification %q, want WATCHDOG=1 while the loop runs", got)
		}
	}
	cancel()
	for {
		got := sock.Next(t)
		if strings.HasPrefix(got, "STOPPING=1") {
			break
		}
		if got != "WATCHDOG=1" {
			t.Fatalf("notification %q while stopping", got)
		}
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "systemd notify") {
		t.Errorf("log does not say ventd talks to systemd:\n%s", logs.String())
	}
}

// hangingRig is the simulated room whose I2C buses can be made to hang, as
// a bus held low by a locked-up sensor hangs a transfer.
type hangingRig struct {
	*testbench.Rig
	mu      sync.Mutex
	hung    bool
	release chan struct{}
}

func (h *hangingRig) hang() {
	h.mu.Lock()
	h.hung = true
	h.mu.Unlock()
}

func (h *hangingRig) unhang() {
	h.mu.Lock()
	h.hung = false
	h.mu.Unlock()
	close(h.release)
}

func (h *hangingRig) Bus(s config.Sensor) (i2c.Bus, error) {
	b, err := h.Rig.Bus(s)
	if err != nil {
		return nil, err
	}
	return &hangingBus{Bus: b, rig: h}, nil
}

type hangingBus struct {
	i2c.Bus
	rig *hangingRig
}

func (b *hangingBus) Tx(addr uint16, w, r []byte) error {
	b.rig.mu.Lock()
	hung := b.rig.hung
	b.rig.mu.Unlock()
	if hung {
		<-b.rig.release
	}
	return b.Bus.Tx(addr, w, r)
}

// TestWatchdogStopsWhenTheLoopHangs runs the daemon on the wall clock (the
// watchdog guards real time) with a 100 ms control period, hangs its loop
// inside an I2C transfer and checks that the pings stop, then resume when
// the transfer returns.
func TestWatchdogStopsWhenTheLoopHangs(t *testing.T) {
	sock := sdnotifytest.Listen(t)
	sdnotifytest.Watchdog(t, 400*time.Millisecond)
	cfg := config.Sim()
	cfg.Control.Period = 100 * time.Millisecond
	rig, err := testbench.NewRig(cfg, clock.Real{}, nil, testbench.RigOpts{})
	if err != nil {
		t.Fatal(err)
	}
	hw := &hangingRig{Rig: rig, release: make(chan struct{})}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	d, err := daemon.New(daemon.Options{Config: cfg, Clock: clock.Real{}, Hardware: hw, Log: log, Sim: true})
	if err != nil {
		t.Fatal(err)
	}
	var logs testbench.LogBuffer
	a := &app{cfg: cfg, log: slog.New(slog.NewTextHandler(&logs, nil)), d: d}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	loopDone := make(chan error, 1)
	go func() { loopDone <- d.Run(ctx) }()
	wait := a.superviseSystemd(ctx)

	if got := sock.Next(t); !strings.HasPrefix(got, "READY=1") {
		t.Fatalf("first notification %q, want READY=1", got)
	}
	if got := sock.Next(t); got != "WATCHDOG=1" {
		t.Fatalf("%q, want WATCHDOG=1 while the loop runs", got)
	}
	hw.hang()
	// Pings go on until five periods pass without one finishing; then
	// only the stuck status, never a ping.
	for {
		got := sock.Next(t)
		if strings.HasPrefix(got, "STATUS=control loop stuck") {
			break
		}
		if got != "WATCHDOG=1" {
			t.Fatalf("%q while the loop hangs", got)
		}
	}
	for i := 0; i < 3; i++ {
		if got := sock.Next(t); !strings.HasPrefix(got, "STATUS=control loop stuck") {
			t.Fatalf("%q: a hung loop must not ping the watchdog", got)
		}
	}
	hw.unhang()
	for {
		got := sock.Next(t)
		if got == "WATCHDOG=1\nSTATUS=control loop running" {
			break
		}
		if !strings.HasPrefix(got, "STATUS=control loop stuck") {
			t.Fatalf("%q after the transfer returned", got)
		}
	}
	cancel()
	for !strings.HasPrefix(sock.Next(t), "STOPPING=1") {
	}
	wait()
	<-loopDone
	for _, want := range []string{"watchdog pings withheld: control loop stuck", "control loop running again"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
}
