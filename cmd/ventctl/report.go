package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ventd/ventd/buildinfo"
	"github.com/ventd/ventd/report"
)

// runReport writes the auditor's report (a PDF, or one HTML page) of the
// journal, opened read-only beside a running daemon.
func runReport(args []string, e env) int {
	fl := flag.NewFlagSet("ventctl report", flag.ContinueOnError)
	fl.SetOutput(e.stderr)
	rf := addRecordFlags(fl, "to report")
	shift := fl.String("shift", "", "only the shifts starting at this local `time`, HH:MM (e.g. 07:00 for the day shifts)")
	format := fl.String("format", "", "output `format`: pdf or html (default: from -o's extension, else pdf)")
	out := fl.String("o", "", "write to `file` instead of standard output")
	at := fl.String("now", "", "the `time` the report is made at, RFC 3339 (default: now); ventd passes its own clock's, simulated under -sim")
	if code, ok := parse(fl, args); !ok {
		return code
	}
	now := e.now()
	if *at != "" {
		t, err := time.Parse(time.RFC3339, *at)
		if err != nil {
			return rf.fail(e, exitUsage, "-now %q: give an RFC 3339 time, e.g. 2026-03-02T19:00:00Z", *at)
		}
		now = t
	}
	if *format == "" {
		// From -o's name; another extension would get a PDF named as
		// something else (a .docx a word processor then cannot open).
		switch ext := strings.ToLower(filepath.Ext(*out)); ext {
		case ".html", ".htm":
			*format = "html"
		case ".pdf", "":
			*format = "pdf"
		default:
			return rf.fail(e, exitUsage, "-o %q: the report is a PDF or an HTML page: name the file .pdf or .html, or give -format pdf or -format html", *out)
		}
	}
	if err := report.CheckFormat(*format); err != nil {
		return rf.fail(e, exitUsage, "-%v", err)
	}
	if err := nameAgrees(*out, *format, map[string]string{".pdf": "pdf", ".html": "html", ".htm": "html"}); err != nil {
		return rf.fail(e, exitUsage, "%v", err)
	}
	if err := report.CheckShift(*shift); err != nil {
		return rf.fail(e, exitUsage, "-%v", err)
	}
	if code := rf.checkOut(e, *out, "report."+*format); code != exitOK {
		return code
	}
	r, code := rf.open(e)
	if code != exitOK {
		return code
	}
	defer r.j.Close()
	j, start, end, cfg, loc := r.j, r.from, r.to, r.cfg, r.loc
	opts := report.Options{From: start, To: end, Shift: *shift, Format: *format, Location: loc, Now: now, Config: cfg,
		Software: "ventd " + buildinfo.Get().Version + " (ventctl report)", Context: e.context()}
	if *out == "" {
		if f, ok := e.stdout.(*os.File); ok && *format == "pdf" {
			if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
				return rf.fail(e, exitUsage, "a PDF is not for a terminal: give -o FILE.pdf (or -format html, or redirect the output)")
			}
		}
	}
	if err := report.CheckShiftIn(j, start, end, *shift, loc); errors.Is(err, report.ErrNoSuchShift) {
		return rf.fail(e, exitUsage, "-%v", err)
	} else if err != nil {
		return rf.readFailed(e, err)
	}
	code, damaged := rf.checkFile(e, r)
	if code != exitOK {
		return code
	}
	opts.Damaged = damaged
	rf.warnOutside(e, r)
	return rf.damagedExit(e, damaged, rf.output(e, *out, func(w io.Writer) error { return report.Write(w, j, opts) }))
}

// nameAgrees refuses an -o whose extension says one format while -format
// writes another (x.pdf holding HTML): the file's name must say what is in
// it, for the auditor who opens it. Names without a known extension pass.
func nameAgrees(out, format string, byExt map[string]string) error {
	want, known := byExt[strings.ToLower(filepath.Ext(out))]
	if !known || want == format {
		return nil
	}
	return fmt.Errorf("-o %q is named as %s, but -format %s writes %s: name the file for its format, or leave -format out to take it from the name", out, want, format, format)
}
