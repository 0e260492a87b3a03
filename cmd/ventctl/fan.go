package main

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
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
	duty := percentFlag(-1)
	fl.Var(&duty, "duty", "the duty to run it at, `PERCENT` 0 (off) to 100 (full)")
	hold := durationFlag(30 * time.Second)
	fl.Var(&hold, "for", "how long to hold the duty (`duration`) before leaving the fan at its safe duty; with -check, each of its two duties")
	check := fl.Bool("check", false, "check that the fan's speed follows its duty: run it at its min_duty, then at full, each for -for, reading its tachometer; says whether the PWM reaches the fan inverted or not at all (no -duty)")
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
	case *check && duty != -1:
		return usage("-check runs the fan at its min_duty and at full itself: give -check or -duty, not both")
	case !*check && duty == -1:
		return usage("give -duty PERCENT, 0 (off) to 100 (full), or -check")
	case !*check && !(duty >= 0 && duty <= 100):
		return usage("-duty %g: give a percentage from 0 (off) to 100 (full)", float64(duty))
	case hold <= 0:
		return usage("-for %s: give how long to hold the duty, such as 30s or 2m", time.Duration(hold))
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
	_, relay := out.(fan.Switch)
	code := exitOK
	spin := func(d float64) (rpms []float64, ok bool) {
		if err := out.SetDuty(d / 100); err != nil {
			fmt.Fprintf(e.stderr, "ventctl fan: setting %g %%: %v\n", d, err)
			return nil, false
		}
		start := b.clk.Now()
		end := start.Add(time.Duration(hold))
		for now := start; now.Before(end) && ctx.Err() == nil; now = b.clk.Now() {
			b.clk.Sleep(min(time.Second, end.Sub(now)))
			b.advance()
			said, v := rpm(tach)
			fmt.Fprintf(e.stdout, "%6s  duty %g %%  %s\n", b.clk.Now().Sub(start).Round(time.Second), 100*fan.Running(out, d/100), said)
			rpms = append(rpms, v)
		}
		return rpms, ctx.Err() == nil
	}
	if *check {
		low, high := fc.MinDuty, fc.MaxDuty
		if relay {
			low, high = 0, 100
		}
		fmt.Fprintf(e.stdout, "fan %s (%s): %g %% for %s, then %g %% for %s, then its safe duty %g %%\n", fc.Name, out, low, time.Duration(hold), high, time.Duration(hold), fc.SafeDuty)
		if rLow, ok := spin(low); ok {
			if rHigh, ok := spin(high); ok {
				verdict, good := followsDuty(fc, relay, tach != nil, low, high, settled(rLow), settled(rHigh))
				fmt.Fprintln(e.stdout, verdict)
				if !good {
					code = exitFail
				}
			} else if ctx.Err() == nil {
				code = exitFail
			}
		} else if ctx.Err() == nil {
			code = exitFail
		}
	} else {
		fmt.Fprintf(e.stdout, "fan %s (%s): %g %% for %s, then its safe duty %g %%\n", fc.Name, out, float64(duty), time.Duration(hold), fc.SafeDuty)
		switch {
		case relay && float64(duty) < config.RelayOnDuty:
			fmt.Fprintf(e.stdout, "note: a relay is off below %d %%: %g %% switches the fan off\n", config.RelayOnDuty, float64(duty))
		case relay:
			fmt.Fprintf(e.stdout, "note: a relay is off or full: %g %% switches the fan on at full\n", float64(duty))
		case float64(duty) < fc.MinDuty:
			fmt.Fprintf(e.stdout, "note: below its min_duty %g %%: ventd never runs it this slow, and it may stall\n", fc.MinDuty)
		}
		if _, ok := spin(float64(duty)); !ok && ctx.Err() == nil {
			code = exitFail
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

// rpm reads the tachometer once: what to print, and the speed (0 when
// there is none to read).
func rpm(t fan.Tachometer) (string, float64) {
	if t == nil {
		return "(no tachometer)", 0
	}
	v, err := t.RPM()
	switch {
	case errors.Is(err, fan.ErrNoSignal):
		return "0 rpm: no tach signal (stopped, stalled, or its tach wire is loose)", 0
	case err != nil:
		return "rpm unknown: " + err.Error(), 0
	}
	return fmt.Sprintf("%.0f rpm", v), v
}

// settled is the speed a fan held over the last third of a step: a big
// fan takes seconds to spin up or down, and its first readings are the
// duty before.
func settled(rpms []float64) float64 {
	if len(rpms) == 0 {
		return 0
	}
	tail := rpms[len(rpms)-max(1, len(rpms)/3):]
	sum := 0.0
	for _, v := range tail {
		sum += v
	}
	return sum / float64(len(tail))
}

// followsDuty judges a -check from the speeds at the low and the high
// duty. A 4-wire fan's speed rises with its PWM duty; behind an open-drain
// stage the signal is inverted, and ventd must be told (sysfs_pwm.invert),
// or its full is the fan's slowest and its safe duty no extraction. A fan
// whose PWM wire is not connected runs at full whatever it is sent.
func followsDuty(fc *config.Fan, relay, haveTach bool, low, high, rLow, rHigh float64) (string, bool) {
	const margin = 1.2 // a fan's speed at full is well over its minimum's: 2-4 times
	where := fmt.Sprintf("fans: %s", fc.Name)
	invert := ""
	if fc.SysfsPWM != nil {
		invert = fmt.Sprintf(": set sysfs_pwm.invert: %t (now %t) for fan %s in the configuration", !fc.SysfsPWM.Invert, fc.SysfsPWM.Invert, fc.Name)
	}
	switch {
	case !haveTach && relay:
		return "no tachometer to read: the fan should have been still at 0 % and running at 100 %; if it was the other way round, set the relay's active_low the other way for " + where, true
	case !haveTach:
		return fmt.Sprintf("no tachometer to read: listen. The fan should have been slow and quiet at %g %% and loud at %g %%; if it was the other way round, the PWM is inverted%s", low, high, invert), true
	case rLow == 0 && rHigh == 0:
		return fmt.Sprintf("FAIL: no tach signal at %g %% or at %g %%: the fan did not turn (power, its PWM wire, a stall) or its tach wire is loose (yellow, pulled up to 3.3 V)", low, high), false
	case rLow > margin*rHigh && relay:
		return fmt.Sprintf("FAIL: the fan ran at %.0f rpm switched off and %.0f rpm switched on: the relay acts the other way round; set its active_low the other way for %s", rLow, rHigh, where), false
	case rLow > margin*rHigh:
		return fmt.Sprintf("FAIL: the fan ran faster at %g %% (%.0f rpm) than at %g %% (%.0f rpm): the PWM reaches it inverted, so ventd's full would be its slowest and its safe duty no extraction%s", low, rLow, high, rHigh, invert), false
	case rHigh <= margin*rLow && !relay:
		return fmt.Sprintf("FAIL: the fan's speed did not follow the duty (%.0f rpm at %g %%, %.0f rpm at %g %%): a 4-wire fan whose PWM wire is not connected runs at full whatever it is sent; check the PWM wire, its transistor stage and the fan's chip and channel", rLow, low, rHigh, high), false
	case rHigh <= margin*rLow:
		return fmt.Sprintf("FAIL: the fan ran at %.0f rpm switched off and %.0f rpm switched on: the relay does not switch it; check the relay's pin and its wiring", rLow, rHigh), false
	}
	return fmt.Sprintf("ok: the speed follows the duty, %.0f rpm at %g %% and %.0f rpm at %g %%: the PWM reaches the fan the right way round", rLow, low, rHigh, high), true
}

// percentFlag is a flag in percent that takes "40" or "40%".
type percentFlag float64

func (p *percentFlag) String() string { return strconv.FormatFloat(float64(*p), 'g', -1, 64) }

func (p *percentFlag) Set(s string) error {
	v, err := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "%")), 64)
	if err != nil {
		return errors.New("give a percentage, such as 40")
	}
	*p = percentFlag(v)
	return nil
}

// durationFlag is a flag.Duration whose error says what to write.
type durationFlag time.Duration

func (d *durationFlag) String() string { return time.Duration(*d).String() }

func (d *durationFlag) Set(s string) error {
	v, err := time.ParseDuration(strings.ReplaceAll(s, " ", ""))
	if err == nil {
		*d = durationFlag(v)
		return nil
	}
	if _, numErr := strconv.ParseFloat(strings.TrimSpace(s), 64); numErr == nil {
		return fmt.Errorf("give a unit: %ss, or 2m for two minutes", strings.TrimSpace(s))
	}
	if v, err := time.ParseDuration(spelledUnits.Replace(strings.ReplaceAll(strings.ToLower(s), " ", ""))); err == nil {
		return fmt.Errorf("write %s", v)
	}
	return errors.New("give a duration with a unit, such as 30s or 2m")
}

// spelledUnits turns the units people type into Go's, to suggest the fix.
var spelledUnits = strings.NewReplacer("minutes", "m", "minute", "m", "mins", "m", "min", "m",
	"seconds", "s", "second", "s", "secs", "s", "sec", "s", "hours", "h", "hour", "h", "hrs", "h", "hr", "h")
