package export

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/sample"
)

// header reads the site facts from the journal's meta.
func header(j *journal.Journal, o Options) (Header, error) {
	h := Header{Software: o.Software, Generated: o.Now.UTC(), TimeZone: o.Location.String(), Schema: j.Version()}
	var err error
	if h.Site, _, err = j.Meta("site"); err != nil {
		return h, err
	}
	if h.Room, _, err = j.Meta("room"); err != nil {
		return h, err
	}
	serials, err := j.MetaPrefix("sensor.")
	if err != nil {
		return h, err
	}
	for k, v := range serials {
		if name, ok := strings.CutSuffix(strings.TrimPrefix(k, "sensor."), ".serial"); ok {
			h.Sensors = append(h.Sensors, Sensor{Name: name, Serial: v})
		}
	}
	slices.SortFunc(h.Sensors, func(a, b Sensor) int { return cmp.Compare(a.Name, b.Name) })
	h.Window.From, h.Window.To = timePtr(o.From), timePtr(o.To)
	head, err := j.ChainHead()
	switch {
	case errors.Is(err, journal.ErrNoChain):
	case err != nil:
		return h, err
	case head.Link > 0:
		h.Chain = &head
		v, err := j.Verify(journal.VerifyOptions{From: o.From, To: o.To})
		switch {
		case err != nil:
			h.Integrity = "not checked: " + err.Error()
		case v.OK():
			h.Integrity = fmt.Sprintf("verified: the %d rows of the span fit the hash chain", v.Rows)
		default:
			h.Integrity = fmt.Sprintf("PROBLEMS: %d rows or links of the span do not fit the hash chain (edited, deleted or added outside ventd); ventctl verify lists them", v.ProblemCount)
		}
	}
	if o.Damaged != nil {
		// The chain covers the rows read; a damaged page can hide rows
		// from it, so the file is never called verified.
		chain := h.Integrity
		if chain == "" {
			chain = "no hash chain"
		}
		h.Integrity = fmt.Sprintf("DAMAGED: the journal file fails SQLite's integrity check (%v): rows may be missing or read wrong, so this file cannot show the record is intact; copy the journal with sqlite3 journal.db \".backup copy.db\" (or stop ventd first) and export again; ventctl verify gives the details (the chain, of the rows read: %s)", o.Damaged, chain)
	}
	return h, nil
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

type seriesKey struct{ zone, quantity string }

// zoneKinds returns each zone's kind (booth, staff, outdoor) as far as it
// is known: the configuration's, else what the daemon recorded in the
// journal's meta (journal.ZoneKindKey). A journal from before the daemon
// kept kinds, read without a configuration, gives none.
func zoneKinds(j *journal.Journal, cfg *config.Config) (map[string]config.ZoneKind, error) {
	kept, err := j.ZoneKinds()
	if err != nil {
		return nil, err
	}
	kinds := map[string]config.ZoneKind{}
	for zone, k := range kept {
		kinds[zone] = config.ZoneKind(k)
	}
	if cfg != nil {
		for _, z := range cfg.Zones {
			kinds[z.Name] = z.Kind
		}
	}
	return kinds, nil
}

// outdoorZones returns the zones that are the outdoor air (config.Outdoor:
// the air the room takes in, outside or in the supply duct), sorted. Their
// minutes are in the journal as context for the others, and are no one's
// exposure: the daemon keeps no exposure record of them, so they have no
// shift rows and none is rebuilt.
func outdoorZones(kinds map[string]config.ZoneKind) []string {
	var out []string
	for z, k := range kinds {
		if k == config.Outdoor {
			out = append(out, z)
		}
	}
	slices.Sort(out)
	return out
}

// outdoorNotes say, for each outdoor zone with minutes in the journal,
// what its minutes are.
func outdoorNotes(j *journal.Journal, outdoor []string) ([]string, error) {
	if len(outdoor) == 0 {
		return nil, nil
	}
	series, err := j.Series()
	if err != nil {
		return nil, err
	}
	var notes []string
	for _, z := range outdoor {
		if slices.ContainsFunc(series, func(s journal.Series) bool { return s.Zone == z }) {
			notes = append(notes, fmt.Sprintf("zone %s is the outdoor air (the air the room takes in): its minutes are recorded as context "+
				"for the other zones' figures, not as anyone's exposure, so it has no shift rows", z))
		}
	}
	return notes, nil
}

// shifts returns the summaries of the shifts overlapping the window: the
// stored live ones, and ones rebuilt from minutes where the journal holds
// none (with a configuration: on its schedule), never for an outdoor zone.
// notes tell what is missing.
func shifts(j *journal.Journal, o Options, outdoor []string) (out []Shift, notes []string, err error) {
	stored, err := j.Shifts(o.From, o.To)
	if err != nil {
		return nil, nil, err
	}
	covered := map[seriesKey][]exposure.Shift{} // stored shifts per series
	for _, st := range stored {
		sh := exposure.Shift{Start: st.Start, End: st.End}
		k := seriesKey{st.Zone, st.Quantity}
		covered[k] = append(covered[k], sh)
		if st.Summary != nil {
			var s exposure.Summary
			if uerr := json.Unmarshal(st.Summary, &s); uerr == nil {
				out = append(out, live(st, s, o.Now))
				continue
			} else {
				notes = append(notes, fmt.Sprintf("shift %s %s from %s: stored summary unreadable (%v); rebuilt from minutes",
					st.Zone, st.Quantity, st.Start.Format(time.RFC3339), uerr))
			}
		}
		row, rerr := rebuilt(j, o, k, sh, "the journal holds this shift without a summary; ")
		if rerr != nil {
			notes = append(notes, rerr.Error())
			continue
		}
		out = append(out, row)
	}
	first, last, err := j.Range()
	if err != nil {
		return nil, nil, err
	}
	lo, hi := first, last.Add(time.Minute) // the extent of the minutes
	if !o.From.IsZero() && o.From.After(lo) {
		lo = o.From
	}
	if !o.To.IsZero() && o.To.Before(hi) {
		hi = o.To
	}
	switch {
	case first.IsZero() || !lo.Before(hi):
		// no minutes in the window: nothing to rebuild
	case o.Config == nil:
		if len(stored) == 0 || lo.Before(stored[0].Start) {
			notes = append(notes, fmt.Sprintf("no shift summaries stored for minutes from %s (the journal predates them): "+
				"give the site's configuration (ventctl export -config FILE) to rebuild them from the minutes on its shift schedule",
				lo.UTC().Format(time.RFC3339)))
		}
	default:
		series, err := j.Series()
		if err != nil {
			return nil, nil, err
		}
		// A series with no data in any rebuilt shift (a zone since removed
		// from the room) is left out rather than listed at 0 % coverage.
		hasData := map[seriesKey]bool{}
		n := len(out)
		for _, sh := range o.schedule().between(lo, hi) {
			for _, s := range series {
				if slices.Contains(outdoor, s.Zone) {
					continue // context, no one's exposure: no shift rows
				}
				k := seriesKey{s.Zone, s.Quantity}
				if slices.ContainsFunc(covered[k], func(c exposure.Shift) bool { return c.Start.Before(sh.End) && sh.Start.Before(c.End) }) {
					continue
				}
				row, rerr := rebuilt(j, o, k, sh, "the journal holds no summary for this shift (it predates them, or the daemon did not run at the shift's end); ")
				if rerr != nil {
					notes = append(notes, rerr.Error())
					continue
				}
				hasData[k] = hasData[k] || row.Covered > 0
				out = append(out, row)
			}
		}
		kept := out[:n] // filtered in place
		for _, r := range out[n:] {
			if hasData[seriesKey{r.Zone, string(r.Quantity)}] {
				kept = append(kept, r)
			}
		}
		out = kept
	}
	slices.SortStableFunc(out, func(a, b Shift) int {
		return cmp.Or(a.Start.Compare(b.Start), cmp.Compare(a.Zone, b.Zone), cmp.Compare(a.Quantity, b.Quantity))
	})
	for i := range out {
		out[i].StartLocal = out[i].Start.In(o.Location)
	}
	if err := addGapReasons(j, out); err != nil {
		return nil, nil, err
	}
	return out, notes, nil
}

func live(st journal.Shift, s exposure.Summary, now time.Time) Shift {
	// The row's key is authoritative; an older summary may lack a field.
	s.Zone, s.Quantity, s.Start, s.End = st.Zone, sample.Quantity(st.Quantity), st.Start, st.End
	if s.Unit == "" {
		s.Unit = s.Quantity.Unit()
	}
	s.Until, s.STELPeakAt = utcOrZero(s.Until), utcOrZero(s.STELPeakAt)
	row := Shift{Source: SourceLive, Summary: s}
	switch {
	case st.Finished:
	case now.Sub(st.End) > interruptedAfter && !s.Finished:
		// Over, and never finished: ventd stopped during it and did not
		// run again before its end (a running ventd writes a shift's end
		// at once). Not running months later: ended where the record
		// stops, the rest a gap.
		row.Summary = exposure.Interrupted(s)
		row.Note = "interrupted: the daemon's last write for this shift was at " + s.Until.Format(time.RFC3339) +
			"; it did not run again before the shift ended, so the rest of the shift is unmeasured (a gap)"
	default:
		row.Note = "running: figures as of " + s.Until.Format(time.RFC3339) + ", the daemon's last write"
	}
	return row
}

// interruptedAfter is how long after its end a shift the journal still
// holds as running is taken as interrupted: a running ventd writes a
// shift's end at once, and retries a failed write each minute.
const interruptedAfter = 15 * time.Minute

func utcOrZero(t time.Time) time.Time {
	if t.IsZero() {
		return t
	}
	return t.UTC()
}

func rebuilt(j *journal.Journal, o Options, k seriesKey, sh exposure.Shift, why string) (Shift, error) {
	q := sample.Quantity(k.quantity)
	s, note, err := rebuild(j, k.zone, k.quantity, sh, limitsFor(o.Config, q), rangeTopFor(o.Config, k.zone, q), o.Now)
	if err != nil {
		return Shift{}, fmt.Errorf("cannot rebuild %w", err)
	}
	s.Start, s.End, s.Until, s.STELPeakAt = s.Start.UTC(), s.End.UTC(), s.Until.UTC(), utcOrZero(s.STELPeakAt)
	return Shift{Source: SourceMinutes, Note: why + note, STELPeakLowerBound: true, Summary: s}, nil
}

// schedule is the configuration's shift pattern.
func (o Options) schedule() schedule {
	sc := schedule{loc: o.Location, length: o.Config.Shifts.Length}
	if loc, err := o.Config.Shifts.Location(); err == nil {
		sc.loc = loc
	}
	for _, st := range o.Config.Shifts.Starts {
		sc.starts = append(sc.starts, time.Duration(st))
	}
	return sc
}

type schedule struct {
	starts []time.Duration
	length time.Duration
	loc    *time.Location
}

// between lists the shifts overlapping [lo, hi), by start, as
// exposure.Schedule places them: on the local wall clock, a DST change
// lengthening or shortening the shift it falls in.
func (s schedule) between(lo, hi time.Time) []exposure.Shift {
	var out []exposure.Shift
	l := lo.In(s.loc)
	for day := time.Date(l.Year(), l.Month(), l.Day()-1, 0, 0, 0, 0, s.loc); day.Before(hi); day = day.AddDate(0, 0, 1) {
		y, m, d := day.Date()
		for _, st := range s.starts {
			sec := int(st / time.Second)
			sh := exposure.Shift{Start: exposure.WallClock(y, m, d, sec, s.loc),
				End: exposure.WallClock(y, m, d, sec+int(s.length/time.Second), s.loc)}
			if sh.End.After(sh.Start) && sh.Start.Before(hi) && sh.End.After(lo) {
				out = append(out, sh)
			}
		}
	}
	slices.SortFunc(out, func(a, b exposure.Shift) int { return a.Start.Compare(b.Start) })
	return out
}
