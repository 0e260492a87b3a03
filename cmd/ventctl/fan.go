package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/ctlsock"
	"github.com/ventd/ventd/drivers/fan"
)

// runFan spins one fan to a duty for a while, printing its tachometer each
// second, then leaves it at its safe duty, as ventd leaves it when it
// stops. Ctrl-C ends the run early, to the safe duty too.
func runFan(args []string, e env) int {
	fl := flag.NewFlagSet("ventctl fan", flag.ContinueOnError)
	fl.SetOutput(e.stderr)
	cfgPath := fl.String("config", "", "ventd's configuration `file`: the fan's output (with -sim: the room to simulate; default its built-in room)")
	name := fl.String("fan", "", "the fan's `name` in the configuration")
	duty := fl.Float64("duty", -1, "the duty to run it at, `PERCENT` 0 (off) to 100 (full)")
	hold := fl.Duration("for", 30*time.Second, "how long to hold the duty (`duration`) before leaving the fan at its safe duty")
	sim := fl.Bool("sim", false, "spin the simulated room's fan instead of the hardware")
	socket := fl.String("socket", ctlsock.DefaultPath, "ventd's control socket `path`: fan refuses while ventd answers there ('' skips the check)")
	if code, ok := parse(fl, args); !ok {
		return code
	}
	usage := func(format string, a ...any) int {
		fmt.Fprintf(e.stderr, "ventctl fan: "+format+"\n", a...)
		return exitUsage
	}
	switch {
	case *name == "":
		return usage("give -fan NAME, the fan's name in the configuration")
	case *duty == -1:
		return usage("give -duty PERCENT, 0 (off) to 100 (full)")
	case !(*duty >= 0 && *duty <= 100):
		return usage("-duty %g: give a percentage from 0 (off) to 100 (full)", *duty)
	case *hold <= 0:
		return usage("-for %s: give how long to hold the duty, such as 30s or 2m", *hold)
	}
	ctx := e.context()
	b, err := openBench(ctx, e, "fan", *cfgPath, *sim, true, *socket)
	if err != nil {
		fmt.Fprintln(e.stderr, "ventctl fan:", err)
		return exitFail
	}
	defer b.close()
	var fc *config.Fan
	var names []string
	for i := range b.cfg.Fans {
		names = append(names, b.cfg.Fans[i].Name)
		if b.cfg.Fans[i].Name == *name {
			fc = &b.cfg.Fans[i]
		}
	}
	if fc == nil {
		fmt.Fprintf(e.stderr, "ventctl fan: no fan %q in the configuration (its fans: %s)\n", *name, strings.Join(names, ", "))
		return exitFail
	}
	out, err := b.hw.Fan(*fc)
	if err != nil {
		fmt.Fprintf(e.stderr, "ventctl fan: fan %s: %v\n", fc.Name, err)
		return exitFail
	}
	tach, err := b.hw.Tach(*fc)
	if err != nil {
		fmt.Fprintf(e.stderr, "ventctl fan: fan %s tachometer: %v (going on without it)\n", fc.Name, err)
		tach = nil
	}
	fmt.Fprintf(e.stdout, "fan %s (%s): %g %% for %s, then its safe duty %g %%\n", fc.Name, out, *duty, *hold, fc.SafeDuty)
	_, relay := out.(fan.Switch)
	switch {
	case relay && *duty < config.RelayOnDuty:
		fmt.Fprintf(e.stdout, "note: a relay is off below %d %%: %g %% switches the fan off\n", config.RelayOnDuty, *duty)
	case relay:
		fmt.Fprintf(e.stdout, "note: a relay is off or full: %g %% switches the fan on at full\n", *duty)
	case *duty < fc.MinDuty:
		fmt.Fprintf(e.stdout, "note: below its min_duty %g %%: ventd never runs it this slow, and it may stall\n", fc.MinDuty)
	}
	code := exitOK
	if err := out.SetDuty(*duty / 100); err != nil {
		fmt.Fprintf(e.stderr, "ventctl fan: setting %g %%: %v\n", *duty, err)
		code = exitFail
	} else {
		start := b.clk.Now()
		end := start.Add(*hold)
		for now := start; now.Before(end) && ctx.Err() == nil; now = b.clk.Now() {
			b.clk.Sleep(min(time.Second, end.Sub(now)))
			b.advance()
			fmt.Fprintf(e.stdout, "%6s  duty %g %%  %s\n", b.clk.Now().Sub(start).Round(time.Second), 100*fan.Running(out, *duty/100), rpm(tach))
		}
	}
	// Whatever happened, the fan ends where ventd would leave it.
	if err := out.SetDuty(fc.SafeDuty / 100); err != nil {
		fmt.Fprintf(e.stderr, "ventctl fan: FAILED to set the safe duty %g %%: %v: check the fan now, or start ventd (sudo systemctl start ventd)\n", fc.SafeDuty, err)
		return exitFail
	}
	// Halt keeps the duty: the output stays at the safe duty.
	if err := out.Halt(); err != nil {
		fmt.Fprintf(e.stderr, "ventctl fan: releasing the output: %v: check that the fan runs at its safe duty\n", err)
		code = exitFail
	}
	fmt.Fprintf(e.stdout, "fan %s left at its safe duty %g %%\n", fc.Name, fc.SafeDuty)
	return code
}

func rpm(t fan.Tachometer) string {
	if t == nil {
		return "(no tachometer)"
	}
	v, err := t.RPM()
	switch {
	case errors.Is(err, fan.ErrNoSignal):
		return "0 rpm: no tach signal (stopped, stalled, or its tach wire is loose)"
	case err != nil:
		return "rpm unknown: " + err.Error()
	}
	return fmt.Sprintf("%.0f rpm", v)
}
