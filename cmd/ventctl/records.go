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
	"strings"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/export"
	"github.com/ventd/ventd/journal"
)

// recordFlags are the flags of a command reading the records.
type recordFlags struct {
	name                              string // "ventctl export"
	stateDir, file, from, to, cfgPath *string
	path                              string // the journal's file, once open
}

// addRecordFlags defines -state-dir, -from, -to and -config; what says
// what the window is for ("to export").
func addRecordFlags(fl *flag.FlagSet, what string) *recordFlags {
	return &recordFlags{
		name:     fl.Name(),
		stateDir: fl.String("state-dir", "", "`directory` holding journal.db: ventd's state_dir (default: the -config file's, else "+defaultStateDir+")"),
		file:     fl.String("journal", "", "a journal `file` by name, instead of -state-dir's journal.db: a damaged one ventd moved aside (journal.db.corrupt-<time>), or a copy"),
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
	if *f.file != "" && *f.stateDir != "" {
		return r, fail(exitUsage, "give -journal FILE or -state-dir DIR, not both")
	}
	if r.j, code = openJournal(*f.stateDir, *f.file, r.cfg, fail); code != exitOK {
		return r, code
	}
	f.path = r.j.Path()
	if t, ok := r.j.Truncation(); ok {
		fmt.Fprintf(e.stderr, "%s: warning: the journal file %s is DAMAGED: %s; what its remaining pages hold is read, and a read that needs a missing page fails (ventctl salvage copies what can be read)\n",
			f.name, f.path, t)
	}
	if r.cfg != nil {
		f.checkSameSite(e, r)
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
	if r.to.IsZero() {
		// The whole journal ends at its last minute, but not past
		// tomorrow: a minute stamped in 9999 (a damaged or edited row)
		// had an export work through every day until then.
		if _, last, err := r.j.Range(); err == nil {
			if limit := e.now().Add(48 * time.Hour); last.After(limit) {
				r.to = limit
				fmt.Fprintf(e.stderr, "%s: warning: the journal holds minutes dated after %s (the last at %s): they are left out (ventctl verify checks the journal; -to includes them)\n",
					f.name, limit.In(r.loc).Format("2006-01-02 15:04"), last.In(r.loc).Format("2006-01-02 15:04"))
			}
		}
	}
	return r, exitOK
}

// checkSameSite warns when -config is not the configuration the journal
// was written with: its shifts would be placed, and days chosen, by
// another site's schedule and time zone, without a word.
func (f *recordFlags) checkSameSite(e env, r records) {
	var diff []string
	for _, c := range []struct{ what, key, cfg string }{
		{"site", "site", r.cfg.Site},
		{"room", "room", r.cfg.Room},
		{"shift time zone", journal.TimeZoneKey, r.cfg.Shifts.ZoneName()},
	} {
		if v, ok, err := r.j.Meta(c.key); err == nil && ok && v != "" && v != c.cfg {
			diff = append(diff, fmt.Sprintf("%s %q (the configuration says %q)", c.what, v, c.cfg))
		}
	}
	if len(diff) > 0 {
		fmt.Fprintf(e.stderr, "%s: warning: the journal was written with %s: shifts are placed and days chosen by -config %s; give the configuration the journal was written with, or leave -config out to use the time zone ventd kept\n",
			f.name, strings.Join(diff, ", "), *f.cfgPath)
	}
}

// warnOutside says when the window holds none of the journal's minutes (a
// typo in the year): the report or export is still written, an empty one
// stamped as verified, which must not pass unnoticed.
func (f *recordFlags) warnOutside(e env, r records) {
	first, last, err := r.j.Range()
	if err != nil || first.IsZero() {
		return
	}
	// A side left open (no -from, no -to) reaches the journal's end.
	if (r.from.IsZero() || !last.Before(r.from)) && (r.to.IsZero() || first.Before(r.to)) {
		return
	}
	fmt.Fprintf(e.stderr, "%s: warning: the journal holds nothing from %s to %s: it holds %s to %s (check -from and -to)\n",
		f.name, r.from.In(r.loc).Format("2006-01-02 15:04"), r.to.In(r.loc).Format("2006-01-02 15:04"),
		first.In(r.loc).Format("2006-01-02 15:04"), last.Add(time.Minute).In(r.loc).Format("2006-01-02 15:04"))
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

// openJournal opens file, or else journal.db in the state directory,
// read-only.
func openJournal(stateDir, file string, cfg *config.Config, fail func(int, string, ...any) int) (*journal.Journal, int) {
	if file != "" {
		j, err := journal.OpenReadOnly(file, journal.Options{})
		if err != nil {
			return nil, openFailed(file, err, fail)
		}
		return j, exitOK
	}
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
		return nil, openFailed(path, err, fail)
	}
	return j, exitOK
}

// openFailed says why the journal at path could not be opened, and for a
// damaged file what to do.
func openFailed(path string, err error, fail func(int, string, ...any) int) int {
	if journal.IsCorrupt(err) {
		_, truncated := journal.Truncated(path)
		return fail(exitFail, "the journal file %s is DAMAGED and nothing in it can be read: %v\n%s", path, err, damagedAdvice(path, truncated))
	}
	return fail(exitFail, "%v", err)
}

// damagedAdvice says what to do with the damaged journal file at path.
func damagedAdvice(path string, truncated bool) string {
	var b strings.Builder
	b.WriteString("What to do: keep this file as it is for the audit, it may be the only copy of these records (copy it elsewhere before anything else). ")
	if truncated {
		b.WriteString("A file cut short (a copy interrupted or made on a full disk, a card that lost its last writes) has lost the rows on its missing pages unless another copy holds them. ")
	}
	if filepath.Base(path) == "journal.db" {
		b.WriteString("If this is ventd's own journal, ventd moves it aside at its next start, or when its check after start finds the damage, as " + path + ".corrupt-<time>, starts a new journal and raises the journal/replaced alarm; the fans never wait on it. ")
	}
	b.WriteString("If it is a copy, make it again from the live journal with sqlite3 journal.db \".backup copy.db\" (a plain cp while ventd writes can damage it). ")
	b.WriteString("To read what is left of it: ventctl salvage -journal " + path + " -o salvaged.db copies every row still readable into a new file, which ventctl verify, report and export -journal salvaged.db read (verify names the rows lost).")
	return b.String()
}

// checkFile runs SQLite's check of every page of the journal (as ventctl
// verify does) before a report or an export: a copy taken with cp while
// ventd was writing can be damaged while every row read still fits the
// hash chain. It returns an exit code other than exitOK when the check
// itself could not run, else the damage to show in the output, if any.
func (f *recordFlags) checkFile(e env, r records) (code int, damaged error) {
	err := r.j.Check()
	switch {
	case err == nil:
		return exitOK, nil
	case errors.Is(err, journal.ErrCorrupt):
		return exitOK, err
	}
	return f.readFailed(e, err), nil
}

// readFailed is the exit code of a read of the journal that failed, after
// saying why: for a damaged file, what to do.
func (f *recordFlags) readFailed(e env, err error) int {
	if journal.IsCorrupt(err) {
		_, truncated := journal.Truncated(f.path)
		return f.fail(e, exitFail, "the journal file %s is DAMAGED, and what was asked needs a part of it that cannot be read: %v\n%s", f.path, err, damagedAdvice(f.path, truncated))
	}
	return f.fail(e, exitFail, "%v", err)
}

// damagedExit is the exit code of a report or an export written (code)
// from a damaged journal: never exitOK, and the reason on standard error.
func (f *recordFlags) damagedExit(e env, damaged error, code int) int {
	if damaged == nil || code != exitOK {
		return code
	}
	if _, truncated := journal.Truncated(f.path); truncated {
		return f.fail(e, exitFail, "the journal file is DAMAGED: %v\nthe output says so and cannot show the record is intact.\n%s", damaged, damagedAdvice(f.path, true))
	}
	return f.fail(e, exitFail, "the journal file is DAMAGED: %v\nthe output says so and cannot show the record is intact. A copy taken with cp while ventd was writing is the usual cause: copy the journal with sqlite3 journal.db \".backup copy.db\" (or stop ventd first) and run this again on the copy; ventctl verify gives the details", damaged)
}
