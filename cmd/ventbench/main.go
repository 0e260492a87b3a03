// Command ventbench measures ventd's fan control against baselines on the
// simulated room: for each scenario and each controller it runs the whole
// daemon (real control code, real drivers on the simulated I2C bus, the
// room model) on unpaced simulated time, and reports the staff exposure,
// booth peaks, fan energy, duty changes and time to safe entry.
//
//	ventbench                       # every built-in scenario, every controller, a table
//	ventbench -json                 # the same as a JSON list, one object per run
//	ventbench -scenario my.yaml     # a scenario file instead of the built-ins
//	ventbench -only busy-day -controllers ventd,onoff
//	ventbench -config /etc/ventd/ventd.yaml   # a site's tuning on its own room
//
// Controllers: ventd (control.Fan), full (max duty always), min (min duty
// always), onoff (max from the PM2.5 warning level, min below it less a
// hysteresis), fixed50 (50% duty). Every one fails safe on untrusted booth
// data and purges on request, as ventd does.
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
	"strings"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/testbench/scenario"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

// listFlag collects a flag given more than once.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

type flags struct {
	json        bool
	scenarios   listFlag
	only        string
	controllers string
	config      string
	seed        uint64
	parallel    int
	truncate    time.Duration
	hysteresis  float64
}

func parseFlags(args []string, stderr io.Writer) (*flags, error) {
	f := &flags{}
	fs := flag.NewFlagSet("ventbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&f.json, "json", false, "print a JSON list, one object per scenario and controller")
	fs.Var(&f.scenarios, "scenario", "run this scenario `FILE` instead of the built-ins (repeatable)")
	fs.StringVar(&f.only, "only", "", "comma-separated built-in scenarios to run (default all: "+strings.Join(builtinNames(), ", ")+")")
	fs.StringVar(&f.controllers, "controllers", strings.Join(controllerNames, ","), "comma-separated controllers to run")
	fs.StringVar(&f.config, "config", "", "ventd config `FILE` whose room and tuning to simulate (default: the built-in simulated room)")
	fs.Uint64Var(&f.seed, "seed", 1, "seed of the simulated sensors' unit error and noise (the same for every controller)")
	fs.IntVar(&f.parallel, "parallel", runtime.NumCPU(), "runs at once")
	fs.DurationVar(&f.truncate, "truncate", 0, "run only the first `D` of each scenario (0: all of it)")
	fs.Float64Var(&f.hysteresis, "onoff-hysteresis", 10, "the onoff baseline switches back to min this many µg/m³ below the warning level")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q; scenario files go after -scenario", fs.Arg(0))
	}
	if f.parallel < 1 {
		return nil, fmt.Errorf("-parallel %d: want 1 or more", f.parallel)
	}
	if f.truncate < 0 {
		return nil, fmt.Errorf("-truncate %v: want 0 or a positive duration", f.truncate)
	}
	if f.only != "" && len(f.scenarios) > 0 {
		return nil, errors.New("-only picks built-in scenarios; it cannot be combined with -scenario")
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
	cfg := config.Sim()
	if f.config != "" {
		if cfg, err = config.Load(f.config); err != nil {
			fmt.Fprintln(stderr, "ventbench:", err)
			return 1
		}
	}
	scs, err := pickScenarios(f)
	if err != nil {
		fmt.Fprintln(stderr, "ventbench:", err)
		return 2
	}
	ctls, err := pickControllers(f.controllers, cfg, f.hysteresis)
	if err != nil {
		fmt.Fprintln(stderr, "ventbench:", err)
		return 2
	}
	start := time.Now()
	results, err := runAll(ctx, cfg, scs, ctls, f.seed, f.parallel)
	wall := time.Since(start)
	if err != nil {
		fmt.Fprintln(stderr, "ventbench:", err)
		return 1
	}
	if f.json {
		err = writeJSON(stdout, results)
	} else {
		err = writeTable(stdout, results, wall)
	}
	if err != nil {
		fmt.Fprintln(stderr, "ventbench:", err)
		return 1
	}
	return 0
}

// pickScenarios returns the scenarios the flags ask for, truncated if asked.
func pickScenarios(f *flags) ([]*scenario.Scenario, error) {
	var scs []*scenario.Scenario
	switch {
	case len(f.scenarios) > 0:
		for _, path := range f.scenarios {
			sc, err := scenario.Load(path)
			if err != nil {
				return nil, err
			}
			scs = append(scs, sc)
		}
	case f.only != "":
		for _, name := range strings.Split(f.only, ",") {
			sc, err := builtin(strings.TrimSpace(name))
			if err != nil {
				return nil, err
			}
			scs = append(scs, sc)
		}
	default:
		for _, name := range builtinNames() {
			sc, err := builtin(name)
			if err != nil {
				return nil, err
			}
			scs = append(scs, sc)
		}
	}
	if f.truncate > 0 {
		for i, sc := range scs {
			scs[i] = truncate(sc, f.truncate)
		}
	}
	return scs, nil
}

// truncate returns sc cut to its first d: events that would not be over by
// then are left out (a scenario's events must end within it).
func truncate(sc *scenario.Scenario, d time.Duration) *scenario.Scenario {
	if d >= sc.Duration {
		return sc
	}
	out := *sc
	out.Duration = d
	out.Events = nil
	for _, e := range sc.Events {
		if e.At+e.Length() <= d {
			out.Events = append(out.Events, e)
		}
	}
	return &out
}
