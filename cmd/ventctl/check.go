package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/ventd/ventd/config"
)

// runCheckConfig loads the file and prints every mistake and warning, as
// ventd -check-config does.
func runCheckConfig(args []string, e env) int {
	fs := flag.NewFlagSet("ventctl check-config", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	path := fs.String("config", "", "configuration `file` (YAML) to check; a commented one to start from: "+config.ExampleHint)
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if *path == "" {
		fmt.Fprintln(e.stderr, "ventctl check-config: give -config FILE, the configuration to check (e.g. /etc/ventd/ventd.yaml)")
		return exitUsage
	}
	if !config.Check(*path, "ventctl check-config", e.stdout, e.stderr) {
		return exitFail
	}
	return exitOK
}

// parse parses a subcommand's flags; ok is false when the caller should
// return code (after -help, 0; after a mistake, 2).
func parse(fs *flag.FlagSet, args []string) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK, false
		}
		return exitUsage, false
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "%s: unexpected argument %q: this command takes only flags (see -help)\n", fs.Name(), fs.Arg(0))
		return exitUsage, false
	}
	return 0, true
}
