package main

import (
	"flag"
	"fmt"
	"path/filepath"

	"github.com/ventd/ventd/journal"
)

// runSalvage copies every row still readable from a damaged journal file
// into a new file, which verify, report and export then read whole.
func runSalvage(args []string, e env) int {
	fl := flag.NewFlagSet("ventctl salvage", flag.ContinueOnError)
	fl.SetOutput(e.stderr)
	file := fl.String("journal", "", "the damaged journal `file` (journal.db, or journal.db.corrupt-<time> that ventd moved aside)")
	out := fl.String("o", "", "the new `file` to write what can be read into (must not exist)")
	if code, ok := parse(fl, args); !ok {
		return code
	}
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(e.stderr, "ventctl salvage: "+format+"\n", a...)
		return code
	}
	if *file == "" || *out == "" {
		return fail(exitUsage, "give the damaged file and the new one: ventctl salvage -journal /var/lib/ventd/journal.db.corrupt-<time> -o salvaged.db")
	}
	if abs, _ := filepath.Abs(*out); abs == mustAbs(*file) {
		return fail(exitUsage, "-o names the damaged file itself: give a new file; the damaged one stays as it is")
	}
	got, err := journal.Salvage(*file, *out)
	if err != nil {
		return fail(exitFail, "%v", err)
	}
	w := e.stdout
	fmt.Fprintf(w, "salvaged %s into %s (%s left as it was: keep it for the audit)\n", *file, *out, *file)
	if t, ok := journal.Truncated(*file); ok {
		fmt.Fprintf(w, "%s\n", t)
	}
	for _, t := range got.Tables {
		line := fmt.Sprintf("  %-16s %8d rows", t.Name, t.Rows)
		if t.Stopped {
			if t.Back != "" {
				line += fmt.Sprintf("; rows after key %q and before key %q are on pages that cannot be read", t.Forward, t.Back)
			} else {
				line += fmt.Sprintf("; rows after key %q are on pages that cannot be read", t.Forward)
			}
		}
		fmt.Fprintln(w, line)
	}
	if got.Lost() {
		fmt.Fprintf(w, "some rows could not be read: they are lost unless another copy of the journal holds them.\n")
	}
	fmt.Fprintf(w, "the hash chain's seals are copied as they were: ventctl verify -journal %s names every row missing from the chain, and ventctl report and export -journal %s read what was saved\n", *out, *out)
	return exitOK
}

// mustAbs is path made absolute, or as given.
func mustAbs(path string) string {
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}
