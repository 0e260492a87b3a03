// Command ventctl is the technician's tool for a ventd room: it checks a
// configuration file and exports the exposure records for an auditor,
// reading the journal beside a running daemon without disturbing it.
//
//	ventctl check-config -config /etc/ventd/ventd.yaml
//	ventctl export -state-dir /var/lib/ventd -from 2026-03-01 -to 2026-03-31 -o march.csv
package main

import (
	"fmt"
	"io"
	"os"
	"time"
	// Shift time zones must resolve even on a Pi image without tzdata.
	_ "time/tzdata"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = ""

func main() {
	os.Exit(run(os.Args[1:], env{stdout: os.Stdout, stderr: os.Stderr, now: time.Now}))
}

// env is what a subcommand may touch besides its files, so tests can run
// it in-process.
type env struct {
	stdout, stderr io.Writer
	now            func() time.Time
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
}

var commands = []command{
	{"export", "-state-dir DIR [-from YYYY-MM-DD] [-to YYYY-MM-DD] [-format csv|json] [-o FILE] [-config FILE]",
		"write the exposure record (shift summaries, minutes, gaps, alarms, calibrations) for an auditor", runExport},
	{"check-config", "-config FILE", "check a configuration file and print every mistake in it", runCheckConfig},
	{"help", "", "print this help", func([]string, env) int { return exitOK }},
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
	if len(args) == 0 || args[0] == "help" || args[0] == "-help" || args[0] == "--help" || args[0] == "-h" {
		usage(e.stdout)
		return exitOK
	}
	if args[0] == "version" || args[0] == "-version" {
		fmt.Fprintln(e.stdout, "ventctl", versionString())
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

func versionString() string {
	if version == "" {
		return "(devel)"
	}
	return version
}
