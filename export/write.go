package export

import (
	"bufio"
	"errors"
	"io"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/journal"
)

// Write exports the journal's records in opts.Window to w, in opts.Format.
// All sections are read in one read transaction of the journal (a View),
// so a daemon writing meanwhile cannot make them disagree. The minutes are
// streamed: memory does not grow with the window. An error before
// anything was written leaves w untouched; an error part-way through a CSV
// export ends the file with a "# error: export incomplete" line.
func Write(w io.Writer, j *journal.Journal, opts Options) error {
	o, err := opts.normalize()
	if err != nil {
		return err
	}
	if o.Format == "openmetrics" {
		if j == nil {
			return errNoJournal
		}
		// The series are held in memory anyway (MaxOpenMetricsSamples), so
		// the read ends before the first byte is written: a slow reader of
		// a long export must not hold back the journal's writer.
		var out *omStore
		if err := j.View(func(v *journal.Journal) (err error) {
			out, err = readOpenMetrics(v, o)
			return err
		}); err != nil {
			return err
		}
		bw := bufio.NewWriterSize(w, 64<<10)
		if err := out.write(bw); err != nil {
			return err
		}
		return bw.Flush()
	}
	return View(j, o, func(r *Records) error {
		bw := bufio.NewWriterSize(w, 64<<10)
		var s sink
		if o.Format == "json" {
			s = newJSONSink(bw)
		} else {
			s = newCSVSink(bw, o.Location)
		}
		err := emit(r, s)
		if err != nil {
			s.fail(err)
		}
		if ferr := bw.Flush(); err == nil && ferr != nil {
			err = ferr
		}
		return err
	})
}

var errNoJournal = errors.New("export: no journal: open one with journal.OpenReadOnly")

// Records are an export's contents, read in one View of the journal: what
// Write writes, for a program that lays them out itself (package report).
// Its methods read the journal; they are valid only inside View's fn.
type Records struct {
	Header Header
	Shifts []Shift
	// Outdoor are the zones that are the outdoor air, sorted: their
	// minutes are context for the other zones' figures, no one's exposure,
	// and they have no shift rows.
	Outdoor []string
	// Kinds are the zones' kinds as far as they are known (the
	// configuration's, else the journal's meta); a journal from before
	// ventd kept them, read without a configuration, has none.
	Kinds map[string]config.ZoneKind
	// From and To are the span every section covers: the window widened
	// to whole shifts (zero: open).
	From, To time.Time
	j        *journal.Journal
}

// View reads the shift summaries and the header for opts and calls fn with
// them, inside one read transaction of the journal.
func View(j *journal.Journal, opts Options, fn func(*Records) error) error {
	if j == nil {
		return errNoJournal
	}
	o, err := opts.normalize()
	if err != nil {
		return err
	}
	return j.View(func(v *journal.Journal) error {
		h, err := header(v, o)
		if err != nil {
			return err
		}
		kinds, err := zoneKinds(v, o.Config)
		if err != nil {
			return err
		}
		outdoor := outdoorZones(kinds)
		rows, notes, err := shifts(v, o, outdoor)
		if err != nil {
			return err
		}
		h.Notes = append(h.Notes, notes...)
		if notes, err = outdoorNotes(v, outdoor); err != nil {
			return err
		}
		h.Notes = append(h.Notes, notes...)
		from, to := o.From, o.To
		for _, r := range rows { // widen to whole shifts, so each can be recomputed from the file
			if !from.IsZero() && r.Start.Before(from) {
				from = r.Start
			}
			if !to.IsZero() && r.End.After(to) {
				to = r.End
			}
		}
		h.Window.SpanFrom, h.Window.SpanTo = timePtr(from), timePtr(to)
		if h.Sensors == nil {
			h.Sensors = []Sensor{}
		}
		if h.Notes == nil {
			h.Notes = []string{}
		}
		return fn(&Records{Header: h, Shifts: rows, Outdoor: outdoor, Kinds: kinds, From: from, To: to, j: v})
	})
}

// Journal is the View's journal, for reads of its own (journal.Verify).
func (r *Records) Journal() *journal.Journal { return r.j }

// EachMinute calls fn for each minute starting in [from, to) of zone and
// quantity (empty: all), as the minutes section has them.
func (r *Records) EachMinute(from, to time.Time, zone, quantity string, fn func(Minute) error) error {
	return r.j.EachMinute(from, to, zone, quantity, func(m journal.Minute) error { return fn(minuteOf(m)) })
}

// Gaps, Events, Acks, Calibrations, ConfigChanges, ClockStatus and Actions return
// the sections of the same names over the span.
func (r *Records) Gaps() ([]Gap, error) { return list(r, r.j.Gaps, gapOf) }

func (r *Records) Events() ([]Event, error) { return list(r, r.j.Events, eventOf) }

func (r *Records) Acks() ([]Ack, error) { return list(r, r.j.Acks, ackOf) }

func (r *Records) Calibrations() ([]Calibration, error) {
	return list(r, r.j.Calibrations, calibrationOf)
}

func (r *Records) ConfigChanges() ([]ConfigChange, error) {
	return list(r, r.j.ConfigChanges, configChangeOf)
}

func (r *Records) ClockStatus() ([]ClockStatus, error) {
	return list(r, r.j.ClockStatus, clockStatusOf)
}

func (r *Records) Actions() ([]Action, error) { return list(r, r.j.Actions, actionOf) }

// Ventilation returns the booths' ventilation measurements over the span.
func (r *Records) Ventilation() ([]Ventilation, error) {
	return list(r, r.j.Ventilations, ventilationOf)
}

func list[T, R any](r *Records, get func(from, to time.Time) ([]T, error), conv func(T) R) ([]R, error) {
	in, err := get(r.From, r.To)
	out := make([]R, len(in))
	for i, x := range in {
		out[i] = conv(x)
	}
	return out, err
}

// sink renders the sections in one format.
type sink interface {
	header(Header) error
	begin(name string, columns []string) error
	row(record) error
	end() error
	close() error
	fail(error) // marks the output incomplete where the format allows
}

// record is one row of a section: JSON through its struct tags, CSV
// through csv, in the order of the section's columns.
type record interface {
	csv(buf []string) []string
}

// section writes one section from the rows each yields.
func section(s sink, name string, columns []string, each func(emit func(record) error) error) error {
	if err := s.begin(name, columns); err != nil {
		return err
	}
	if err := each(s.row); err != nil {
		return err
	}
	return s.end()
}

func rowsOf[T any, R record](list []T, conv func(T) R) func(func(record) error) error {
	return func(emit func(record) error) error {
		for _, x := range list {
			if err := emit(conv(x)); err != nil {
				return err
			}
		}
		return nil
	}
}

// read emits a section's rows window by window (see days), so that memory
// holds one window's rows however long the export. keep drops rows an
// earlier window already gave (nil: none can repeat).
func read[T any, R record](get func(from, to time.Time) ([]T, error), windows []window, keep func(T, window) bool, conv func(T) R) func(func(record) error) error {
	return func(emit func(record) error) error {
		for i, w := range windows {
			list, err := get(w.from, w.to)
			if err != nil {
				return err
			}
			for _, x := range list {
				if keep != nil && i > 0 && !keep(x, w) {
					continue
				}
				if err := emit(conv(x)); err != nil {
					return err
				}
			}
		}
		return nil
	}
}

// A gap is read with every window it overlaps; it belongs to the one it
// starts in (the first window also takes those that start before it).
func gapStartsIn(g journal.Gap, w window) bool { return !g.Start.Before(w.from) }

func emit(r *Records, s sink) error {
	if err := s.header(r.Header); err != nil {
		return err
	}
	j := r.j
	ws, err := days(j, r.From, r.To)
	if err != nil {
		return err
	}
	steps := []struct {
		name    string
		columns []string
		each    func(func(record) error) error
	}{
		{"shifts", shiftColumns, rowsOf(r.Shifts, func(r Shift) Shift { return r })},
		{"minutes", minuteColumns, func(emit func(record) error) error {
			return r.EachMinute(r.From, r.To, "", "", func(m Minute) error { return emit(m) })
		}},
		{"gaps", gapColumns, read(j.Gaps, ws, gapStartsIn, gapOf)},
		{"events", eventColumns, read(j.Events, ws, nil, eventOf)},
		{"acks", ackColumns, read(j.Acks, ws, nil, ackOf)},
		{"calibrations", calibrationColumns, read(j.Calibrations, ws, nil, calibrationOf)},
		{"config_changes", configChangeColumns, read(j.ConfigChanges, ws, nil, configChangeOf)},
		{"clock_status", clockStatusColumns, read(j.ClockStatus, ws, nil, clockStatusOf)},
		{"actions", actionColumns, read(j.Actions, ws, nil, actionOf)},
		{"ventilation", ventilationColumns, read(j.Ventilations, ws, nil, ventilationOf)},
	}
	for _, st := range steps {
		if err := section(s, st.name, st.columns, st.each); err != nil {
			return err
		}
	}
	return s.close()
}
