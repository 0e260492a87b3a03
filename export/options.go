package export

import (
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/ventd/ventd/config"
)

// Formats are the values Options.Format takes.
var Formats = []string{"csv", "json", "openmetrics"}

// DateLayout is how the window's dates are written: YYYY-MM-DD.
const DateLayout = "2006-01-02"

// Options say what to export and how.
type Options struct {
	// From and To bound the export, [From, To); a zero value leaves that
	// side open (the whole journal when both are zero). Every shift that
	// overlaps the window is exported whole, and the other sections are
	// widened to the same span, so each shift can be recomputed from the
	// file. ParseWindow turns dates into these.
	From, To time.Time
	// Format is "csv" (the default when empty), "json", or "openmetrics"
	// (the series /metrics showed, with timestamps, to backfill Prometheus;
	// it needs Config).
	Format string
	// Location is the time zone of the local columns and of the window's
	// dates in the header; nil means Config's shift time zone, else Local.
	Location *time.Location
	// Now is the generation time written in the header; it also ends a
	// running shift rebuilt from minutes. Required: library code takes no
	// time from the wall clock.
	Now time.Time
	// Config is the site's configuration, optional. With it, shifts the
	// journal holds no summary for (a journal from before ventd stored
	// them) are rebuilt from the minutes on its shift schedule, with its
	// limits; without it only the shifts the journal lists are exported,
	// and rebuilt ones get ventd's default limits.
	Config *config.Config
	// Software names what made the file, for the header; default "ventd"
	// and the module version of this build.
	Software string
	// Damaged, when set, is the journal file's failed integrity check
	// (journal.Check, an error wrapping journal.ErrCorrupt): the header's
	// integrity line then says DAMAGED, never verified. ventctl export
	// runs the check; the daemon's recorder checks its own file at start.
	Damaged error
}

// The dates a window may name, FirstDate to LastDate: the journal's clock
// is never before the Unix epoch, and the day after LastDate is the last
// that RFC 3339 (and so the JSON export) can write.
const (
	FirstDate = "1970-01-01"
	LastDate  = "9998-12-31"
)

// ParseWindow turns the dates from and to (YYYY-MM-DD, either may be
// empty) into the window [from 00:00, the day after to 00:00) in loc: both
// days are included. An empty date leaves that side open.
func ParseWindow(from, to string, loc *time.Location) (start, end time.Time, err error) {
	if loc == nil {
		loc = time.Local
	}
	parse := func(name, s string) (time.Time, error) {
		if s == "" {
			return time.Time{}, nil
		}
		t, err := time.ParseInLocation(DateLayout, s, loc)
		if err != nil {
			return time.Time{}, fmt.Errorf("%s date %q is not a date: write it YYYY-MM-DD, e.g. 2026-03-05", name, clip(s))
		}
		if s < FirstDate || s > LastDate { // the layout's fixed width makes text order date order
			// No hint to leave it out: an export then runs from the
			// journal's beginning, a report covers the other day alone.
			return time.Time{}, fmt.Errorf("%s date %s is outside the dates ventd's records can hold, %s to %s: give a date in that range",
				name, s, FirstDate, LastDate)
		}
		return t, nil
	}
	if start, err = parse("from", from); err != nil {
		return
	}
	if end, err = parse("to", to); err != nil {
		return
	}
	if !start.IsZero() && !end.IsZero() && start.After(end) {
		return time.Time{}, time.Time{}, fmt.Errorf("from %s is after to %s: give the earlier date as from (both days are included)", from, to)
	}
	if !end.IsZero() {
		y, m, d := end.Date()
		end = time.Date(y, m, d+1, 0, 0, 0, 0, loc) // the day after, DST-safe
	}
	return start, end, nil
}

// earliest and latest bound what ParseWindow gives in any time zone
// (offsets run from -12 h to +14 h).
var (
	earliest = time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC)
	latest   = time.Date(9999, 1, 2, 0, 0, 0, 0, time.UTC)
)

// clip shortens what an error quotes from a request.
func clip(s string) string {
	if len(s) > 40 {
		return strings.ToValidUTF8(s[:40], "") + "…"
	}
	return s
}

// CheckFormat returns an error saying what to use when f is not a format
// Write knows.
func CheckFormat(f string) error {
	if f == "" || slices.Contains(Formats, f) {
		return nil
	}
	return fmt.Errorf("format %q: use %s or %s", clip(f), strings.Join(Formats[:len(Formats)-1], ", "), Formats[len(Formats)-1])
}

// Normalized returns o with its defaults filled in (Format, Location,
// Software), or what is wrong with it.
func (o Options) Normalized() (Options, error) { return o.normalize() }

// normalize checks o and fills in the defaults.
func (o Options) normalize() (Options, error) {
	if err := CheckFormat(o.Format); err != nil {
		return o, fmt.Errorf("export: %w", err)
	}
	if o.Format == "" {
		o.Format = "csv"
	}
	if o.Now.IsZero() {
		return o, errors.New("export: Options.Now is zero: pass the current time (the header's generation time)")
	}
	for _, t := range []time.Time{o.From, o.To} {
		if !t.IsZero() && (t.Before(earliest) || !t.Before(latest)) {
			return o, fmt.Errorf("export: window end %s is outside the times an export covers (%s to %s, from ParseWindow)",
				t.UTC().Format(time.RFC3339), earliest.Format(time.RFC3339), latest.Format(time.RFC3339))
		}
	}
	if !o.From.IsZero() && !o.To.IsZero() && !o.From.Before(o.To) {
		return o, fmt.Errorf("export: window from %s is not before to %s: give the earlier time as From",
			o.From.UTC().Format(time.RFC3339), o.To.UTC().Format(time.RFC3339))
	}
	if o.Location == nil && o.Config != nil {
		loc, err := o.Config.Shifts.Location()
		if err != nil {
			return o, fmt.Errorf("export: %w", err)
		}
		o.Location = loc
	}
	if o.Location == nil {
		o.Location = time.Local
	}
	if o.Software == "" {
		o.Software = "ventd"
		if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
			o.Software += " " + bi.Main.Version
		}
	}
	return o, nil
}
