// Command ventbench measures ventd's fan control law against the simple
// controllers a site could run instead, on the simulated room: for each
// scenario, controller and seed it runs the whole daemon (real control
// code, real drivers on the simulated I2C bus, the room model) on unpaced
// simulated time, and reports the staff's exposure, the fan energy, how
// much the fans moved, how fast they reached full on smoke, and where ventd
// lies against the bounds (full, min), the frontier the baselines trace and
// the goals it must meet.
//
//	ventbench                          # the tuning scenarios, every controller, 3 seeds
//	ventbench -set held-out            # the held-out scenarios
//	ventbench -json                    # everything, as one JSON object
//	ventbench -only busy-day -controllers ventd,onoff -seeds 1
//	ventbench -scenario my.yaml        # a scenario file instead of the built-ins
//	ventbench -config ventd.yaml       # a site's tuning (and room, for scenarios without their own)
//	ventbench -readme README.md -from bench.json   # rewrite the README's figures
//
// Controllers: ventd (control.Room), the bounds full, min (minimum with the
// guard every law shares) and min-nominal (minimum whatever happens), and
// the baseline families onoff (on/off with hysteresis at 15-150 µg/m³),
// prop (proportional on booth PM2.5 over several bands) and fixed (a sweep
// of fixed duties). Every baseline fails safe on untrusted booth data and
// purges on request, as ventd does.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ventd/ventd/config"
)

func main() {
	// Each run is a whole daemon on unpaced simulated time, making a
	// record every simulated second: a batch job with a small live heap
	// (tens of MB a worker), where the collector at Go's 100 % took a
	// third of the time. 400 % ran 30–50 % faster (as ventd -sim
	// -sim-speed 0 does), 800 % 3–4 % more. Best of all is to collect
	// only at a soft limit of 256 MiB a core, which also keeps a long run
	// of many workers within what a machine has: the default run on
	// 2 cores took 10.1 s against 10.6 at 800 % (median of 4 alternated
	// pairs), for a peak of 510 MB against 270–330. GOGC and GOMEMLIMIT
	// in the environment win; with only GOGC set, the limit still holds,
	// and with only GOMEMLIMIT, the collector runs at 800 %.
	gogc, limit := os.Getenv("GOGC") == "", os.Getenv("GOMEMLIMIT") == ""
	if limit {
		debug.SetMemoryLimit(int64(max(2, runtime.NumCPU())) << 28)
	}
	switch {
	case gogc && limit:
		debug.SetGCPercent(-1) // off: the limit alone starts a cycle
	case gogc:
		debug.SetGCPercent(800)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	buildCacheDir = userBuildCache
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// startCPUProfile starts the CPU profile -cpuprofile asks for and returns
// what stops it and closes its file.
func startCPUProfile(path string) (func(), error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("-cpuprofile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, fmt.Errorf("-cpuprofile: %w", err)
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}

// listFlag collects a flag given more than once.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

type flags struct {
	json        bool
	verbose     bool
	scenarios   listFlag
	only        string
	set         string
	controllers string
	config      string
	seeds       []uint64
	parallel    int
	truncate    time.Duration
	hysteresis  float64
	readme      string
	from        string
	cache       string
	compare     string
	runs        bool
	trace       string
	cpuprofile  string
}

func parseFlags(args []string, stderr io.Writer) (*flags, error) {
	f := &flags{}
	fs := flag.NewFlagSet("ventbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var seeds string
	fs.BoolVar(&f.json, "json", false, "print everything (runs, figures, ratios, frontier, goals) as one JSON object")
	fs.BoolVar(&f.runs, "runs", true, "with -json: list every run, not only the per-scenario report")
	fs.BoolVar(&f.verbose, "v", false, "list every controller in the figures table, not only ventd, the bounds and onoff35")
	fs.Var(&f.scenarios, "scenario", "run this scenario `FILE` instead of the built-ins (repeatable)")
	fs.StringVar(&f.only, "only", "", "comma-separated built-in scenarios to run, from either set")
	fs.StringVar(&f.set, "set", groupTuning, "built-in set: tuning ("+strings.Join(builtinNames(groupTuning), ", ")+
		"), held-out ("+strings.Join(builtinNames(groupHeldOut), ", ")+") or all")
	fs.StringVar(&f.controllers, "controllers", "all", "comma-separated controllers or families (all, ventd, baselines, onoff, prop, fixed, or names like onoff35); the bounds always run")
	fs.StringVar(&f.config, "config", "", "ventd config `FILE`: its tuning everywhere, its room for scenarios without their own (default: the built-in simulated room)")
	fs.StringVar(&seeds, "seeds", "1,2,3", "comma-separated seeds of the simulated sensors' unit error and noise; each run is repeated per seed")
	fs.IntVar(&f.parallel, "parallel", runtime.NumCPU(), "runs at once")
	fs.DurationVar(&f.truncate, "truncate", 0, "run only the first `D` of each scenario (0: all of it)")
	fs.Float64Var(&f.hysteresis, "onoff-hysteresis", 10, "the on/off baselines switch back off this many µg/m³ below their threshold (at most a third of it)")
	fs.StringVar(&f.readme, "readme", "", "rewrite the figures between the ventbench markers in this README `FILE` (from -from, or from this run)")
	fs.StringVar(&f.cache, "cache", "", "keep the baselines' results in `DIR` and reuse them, in any build, while scenario, room, config and seed are unchanged (for tuning the law; ventd always runs); "+
		"off: run every baseline (default: reuse those of an earlier run of this same build, kept in the user's cache directory)")
	fs.StringVar(&f.trace, "trace", "", "write each run's periods (true air at the room's latest step at or before each period, readings, duties, reasons) as CSV into `DIR`; cached runs write none")
	fs.StringVar(&f.cpuprofile, "cpuprofile", "", "write a CPU profile of the runs to `FILE` (for go tool pprof)")
	fs.StringVar(&f.from, "from", "", "with -readme or -compare: take the figures from this ventbench -json `FILE` instead of running")
	fs.StringVar(&f.compare, "compare", "", "print the before/after table of ventd's figures and goals against this earlier ventbench -json `FILE` (after: -from, or this run)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q; scenario files go after -scenario", fs.Arg(0))
	}
	for _, s := range strings.Split(seeds, ",") {
		n, err := strconv.ParseUint(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return nil, fmt.Errorf("-seeds %q: want whole numbers separated by commas", seeds)
		}
		if slices.Contains(f.seeds, n) {
			// A seed twice runs the same day twice: a spread of 0 that
			// makes any difference look like a win.
			return nil, fmt.Errorf("-seeds %q: seed %d is given twice; give each once", seeds, n)
		}
		f.seeds = append(f.seeds, n)
	}
	switch {
	case f.parallel < 1:
		return nil, fmt.Errorf("-parallel %d: want 1 or more", f.parallel)
	case f.truncate < 0:
		return nil, fmt.Errorf("-truncate %v: want 0 or a positive duration", f.truncate)
	case f.only != "" && len(f.scenarios) > 0:
		return nil, errors.New("-only picks built-in scenarios; it cannot be combined with -scenario")
	case f.set != groupTuning && f.set != groupHeldOut && f.set != "all":
		return nil, fmt.Errorf("-set %q: want tuning, held-out or all", f.set)
	case f.from != "" && f.readme == "" && f.compare == "":
		return nil, errors.New("-from goes with -readme or -compare")
	case f.readme != "" && f.compare != "":
		return nil, errors.New("-readme and -compare each write their own output; give one")
	}
	return f, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "ventbench:", err)
		return 2
	}
	if f.from != "" && f.compare != "" {
		if err := compareFiles(stdout, f.compare, f.from); err != nil {
			fmt.Fprintln(stderr, "ventbench:", err)
			return 1
		}
		return 0
	}
	if f.from != "" {
		if err := rewriteREADMEFrom(f.readme, f.from); err != nil {
			fmt.Fprintln(stderr, "ventbench:", err)
			return 1
		}
		return 0
	}
	var site *config.Config
	if f.config != "" {
		if site, err = config.Load(f.config); err != nil {
			fmt.Fprintln(stderr, "ventbench:", err)
			return 1
		}
		// What ventd -check-config would say beside "OK": the same file
		// runs here, doubts and all.
		for _, w := range site.Warnings() {
			fmt.Fprintln(stderr, "ventbench: warning:", w)
		}
	}
	cases, err := pickCases(f, site)
	if err != nil {
		fmt.Fprintln(stderr, "ventbench:", err)
		return 2
	}
	for _, c := range cases {
		if len(c.fitted) > 0 {
			fmt.Fprintf(stderr, "ventbench: %s was written for the built-in room; in yours: %s\n", c.sc.Name, strings.Join(c.fitted, "; "))
		}
		for _, n := range c.notes {
			fmt.Fprintf(stderr, "ventbench: %s: %s\n", c.sc.Name, n)
		}
	}
	ctls, err := pickControllers(f.controllers, f.hysteresis)
	if err != nil {
		fmt.Fprintln(stderr, "ventbench:", err)
		return 2
	}
	if f.cpuprofile != "" {
		stopProfile, err := startCPUProfile(f.cpuprofile)
		if err != nil {
			fmt.Fprintln(stderr, "ventbench:", err)
			return 1
		}
		defer stopProfile()
	}
	start := time.Now()
	cache := f.cache
	switch {
	case cache == "off":
		cache = ""
	case cache == "" && f.trace == "" && buildCacheDir != nil: // a trace wants every run
		cache = buildCacheDir()
	}
	results, err := runAll(ctx, cases, ctls, f.seeds, f.parallel, &resultCache{dir: cache}, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "ventbench:", err)
		return 1
	}
	rep := buildReport(results, f.seeds, time.Since(start), f.parallel)
	switch {
	case f.readme != "":
		err = rewriteREADME(f.readme, rep)
	case f.compare != "":
		var before *Report
		if before, err = readReport(f.compare); err == nil {
			err = writeComparison(stdout, before, rep)
		}
	case f.json:
		if !f.runs {
			rep.Runs = nil
		}
		err = writeJSON(stdout, rep)
	default:
		err = writeTable(stdout, rep, f.verbose)
	}
	if err != nil {
		fmt.Fprintln(stderr, "ventbench:", err)
		return 1
	}
	return 0
}

// buildReport groups the runs by scenario and analyses each.
func buildReport(results []Result, seeds []uint64, wall time.Duration, parallel int) *Report {
	rep := &Report{Seeds: seeds, WallSeconds: wall.Seconds(), Parallel: parallel, Runs: results, RunCount: len(results)}
	var order []string
	by := map[string][]Result{}
	for _, r := range results {
		if by[r.Scenario] == nil {
			order = append(order, r.Scenario)
		}
		by[r.Scenario] = append(by[r.Scenario], r)
		if r.Cached {
			rep.CachedRuns++
		} else {
			rep.SimHours += r.SimHours // what this run simulated, for its speed
		}
	}
	for _, sc := range order {
		rep.Scenarios = append(rep.Scenarios, analyze(by[sc], seeds))
	}
	if rep.WallSeconds > 0 {
		rep.SimHoursPerWallSecond = rep.SimHours / rep.WallSeconds
	}
	return rep
}

// pickCases returns the scenarios the flags ask for, in their rooms,
// truncated if asked.
func pickCases(f *flags, site *config.Config) ([]*benchCase, error) {
	var cases []*benchCase
	var names []string
	switch {
	case len(f.scenarios) > 0:
		for _, file := range f.scenarios {
			c, err := fileCase(file, site)
			if err != nil {
				return nil, err
			}
			cases = append(cases, c)
		}
	case f.only != "":
		names = strings.Split(f.only, ",")
	case f.set == "all":
		names = append(builtinNames(groupTuning), builtinNames(groupHeldOut)...)
	default:
		names = builtinNames(f.set)
	}
	for _, name := range names {
		c, err := builtin(strings.TrimSpace(name), site)
		if err != nil {
			return nil, err
		}
		cases = append(cases, c)
	}
	seen := map[string]*benchCase{}
	for _, c := range cases {
		c.trace = f.trace
		// Figures are reported, cached and compared by name: two days
		// under one name would be mixed into one report.
		if first, ok := seen[c.sc.Name]; ok && first != c {
			return nil, fmt.Errorf("scenario name %q is given twice (%s and %s): give each scenario its own name", c.sc.Name, first.source(), c.source())
		}
		seen[c.sc.Name] = c
		// The staff's STEL and TWA are one 24 h exposure record: a longer
		// day's later hours would count for nothing.
		if c.sc.Duration > maxDay {
			return nil, fmt.Errorf("scenario %s lasts %s: ventbench judges a day of at most %s (its staff exposure is one record of that length); split it into days", c.source(), c.sc.Duration, maxDay)
		}
	}
	if f.truncate > 0 {
		for _, c := range cases {
			var dropped int
			c.sc, dropped = truncate(c.sc, f.truncate)
			if dropped > 0 {
				c.notes = append(c.notes, fmt.Sprintf("-truncate %s left out %d event(s) that run past it", f.truncate, dropped))
			}
		}
	}
	return cases, nil
}

// maxDay is the longest scenario ventbench judges.
const maxDay = 24 * time.Hour
