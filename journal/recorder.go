package journal

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"time"

	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/record"
)

// Recorder is the output that keeps the record of truth. It turns each
// period's record into journal rows and writes them on its own goroutine
// (the hub's, never the control loop's): in one transaction at each minute
// boundary, when the minute's aggregates arrive, and at once when an alarm
// transition, an action, a calibration, a config change, an exposure gap
// or a finished shift arrives (record.Period.Urgent), so that what staff
// and facilities managers were told is on disk before anything else can
// go wrong.
//
// A journal that cannot write keeps its rows in memory (a day of minutes
// at most) and retries at the next write; one that could not be opened is
// opened again at each minute until it can, so space or permission coming
// back needs no restart. Fault reports the trouble to the loop, which
// raises the journal fault alarm.
type Recorder struct {
	j    *Journal
	open func() (*Journal, error) // reopens after a failed open; nil: none
	log  *slog.Logger

	pending  Batch
	running  map[shiftKey]*exposure.Summary // latest running shift summary per series, marshalled at the minute
	written  map[string]string              // meta values already on disk
	pruned   time.Time
	lastOpen time.Time
	// backLogged is when the clock's running behind was last logged: once
	// when it starts, then hourly while every minute's rows are flagged (a
	// Pi that booted a day behind would otherwise warn 1,440 times).
	backLogged time.Time
	checked    bool // the integrity check has run on this file

	mu       sync.Mutex
	fault    error
	replaced []Replacement
}

// Replacement says that a damaged or foreign journal file was moved aside
// and a fresh one started: its records are in the moved file, not in the
// journal now. The daemon raises a fault alarm and journals it.
type Replacement struct {
	Time    time.Time
	MovedTo string
	Reason  string
}

type shiftKey struct {
	zone, quantity string
	start          int64
}

// RecorderOpts tune a Recorder.
type RecorderOpts struct {
	// Reopen, when the journal is nil or fails, opens it again; the
	// recorder calls it at most once a minute.
	Reopen func() (*Journal, error)
	// Check runs the integrity check (Journal.Check) once the recorder
	// runs, off the control loop; a damaged file is then moved aside and
	// a fresh one started (Reopen must be set).
	Check bool
	// OpenErr is why the journal could not be opened at start.
	OpenErr error
	Log     *slog.Logger
}

// pendingLimit bounds what a recorder holds for a journal that cannot
// write: a day of minutes for a large room. Older minutes are dropped (the
// gap shows in the record) rather than let memory grow.
const pendingLimit = 24 * 60 * 40

// NewRecorder returns the output writing to j (nil when it could not be
// opened: see RecorderOpts).
func NewRecorder(j *Journal, opts RecorderOpts) *Recorder {
	r := &Recorder{j: j, open: opts.Reopen, log: opts.Log, running: map[shiftKey]*exposure.Summary{}, written: map[string]string{}, checked: !opts.Check}
	if r.log == nil {
		r.log = slog.Default()
	}
	if j == nil {
		r.fault = opts.OpenErr
		if r.fault == nil {
			r.fault = errors.New("journal: not open")
		}
	}
	return r
}

// Fault returns why the journal is not keeping records, nil while it is.
// It never waits on the disk.
func (r *Recorder) Fault() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.fault
}

func (r *Recorder) setFault(err error) {
	r.mu.Lock()
	was := r.fault
	r.fault = err
	r.mu.Unlock()
	switch {
	case err != nil && was == nil:
		r.log.Error("journal write failed; records are held in memory and retried, control goes on", "err", err,
			"hint", "check free space and the state directory's permissions")
	case err == nil && was != nil:
		r.log.Info("journal keeps records again")
	}
}

// TakeReplaced returns the journal files moved aside since the last call.
func (r *Recorder) TakeReplaced() []Replacement {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.replaced
	r.replaced = nil
	return out
}

// Receive implements record.Output.
func (r *Recorder) Receive(p *record.Period) {
	if !r.checked && r.j != nil {
		r.checked = true
		if err := r.j.Check(); errors.Is(err, ErrCorrupt) {
			r.replace(p.Time, err)
		}
	}
	r.add(p)
	for _, e := range p.Exposure {
		if s := e.Shift; s != nil {
			r.running[shiftKey{s.Zone, string(s.Quantity), s.Start.UnixMilli()}] = s
		}
	}
	if p.Urgent() {
		r.flush(p.Time, len(p.Minutes) > 0)
	}
}

// Close writes what is pending and closes the journal.
func (r *Recorder) Close(now time.Time) {
	r.flush(now, true)
	if r.j != nil {
		if err := r.j.Close(); err != nil {
			r.log.Error("journal close", "err", err)
		}
		r.j = nil
	}
}

// flush writes the pending rows; at a minute boundary also the running
// shift summaries, the state to keep and, once a day, a prune.
func (r *Recorder) flush(now time.Time, minute bool) {
	if r.j == nil {
		r.reopen(now)
	}
	if minute {
		for k, s := range r.running {
			r.pending.Shifts = append(r.pending.Shifts, toShift(*s))
			delete(r.running, k)
		}
	}
	if r.j == nil {
		r.trim()
		return
	}
	b := r.pending
	res, err := r.j.Write(b)
	if errors.Is(err, ErrInvalid) {
		// One bad row must not take the rest of the minute with it:
		// the other zones' minutes, the alarm transitions, the actions.
		good, bad := b.withoutInvalid()
		for _, e := range bad {
			r.log.Error("journal refused a row as invalid; dropped it and kept the rest", "err", e)
		}
		b, r.pending = good, good
		res, err = r.j.Write(b)
	}
	switch {
	case errors.Is(err, ErrInvalid):
		r.log.Error("journal refused a batch as invalid; dropped it", "err", err)
		r.pending = Batch{}
		err = nil
	case err != nil:
		r.trim()
		if path := r.j.Path(); r.j.Moved() {
			// Records are held until the path can be opened again (the
			// state directory recreated, ventd's lock taken again).
			r.log.Error("the journal file was deleted or moved while ventd ran; records are held in memory and a fresh journal is opened at its path as soon as it can be",
				"path", path, "hint", "recreate the state directory (systemctl restart ventd does); the old records are where the file went, if anywhere")
			r.j.Close()
			r.j = nil
			err = fmt.Errorf("journal: %s was deleted or moved while ventd ran: %w", path, err)
		}
	default:
		for k, v := range b.Meta {
			r.written[k] = v
		}
		r.pending = Batch{}
		if bw := res.Backwards; bw != nil && (bw.Started || now.Sub(r.backLogged).Abs() >= time.Hour) {
			r.backLogged = now
			msg := "the clock went backwards; records written and flagged"
			if !bw.Started {
				msg = "the clock is still behind the newest time written; records written and flagged (said hourly)"
			}
			r.log.Warn(msg, "detail", bw.String(), "hint", "check time synchronisation (timedatectl): a Pi has no battery clock")
		}
	}
	if err == nil && minute && now.Sub(r.pruned) >= 24*time.Hour {
		r.pruned = now
		if n, perr := r.j.Prune(now); perr != nil {
			err = perr
		} else if n > 0 {
			r.log.Info("journal pruned past retention", "rows", n)
		}
	}
	r.setFault(err)
}

func (r *Recorder) reopen(now time.Time) {
	if r.open == nil || (!r.lastOpen.IsZero() && now.Sub(r.lastOpen) < time.Minute && now.After(r.lastOpen)) {
		return
	}
	r.lastOpen = now
	j, err := r.open()
	if err != nil {
		r.setFault(err)
		return
	}
	r.log.Info("journal opened; keeping records again", "path", j.Path())
	r.j = j
	r.written = map[string]string{}
	r.checked = true // a file just created or just opened after a failure
}

// replace moves a damaged journal aside and opens a fresh one. What the
// loop holds (the running shifts, the state to keep) is written to the new
// file at the next minute; what was only in the old file stays there.
func (r *Recorder) replace(now time.Time, why error) {
	path := r.j.Path()
	r.j.Close()
	r.j = nil
	moved, err := MoveAside(path, now)
	if err != nil {
		r.log.Error("the journal is damaged and cannot be moved aside; records are held in memory", "err", why, "move", err,
			"hint", "move "+path+" away by hand (keep it for the audit); ventd opens a fresh one within a minute")
		r.setFault(errors.Join(why, err))
		return
	}
	r.log.Error("the journal is damaged; moved it aside and started a fresh one", "err", why, "moved_to", moved,
		"hint", "keep the moved file for the audit; ventctl salvage -journal "+moved+" -o salvaged.db copies every record still readable into a new file for ventctl verify, report and export")
	r.mu.Lock()
	r.replaced = append(r.replaced, Replacement{Time: now, MovedTo: moved, Reason: why.Error()})
	r.mu.Unlock()
	r.lastOpen = time.Time{}
	r.reopen(now)
}

// trim drops the oldest minutes beyond pendingLimit.
func (r *Recorder) trim() {
	if n := len(r.pending.Minutes); n > pendingLimit {
		r.pending.Minutes = append([]Minute(nil), r.pending.Minutes[n-pendingLimit:]...)
	}
}

// add converts p's events into pending rows.
func (r *Recorder) add(p *record.Period) {
	b := &r.pending
	for _, m := range p.Minutes {
		b.Minutes = append(b.Minutes, Minute{Start: m.Start, Zone: m.Zone, Quantity: string(m.Quantity),
			Mean: m.Mean, Max: m.Max, Count: m.Count, CoveredSeconds: m.CoveredSeconds})
	}
	for _, e := range p.Transitions {
		b.Events = append(b.Events, Event{
			ID: e.ID, AlarmID: e.AlarmID, Rule: string(e.RuleID), Kind: string(e.Kind), Level: e.Level.String(),
			Subject: e.Subject, Quantity: string(e.Quantity), Time: e.Time,
			Value: finiteOrNaN(float64(e.Value)), Threshold: finiteOrNaN(e.Threshold), Message: e.Message,
		})
		if e.Kind == alarm.Acknowledged {
			b.Acks = append(b.Acks, Ack{AlarmID: e.AlarmID, Time: e.Time, Who: e.Who, Note: e.Note})
		}
	}
	for _, g := range p.Gaps {
		b.Gaps = append(b.Gaps, Gap{Start: g.Start, End: g.End, Zone: g.Zone, Quantity: string(g.Quantity), Reason: g.Reason})
		if g.Reason == record.GapSensorFrozen && g.Zone != "" && g.Quantity != "" && g.Start.Before(g.End) {
			b.Retractions = append(b.Retractions, Retraction{From: g.Start, To: g.End, Zone: g.Zone, Quantity: string(g.Quantity), Value: finiteOrZero(g.Value)})
		}
	}
	for _, a := range p.Actions {
		b.Actions = append(b.Actions, Action{Time: a.Time, Kind: string(a.Kind), Target: a.Target,
			Who: a.By.Name, Via: a.By.Via, UID: a.By.UID, Peer: a.By.From, Note: a.Note, Result: a.Result, Error: a.Err})
	}
	for _, c := range p.Calibrations {
		b.Calibrations = append(b.Calibrations, Calibration{Time: c.Time, Sensor: c.Sensor, Serial: c.Serial, Kind: c.Kind,
			Reference: c.Reference, Correction: c.Correction, Who: c.By.Name, Note: c.Note})
	}
	for _, c := range p.ConfigChanges {
		b.ConfigChanges = append(b.ConfigChanges, ConfigChange{Time: c.Time, Hash: c.Hash, Summary: c.Summary})
	}
	for _, c := range p.Clock {
		b.ClockStatus = append(b.ClockStatus, ClockStatus{Time: c.Time, Synchronized: c.Synchronized, Source: c.Source, Note: c.Note})
	}
	for _, v := range p.Ventilation {
		b.Ventilation = append(b.Ventilation, Ventilation{Time: v.Time, Zone: v.Zone, ACH: v.ACH, NominalACH: v.NominalACH,
			Share: v.Share, Observations: v.Observations})
	}
	for _, s := range p.Shifts {
		b.Shifts = append(b.Shifts, toShift(s))
		delete(r.running, shiftKey{s.Zone, string(s.Quantity), s.Start.UnixMilli()})
	}
	for k, v := range p.Saved {
		if r.written[k] == v {
			if _, pending := b.Meta[k]; !pending {
				continue // unchanged: no write for it
			}
		}
		if b.Meta == nil {
			b.Meta = map[string]string{}
		}
		b.Meta[k] = v
	}
}

// toShift records a shift summary as the live tracker computed it, so the
// export shows the figures /metrics and /api/state showed.
func toShift(sum exposure.Summary) Shift {
	b, err := json.Marshal(sum)
	if err != nil {
		b = nil // a summary always marshals; a nil keeps any stored one
	}
	return Shift{Zone: sum.Zone, Quantity: string(sum.Quantity), Start: sum.Start, End: sum.End, Finished: sum.Finished, Summary: b}
}

func finiteOrNaN(v float64) float64 {
	if math.IsInf(v, 0) {
		return math.NaN()
	}
	return v
}

// finiteOrZero is v, or 0 where it is not a number a row can hold.
func finiteOrZero(v float64) float64 {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0
	}
	return v
}
