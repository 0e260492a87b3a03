// Command ventd keeps the air of a supervised inhalation room safe for the
// staff beside it: it reads the room's particulate, CO2 and VOC sensors,
// drives the extraction fans, and serves the room's state over HTTP.
//
// Run it on the simulated room, no hardware needed:
//
//	go run ./cmd/ventd -sim
//
// and on a Pi with a config file:
//
//	ventd -config /etc/ventd/ventd.yaml
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	// Shift time zones must resolve even on a Pi image without tzdata.
	_ "time/tzdata"

	"github.com/ventd/ventd/buildinfo"
	"github.com/ventd/ventd/coldtext"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/ctlsock"
	"github.com/ventd/ventd/journal"
)

func main() {
	tuneRuntime = true
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// flags are ventd's command line.
type flags struct {
	config      string
	sim         bool
	simSpeed    float64
	simScenario string
	simSeed     uint64
	simLoop     bool
	simStart    string
	listen      string
	stateDir    string
	checkConfig bool
	version     bool
	logLevel    string
	recordI2C   string
	// controlSocket is the unix socket ventctl's purge, ack and calibrate
	// use; empty: none.
	controlSocket string
	// webConfig is exporter-toolkit's web configuration file (TLS, basic
	// auth); empty: plain HTTP.
	webConfig string
	mqtt      mqttFlags
}

func parseFlags(args []string, stderr io.Writer) (*flags, error) {
	f := &flags{}
	fs := flag.NewFlagSet("ventd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.config, "config", "", "configuration `file` (YAML); a commented one to start from: "+config.ExampleHint)
	fs.BoolVar(&f.sim, "sim", false, "run on a simulated room: simulated sensors, fans and air; needs no config file or hardware")
	fs.Float64Var(&f.simSpeed, "sim-speed", 1, "with -sim, simulated time runs `N` times faster than real time (0: as fast as possible)")
	fs.StringVar(&f.simScenario, "sim-scenario", "", "with -sim, a scenario `file` (YAML) instead of the built-in day; see testbench/scenario")
	fs.Uint64Var(&f.simSeed, "sim-seed", 0, "with -sim, the `seed` of the simulated sensors' unit-to-unit error and noise (a run repeats exactly with the same seed)")
	fs.BoolVar(&f.simLoop, "sim-loop", false, "with -sim-scenario, play the scenario again each time it ends (the built-in day always does)")
	fs.StringVar(&f.simStart, "sim-start", "", "with -sim, the simulated start `time` (RFC 3339); default now")
	fs.StringVar(&f.listen, "listen", "", "HTTP `address` for /api/state and /metrics (default from the config, else 127.0.0.1:8080)")
	fs.StringVar(&f.stateDir, "state-dir", "", "`directory` for the journal and learned sensor state (default from the config, else /var/lib/ventd; a temporary directory with -sim)")
	fs.BoolVar(&f.checkConfig, "check-config", false, "check the -config file, print every mistake, and exit 0 (valid) or 1")
	fs.BoolVar(&f.version, "version", false, "print the version, commit and build date, and exit")
	fs.StringVar(&f.logLevel, "log-level", "info", "log `level`: debug, info, warn or error")
	fs.StringVar(&f.recordI2C, "record-i2c", "", "record every I2C transfer into `directory`, one transcript per bus, to turn a session into a replay test (drivers/i2ctrace replays them)")
	fs.StringVar(&f.controlSocket, "control-socket", "", "unix socket `path` for ventctl purge, ack and calibrate, mode 0660 (default "+ctlsock.DefaultPath+"; with -sim, none unless given; empty: none)")
	addWebFlags(fs, f)
	f.mqtt.register(fs)
	if err := fs.Parse(args); err != nil {
		return nil, flagHint(fs, err)
	}
	if err := f.mqtt.check(); err != nil {
		return nil, err
	}
	socketSet := false
	fs.Visit(func(fl *flag.Flag) { socketSet = socketSet || fl.Name == "control-socket" })
	if !socketSet && !f.sim {
		f.controlSocket = ctlsock.DefaultPath
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q: ventd takes only flags (see -help)", fs.Arg(0))
	}
	if f.simSpeed < 0 {
		return nil, fmt.Errorf("-sim-speed %g: must be 0 (as fast as possible) or more", f.simSpeed)
	}
	if !f.sim && (f.simScenario != "" || f.simStart != "" || f.simLoop) {
		return nil, errors.New("-sim-scenario, -sim-loop and -sim-start need -sim")
	}
	if !f.sim && !f.checkConfig && !f.version && f.config == "" {
		return nil, errors.New("give -config FILE to run on hardware, or -sim to run on the simulated room")
	}
	if f.checkConfig && f.config == "" {
		return nil, errors.New("-check-config needs -config FILE")
	}
	return f, nil
}

// tuneRuntime, set by main (not by tests that call run), sets the
// collector's target (gcPercent) and runs ventd on one P whenever its
// clock is not a simulation flat out. At real time
// ventd idles between periods, and each period readies a few goroutines
// (the outputs, the journal); with more than one P the runtime wakes a
// second thread to run them, which spins looking for work and sleeps
// again: half of ventd's context switches at real time (`ventd -sim` side
// by side under `perf stat`: 16–21 a second with two Ps, 8–10 with one,
// and less CPU). One P runs them after the
// loop on the same thread. Nothing in ventd needs two cores at once: the
// runtime preempts a long export or the journal's start-up check every
// 10 ms, so the loop keeps its period. GOMAXPROCS in the environment wins;
// -sim-speed 0 keeps every core.
var tuneRuntime bool

// gcPercent is the collector's target when GOGC is not in the environment
// (GOGC wins). At real time ventd's live heap is small (1.5–3 MB) and its
// allocation slow, so collecting at 50 % growth instead of the runtime's
// 100 % keeps about 2 MiB less resident (BenchmarkPiRSS) for about a fifth
// more of the little CPU it uses: memory is what a small Pi runs short of
// first. An unpaced simulation (-sim -sim-speed 0: days in seconds, on a
// laptop or in CI) is a batch job that makes a record every simulated
// second: there the collector took a third of the time, and 400 % runs it
// 30–50 % faster for some tens of MB more heap (BenchmarkSimDaemon, which
// applies the same).
func gcPercent(f *flags) int {
	if f.sim && f.simSpeed == 0 {
		return 400
	}
	return 50
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "ventd:", err)
		return 2
	}
	switch {
	case f.version:
		fmt.Fprintln(stdout, "ventd", buildinfo.Get())
		return 0
	case f.checkConfig:
		return checkConfig(f.config, stdout, stderr)
	}
	if tuneRuntime && f.simSpeed != 0 && os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(1)
	}
	if tuneRuntime && os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent(f))
	}
	trim := tuneRuntime && !(f.sim && f.simSpeed == 0)
	var aroundErr, hugeErr error
	if trim {
		// Before start-up fills the heap.
		hugeErr = noHugePages()
		// Before start-up runs its code, so the pages it maps are the
		// ones it runs (coldtext.NoFaultAround).
		aroundErr = coldtext.NoFaultAround()
	}
	a, err := newApp(ctx, f, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "ventd:", err)
		return 1
	}
	if hugeErr != nil {
		a.log.Debug("the kernel may back ventd's memory with huge pages", "err", hugeErr)
	}
	if trim {
		a.srv.Handler = releaseAfterScrape(a.srv.Handler, releaseEvery, debug.FreeOSMemory)
		a.handBack = []func() (int64, error){coldtext.Trim}
		if aroundErr != nil {
			a.log.Debug("the kernel maps 64 KiB of code around each page ventd runs; the code handed back leaves the page cache too", "err", aroundErr)
			a.handBack = []func() (int64, error){coldtext.Evict, coldtext.Trim}
		}
	}
	if err := a.run(ctx); err != nil {
		fmt.Fprintln(stderr, "ventd:", err)
		return 1
	}
	return 0
}

// releaseEvery is the least time between two hand-backs of the heap's
// free pages after a scrape (releaseAfterScrape): Prometheus scrapes
// every 15 s to a minute; a client asking each second costs a forced
// collection only each releaseEvery.
const releaseEvery = 10 * time.Second

// simStart is when a simulated run starts: -sim-start, else now, or, with
// a kept state directory whose journal already reaches past now (an earlier
// run faster than real time), just after its last record, so the journal
// never sees its clock go backwards.
func simStart(f *flags, stateDir string) (time.Time, error) {
	if f.simStart != "" || f.stateDir == "" {
		return parseStart(f.simStart)
	}
	now := time.Now().Truncate(time.Second)
	j, err := journal.OpenReadOnly(filepath.Join(stateDir, "journal.db"), journal.Options{})
	if err != nil {
		return now, nil // no journal yet
	}
	defer j.Close()
	if last, err := j.LastMinute(); err == nil && !last.IsZero() && last.Add(2*time.Minute).After(now) {
		return last.Add(2 * time.Minute).Truncate(time.Minute), nil
	}
	return now, nil
}

// parseStart reads -sim-start. The time is kept in the local zone, as a
// real clock's is: an offset written in the flag would otherwise stay on
// every timestamp through a daylight-saving change the run passes.
func parseStart(s string) (time.Time, error) {
	if s == "" {
		return time.Now().Truncate(time.Second), nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("-sim-start %q: want RFC 3339, such as 2026-03-02T07:00:00+01:00", s)
	}
	return t.In(time.Local), nil
}

// flagHint adds to an unknown flag's error the flag it may have meant: a
// typo of one (-listn), else those it begins or that begin it (-check for
// -check-config). The usage printed above it lists some sixty flags.
func flagHint(fs *flag.FlagSet, err error) error {
	name, ok := strings.CutPrefix(err.Error(), "flag provided but not defined: -")
	if !ok || name == "" {
		return err
	}
	var near, all []string
	fs.VisitAll(func(f *flag.Flag) {
		all = append(all, f.Name)
		if strings.HasPrefix(f.Name, name) || strings.HasPrefix(name, f.Name) {
			near = append(near, "-"+f.Name)
		}
	})
	if typo, ok := config.Nearest(name, all); ok {
		near = []string{"-" + typo}
	}
	if len(near) == 0 || len(near) > 3 {
		return err
	}
	return fmt.Errorf("%w; did you mean %s?", err, strings.Join(near, " or "))
}
