package main

// What export, report and verify share: the configuration and the journal
// they read.

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/journal"
)

// loadShiftConfig loads -config when given, and returns the shift time
// zone (Local without a configuration).
func loadShiftConfig(path string, fail func(int, string, ...any) int) (*config.Config, *time.Location, int) {
	if path == "" {
		return nil, time.Local, exitOK
	}
	cfg, err := config.Load(path)
	if err != nil {
		return nil, nil, fail(exitFail, "-config: %v\n(ventctl check-config -config %s lists every mistake)", err, path)
	}
	loc, err := cfg.Shifts.Location()
	if err != nil {
		return nil, nil, fail(exitFail, "%v", err)
	}
	return cfg, loc, exitOK
}

// openJournal opens journal.db in the state directory read-only.
func openJournal(stateDir string, cfg *config.Config, fail func(int, string, ...any) int) (*journal.Journal, int) {
	dir := stateDir
	if dir == "" {
		dir = defaultStateDir
		if cfg != nil && cfg.StateDir != "" {
			dir = cfg.StateDir
		}
	}
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return nil, fail(exitUsage, "-state-dir %s is a file: -state-dir takes the directory holding journal.db (here: -state-dir %s)", dir, filepath.Dir(dir))
	}
	path := filepath.Join(dir, "journal.db")
	j, err := journal.OpenReadOnly(path, journal.Options{})
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fail(exitFail, "no journal at %s: -state-dir takes the directory holding journal.db, ventd's state_dir (default %s)", path, defaultStateDir)
	}
	if err != nil {
		return nil, fail(exitFail, "%v", err)
	}
	return j, exitOK
}
