package main

import (
	"context"
	"errors"
	"os"
	"os/signal"
	"syscall"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/record"
)

// watchHUP starts taking SIGHUP for reloadOnHUP. It is called before the
// loop starts, not from reloadOnHUP's goroutine: a SIGHUP that came
// between the loop's start and that goroutine's first step took the
// default action and ended the daemon (a reload right after a start, or
// TestSIGHUPReloads on a busy machine).
func watchHUP() chan os.Signal {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	return hup
}

// reloadOnHUP re-reads the config file on each SIGHUP from hup (systemctl
// reload ventd) until ctx is done. A file with mistakes is refused, each
// mistake logged with its line, and the configuration in force stays; a
// good one is handed to the loop, which applies what can change without a
// restart and journals the change.
func (a *app) reloadOnHUP(ctx context.Context, hup chan os.Signal, path string) {
	defer signal.Stop(hup)
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
		}
		if path == "" {
			a.log.Warn("SIGHUP: no configuration file to read again (ventd runs on the built-in simulated room); nothing changed")
			continue
		}
		cfg, text, err := config.LoadText(path)
		var mistakes config.Errors
		switch {
		case errors.As(err, &mistakes):
			// One line each: a text log shows a joined list as one line.
			for _, m := range mistakes {
				a.log.Error("SIGHUP: the configuration file has a mistake; the configuration in force stays", "file", path, "mistake", m.Error())
			}
			a.log.Error("SIGHUP: the configuration in force stays", "file", path, "mistakes", len(mistakes),
				"hint", "fix them (ventd -check-config -config "+path+" lists them all), then reload again")
			continue
		case err != nil: // not read at all: nothing in it was wrong
			a.log.Error("SIGHUP: the configuration file could not be read; the configuration in force stays", "file", path, "err", err,
				"hint", "put the file back (or give it ventd's group read permission), then reload again")
			continue
		}
		logConfigWarnings(a.log, cfg)
		res, err := a.d.Reload(ctx, cfg, record.Actor{Name: "SIGHUP", Via: "signal"})
		if err != nil {
			a.log.Error("SIGHUP: configuration not reloaded; the configuration in force stays", "file", path, "err", err)
			continue
		}
		// In force now, so reports are made on it too.
		a.cfgText.Store(&text)
		a.log.Info("SIGHUP: configuration reloaded", "file", path, "result", res)
	}
}
