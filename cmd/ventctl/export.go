package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/ventd/ventd/export"
)

// defaultStateDir is ventd's default state_dir.
const defaultStateDir = "/var/lib/ventd"

// runExport writes the journal's records for an auditor. It opens the
// journal read-only, so it can run while ventd is writing.
func runExport(args []string, e env) int {
	fl := flag.NewFlagSet("ventctl export", flag.ContinueOnError)
	fl.SetOutput(e.stderr)
	stateDir := fl.String("state-dir", "", "`directory` holding journal.db: ventd's state_dir (default: the -config file's, else "+defaultStateDir+")")
	from := fl.String("from", "", "first `day` to export, YYYY-MM-DD in the shift time zone (default: the journal's start)")
	to := fl.String("to", "", "last `day` to export, YYYY-MM-DD, included (default: the journal's end)")
	format := fl.String("format", "csv", "output `format`: csv (one file, in sections) or json")
	out := fl.String("o", "", "write to `file` instead of standard output")
	cfgPath := fl.String("config", "", "ventd's configuration `file`: the shift time zone, and the schedule and limits for shifts rebuilt from minutes")
	if code, ok := parse(fl, args); !ok {
		return code
	}
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(e.stderr, "ventctl export: "+format+"\n", a...)
		return code
	}
	if err := export.CheckFormat(*format); err != nil {
		return fail(exitUsage, "-%v", err)
	}
	cfg, loc, code := loadShiftConfig(*cfgPath, fail)
	if code != exitOK {
		return code
	}
	start, end, err := export.ParseWindow(*from, *to, loc)
	if err != nil {
		return fail(exitUsage, "%v", err)
	}
	j, code := openJournal(*stateDir, cfg, fail)
	if code != exitOK {
		return code
	}
	defer j.Close()
	opts := export.Options{From: start, To: end, Format: *format, Location: loc, Now: e.now(), Config: cfg,
		Software: "ventd " + versionString() + " (ventctl export)"}
	if *out == "" {
		if err := export.Write(e.stdout, j, opts); err != nil {
			return fail(exitFail, "%v", err)
		}
		return exitOK
	}
	n, err := writeFile(*out, func(w io.Writer) error { return export.Write(w, j, opts) })
	if err != nil {
		return fail(exitFail, "%v", err)
	}
	fmt.Fprintf(e.stderr, "ventctl export: wrote %s (%d bytes)\n", *out, n)
	return exitOK
}

// writeFile writes path through a temporary file renamed into place, so a
// failed export never leaves a truncated file that looks complete.
func writeFile(path string, write func(io.Writer) error) (int64, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return 0, fmt.Errorf("-o %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing left to remove
	cw := &countWriter{w: tmp}
	err = write(cw)
	if cerr := tmp.Close(); err == nil && cerr != nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return 0, fmt.Errorf("-o %s: %w", path, err)
	}
	return cw.n, nil
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
