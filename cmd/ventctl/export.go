package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/ventd/ventd/buildinfo"
	"github.com/ventd/ventd/export"
)

// defaultStateDir is ventd's default state_dir.
const defaultStateDir = "/var/lib/ventd"

// runExport writes the journal's records for an auditor. It opens the
// journal read-only, so it can run while ventd is writing.
func runExport(args []string, e env) int {
	fl := flag.NewFlagSet("ventctl export", flag.ContinueOnError)
	fl.SetOutput(e.stderr)
	rf := addRecordFlags(fl, "to export")
	format := fl.String("format", "", "output `format`: csv (one file, in sections), json, or openmetrics (the /metrics series with timestamps, "+
		"for promtool tsdb create-blocks-from openmetrics; needs -config) (default: from -o's extension, else csv)")
	out := fl.String("o", "", "write to `file` instead of standard output")
	if code, ok := parse(fl, args); !ok {
		return code
	}
	if *format == "" {
		// From -o's name: an auditor who asks for shift.json must not get
		// CSV under that name.
		switch strings.ToLower(filepath.Ext(*out)) {
		case ".json":
			*format = "json"
		case ".csv", "":
			*format = "csv"
		default:
			return rf.fail(e, exitUsage, "-o %q: name the file .csv or .json, or give -format csv, json or openmetrics", *out)
		}
	}
	if err := export.CheckFormat(*format); err != nil {
		return rf.fail(e, exitUsage, "-%v", err)
	}
	if err := nameAgrees(*out, *format, map[string]string{".csv": "csv", ".json": "json"}); err != nil {
		return rf.fail(e, exitUsage, "%v", err)
	}
	if *format == "openmetrics" && *rf.cfgPath == "" {
		return rf.fail(e, exitUsage, "-format openmetrics needs -config FILE (ventd's configuration): its shift schedule and limits decide the shift series and the time over limits")
	}
	ext := *format
	if ext == "openmetrics" {
		ext = "om"
	}
	if code := rf.checkOut(e, *out, "export."+ext); code != exitOK {
		return code
	}
	r, code := rf.open(e)
	if code != exitOK {
		return code
	}
	j, start, end, cfg, loc := r.j, r.from, r.to, r.cfg, r.loc
	defer j.Close()
	opts := export.Options{From: start, To: end, Format: *format, Location: loc, Now: e.now(), Config: cfg,
		Software: "ventd " + buildinfo.Get().Version + " (ventctl export)"}
	code, damaged := rf.checkFile(e, r)
	if code != exitOK {
		return code
	}
	opts.Damaged = damaged
	rf.warnOutside(e, r)
	return rf.damagedExit(e, damaged, rf.output(e, *out, func(w io.Writer) error { return export.Write(w, j, opts) }))
}

// checkOut checks -o before any work is done: a directory there, or a
// directory that is not there, would fail only once the whole export or
// report was made, naming a temporary file nobody chose. example is a
// file name to suggest.
func (f *recordFlags) checkOut(e env, out, example string) int {
	if out == "" {
		return exitOK
	}
	if fi, err := os.Stat(out); err == nil && fi.IsDir() {
		return f.fail(e, exitUsage, "-o %s is a directory: give a file name, like -o %s", out, filepath.Join(out, example))
	}
	if dir := filepath.Dir(out); dir != "" {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return f.fail(e, exitUsage, "-o %s: there is no directory %s to write it in; create it, or name a file in one that exists", out, dir)
		}
	}
	return exitOK
}

// output writes to standard output, or, with -o, to the file through
// writeFile, saying what it wrote.
func (f *recordFlags) output(e env, out string, write func(io.Writer) error) int {
	// Ctrl-C ends the writing at the next write, and a file is then not
	// made at all: the temporary one is removed.
	ctx := e.context()
	write = func(write func(io.Writer) error) func(io.Writer) error {
		return func(w io.Writer) error { return write(ctxWriter{ctx, w}) }
	}(write)
	if out == "" {
		if err := write(e.stdout); err != nil {
			return f.readFailed(e, err)
		}
		return exitOK
	}
	n, err := writeFile(out, write)
	if errors.Is(err, context.Canceled) {
		return f.fail(e, exitFail, "interrupted: %s not written", out)
	}
	if err != nil {
		return f.readFailed(e, err)
	}
	fmt.Fprintf(e.stderr, "%s: wrote %s (%d bytes)\n", f.name, out, n)
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
	if err == nil {
		// The mode a new file gets here (CreateTemp makes it 0600: a
		// report made with sudo was root's alone), and on the card before
		// it takes the name: after a power cut, "wrote" means written.
		mask := syscall.Umask(0)
		syscall.Umask(mask)
		if err = tmp.Chmod(0o666 &^ fs.FileMode(mask)); err == nil {
			err = tmp.Sync()
		}
	}
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

// ctxWriter fails every write once ctx has ended.
type ctxWriter struct {
	ctx context.Context
	w   io.Writer
}

func (c ctxWriter) Write(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, fmt.Errorf("interrupted: %w", err)
	}
	return c.w.Write(p)
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
