package main

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"

	"github.com/ventd/ventd/export"
	"github.com/ventd/ventd/report"
)

// runReport writes the auditor's report (a PDF, or one HTML page) of the
// journal, opened read-only beside a running daemon.
func runReport(args []string, e env) int {
	fl := flag.NewFlagSet("ventctl report", flag.ContinueOnError)
	fl.SetOutput(e.stderr)
	stateDir := fl.String("state-dir", "", "`directory` holding journal.db: ventd's state_dir (default: the -config file's, else "+defaultStateDir+")")
	from := fl.String("from", "", "first `day` to report, YYYY-MM-DD in the shift time zone (default: the journal's start)")
	to := fl.String("to", "", "last `day` to report, YYYY-MM-DD, included (default: the journal's end)")
	shift := fl.String("shift", "", "only the shifts starting at this local `time`, HH:MM (e.g. 07:00 for the day shifts)")
	format := fl.String("format", "", "output `format`: pdf or html (default: from -o's extension, else pdf)")
	out := fl.String("o", "", "write to `file` instead of standard output")
	cfgPath := fl.String("config", "", "ventd's configuration `file`: the shift time zone, and the schedule and limits for shifts rebuilt from minutes")
	if code, ok := parse(fl, args); !ok {
		return code
	}
	fail := func(code int, format string, a ...any) int {
		fmt.Fprintf(e.stderr, "ventctl report: "+format+"\n", a...)
		return code
	}
	if *format == "" {
		*format = "pdf"
		if filepath.Ext(*out) == ".html" || filepath.Ext(*out) == ".htm" {
			*format = "html"
		}
	}
	if err := report.CheckFormat(*format); err != nil {
		return fail(exitUsage, "-%v", err)
	}
	if err := report.CheckShift(*shift); err != nil {
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
	opts := report.Options{From: start, To: end, Shift: *shift, Format: *format, Location: loc, Now: e.now(), Config: cfg,
		Software: "ventd " + versionString() + " (ventctl report)"}
	if *out == "" {
		if err := report.Write(e.stdout, j, opts); err != nil {
			return fail(exitFail, "%v", err)
		}
		return exitOK
	}
	n, err := writeFile(*out, func(w io.Writer) error { return report.Write(w, j, opts) })
	if err != nil {
		return fail(exitFail, "%v", err)
	}
	fmt.Fprintf(e.stderr, "ventctl report: wrote %s (%d bytes)\n", *out, n)
	return exitOK
}
