package daemon

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/drivers/gasindex"
	"github.com/ventd/ventd/journal"
)

// recorder batches the loop's records (minute aggregates, alarm events,
// gaps, clock and config changes) and hands them, once a flush interval, to
// a writer goroutine that owns the SQLite journal. The loop never waits on
// the disk: if the writer is still busy the batch keeps growing, and if the
// journal fails the loop raises a fault alarm and keeps controlling.
type recorder struct {
	log   *slog.Logger
	path  string
	j     *journal.Journal // nil: no journal (no state dir, or it failed to open)
	every time.Duration
	next  time.Time
	prune time.Time

	pending   journal.Batch
	extraMeta map[string]string // values the loop set, saved with every batch
	jobs      chan job
	done      chan struct{}

	mu      sync.Mutex
	failing error // the writer's last error, nil once a write succeeds
	openErr error
}

type job struct {
	b     journal.Batch
	prune time.Time // when set, prune rows older than retention at this time
}

// pendingLimit bounds what the loop holds for a journal that cannot
// write: a day of minutes for a typical room. Older minutes are dropped
// (and the gap shows in the record) rather than let memory grow.
const pendingLimit = 24 * 60 * 12

const (
	metaNextAlarm = "alarms.next_id"
	metaActive    = "alarms.active"
	metaConfig    = "config.hash"
)

// openRecorder opens the journal in dir. A corrupt journal is moved aside
// and a fresh one started; a journal that cannot be opened at all leaves
// the recorder without one, and the daemon runs on with a fault alarm.
func openRecorder(dir string, cfg *config.Config, now time.Time, clk interface{ Now() time.Time }, log *slog.Logger) *recorder {
	r := &recorder{log: log, every: cfg.Journal.FlushInterval}
	if r.every <= 0 {
		r.every = time.Minute
	}
	if dir == "" {
		return r
	}
	r.path = filepath.Join(dir, "journal.db")
	opts := journal.Options{Retention: cfg.Journal.Retention(), MaxSizeBytes: cfg.Journal.MaxSizeBytes(), Clock: clockAdapter{clk}}
	j, err := journal.Open(r.path, opts)
	if errors.Is(err, journal.ErrCorrupt) {
		moved, merr := journal.MoveAside(r.path, now)
		log.Error("the exposure journal is damaged; moved it aside and started a new one", "err", err, "moved_to", moved,
			"hint", "keep the moved file for the audit; sqlite3's .recover may save its records")
		if merr == nil {
			j, err = journal.Open(r.path, opts)
		} else {
			err = errors.Join(err, merr)
		}
	}
	if err != nil {
		r.openErr = err
		log.Error("no exposure journal: records are not being kept; control goes on", "err", err,
			"hint", "check that the state directory exists and is writable by ventd (-state-dir), and that the disk is not full")
		return r
	}
	r.j = j
	return r
}

// clockAdapter gives the journal the daemon's clock.
type clockAdapter struct{ c interface{ Now() time.Time } }

func (c clockAdapter) Now() time.Time      { return c.c.Now() }
func (c clockAdapter) Sleep(time.Duration) {}

// start launches the writer; Run calls it.
func (r *recorder) start(now time.Time) {
	r.next = now.Add(r.every)
	r.prune = now
	if r.j == nil {
		return
	}
	r.jobs = make(chan job, 4)
	r.done = make(chan struct{})
	go r.write()
}

func (r *recorder) write() {
	defer close(r.done)
	var carry journal.Batch
	for jb := range r.jobs {
		b := merge(carry, jb.b)
		res, err := r.j.Write(b)
		if errors.Is(err, journal.ErrInvalid) {
			r.log.Error("journal refused a batch as invalid; dropped it", "err", err)
			carry, err = journal.Batch{}, nil
		} else if err != nil {
			carry = trim(b)
		} else {
			carry = journal.Batch{}
			if res.Backwards != nil {
				r.log.Warn("the clock went backwards; records written and flagged", "detail", res.Backwards.String(),
					"hint", "check time synchronisation (timedatectl): a Pi has no battery clock")
			}
		}
		if err == nil && !jb.prune.IsZero() {
			if n, perr := r.j.Prune(jb.prune); perr != nil {
				err = perr
			} else if n > 0 {
				r.log.Info("journal pruned past retention", "rows", n)
			}
		}
		r.setFailing(err)
	}
}

func (r *recorder) setFailing(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err != nil && r.failing == nil {
		r.log.Error("journal write failed; records are held in memory and retried, control goes on", "err", err,
			"hint", "check free space and the state directory's permissions; a damaged file is moved aside at the next start")
	}
	if err == nil && r.failing != nil {
		r.log.Info("journal writes again")
	}
	r.failing = err
}

// fault reports whether the journal is not keeping records.
func (r *recorder) fault() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failing != nil {
		return r.failing
	}
	if r.openErr != nil {
		return r.openErr
	}
	return nil
}

// due reports whether it is time to flush.
func (r *recorder) due(now time.Time) bool { return !now.Before(r.next) }

// flush hands the pending batch to the writer and schedules the next; if
// the writer is still busy the batch keeps growing. It never blocks.
func (r *recorder) flush(now time.Time, meta map[string]string) {
	r.next = now.Add(r.every)
	if r.j == nil {
		r.pending = trim(r.pending)
		return
	}
	r.pending.Meta = r.withExtra(meta)
	jb := job{b: r.pending}
	if now.Sub(r.prune) >= 24*time.Hour {
		jb.prune, r.prune = now, now
	}
	select {
	case r.jobs <- jb:
		r.pending = journal.Batch{}
	default:
		r.pending = trim(r.pending)
	}
}

// stop writes what is pending and waits for the writer, at most wait.
func (r *recorder) stop(now time.Time, meta map[string]string, wait time.Duration) {
	if r.j == nil {
		return
	}
	r.pending.Meta = r.withExtra(meta)
	if r.jobs == nil { // never started: write what there is directly
		if _, err := r.j.Write(r.pending); err != nil {
			r.log.Error("journal: last records not written", "err", err)
		}
		r.j.Close()
		return
	}
	select {
	case r.jobs <- job{b: r.pending}:
	case <-time.After(wait):
	}
	close(r.jobs)
	select {
	case <-r.done:
	case <-time.After(wait):
		r.log.Warn("journal writer still busy at shutdown; the last minute may be lost")
	}
	r.j.Close()
}

// withExtra adds the loop's own saved values to meta.
func (r *recorder) withExtra(meta map[string]string) map[string]string {
	for k, v := range r.extraMeta {
		meta[k] = v
	}
	return meta
}

func merge(a, b journal.Batch) journal.Batch {
	a.Minutes = append(a.Minutes, b.Minutes...)
	a.Events = append(a.Events, b.Events...)
	a.Acks = append(a.Acks, b.Acks...)
	a.Calibrations = append(a.Calibrations, b.Calibrations...)
	a.ConfigChanges = append(a.ConfigChanges, b.ConfigChanges...)
	a.Gaps = append(a.Gaps, b.Gaps...)
	a.ClockStatus = append(a.ClockStatus, b.ClockStatus...)
	a.Shifts = append(a.Shifts, b.Shifts...)
	if b.Meta != nil {
		a.Meta = b.Meta
	}
	return a
}

// trim drops the oldest minutes beyond pendingLimit; events, acks and
// the rest are small and always kept.
func trim(b journal.Batch) journal.Batch {
	if n := len(b.Minutes); n > pendingLimit {
		b.Minutes = append([]journal.Minute(nil), b.Minutes[n-pendingLimit:]...)
	}
	return b
}

// --- what the loop records ---

func (r *recorder) addMinute(m *minute) {
	if m == nil {
		return
	}
	r.pending.Minutes = append(r.pending.Minutes, journal.Minute{
		Start: m.Start, Zone: m.Zone, Quantity: m.Quantity, Mean: m.Mean, Max: m.Max,
		Count: m.Count, CoveredSeconds: m.CoveredSeconds,
	})
}

func (r *recorder) addEvents(evs []alarm.Event) {
	for _, e := range evs {
		r.pending.Events = append(r.pending.Events, journal.Event{
			ID: e.ID, AlarmID: e.AlarmID, Rule: e.RuleID, Kind: string(e.Kind), Level: e.Level.String(),
			Subject: e.Subject, Quantity: string(e.Quantity), Time: e.Time,
			Value: finiteOrNaN(float64(e.Value)), Threshold: finiteOrNaN(e.Threshold), Message: e.Message,
		})
		if e.Kind == alarm.Acknowledged {
			r.pending.Acks = append(r.pending.Acks, journal.Ack{AlarmID: e.AlarmID, Time: e.Time, Who: e.Who, Note: e.Note})
		}
	}
}

func (r *recorder) addGap(g journal.Gap) { r.pending.Gaps = append(r.pending.Gaps, g) }

// addShift records a shift summary as the live tracker computed it, so
// the export shows the figures /metrics and /api/state showed.
func (r *recorder) addShift(sum exposure.Summary) {
	b, err := json.Marshal(sum)
	if err != nil {
		r.log.Error("shift summary not recorded", "err", err)
		return
	}
	r.pending.Shifts = append(r.pending.Shifts, journal.Shift{Zone: sum.Zone, Quantity: string(sum.Quantity),
		Start: sum.Start, End: sum.End, Finished: sum.Finished, Summary: b})
}

func (r *recorder) addCalibration(c journal.Calibration) {
	r.pending.Calibrations = append(r.pending.Calibrations, c)
}

// metaValue reads a saved value (false with no journal or no value).
func (r *recorder) metaValue(key string) (string, bool) {
	if r.j == nil {
		return "", false
	}
	v, ok, err := r.j.Meta(key)
	return v, ok && err == nil
}

// setMeta saves a value with the next batch.
func (r *recorder) setMeta(key, value string) {
	if r.extraMeta == nil {
		r.extraMeta = map[string]string{}
	}
	r.extraMeta[key] = value
}

func (r *recorder) addClock(c journal.ClockStatus) {
	r.pending.ClockStatus = append(r.pending.ClockStatus, c)
}

func finiteOrNaN(v float64) float64 {
	if math.IsInf(v, 0) {
		return math.NaN()
	}
	return v
}

// --- restoring state at start ---

// restore rebuilds what a restart must not lose from the journal: the
// exposure records of the current shift and the last 8 h, the alarm ids and
// latched alarms. It records the outage as a gap.
func (r *recorder) restore(now time.Time, cfg *config.Config, expo []*zoneExposure, eng *alarm.Engine) {
	if r.j == nil {
		return
	}
	last, err := r.j.LastMinute()
	if err != nil {
		r.log.Warn("journal: cannot read the last minute; exposure starts afresh", "err", err)
		return
	}
	if !last.IsZero() {
		end := last.Add(time.Minute)
		if now.Sub(end) > time.Minute {
			r.addGap(journal.Gap{Start: end, End: now, Reason: journal.GapDaemonDown})
			r.log.Info("ventd was down; recorded as a gap in the exposure record", "from", end, "to", now, "length", now.Sub(end).Round(time.Second))
		}
		window := max(8*time.Hour, cfg.Shifts.Length) + 15*time.Minute
		ms, err := r.j.Minutes(now.Add(-window), now, "", "")
		if err != nil {
			r.log.Warn("journal: cannot read minutes; exposure starts afresh", "err", err)
		}
		n := 0
		for _, e := range expo {
			for _, m := range ms {
				if m.Zone != e.zone || m.Quantity != string(e.q) || m.CoveredSeconds <= 0 {
					continue
				}
				d := time.Duration(m.CoveredSeconds * float64(time.Second))
				if err := e.tr.AddInterval(m.Start, d, m.Mean); err == nil {
					n++
				}
			}
		}
		r.log.Info("exposure records rebuilt from the journal", "minutes", n, "since", now.Add(-window))
	}
	if v, ok, err := r.j.Meta(metaNextAlarm); err == nil && ok {
		if id, perr := strconv.ParseUint(v, 10, 64); perr == nil {
			eng.SetNextID(id)
		}
	}
	if v, ok, err := r.j.Meta(metaActive); err == nil && ok {
		var active []alarm.Alarm
		if jerr := json.Unmarshal([]byte(v), &active); jerr == nil {
			if rerr := eng.Restore(active); rerr != nil {
				r.log.Warn("some alarms could not be restored", "err", rerr)
			}
		}
	}
	hash := cfg.Hash()
	if v, _, _ := r.j.Meta(metaConfig); v != hash {
		r.pending.ConfigChanges = append(r.pending.ConfigChanges, journal.ConfigChange{Time: now, Hash: hash,
			Summary: fmt.Sprintf("site %q room %q: %d zones, %d sensors, %d fans", cfg.Site, cfg.Room, len(cfg.Zones), len(cfg.Sensors), len(cfg.Fans))})
	}
}

// learnedKey holds a gas index sensor's learned state: saved with every
// batch, so a restart does not re-learn the room's usual air for 12 hours
// (and report 0 for its first minute).
func learnedKey(sensor string) string { return "sensor." + sensor + ".gasindex" }

// learned returns the gas index state saved for sensor, nil if none.
func (r *recorder) learned(sensor string) map[string]gasindex.State {
	v, ok := r.metaValue(learnedKey(sensor))
	if !ok {
		return nil
	}
	var l map[string]gasindex.State
	if err := json.Unmarshal([]byte(v), &l); err != nil {
		r.log.Warn("ignoring the saved VOC index state; the index re-learns (about 12 h)", "sensor", sensor, "err", err)
		return nil
	}
	return l
}

// meta is the key-value state saved with each batch.
func (d *Daemon) meta() map[string]string {
	m := map[string]string{
		metaNextAlarm: strconv.FormatUint(d.alarms.eng.NextID(), 10),
		metaConfig:    d.cfg.Hash(),
		"site":        d.cfg.Site,
		"room":        d.cfg.Room,
	}
	if b, err := json.Marshal(d.alarms.eng.Active()); err == nil {
		m[metaActive] = string(b)
	}
	for _, s := range d.sensors {
		if ser := s.dev.serial(); ser != "" {
			m["sensor."+s.cfg.Name+".serial"] = ser
		}
		switch dev := s.dev.(type) {
		case *sps30Device:
			m[dev.runKey()] = strconv.FormatFloat(dev.run.Seconds(), 'f', 0, 64)
		case *sgp4xDevice:
			if l := dev.learned(); l != nil {
				if b, err := json.Marshal(l); err == nil {
					m[learnedKey(s.cfg.Name)] = string(b)
				}
			}
		}
	}
	return m
}
