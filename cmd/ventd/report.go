package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/httpapi"
	"github.com/ventd/ventd/journal"
)

// reportRoute serves GET /api/report from the journal at path. ventctl
// report makes each report in a process of its own: the PDF and plotting
// libraries parse a dozen embedded fonts when a program starts (megabytes
// the daemon would keep resident for a report a week), and a month's
// report needs tens of MB of heap the fans' process should not have to
// find. cfgPath is the configuration file ventd runs on; "" is the
// built-in simulated room's.
func reportRoute(path string, loc *time.Location, now func() time.Time, cfgPath string) httpapi.Route {
	rep := &ventctlReport{journalDir: filepath.Dir(path), cfgPath: cfgPath}
	return httpapi.Route{Pattern: "/api/report", Handler: &httpapi.Reporter{
		Open:     func() (*journal.Journal, error) { return journal.OpenReadOnly(path, journal.Options{}) },
		Make:     rep.make,
		Location: loc, Now: now,
	}}
}

// reportMax bounds one report's making.
const reportMax = 10 * time.Minute

// ventctlReport runs ventctl report for GET /api/report.
type ventctlReport struct {
	journalDir string
	cfgPath    string
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
		return err
	}
	cfg := v.cfgPath
	if cfg == "" {
		// The built-in simulated room: hand ventctl its text.
		f, err := os.CreateTemp("", "ventd-sim-*.yaml")
		if err != nil {
			return fmt.Errorf("the simulated room's configuration for ventctl: %w", err)
		}
		defer os.Remove(f.Name())
		_, err = f.Write(config.SimYAML())
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("the simulated room's configuration for ventctl: %w", err)
		}
		cfg = f.Name()
	} else if abs, err := filepath.Abs(cfg); err == nil {
		cfg = abs
	}
	args := []string{"report", "-state-dir", v.journalDir, "-config", cfg, "-from", req.FromDay, "-to", req.ToDay,
		"-format", req.Format, "-now", req.Now.Format(time.RFC3339Nano)}
	if req.Shift != "" {
		args = append(args, "-shift", req.Shift)
	}
	// A month takes seconds on a Pi 4; a report still running after
	// reportMax is stuck (a stalled disk), and would hold the one report
	// slot for every later request.
	ctx, cancel := context.WithTimeout(ctx, reportMax)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = w, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		if ctx.Err() == context.DeadlineExceeded {
			msg = fmt.Sprintf("not done after %s (is the disk stalling?): %s", reportMax, msg)
		}
		return fmt.Errorf("%s: %s", bin, msg)
	}
	return nil
}
