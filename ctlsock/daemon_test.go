package ctlsock_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control"
	"github.com/ventd/ventd/ctlsock"
	"github.com/ventd/ventd/daemon"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/snapshot"
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/scenario"
)

var _ ctlsock.Controller = (*daemon.Daemon)(nil)

// A long smoking session keeps the booth above the entry threshold, so a
// purge holds.
const smoky = `name: smoky
duration: 8h
events:
  - {at: 0s, session: {zone: booth, duration: 8h, pm25_mg_per_min: 1}}
`

// runDaemon runs the daemon on the simulated room, unpaced, with its
// control socket, until the test ends.
func runDaemon(t *testing.T) (*daemon.Daemon, *ctlsock.Client) {
	t.Helper()
	cfg := config.Sim()
	clk := clock.NewSim(time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC), 0)
	sc, err := scenario.Parse([]byte(smoky), "smoky.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rig, err := testbench.NewRig(cfg, clk, sc, testbench.RigOpts{})
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	d, err := daemon.New(daemon.Options{Config: cfg, Clock: clk, Hardware: rig, Log: log, StateDir: t.TempDir(), Sim: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	loop, sock := make(chan error, 1), make(chan error, 1)
	go func() { loop <- d.Run(ctx) }()
	path := filepath.Join(t.TempDir(), "ventd.sock")
	go func() { sock <- ctlsock.Serve(ctx, path, d, log) }()
	t.Cleanup(func() {
		cancel()
		<-loop
		if err := <-sock; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	cl := ctlsock.Dial(path)
	waitFor(t, "the socket to answer", func() bool { _, err := cl.Ping(ctx); return err == nil })
	return d, cl
}

// waitFor polls cond; the limit only keeps a broken test from hanging.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for i := 0; !cond(); i++ {
		if i > 3000 {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func fanMode(s *snapshot.Snapshot) control.Mode {
	if s == nil || len(s.Fans) == 0 {
		return ""
	}
	return s.Fans[0].Mode
}

func boothPM(s *snapshot.Snapshot) float64 {
	if s != nil {
		for _, r := range s.Readings {
			if r.Sensor == "booth-pm" && r.Quantity == sample.PM25 && r.Quality == sample.Good {
				return r.Value
			}
		}
	}
	return 0
}

func TestDaemonThroughSocket(t *testing.T) {
	d, cl := runDaemon(t)
	ctx := context.Background()
	waitFor(t, "smoke in the booth", func() bool { return boothPM(d.Snapshot()) > 100 })

	if res, err := cl.Purge(ctx, "booth", "tester", "test"); err != nil || !strings.Contains(res, "booth: purging") {
		t.Fatalf("purge: %q, %v", res, err)
	}
	waitFor(t, "purge mode", func() bool { return fanMode(d.Snapshot()) == "purge" })
	if s := d.Snapshot(); s.Fans[0].Duty != 1 || !strings.Contains(s.Fans[0].Reason, "purge") {
		t.Errorf("purging fan: duty %g, reason %q", s.Fans[0].Duty, s.Fans[0].Reason)
	}
	if res, err := cl.CancelPurge(ctx, "booth", "tester"); err != nil || !strings.Contains(res, "purge ended") {
		t.Fatalf("cancel purge: %q, %v", res, err)
	}
	waitFor(t, "the purge to end", func() bool { return fanMode(d.Snapshot()) != "purge" })

	_, err := cl.Purge(ctx, "kitchen", "tester", "")
	if err == nil || err.Error() != `no zone "kitchen"; zones: booth` {
		t.Errorf("purge of an unknown zone: %v", err)
	}

	// The daemon's own words come back through the socket.
	_, direct := d.Acknowledge(ctx, 987654, record.Actor{Name: "tester", Via: "test"}, "")
	if direct == nil {
		t.Fatal("the daemon acknowledged an alarm that does not exist")
	}
	if _, err := cl.Acknowledge(ctx, 987654, "tester", ""); err == nil || err.Error() != direct.Error() {
		t.Errorf("ack of an unknown alarm: %v; want the daemon's %q", err, direct)
	}
	if res, err := cl.Acknowledge(ctx, 0, "tester", "all clear"); err != nil && !strings.Contains(err.Error(), daemon.ErrNothingToAcknowledge.Error()) {
		t.Errorf("ack of every alarm: %q, %v", res, err)
	}

	_, err = cl.Calibrate(ctx, "nope", 420, false, "tester", "")
	if err == nil || err.Error() != `forced recalibration: no sensor "nope"` {
		t.Errorf("calibrate an unknown sensor: %v", err)
	}
	_, err = cl.Calibrate(ctx, "booth-pm", 420, false, "tester", "")
	if err == nil || !strings.Contains(err.Error(), "only SCD4x CO2 sensors take a forced recalibration") {
		t.Errorf("calibrate a PM sensor: %v", err)
	}
	var e *ctlsock.Error
	if _, err = cl.Calibrate(ctx, "staff-co2", 40, false, "tester", ""); !errors.As(err, &e) || e.Status != 400 {
		t.Errorf("calibrate at 40 ppm: %v; want a 400", err)
	}
	// The SCD41 takes a forced recalibration after 3 min of measuring.
	started := d.Snapshot().Time
	waitFor(t, "5 simulated minutes", func() bool { return d.Snapshot().Time.Sub(started) > 5*time.Minute })
	if _, err := cl.Calibrate(ctx, "staff-co2", 430, true, "tester", "outdoor air"); err != nil {
		t.Errorf("calibrate the CO2 sensor: %v", err)
	}
}
