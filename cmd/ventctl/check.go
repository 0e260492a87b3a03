package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/ventd/ventd/config"
)

// runCheckConfig loads the file and prints every mistake, as
// ventd -check-config does.
func runCheckConfig(args []string, e env) int {
	fs := flag.NewFlagSet("ventctl check-config", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	path := fs.String("config", "", "configuration `file` (YAML) to check; see config/example.yaml")
	if code, ok := parse(fs, args); !ok {
		return code
	}
	if *path == "" {
		fmt.Fprintln(e.stderr, "ventctl check-config: give -config FILE, the configuration to check (e.g. /etc/ventd/ventd.yaml)")
		return exitUsage
	}
	cfg, err := config.Load(*path)
	var errs config.Errors
	switch {
	case errors.As(err, &errs):
		fmt.Fprintf(e.stderr, "%s: %d mistake(s):\n", *path, len(errs))
		for _, m := range errs {
			fmt.Fprintln(e.stderr, "  "+m.Error())
		}
		return exitFail
	case err != nil:
		fmt.Fprintln(e.stderr, "ventctl check-config:", err)
		return exitFail
	}
	fmt.Fprintf(e.stdout, "%s: OK: site %q, room %q, %d zones, %d sensors, %d fans\n",
		*path, cfg.Site, cfg.Room, len(cfg.Zones), len(cfg.Sensors), len(cfg.Fans))
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
