package config

import (
	"errors"
	"fmt"
	"io"
)

// Check loads the file at path and reports as `ventd -check-config` and
// `ventctl check-config` do: every mistake on stderr, or OK with an
// outline of the room on stdout; then any warnings on stderr. prog
// prefixes an error that is not about the file's content (a missing
// file). It reports whether ventd would start with the file.
func Check(path, prog string, stdout, stderr io.Writer) bool {
	cfg, err := Load(path)
	var errs Errors
	switch {
	case errors.As(err, &errs):
		fmt.Fprintf(stderr, "%s: %d mistake(s):\n", path, len(errs))
		for _, e := range errs {
			fmt.Fprintln(stderr, "  "+e.Error())
		}
		return false
	case err != nil:
		fmt.Fprintln(stderr, prog+":", err)
		return false
	}
	fmt.Fprintf(stdout, "%s: OK: site %q, room %q, %d zones, %d sensors, %d fans\n",
		path, cfg.Site, cfg.Room, len(cfg.Zones), len(cfg.Sensors), len(cfg.Fans))
	if ws := cfg.Warnings(); len(ws) > 0 {
		fmt.Fprintf(stderr, "%s: %d warning(s): accepted, but check that they mean what you meant:\n", path, len(ws))
		for _, w := range ws {
			fmt.Fprintln(stderr, "  "+w.String())
		}
	}
	return true
}
