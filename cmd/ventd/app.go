package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/gpio/gpioreg"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/ctlsock"
	"github.com/ventd/ventd/daemon"
	"github.com/ventd/ventd/drivers/button"
	"github.com/ventd/ventd/httpapi"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/metrics"
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/scenario"
)

// app is a wired daemon: config, clock, hardware, loop and HTTP server.
type app struct {
	cfg    *config.Config
	log    *slog.Logger
	d      *daemon.Daemon
	ln     net.Listener
	srv    *http.Server
	closer io.Closer // hardware to release after the loop stops
	// tempState is the state directory -sim made for itself, removed at
	// exit; a run that should be kept (to export its journal) passes
	// -state-dir.
	tempState string
	socket    string         // the control socket's path; empty: none
	button    *button.Button // the purge button, nil without one
}

func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("-log-level %q: want debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}

func newApp(ctx context.Context, f *flags, stderr io.Writer) (*app, error) {
	log, err := newLogger(stderr, f.logLevel)
	if err != nil {
		return nil, err
	}
	cfg, err := loadConfig(f)
	if err != nil {
		return nil, err
	}
	a := &app{cfg: cfg, log: log, socket: f.controlSocket}

	var clk clock.Clock = clock.Real{}
	var hw daemon.Hardware
	var beacon gpio.PinOut
	stateDir := firstNonEmpty(f.stateDir, cfg.StateDir, "/var/lib/ventd")
	if f.sim {
		start, err := parseStart(f.simStart)
		if err != nil {
			return nil, err
		}
		sc := scenario.Default()
		if f.simScenario != "" {
			if sc, err = scenario.Load(f.simScenario); err != nil {
				return nil, err
			}
		}
		sim := clock.NewSim(start, f.simSpeed)
		rig, err := testbench.NewRig(cfg, sim, sc, testbench.RigOpts{Loop: f.simScenario == ""})
		if err != nil {
			return nil, fmt.Errorf("simulated room: %w", err)
		}
		clk, hw = sim, rig
		if f.stateDir == "" {
			// A simulated room's learned state is not worth keeping.
			if stateDir, err = os.MkdirTemp("", "ventd-sim-"); err != nil {
				return nil, err
			}
			a.tempState = stateDir
		}
		log.Info("simulated room", "scenario", sc.Name, "speed", f.simSpeed, "start", start.Format(time.RFC3339))
	} else {
		host, err := daemon.NewHost(ctx, clk, log)
		if err != nil {
			return nil, err
		}
		hw, a.closer = host, host
		if o := cfg.AlarmOutput; o != nil {
			if pin := gpioreg.ByName(o.Pin); pin == nil {
				log.Warn("no alarm beacon: no such GPIO pin", "pin", o.Pin, "hint", "use a name such as GPIO16 (BCM numbering)")
			} else {
				beacon = pin
			}
		}
		if b := cfg.PurgeButton; b != nil {
			// A missing button must not stop the fans being controlled:
			// purges still come from ventctl (and later MQTT, the page).
			if pin := gpioreg.ByName(b.Pin); pin == nil {
				log.Warn("no purge button: no such GPIO pin", "pin", b.Pin, "hint", "use a name such as GPIO5 (BCM numbering)")
			} else if a.button, err = button.New(pin, button.Opts{Clock: clk}); err != nil {
				log.Warn("no purge button", "err", err)
			}
		}
	}

	a.d, err = daemon.New(daemon.Options{Config: cfg, Clock: clk, Hardware: hw, Log: log, StateDir: stateDir, Sim: f.sim,
		RecordI2C: f.recordI2C, AlarmOutput: beacon})
	if err != nil {
		return nil, err
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if err := metrics.Register(reg, cfg.Site, cfg.Room, a.d.Snapshot); err != nil {
		return nil, err
	}
	addr := firstNonEmpty(f.listen, cfg.Listen, "127.0.0.1:8080")
	a.ln, err = net.Listen("tcp", addr)
	if err != nil {
		a.d.Close()
		return nil, fmt.Errorf("listen on %s: %w (is another ventd running? choose another address with -listen)", addr, err)
	}
	loc, err := cfg.Shifts.Location()
	if err != nil {
		return nil, err
	}
	journalPath := filepath.Join(stateDir, "journal.db")
	exp := &httpapi.Exporter{
		// A reader of its own per request: an export never waits on the
		// loop's writer and never writes the file.
		Open:     func() (*journal.Journal, error) { return journal.OpenReadOnly(journalPath, journal.Options{}) },
		Location: loc, Now: a.d.Now, Config: cfg,
	}
	a.srv = &http.Server{
		Handler:           httpapi.Handler(a.d.Snapshot, a.d.Now, reg, exp, reportRoute(journalPath, loc, a.d.Now, cfg)),
		ReadHeaderTimeout: 5 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	return a, nil
}

func loadConfig(f *flags) (*config.Config, error) {
	if f.config == "" {
		return config.Sim(), nil
	}
	return config.Load(f.config)
}

// run serves HTTP and runs the loop until ctx is done; the loop leaves the
// fans at their safe duty before run returns.
func (a *app) run(ctx context.Context) error {
	a.log.Info("serving HTTP", "addr", a.ln.Addr().String(), "state", "http://"+a.ln.Addr().String()+"/api/state")
	srvErr := make(chan error, 1)
	go func() { srvErr <- a.srv.Serve(a.ln) }()

	loopCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	ctlDone := make(chan struct{})
	go func() {
		defer close(ctlDone)
		if a.socket == "" {
			return
		}
		a.log.Info("control socket", "path", a.socket, "use", "ventctl purge, ack, calibrate")
		if err := ctlsock.Serve(loopCtx, a.socket, a.d, a.log); err != nil {
			a.log.Warn("control socket unavailable: ventctl purge, ack and calibrate will not reach this daemon; the fans are still controlled",
				"err", err, "hint", "create its directory (systemd RuntimeDirectory=ventd), choose another path with -control-socket, or turn it off with -control-socket ''")
		}
	}()
	defer func() {
		cancel()
		<-ctlDone // Serve removes the socket file before it returns
	}()
	if a.button != nil {
		zone := a.cfg.PurgeButton.Zone
		go a.button.Run(loopCtx, func() {
			if err := a.d.Purge(zone, "button"); err != nil {
				a.log.Error("purge button", "err", err)
			}
		})
	}
	done := make(chan error, 1)
	go func() { done <- a.d.Run(loopCtx) }()

	var err error
	select {
	case err = <-done:
	case err = <-srvErr:
		a.log.Error("HTTP server stopped", "err", err)
		cancel()
		<-done
	}
	sctx, scancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer scancel()
	a.srv.Shutdown(sctx)
	if a.tempState != "" {
		os.RemoveAll(a.tempState)
	}
	if a.closer != nil {
		a.closer.Close()
	}
	if errors.Is(err, http.ErrServerClosed) {
		err = nil
	}
	return err
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}
