package main

// What export, report and verify share: the flags naming the journal,
// the window and the configuration, and opening them.

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/export"
	"github.com/ventd/ventd/journal"
)

// recordFlags are the flags of a command reading the records.
type recordFlags struct {
	name                        string // "ventctl export"
	stateDir, from, to, cfgPath *string
}

// addRecordFlags defines -state-dir, -from, -to and -config; what says
// what the window is for ("to export").
func addRecordFlags(fl *flag.FlagSet, what string) *recordFlags {
	return &recordFlags{
		name:     fl.Name(),
		stateDir: fl.String("state-dir", "", "`directory` holding journal.db: ventd's state_dir (default: the -config file's, else "+defaultStateDir+")"),
		from:     fl.String("from", "", "first `day` "+what+", YYYY-MM-DD in the shift time zone (default: the journal's start)"),
		to:       fl.String("to", "", "last `day` "+what+", YYYY-MM-DD, included (default: the journal's end)"),
		cfgPath:  fl.String("config", "", "ventd's configuration `file`: the shift time zone (default: the one ventd kept in the journal, else this machine's), and the schedule and limits for shifts rebuilt from minutes"),
	}
}

// records is what the flags name, opened.
type records struct {
	cfg      *config.Config
	loc      *time.Location
	from, to time.Time
	j        *journal.Journal // read-only; the caller closes it
}

// fail prints the command's error and returns code.
func (f *recordFlags) fail(e env, code int, format string, a ...any) int {
	fmt.Fprintf(e.stderr, f.name+": "+format+"\n", a...)
	return code
}

// open loads the configuration, reads the window and opens the journal,
// or says what is wrong and returns the exit code.
func (f *recordFlags) open(e env) (records, int) {
	fail := func(code int, format string, a ...any) int { return f.fail(e, code, format, a...) }
	var r records
	var code int
	if r.cfg, r.loc, code = loadShiftConfig(*f.cfgPath, fail); code != exitOK {
		return r, code
	}
	if r.j, code = openJournal(*f.stateDir, r.cfg, fail); code != exitOK {
		return r, code
	}
	if r.cfg == nil {
		// The site's time zone as ventd kept it: an auditor's laptop in
		// another zone (or a Pi left on UTC) reads the site's days.
		if tz, ok, err := r.j.Meta(journal.TimeZoneKey); err == nil && ok && tz != "" {
			if loc, err := time.LoadLocation(tz); err == nil {
				r.loc = loc
			} else {
				fmt.Fprintf(e.stderr, "%s: the journal's shift time zone %q is not known here (%v); reading days in %s: give -config for the site's\n", f.name, tz, err, r.loc)
			}
		}
	}
	var err error
	if r.from, r.to, err = export.ParseWindow(*f.from, *f.to, r.loc); err != nil {
		r.j.Close()
		return r, fail(exitUsage, "%v", err)
	}
	return r, exitOK
}

// loadShiftConfig loads -config when given, and returns the shift time
// zone (Local without a configuration: open then takes the one ventd kept
// in the journal).
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
