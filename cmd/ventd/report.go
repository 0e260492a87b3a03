package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/ventd/ventd/httpapi"
	"github.com/ventd/ventd/journal"
)

// reportRoute serves GET /api/report from the journal at path. ventctl
// report makes each report in a process of its own: the PDF and plotting
// libraries parse a dozen embedded fonts when a program starts (megabytes
// the daemon would keep resident for a report a week), and a month's
// report needs tens of MB of heap the fans' process should not have to
// find. config returns the text of the configuration in force; log gets
// why a report failed.
func reportRoute(path string, loc *time.Location, now func() time.Time, config func() []byte, log *slog.Logger) httpapi.Route {
	rep := &ventctlReport{journalDir: filepath.Dir(path), config: config}
	return httpapi.Route{Pattern: "/api/report", Handler: &httpapi.Reporter{
		Open:     func() (*journal.Journal, error) { return journal.OpenReadOnly(path, journal.Options{}) },
		Make:     rep.make,
		Location: loc, Now: now, Log: log,
	}}
}

// reportMax bounds one report's making.
const reportMax = 10 * time.Minute

// maxStderr is how much of what ventctl says on failure is kept for the
// log: its message is a line or two, a panic's goroutine dump is not.
const maxStderr = 4 << 10

// ventctlReport runs ventctl report for GET /api/report.
type ventctlReport struct {
	journalDir string
	config     func() []byte
}

// errNoVentctl says where ventctl was looked for.
var errNoVentctl = errors.New("reports are made by ventctl, which is neither beside ventd nor on the PATH: install the ventd package (it ships both), or build both into one directory and run ventd from there: go build -o bin/ ./cmd/ventd ./cmd/ventctl")

// ventctlPath finds ventctl beside the running ventd (as the package
// installs them, and as go build -o DIR ./cmd/... leaves them), else on
// the PATH.
func ventctlPath() (string, error) {
	if self, err := os.Executable(); err == nil {
		p := filepath.Join(filepath.Dir(self), "ventctl")
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() && fi.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	if p, err := exec.LookPath("ventctl"); err == nil {
		return p, nil
	}
	return "", errNoVentctl
}

func (v *ventctlReport) make(ctx context.Context, w io.Writer, req httpapi.ReportRequest) error {
	bin, err := ventctlPath()
	if err != nil {
		return &httpapi.MakeError{Client: err.Error()}
	}
	// ventctl reads the configuration in force, not the file: one being
	// edited and not yet reloaded (or holding mistakes a reload refused)
	// made every report fail. It gets the text as its standard input, an
	// unlinked temporary file (0600, ventd's alone): it may hold the PIN's
	// hash or the MQTT password, and no name for it is left behind, even
	// if ventd is killed while the report is made.
	cfg, err := unlinkedFile(v.config())
	if err != nil {
		return fmt.Errorf("the configuration in force, for ventctl: %w", err)
	}
	defer cfg.Close()
	args := []string{"report", "-state-dir", v.journalDir, "-config", "/dev/stdin", "-from", req.FromDay, "-to", req.ToDay,
		"-format", req.Format, "-now", req.Now.Format(time.RFC3339Nano)}
	if req.Shift != "" {
		args = append(args, "-shift", req.Shift)
	}
	// A month takes seconds on a Pi 4; a report still running after
	// reportMax is stuck (a stalled disk), and would hold the one report
	// slot for every later request.
	rctx, cancel := context.WithTimeout(ctx, reportMax)
	defer cancel()
	cmd := exec.CommandContext(rctx, bin, args...)
	stderr := &headWriter{max: maxStderr}
	cmd.Stdin, cmd.Stdout, cmd.Stderr = cfg, w, stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err() // the client went away: nobody to answer
		}
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		var exit *exec.ExitError
		isExit := errors.As(err, &exit)
		err = fmt.Errorf("%s (%v): %s", bin, err, msg)
		if isExit && exit.ExitCode() == 2 && strings.HasPrefix(msg, "ventctl report: -shift ") {
			// The request's mistake, found in the journal: a shift start
			// no shift of the window has. ventctl names the starts there
			// are; the words are the client's own request and the times.
			line, _, _ := strings.Cut(msg, "\n")
			if len(line) > 500 {
				line = strings.ToValidUTF8(line[:500], "") + "…"
			}
			return &httpapi.MakeError{Status: http.StatusBadRequest, Client: "shift=" + strings.TrimPrefix(line, "ventctl report: -shift ")}
		}
		if rctx.Err() == context.DeadlineExceeded {
			return &httpapi.MakeError{Client: fmt.Sprintf("not done after %s (is the disk stalling?); ventd's log (journalctl -u ventd) has what ventctl said", reportMax), Err: err}
		}
		return err
	}
	return nil
}

// unlinkedFile returns a file holding text, read from its start, whose
// name is already gone.
func unlinkedFile(text []byte) (*os.File, error) {
	f, err := os.CreateTemp("", "ventd-report-config-*.yaml")
	if err != nil {
		return nil, err
	}
	os.Remove(f.Name())
	if _, err := f.Write(text); err != nil {
		f.Close()
		return nil, err
	}
	// ventctl opens /dev/stdin afresh (a new offset on Linux, this one
	// elsewhere): from the start either way.
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// headWriter keeps the first max bytes written to it and counts the rest.
type headWriter struct {
	buf     []byte
	max     int
	dropped int
}

func (h *headWriter) Write(p []byte) (int, error) {
	n := min(len(p), h.max-len(h.buf))
	h.buf = append(h.buf, p[:n]...)
	h.dropped += len(p) - n
	return len(p), nil
}

func (h *headWriter) String() string {
	if h.dropped == 0 {
		return string(h.buf)
	}
	return fmt.Sprintf("%s… (%d bytes more)", strings.ToValidUTF8(string(h.buf), ""), h.dropped)
}
