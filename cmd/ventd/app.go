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
	"sync/atomic"
	"syscall"
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
	"github.com/ventd/ventd/pihost"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/snapshot"
	"github.com/ventd/ventd/testbench"
	"github.com/ventd/ventd/testbench/scenario"
)

// app is a wired daemon: config, clock, hardware, loop and HTTP server.
type app struct {
	cfg  *config.Config
	log  *slog.Logger
	d    *daemon.Daemon
	ln   net.Listener // nil when the address could not be bound at start (serveHTTP retries)
	addr string       // the HTTP address asked for
	// httpRetry is how often serveHTTP tries an address it could not
	// bind, or serves again after the server failed (10 s).
	httpRetry time.Duration
	srv       *http.Server
	closer    io.Closer // hardware to release after the loop stops
	// tempState is the state directory -sim made for itself, removed at
	// exit; a run that should be kept (to export its journal) passes
	// -state-dir.
	tempState string
	// stateLock holds the state directory for this process (statelock.go).
	stateLock *stateLock
	socket    string         // the control socket's path; empty: none
	button    *button.Button // the purge button, nil without one
	// recorder records I2C traffic (-record-i2c); nil when off.
	recorder *recordingHardware
	// configPath is the file SIGHUP reads again; empty under -sim without
	// -config.
	configPath string
	// cfgText is the text of the configuration in force (runningConfig),
	// replaced by reloadOnHUP's goroutine while reports read it from the
	// HTTP server's.
	cfgText   atomic.Pointer[[]byte]
	webConfig string      // -web.config.file: TLS and basic auth; empty: none
	mqtt      *mqttOutput // nil without MQTT
	sim       *clock.Sim  // the simulated clock under -sim, for tests to hold
	// handBack are the ways to hand the pages of ventd's own code and
	// tables that it ran only while starting back to the kernel
	// (trimColdText), best first: coldtext.Trim, or coldtext.Evict then
	// Trim where the kernel keeps fault-around; set by run for a daemon
	// at real time, none for tests and an unpaced simulation.
	handBack []func() (int64, error)
}

// trimColdText unmaps ventd's read-only code and tables a minute after it
// starts, once start-up is done, and again each hour, so the pages it
// keeps resident are the ones it runs: about 4.5 MiB fewer
// (BenchmarkPiRSS side by side, under its load then: 25.6 → 20.9 MiB
// with one booth, 26.9 → 22.4 with six). The next use of a page maps it
// again from the page cache, a minor fault: only that page where run has
// turned the kernel's fault-around off (coldtext.NoFaultAround; 22.1 →
// 15.2 MiB with one booth, 23.9 → 16.8 with six, under a site's load),
// else the 64 KiB around it. Where the kernel keeps fault-around,
// handBack is coldtext.Evict, which drops the code from the page cache
// too, so fault-around finds fewer pages around to map (a disk read for
// each page run again instead of a minor fault; BenchmarkPiRSS's no-uffd
// rooms, beside 3c8b80c: 23.5 → 19.3 MiB with one booth, 25.1 → 21.3
// with six). It runs on the wall clock, not
// the simulated one: it is about this process's memory, whatever the
// room's time. It hands back first after first, then each every, the
// first way of handBack that works: one that fails (Evict where the page
// cache cannot be told) is not tried again.
func trimColdText(ctx context.Context, log *slog.Logger, handBack []func() (int64, error), first, every time.Duration) {
	wait := first
	for len(handBack) > 0 {
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		for len(handBack) > 0 {
			_, err := handBack[0]()
			if err == nil {
				break
			}
			handBack = handBack[1:]
			if len(handBack) > 0 {
				log.Debug("code pages not handed back so; trying the next way", "err", err)
			} else {
				log.Debug("code pages not handed back; nothing else changes", "err", err)
			}
		}
		wait = every
	}
}

// newLogger logs to w as text at level. With a simulated clock (clk not
// nil), each line's time is the simulated time, so a log read beside the
// record agrees with it, and the wall clock's time follows as wall=.
func newLogger(w io.Writer, level string, clk *clock.Sim) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("-log-level %q: want debug, info, warn or error", level)
	}
	var h slog.Handler = slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})
	if clk != nil {
		h = simHandler{Handler: h, clk: clk}
	}
	return slog.New(h), nil
}

// simHandler stamps records with the simulated time.
type simHandler struct {
	slog.Handler
	clk *clock.Sim
}

func (h simHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(h.clk.Now(), r.Level, r.Message, r.PC)
	r.Attrs(func(a slog.Attr) bool { out.AddAttrs(a); return true })
	out.AddAttrs(slog.String("wall", time.Now().Format("15:04:05.000")))
	return h.Handler.Handle(ctx, out)
}

func (h simHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return simHandler{Handler: h.Handler.WithAttrs(as), clk: h.clk}
}

func (h simHandler) WithGroup(name string) slog.Handler {
	return simHandler{Handler: h.Handler.WithGroup(name), clk: h.clk}
}

func newApp(ctx context.Context, f *flags, stderr io.Writer) (*app, error) {
	cfg, text, err := loadConfig(f)
	if err != nil {
		return nil, err
	}
	if err := checkWebConfig(f.webConfig); err != nil {
		return nil, err
	}
	stateDir := firstNonEmpty(f.stateDir, cfg.StateDir, "/var/lib/ventd")
	var sim *clock.Sim
	if f.sim {
		start, err := simStart(f, stateDir)
		if err != nil {
			return nil, err
		}
		sim = clock.NewSim(start, f.simSpeed)
	}
	log, err := newLogger(stderr, f.logLevel, sim)
	if err != nil {
		return nil, err
	}
	a := &app{cfg: cfg, log: log, socket: f.controlSocket, configPath: f.config, webConfig: f.webConfig, sim: sim, httpRetry: 10 * time.Second}
	a.cfgText.Store(&text)

	var clk clock.Clock = clock.Real{}
	var hw daemon.Hardware
	var scenarioNow func() []string
	var beacon gpio.PinOut
	if f.sim {
		sc := scenario.Default()
		if f.simScenario != "" {
			if sc, err = scenario.Load(f.simScenario); err != nil {
				return nil, err
			}
		}
		if sc.Room == nil || sc.Room.Config == "" {
			// Written for the built-in room: a site's own config names
			// its booths, sensors and fans otherwise.
			var notes []string
			if sc, notes = testbench.FitScenario(sc, config.Sim(), cfg); len(notes) > 0 {
				log.Info("simulated room: the scenario was written for the built-in room; fitted to this one", "scenario", sc.Name, "changes", strings.Join(notes, "; "))
			}
		}
		start := sim.Now()
		rig, err := testbench.NewRig(cfg, sim, sc, testbench.RigOpts{Loop: f.simScenario == "" || f.simLoop, Seed: f.simSeed})
		if err != nil {
			return nil, fmt.Errorf("simulated room: %w", err)
		}
		clk, hw, scenarioNow = sim, rig, rig.Active
		if f.stateDir == "" {
			// A simulated room's learned state is not worth keeping.
			if stateDir, err = os.MkdirTemp("", "ventd-sim-"); err != nil {
				return nil, err
			}
			a.tempState = stateDir
		}
		log.Info("simulated room", "scenario", sc.Name, "speed", f.simSpeed, "start", start.Format(time.RFC3339))
	}
	if a.tempState == "" {
		if _, err := os.Stat(stateDir); err != nil {
			// systemd makes /var/lib/ventd (StateDirectory=); a state
			// directory given by hand (-state-dir, a sim kept between
			// runs) is made here, or the journal, the lock and the
			// saved state all fail on it.
			if err := os.MkdirAll(stateDir, 0o750); err != nil {
				log.Warn("the state directory does not exist and cannot be made", "dir", stateDir, "err", err)
			} else {
				log.Info("made the state directory", "dir", stateDir)
			}
		}
		// Before the hardware: a second ventd must not touch the fans.
		a.stateLock = &stateLock{dir: stateDir}
		var inUse *stateDirInUse
		switch err := a.stateLock.take(); {
		case errors.As(err, &inUse):
			return nil, err
		case err != nil:
			log.Warn("running without the state directory's lock: a second ventd would not be stopped", "dir", stateDir, "err", err)
		}
	}
	built := false
	defer func() {
		if !built {
			a.stateLock.Close() // a ventd that did not start holds nothing
		}
	}()
	if !f.sim {
		// A fan that cannot be opened on the day leaves ventd running
		// (daemon.New); one that can never be, on real hardware, is a
		// config mistake to say at once.
		for _, fc := range cfg.Fans {
			if fc.Backend == config.BackendSim {
				return nil, fmt.Errorf("fan %s: backend sim is the simulated room's fan: run ventd with -sim, or give it a hardware backend (sysfs_pwm, pca9685, relay)", fc.Name)
			}
		}
		host, err := pihost.New(ctx, clk, log)
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

	if f.recordI2C != "" {
		rec := &recordingHardware{Hardware: hw, dir: f.recordI2C}
		hw, a.recorder = rec, rec
	}
	logConfigWarnings(log, cfg)
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	met, err := metrics.Register(reg, metrics.ConfigRoom(cfg, clk.Now), func() *snapshot.Snapshot { return a.d.Snapshot() })
	if err != nil {
		return nil, err
	}
	var beforeOpen func() error
	if a.stateLock != nil {
		beforeOpen = a.stateLock.take
	}
	a.d, err = daemon.New(daemon.Options{Config: cfg, Clock: clk, Hardware: hw, Log: log, StateDir: stateDir, Sim: f.sim, BeforeOpen: beforeOpen,
		AlarmOutput: beacon, Scenario: scenarioNow, OnPeriod: met.Period})
	if err != nil {
		return nil, err
	}
	a.d.Attach("metrics", met, nil)
	if a.mqtt, err = newMQTT(f, cfg, a.d, stateDir, log); err != nil {
		// MQTT is an output: a password file not there yet must not keep
		// the fans, the page and the journal from running (under systemd
		// an exit here was a restart loop with nothing reading the air).
		a.mqtt = nil
		log.Error("MQTT off: ventd runs without it; the fans, the status page and the journal are not affected",
			"err", err, "hint", "fix what the error names (ventd -check-config lists files it cannot read) and restart ventd")
	}
	if a.mqtt != nil {
		if err := metrics.RegisterMQTT(reg, metrics.ConfigRoom(cfg, clk.Now), a.mqtt.status); err != nil {
			a.d.Close()
			return nil, err
		}
	}
	a.addr = firstNonEmpty(f.listen, cfg.Listen, "127.0.0.1:8080")
	if err := checkListenFlag(a.addr); err != nil {
		a.d.Close()
		return nil, err
	}
	// An address taken (another program on 8080) or not there yet (the
	// network still coming up at boot) must not keep the fans from being
	// controlled: the loop runs, and serveHTTP keeps trying.
	if a.ln, err = net.Listen("tcp", a.addr); err != nil {
		a.ln = nil
		log.Error("HTTP unavailable: the status page, /api/state and /metrics are off until the address is free; the fans are still controlled",
			"addr", a.addr, "err", err, "retry_every", a.httpRetry, "hint", listenHint(err))
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
	// The status page in front of the API, and the host guard, body
	// limits and timeouts in front of both.
	h, closePage, err := a.withPage(journalPath, httpapi.Handler(a.d.Snapshot, a.d.Now, reg, exp, reportRoute(journalPath, loc, a.d.Now, a.runningConfig, log)))
	if err != nil {
		a.d.Close()
		return nil, err
	}
	a.srv = newServer(h, cfg.HTTP.AllowedHosts, log)
	if a.ln != nil {
		a.ln = limitListener(a.ln, log)
	}
	a.srv.RegisterOnShutdown(closePage)
	built = true
	return a, nil
}

// loadConfig returns the configuration to run on and its text.
func loadConfig(f *flags) (*config.Config, []byte, error) {
	if f.config == "" {
		return config.Sim(), config.SimYAML(), nil
	}
	return config.LoadText(f.config)
}

// runningConfig is the text of the configuration in force: the one read at
// start, or the last one a reload applied. Not the file as it is now,
// which may be part-way through an edit nobody has reloaded.
func (a *app) runningConfig() []byte { return *a.cfgText.Load() }

// run serves HTTP and runs the loop until ctx is done; the loop leaves the
// fans at their safe duty before run returns.
func (a *app) run(ctx context.Context) error {
	loopCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	httpDone := make(chan struct{})
	go func() { defer close(httpDone); a.serveHTTP(loopCtx) }()
	ctlDone := make(chan struct{})
	go func() {
		defer close(ctlDone)
		if a.socket == "" {
			return
		}
		a.serveSocket(loopCtx)
	}()
	defer func() {
		cancel()
		<-ctlDone // Serve removes the socket file before it returns
	}()
	if a.button != nil {
		zone := a.cfg.PurgeButton.Zone
		go a.button.Run(loopCtx, func() {
			res, err := a.d.Purge(loopCtx, zone, record.Actor{Name: "purge button", Via: "button"}, "button pressed")
			if err != nil {
				a.log.Error("purge button", "err", err)
				return
			}
			a.log.Info("purge button", "result", res)
		})
	}
	go a.reloadOnHUP(loopCtx, watchHUP(), a.configPath)
	if len(a.handBack) > 0 {
		go trimColdText(loopCtx, a.log, a.handBack, time.Minute, time.Hour)
	}
	stopMQTT := a.mqtt.start()
	done := make(chan error, 1)
	go func() { done <- a.d.Run(loopCtx) }()
	waitSystemd := a.superviseSystemd(loopCtx)
	defer waitSystemd()

	err := <-done
	stopMQTT() // after the loop's last record
	sctx, scancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer scancel()
	a.srv.Shutdown(sctx)
	cancel()
	<-httpDone
	if a.tempState != "" {
		os.RemoveAll(a.tempState)
	}
	if a.recorder != nil {
		if err := a.recorder.close(); err != nil {
			a.log.Error("I2C transcript incomplete", "err", err)
		}
	}
	if a.closer != nil {
		a.closer.Close()
	}
	a.stateLock.Close() // last: the fans are at their safe duty, the journal closed
	return err
}

// serveSocket serves the control socket until ctx is done. A socket that
// cannot be made (its directory not there yet at boot, another ventd
// listening there) is tried again every httpRetry, as HTTP is: ventctl
// purge must not stay out of reach until a restart. The error says the
// cause and its fix; it is logged once, and again only when it changes.
func (a *app) serveSocket(ctx context.Context) {
	a.log.Info("control socket", "path", a.socket, "use", "ventctl purge, ack, calibrate")
	said := ""
	for {
		err := ctlsock.Serve(ctx, a.socket, a.d, a.log)
		if ctx.Err() != nil {
			return
		}
		if err == nil { // Serve returned without an error or a stop: serve again
			err = errors.New("control socket stopped")
		}
		if err.Error() != said {
			said = err.Error()
			a.log.Warn("control socket unavailable: ventctl purge, ack and calibrate do not reach this daemon until it is; the fans are still controlled",
				"err", err, "retry_every", a.httpRetry, "hint", "or choose another path with -control-socket, or turn it off with -control-socket ''")
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(a.httpRetry):
		}
	}
}

// serveHTTP serves the status page and the API until ctx ends. HTTP is
// for people and dashboards, never for the fans: when the address cannot
// be bound, or serving fails, it says so and tries again every httpRetry
// while the loop goes on controlling the fans.
func (a *app) serveHTTP(ctx context.Context) {
	ln := a.ln
	var quiet time.Time // when "still unavailable" was last logged
	for ctx.Err() == nil {
		if ln == nil {
			l, err := net.Listen("tcp", a.addr)
			if err != nil {
				if time.Since(quiet) >= time.Minute {
					a.log.Error("HTTP still unavailable; the fans are still controlled", "addr", a.addr, "err", err, "retry_every", a.httpRetry)
					quiet = time.Now()
				}
				select {
				case <-ctx.Done():
					return
				case <-time.After(a.httpRetry):
				}
				continue
			}
			ln = limitListener(l, a.log)
		}
		a.log.Info("serving HTTP", "addr", ln.Addr().String(), "page", "http://"+ln.Addr().String()+"/")
		err := serveWeb(a.srv, ln, a.webConfig, a.log)
		if ctx.Err() != nil || errors.Is(err, http.ErrServerClosed) {
			return
		}
		a.log.Error("HTTP server stopped; serving again shortly; the fans are still controlled", "err", err, "retry_every", a.httpRetry)
		ln.Close()
		ln = nil
		select {
		case <-ctx.Done():
			return
		case <-time.After(a.httpRetry):
		}
	}
}

// checkListenFlag refuses an HTTP address that could never be bound, so a
// mistyped -listen is said at start rather than retried forever. Port 0
// (any free port) is allowed here, unlike in the config.
func checkListenFlag(addr string) error {
	if msg := config.CheckListen(addr, true); msg != "" {
		return fmt.Errorf("HTTP address %q: %s: give host:port, like 127.0.0.1:8080 or :8080 for every interface", addr, msg)
	}
	return nil
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}

// listenHint says what to do about an address ventd cannot listen on.
func listenHint(err error) string {
	if errors.Is(err, syscall.EACCES) {
		// Not taken: forbidden. Ports below 1024 need a capability the
		// packaged unit does not grant, and retrying never helps.
		return "ports below 1024 need CAP_NET_BIND_SERVICE, which ventd's unit does not grant: listen on 8080 (the default), or put a reverse proxy on port 80 (README, HTTP and export security)"
	}
	return "is another ventd or web server running there? choose another address with -listen or listen: in the config"
}
