package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/ventd/ventd/config"
)

// checkConfig loads path and prints every mistake, for -check-config.
func checkConfig(path string, stdout, stderr io.Writer) int {
	cfg, err := config.Load(path)
	var errs config.Errors
	switch {
	case errors.As(err, &errs):
		fmt.Fprintf(stderr, "%s: %d mistake(s):\n", path, len(errs))
		for _, e := range errs {
			fmt.Fprintln(stderr, "  "+e.Error())
		}
		return 1
	case err != nil:
		fmt.Fprintln(stderr, "ventd:", err)
		return 1
	}
	fmt.Fprintf(stdout, "%s: OK: site %q, room %q, %d zones, %d sensors, %d fans\n",
		path, cfg.Site, cfg.Room, len(cfg.Zones), len(cfg.Sensors), len(cfg.Fans))
	return 0
}
