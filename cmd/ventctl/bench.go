package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/ctlsock"
	"github.com/ventd/ventd/daemon"
	"github.com/ventd/ventd/pihost"
	"github.com/ventd/ventd/statelock"
	"github.com/ventd/ventd/testbench"
)

// simRoom is the simulated room a -sim command runs on.
type simRoom struct {
	Config *config.Config
	Clock  *clock.Sim
	Rig    *testbench.Rig
}

// bench is the hardware a command drives: the Pi's, through the same
// pihost.Host ventd uses, or the simulated room's.
type bench struct {
	cfg   *config.Config
	clk   clock.Clock
	hw    daemon.Hardware
	sim   *simRoom // nil on hardware
	close func()
}

// advance brings the simulated room to the clock's time (its fans spin up
// as time passes); nothing on hardware.
func (b *bench) advance() {
	if b.sim != nil {
		b.sim.Rig.AdvanceTo(b.clk.Now())
	}
}

// openBench loads the config (the simulated room's without -config under
// -sim) and opens the hardware. On hardware it first refuses when ventd
// answers on socket: two programs on one I2C bus corrupt each other's
// transfers, and two masters of one fan fight.
// Without needConfig, no -config on hardware is no config (nil).
func openBench(ctx context.Context, e env, cmd, cfgPath string, sim, needConfig bool, socket string) (*bench, error) {
	var cfg *config.Config
	switch {
	case cfgPath != "":
		var err error
		if cfg, err = config.Load(cfgPath); err != nil {
			return nil, fmt.Errorf("-config: %w\n(ventctl check-config -config %s lists every mistake)", err, cfgPath)
		}
	case sim:
		cfg = config.Sim()
	case !needConfig:
	default:
		return nil, errors.New("give -config FILE, ventd's configuration (e.g. /etc/ventd/ventd.yaml), or -sim to try it on the simulated room")
	}
	if sim {
		// Unpaced: simulated time passes as fast as the command sleeps.
		clk := clock.NewSim(e.now().Truncate(time.Second).UTC(), 0)
		rig, err := testbench.NewRig(cfg, clk, nil, e.simOpts)
		if err != nil {
			return nil, fmt.Errorf("simulated room: %w", err)
		}
		room := &simRoom{Config: cfg, Clock: clk, Rig: rig}
		if e.sim != nil {
			e.sim(room)
		}
		return &bench{cfg: cfg, clk: clk, hw: rig, sim: room, close: func() {}}, nil
	}
	if err := refuseIfRunning(ctx, cmd, socket); err != nil {
		return nil, err
	}
	// The socket says whether ventd runs now; the state directory's lock
	// keeps it from starting meanwhile (systemd restarting it, or a
	// technician's systemctl start during a fan test), and keeps a second
	// ventctl off the same bus and fans.
	dir := defaultStateDir
	if cfg != nil && cfg.StateDir != "" {
		dir = cfg.StateDir
	}
	lock, err := statelock.Lock(dir, "ventctl "+cmd)
	var inUse *statelock.InUse
	if errors.As(err, &inUse) {
		return nil, fmt.Errorf("%v: %s would share its I2C bus and fans", err, cmd)
	}
	// Any other trouble with the lock (no state directory yet, no right to
	// it) leaves the socket's answer to go by.
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	host, err := pihost.New(ctx, clock.Real{}, log)
	if err != nil {
		if lock != nil {
			lock.Close()
		}
		return nil, err
	}
	return &bench{cfg: cfg, clk: clock.Real{}, hw: host, close: func() {
		host.Close()
		if lock != nil {
			lock.Close()
		}
	}}, nil
}

// refuseIfRunning fails when a daemon answers on the control socket.
func refuseIfRunning(ctx context.Context, cmd, socket string) error {
	if socket == "" {
		return nil
	}
	pid, err := ctlsock.Dial(socket).Ping(ctx)
	switch {
	case errors.Is(err, ctlsock.ErrNoDaemon):
		return nil
	case err == nil:
		return fmt.Errorf("ventd is running (pid %d, control socket %s): %s would share its I2C bus and fans, and two programs on one bus corrupt each other's transfers. "+
			"Stop it first (sudo systemctl stop ventd; the fans stay at their safe duty), or use ventctl purge, ack and calibrate, which go through it", pid, socket, cmd)
	}
	return fmt.Errorf("cannot tell whether ventd is running: %v. Run as root, or stop ventd and give -socket '' to skip this check", err)
}

// discard is a logger for library code whose messages the command prints
// itself.
var discard = slog.New(slog.NewTextHandler(io.Discard, nil))
