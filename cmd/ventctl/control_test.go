package main

import (
	"context"
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
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/scenario"
)

// daemonRunning runs ventd's loop on the simulated room, unpaced, with a
// long session in the booth (so a purge holds) and its control socket in
// a temporary directory, until the test ends.
func daemonRunning(t *testing.T) (d *daemon.Daemon, socket string, log *testbench.LogBuffer) {
	t.Helper()
	d, socket, log, _ = daemonRunningRig(t)
	return d, socket, log
}

// daemonRunningRig is daemonRunning with the simulated room's rig.
func daemonRunningRig(t *testing.T) (d *daemon.Daemon, socket string, log *testbench.LogBuffer, rig *testbench.Rig) {
	t.Helper()
	cfg := config.Sim()
	clk := clock.NewSim(genTime, 0)
	sc, err := scenario.Parse([]byte("name: smoky\nduration: 8h\nevents:\n  - {at: 0s, session: {zone: booth, duration: 8h, pm25_mg_per_min: 1}}\n"), "smoky.yaml")
	if err != nil {
		t.Fatal(err)
	}
	rig, err = testbench.NewRig(cfg, clk, sc, testbench.RigOpts{})
	if err != nil {
		t.Fatal(err)
	}
	log = &testbench.LogBuffer{}
	l := slog.New(slog.NewTextHandler(log, nil))
	d, err = daemon.New(daemon.Options{Config: cfg, Clock: clk, Hardware: rig, Log: l, StateDir: t.TempDir(), Sim: true})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	loop, sock := make(chan error, 1), make(chan error, 1)
	go func() { loop <- d.Run(ctx) }()
	socket = filepath.Join(t.TempDir(), "ventd.sock")
	go func() { sock <- ctlsock.Serve(ctx, socket, d, l) }()
	t.Cleanup(func() {
		cancel()
		<-loop
		<-sock
	})
	eventually(t, "the socket", func() bool { _, err := ctlsock.Dial(socket).Ping(ctx); return err == nil })
	return d, socket, log, rig
}

// ventctl purge exited 0 and printed "fan booth-exhaust at maximum, but …
// ventd cannot set fan booth-exhaust" when the fan could not be driven: a
// responder would take the purge as under way. It exits 1 now, and says
// the booth is not purging.
func TestPurgeWithAFanThatCannotBeSetFails(t *testing.T) {
	d, socket, _, rig := daemonRunningRig(t)
	rig.Room.Fan("booth-exhaust").Halt()
	eventually(t, "the fan's error", func() bool {
		s := d.Snapshot()
		return s != nil && len(s.Fans) > 0 && s.Fans[0].Error != ""
	})
	code, out, errOut := asUser(t, "purge", "-zone", "booth", "-socket", socket)
	if code != exitFail || out != "" || !strings.Contains(errOut, "ventctl purge: booth: NOT purging: ventd cannot set fan booth-exhaust") || strings.Contains(errOut, "at maximum") {
		t.Errorf("purge with the booth's fan failing: exit %d, stdout %q, stderr %q; want exit %d and no \"at maximum\"", code, out, errOut, exitFail)
	}
}

// eventually polls cond; the limit only keeps a broken test from hanging.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for i := 0; !cond(); i++ {
		if i > 3000 {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// asUser runs ventctl as if from a shell: $USER root, under sudo by alice.
func asUser(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e strings.Builder
	vars := map[string]string{"USER": "root", "SUDO_USER": "alice"}
	code = run(args, env{stdout: &o, stderr: &e, now: func() time.Time { return genTime }, getenv: func(k string) string { return vars[k] }})
	return code, o.String(), e.String()
}

func TestControlThroughDaemon(t *testing.T) {
	d, socket, log := daemonRunning(t)
	eventually(t, "smoke in the booth", func() bool {
		s := d.Snapshot()
		if s == nil {
			return false
		}
		for _, r := range s.Readings {
			if r.Sensor == "booth-pm" && r.Quantity == sample.PM25 && r.Quality == sample.Good && r.Value > 100 {
				return true
			}
		}
		return false
	})
	fanMode := func() control.Mode { return d.Snapshot().Fans[0].Mode }

	code, out, errOut := asUser(t, "purge", "-zone", "booth", "-reason", "drill", "-socket", socket)
	if code != 0 || !strings.Contains(out, "booth: purging") || !strings.Contains(out, "journaled as done by alice") {
		t.Fatalf("purge: exit %d, %q %q", code, out, errOut)
	}
	eventually(t, "purge mode", func() bool { return fanMode() == "purge" })
	if !strings.Contains(log.String(), "by=\"alice via socket (uid ") {
		t.Errorf("the daemon's log does not say who purged, with the uid:\n%s", log)
	}
	if code, out, _ := asUser(t, "purge", "-cancel", "-socket", socket, "-who", "bob"); code != 0 || !strings.Contains(out, "purge ended") || !strings.Contains(out, "by bob") {
		t.Errorf("purge -cancel: exit %d, %q", code, out)
	}
	eventually(t, "the purge to end", func() bool { return fanMode() != "purge" })
	if code, _, errOut := asUser(t, "purge", "-zone", "kitchen", "-socket", socket); code != 1 || !strings.Contains(errOut, `ventctl purge: no zone "kitchen"`) {
		t.Errorf("purge of an unknown zone: exit %d, %q", code, errOut)
	}

	_, direct := d.Acknowledge(context.Background(), 424242, record.Actor{Name: "x", Via: "test"}, "")
	if code, _, errOut := asUser(t, "ack", "-id", "424242", "-socket", socket); code != 1 || direct == nil || !strings.Contains(errOut, direct.Error()) {
		t.Errorf("ack of an unknown alarm: exit %d, %q; want the daemon's %v", code, errOut, direct)
	}
	if code, out, errOut := asUser(t, "ack", "-all", "-note", "shift handover", "-socket", socket); (code != 0 || !strings.Contains(out, "alarm(s)") || !strings.Contains(out, "as alice")) && (code != 1 || !strings.Contains(errOut, "no active alarm awaits acknowledgement")) {
		t.Errorf("ack -all: exit %d, %q %q", code, out, errOut)
	}

	if code, _, errOut := asUser(t, "calibrate", "co2", "-sensor", "nope", "-ppm", "420", "-socket", socket); code != 1 || !strings.Contains(errOut, `forced recalibration: no sensor "nope"`) {
		t.Errorf("calibrate an unknown sensor: exit %d, %q", code, errOut)
	}
	if code, _, errOut := asUser(t, "calibrate", "co2", "-sensor", "staff-co2", "-ppm", "42", "-socket", socket); code != exitUsage || !strings.Contains(errOut, "-ppm 42: give the CO2 of the air the sensor sits in now, 400 to 5000 ppm") {
		t.Errorf("calibrate at 42 ppm: exit %d, %q", code, errOut)
	}
	// Typed with the socket first, as people do: co2 is still the kind.
	if code, _, errOut := asUser(t, "calibrate", "-socket", socket, "co2", "-sensor", "staff-co2", "-ppm", "42"); code != exitUsage || !strings.Contains(errOut, "-ppm 42: give the CO2") {
		t.Errorf("calibrate with -socket before co2: exit %d, %q", code, errOut)
	}
	// The SCD41 takes a forced recalibration after 3 min of measuring.
	eventually(t, "5 simulated minutes", func() bool { return d.Snapshot().Time.Sub(genTime) > 5*time.Minute })
	code, out, errOut = asUser(t, "calibrate", "co2", "-sensor", "staff-co2", "-ppm", "420", "-force", "-note", "outdoor air", "-socket", socket)
	if code != 0 || !strings.Contains(out, "staff-co2 recalibrated to 420 ppm") || !strings.Contains(out, "by alice") {
		t.Errorf("calibrate: exit %d, %q %q", code, out, errOut)
	}

	// Hardware commands refuse while the daemon runs.
	for _, args := range [][]string{
		{"read", "-config", "../../config/example.yaml"},
		{"fan", "-config", "../../config/example.yaml", "-fan", "booth-exhaust", "-duty", "50"},
		{"scan"},
	} {
		code, _, errOut := asUser(t, append(args, "-socket", socket)...)
		if code != 1 || !strings.Contains(errOut, "ventd is running") || !strings.Contains(errOut, "systemctl stop ventd") {
			t.Errorf("%v while ventd runs: exit %d, %q", args, code, errOut)
		}
	}
}

func TestControlUsage(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "ventd.sock")
	want := "no ventd at " + missing + ": is it running? (systemctl status ventd)"
	for _, args := range [][]string{
		{"purge"}, {"ack", "-all"}, {"calibrate", "co2", "-sensor", "staff-co2", "-ppm", "420"},
	} {
		code, _, errOut := asUser(t, append(args, "-socket", missing)...)
		if code != 1 || !strings.Contains(errOut, want) {
			t.Errorf("%v without a daemon: exit %d, %q; want %q", args, code, errOut, want)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"ack"}, "give -id N"},
		{[]string{"ack", "-id", "3", "-all"}, "give -id N"},
		{[]string{"calibrate"}, "ventctl calibrate co2 -sensor NAME -ppm 420"},
		{[]string{"calibrate", "pm"}, "only co2 can be calibrated"},
		{[]string{"calibrate", "co2", "-ppm", "420"}, "give -sensor NAME"},
		{[]string{"calibrate", "co2", "-sensor", "s"}, "give -ppm N"},
		{[]string{"purge", "-who", ""}, "say who you are with -who NAME"},
		{[]string{"purge", "booth"}, `unexpected argument "booth"`},
	} {
		code, _, errOut := asUser(t, append(c.args, "-socket", missing)...)
		if code != 2 || !strings.Contains(errOut, c.want) {
			t.Errorf("%v: exit %d, %q; want 2 and %q", c.args, code, errOut, c.want)
		}
	}
	// Without sudo, $USER is who.
	var e env
	e.getenv = func(k string) string { return map[string]string{"USER": "carol"}[k] }
	if who := invoker(e); who != "carol" {
		t.Errorf("invoker without sudo: %q", who)
	}
}
