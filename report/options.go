package report

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/export"
	"github.com/ventd/ventd/report/spec"
)

// Formats are the values Options.Format takes.
var Formats = spec.Formats

// Options say what to report and how.
type Options struct {
	// From and To bound the report, [From, To); zero leaves a side open.
	// Every shift overlapping the window is reported whole, as in the
	// export (export.ParseWindow turns dates into these).
	From, To time.Time
	// Shift, when set ("07:00"), keeps only the shifts starting at that
	// local time of day: the day shifts of a month, say.
	Shift string
	// Format is "pdf" (the default when empty) or "html".
	Format string
	// Location is the time zone times are shown in; nil means Config's
	// shift time zone, else Local.
	Location *time.Location
	// Now is the generation time printed on every page. Required.
	Now time.Time
	// Config is the site's configuration, optional (see export.Options).
	Config *config.Config
	// Software names what made the report; default "ventd" and the module
	// version of this build.
	Software string
	// Context, when set, ends the report between its shifts and plots
	// once it is done (ventctl's Ctrl-C): a month's report reads every
	// minute of it before a byte is written.
	Context context.Context
	// Damaged, when set, is the journal file's failed integrity check
	// (journal.Check, an error wrapping journal.ErrCorrupt): the first
	// page then says DAMAGED, never VERIFIED, whatever the hash chain of
	// the rows read shows. ventctl report runs the check; the daemon's
	// recorder checks its own file after each start.
	Damaged error
}

// interrupted is the Context's error once it has ended, else nil.
func (o Options) interrupted() error {
	if o.Context == nil {
		return nil
	}
	if err := o.Context.Err(); err != nil {
		return fmt.Errorf("report: interrupted: %w", err)
	}
	return nil
}

// CheckShift returns an error saying what to write when s is not a time
// of day Options.Shift takes.
func CheckShift(s string) error { return spec.CheckShift(s) }

// CheckFormat returns an error saying what to use when f is not a format
// Write knows.
func CheckFormat(f string) error { return spec.CheckFormat(f) }

func (o Options) normalize() (Options, error) {
	if err := CheckFormat(o.Format); err != nil {
		return o, fmt.Errorf("report: %w", err)
	}
	if err := CheckShift(o.Shift); err != nil {
		return o, fmt.Errorf("report: %w", err)
	}
	if o.Format == "" {
		o.Format = "pdf"
	}
	if o.Now.IsZero() {
		return o, errors.New("report: Options.Now is zero: pass the current time (printed as the generation time)")
	}
	// The export's defaults, so that both name the same zone and software.
	eo, err := export.Options{Location: o.Location, Config: o.Config, Software: o.Software, Now: o.Now}.Normalized()
	if err != nil {
		return o, fmt.Errorf("report: %w", err)
	}
	o.Location, o.Software = eo.Location, eo.Software
	return o, nil
}
