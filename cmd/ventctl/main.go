// Command ventctl is the technician's tool for a ventd room: it scans the
// I2C bus and identifies the sensors, reads them live, spins a fan to a
// duty, purges, acknowledges alarms and recalibrates CO2 through the
// running daemon's control socket, checks a configuration file, and
// exports, reports and verifies the exposure records for an auditor,
// reading the journal beside a running daemon without disturbing it.
//
//	ventctl scan -bus 1
//	ventctl read -config /etc/ventd/ventd.yaml
//	ventctl purge -zone booth
//	ventctl calibrate co2 -sensor staff-co2 -ppm 420
//	ventctl check-config -config /etc/ventd/ventd.yaml
//	ventctl doctor
//	ventctl export -state-dir /var/lib/ventd -from 2026-03-01 -to 2026-03-31 -o march.csv
//	ventctl report -state-dir /var/lib/ventd -from 2026-03-01 -to 2026-03-31 -o march.pdf
//	ventctl verify -state-dir /var/lib/ventd -head 3f1c9a0b5e2d4c77
//	ventctl salvage -journal /var/lib/ventd/journal.db.corrupt-20260302T074459Z -o salvaged.db
//
// Every command with -sim runs on the simulated room instead, to try it
// without hardware.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	// Shift time zones must resolve even on a Pi image without tzdata.
	_ "time/tzdata"

	"github.com/ventd/ventd/buildinfo"
	"github.com/ventd/ventd/testbench"
)

func main() {
	e := env{stdout: os.Stdout, stderr: os.Stderr, now: time.Now}
	if catchesSignals(os.Args[1:]) {
		// Ctrl-C ends a fan run or a live read cleanly: the fan is left at
		// its safe duty, the sensors idle. So does a hang-up: an ssh
		// session that drops mid-run must not leave the fan at the test
		// duty. The other commands end at Ctrl-C as any program does.
		var stop context.CancelFunc
		e.ctx, stop = signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
		defer stop()
	}
	code := run(os.Args[1:], e)
	os.Exit(code)
}

// catchesSignals says whether the command line's command ends cleanly on
// Ctrl-C, a hang-up or SIGTERM by itself (its run watches env.ctx). A
// command that does not must not catch them: a caught Ctrl-C did nothing
// at all to a long verify or a hash-pin waiting on its input.
func catchesSignals(args []string) bool {
	if len(args) == 0 {
		return false
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.interruptible
		}
	}
	return false
}

// env is what a subcommand may touch besides its files, so tests can run
// it in-process.
type env struct {
	stdout, stderr io.Writer
	now            func() time.Time
	// ctx ends long-running commands (nil: never).
	ctx context.Context
	// getenv reads the environment (nil: os.Getenv).
	getenv func(string) string
	// stdin is read by hash-pin (nil: os.Stdin).
	stdin io.Reader
	// sim, when set, sees the simulated room a -sim command builds, so
	// tests can look at it.
	sim func(*simRoom)
	// simOpts builds that room (tests: a fan wired inverted).
	simOpts testbench.RigOpts
}

func (e env) context() context.Context {
	if e.ctx == nil {
		return context.Background()
	}
	return e.ctx
}

func (e env) env(key string) string {
	if e.getenv == nil {
		return os.Getenv(key)
	}
	return e.getenv(key)
}

// Exit codes.
const (
	exitOK    = 0
	exitFail  = 1 // the command ran and failed (bad config, no journal…)
	exitUsage = 2 // the command line is wrong
)

type command struct {
	name, args, help string
	run              func(args []string, e env) int
	// interruptible commands watch env.ctx and end cleanly when it ends:
	// fans back at their safe duty, sensors idle, no partial file.
	interruptible bool
}

var commands = []command{
	{"scan", "[-bus 1] [-sim] [-config FILE] [-identify=false]",
		"probe I2C addresses 0x08-0x77 and identify the Sensirion sensors, muxes and PWM boards found, with serials", runScan, true},
	{"read", "-config FILE [-n 5] [-sim]", "open every configured sensor and print its readings live, with units", runRead, true},
	{"fan", "-config FILE -fan NAME -duty PERCENT [-for 30s] [-sim]",
		"spin one fan to a duty for a while, printing its tachometer, then leave it at its safe duty", runFan, true},
	{"purge", "[-zone ZONE] [-cancel] [-who NAME] [-socket PATH]", "ask the running ventd to purge a zone (every zone by default), or end a purge", runPurge, true},
	{"ack", "-id N | -all [-note TEXT] [-who NAME] [-socket PATH]", "acknowledge an alarm (or every active alarm) in the running ventd", runAck, true},
	{"calibrate", "co2 -sensor NAME -ppm 420 [-note TEXT] [-who NAME] [-socket PATH]",
		"forced recalibration of a CO2 sensor through the running ventd, journaled with who did it", runCalibrate, true},
	{"export", "-state-dir DIR [-from YYYY-MM-DD] [-to YYYY-MM-DD] [-format csv|json|openmetrics] [-o FILE] [-config FILE]",
		"write the exposure record (shift summaries, minutes, gaps, alarms, calibrations) for an auditor", runExport, true},
	{"report", "-state-dir DIR [-from YYYY-MM-DD] [-to YYYY-MM-DD] [-shift HH:MM] [-o FILE.pdf|.html] [-config FILE]",
		"the auditor's report: each shift's exposure against its limits, plots, alarms and acknowledgements, calibrations, record integrity", runReport, true},
	{"verify", "-state-dir DIR [-head HASH] [-from YYYY-MM-DD] [-to YYYY-MM-DD]",
		"check the journal's hash chain: name the first row changed, added or deleted after ventd wrote it", runVerify, false},
	{"salvage", "-journal FILE -o NEW.db",
		"copy every row still readable from a damaged journal file (cut short, or with damaged pages) into a new file that verify, report and export read", runSalvage, false},
	{"check-config", "-config FILE", "check a configuration file and print every mistake in it", runCheckConfig, false},
	{"doctor", "[-config FILE] [-root DIR] [-sim]",
		"check an installation: boot config, groups, devices, PWM, clock, state directory, the service and every sensor, with the fix for each problem", runDoctor, true},
	{"hash-pin", "< PIN", "read the status page's staff PIN from standard input and print page.pin_hash for the config", runHashPIN, false},
	{"help", "", "print this help", func([]string, env) int { return exitOK }, false},
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: ventctl COMMAND [flags]")
	fmt.Fprintln(w, "\ncommands:")
	for _, c := range commands {
		fmt.Fprintf(w, "  %-13s %s\n", c.name, c.help)
		if c.args != "" {
			fmt.Fprintf(w, "  %-13s ventctl %s %s\n", "", c.name, c.args)
		}
	}
	fmt.Fprintln(w, "\n'ventctl COMMAND -help' lists a command's flags.")
}

// run runs the command line args (without the program name) and returns
// the exit code.
func run(args []string, e env) int {
	if len(args) == 0 {
		// A script that forgot the command must not pass.
		fmt.Fprintln(e.stderr, "ventctl: no command given")
		usage(e.stderr)
		return exitUsage
	}
	if args[0] == "help" || args[0] == "-help" || args[0] == "--help" || args[0] == "-h" {
		usage(e.stdout)
		return exitOK
	}
	if args[0] == "version" || args[0] == "-version" {
		fmt.Fprintln(e.stdout, "ventctl", buildinfo.Get())
		return exitOK
	}
	for _, c := range commands {
		if c.name == args[0] {
			return c.run(args[1:], e)
		}
	}
	fmt.Fprintf(e.stderr, "ventctl: unknown command %q\n\n", args[0])
	usage(e.stderr)
	return exitUsage
}
