package daemon

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"time"

	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/sample"
)

// Keys the daemon keeps in the journal's meta table.
const (
	metaNextAlarm = "alarms.next_id"
	metaActive    = "alarms.active"
	metaConfig    = "config.hash"
	// metaSchedule is the shift schedule the journal's shifts follow: a
	// restart under another one must not count their minutes again.
	metaSchedule = "shifts.schedule"
	// metaCleanStop is "1" once a daemon stopped cleanly, "0" while one
	// runs: after a crash the alarm sequence skips ahead (crashSkip).
	metaCleanStop = "daemon.clean_stop"
	// metaStoppedAt is where a clean stop's exposure record ends (its last
	// period): the next start's daemon_down gap begins there.
	metaStoppedAt = "daemon.stopped_at"
)

// maxAlarmID is the highest alarm sequence a restart continues from: the
// journal keeps ids up to 2^63-1, and a crash skips crashSkip more.
const maxAlarmID = math.MaxInt64 - 2*crashSkip

// crashSkip is how far the alarm sequence jumps after a crash. A
// transition numbered and sent (to MQTT, to a page) just before the crash
// may not have reached the journal; numbering on from the journal would
// give its number to another transition, and a consumer would take that
// for a duplicate. A jump is a gap a consumer sees, which is the truth:
// something may be missing.
const crashSkip = 1000

func journalOptions(d *Daemon) journal.Options {
	// A simulated room's journal is not synced to the disk: it survives
	// a crash of ventd (the kernel has it) but not of the machine.
	return journal.Options{Retention: d.cfg.Journal.Retention(), MaxSizeBytes: d.cfg.Journal.MaxSizeBytes(), Clock: d.clk, NoSync: d.sim}
}

// openJournal opens the journal in dir for restoring state at start. A
// damaged journal is moved aside and a fresh one started; one that cannot
// be opened at all leaves the daemon without one (the recorder retries),
// and the loop runs on with a fault alarm.
func (d *Daemon) openJournal(dir string, now time.Time) error {
	if dir == "" {
		return nil
	}
	path := filepath.Join(dir, "journal.db")
	opts := journalOptions(d)
	j, err := openWithin(path, opts, openTimeout)
	if errors.Is(err, journal.ErrCorrupt) || errors.Is(err, journal.ErrForeign) {
		moved, merr := journal.MoveAside(path, now)
		if merr == nil {
			d.log.Error("the exposure journal is damaged or not ventd's; moved it aside and started a fresh one", "err", err, "moved_to", moved,
				"hint", "keep the moved file for the audit; ventctl salvage -journal "+moved+" -o salvaged.db copies every record still readable into a new file for ventctl verify, report and export")
			d.replaced = append(d.replaced, journal.Replacement{Time: now, MovedTo: moved, Reason: err.Error()})
			// What can still be read of it restores this shift's figures.
			if old, oerr := journal.OpenReadOnly(moved, journal.Options{}); oerr == nil {
				d.salvaged = old
			}
			j, err = openWithin(path, opts, openTimeout)
		} else {
			err = errors.Join(err, merr)
		}
	}
	if err != nil {
		d.log.Error("no exposure journal: records are held in memory and retried each minute; control goes on", "err", err,
			"hint", "check that the state directory exists and is writable by ventd (-state-dir), and that the disk is not full")
		// A journal that cannot be written may still be read (a card
		// remounted read-only, a directory left to root): the running
		// shift carries on from it, so when it opens for writing the
		// shift's stored figures are continued, not overwritten by this
		// run's, which start now.
		// Not on a stalled disk: a read would hang there with no limit.
		if d.salvaged == nil && !errors.Is(err, errDiskStalled) {
			if old, oerr := journal.OpenReadOnly(path, journal.Options{}); oerr == nil {
				d.log.Info("the journal can be read: this shift's figures carry on from it", "path", path)
				d.salvaged = old
			}
		}
		return err
	}
	d.journal = j
	return nil
}

// openTimeout bounds how long the start waits for the journal: a stalled
// SD card must not keep the loop from starting (the fans are already at
// their safe duty, and the recorder keeps trying to open it).
const openTimeout = 10 * time.Second

// errDiskStalled is an open that did not finish in time.
var errDiskStalled = errors.New("the disk is not answering")

// openJournalFile opens the journal for writing; tests make it fail as a
// read-only card would (root writes through file modes).
var openJournalFile = journal.Open

// openWithin opens the journal, giving up after wait; a late open is
// closed when it completes.
func openWithin(path string, opts journal.Options, wait time.Duration) (*journal.Journal, error) {
	type res struct {
		j   *journal.Journal
		err error
	}
	done := make(chan res, 1)
	go func() {
		j, err := openJournalFile(path, opts)
		done <- res{j, err}
	}()
	select {
	case r := <-done:
		return r.j, r.err
	case <-time.After(wait):
		go func() {
			if r := <-done; r.j != nil {
				r.j.Close()
			}
		}()
		return nil, fmt.Errorf("journal: %s: not open after %s: %w; control goes on and the journal is opened again each minute", path, wait, errDiskStalled)
	}
}

// reopener opens the journal again after a failed open, for the recorder.
func (d *Daemon) reopener(dir string, before func() error) func() (*journal.Journal, error) {
	if dir == "" {
		return nil
	}
	return func() (*journal.Journal, error) {
		if before != nil {
			if err := before(); err != nil {
				return nil, err
			}
		}
		return openJournalFile(filepath.Join(dir, "journal.db"), journalOptions(d))
	}
}

// history is the journal the last run wrote, for what a start restores:
// the salvaged file (a damaged journal moved aside, or one that can be read
// but not written), else the journal. Nil when neither can be read.
func (d *Daemon) history() *journal.Journal {
	if d.salvaged != nil {
		return d.salvaged
	}
	return d.journal
}

// closeSalvaged lets the salvaged file go once the start has read it.
func (d *Daemon) closeSalvaged() {
	if d.salvaged != nil {
		d.salvaged.Close()
		d.salvaged = nil
	}
}

// savedValue reads a value kept by the last run.
func (d *Daemon) savedValue(key string) (string, bool) {
	j := d.history()
	if j == nil {
		return "", false
	}
	v, ok, err := j.Meta(key)
	return v, ok && err == nil
}

// lastReading is when the data of the journal's last minute (starting at
// last) ended: the outage's gap starts there, not at the next minute, so
// the gaps listed add up to the shift's unmeasured time (the minute's
// covered seconds are its first ones when the data stopped in it).
func lastReading(j *journal.Journal, last time.Time) time.Time {
	end := last.Add(time.Minute)
	ms, err := j.Minutes(last, end, "", "")
	if err != nil || len(ms) == 0 {
		return end
	}
	read := last
	for _, m := range ms {
		if t := m.Start.Add(time.Duration(m.CoveredSeconds * float64(time.Second))); t.After(read) {
			read = t
		}
	}
	if read.After(end) {
		return end
	}
	return read
}

// stoppedAt is where the exposure record of a clean stop ended (see
// shutdown), false after a crash or when the journal does not say. The
// minutes alone cannot tell it when every sensor was out at the stop
// (their last row is earlier, and the sensor_fault gaps reach the stop).
// A time before the last minute row, or after anything the journal wrote,
// is no stop of ventd's and is not used.
func stoppedAt(j *journal.Journal, last time.Time) (time.Time, bool) {
	if v, ok, err := j.Meta(metaCleanStop); err != nil || !ok || v != "1" {
		return time.Time{}, false
	}
	v, ok, err := j.Meta(metaStoppedAt)
	if err != nil || !ok {
		return time.Time{}, false
	}
	at, err := time.Parse(time.RFC3339Nano, v)
	if err != nil || at.Before(last) {
		return time.Time{}, false
	}
	if newest, ok, err := j.Newest(); err != nil || !ok || at.After(newest.Add(journalTolerance)) {
		return time.Time{}, false
	}
	return at, true
}

// restore rebuilds what a restart must not lose from the journal: the
// current shift's exposure figures exactly as they were, the rolling
// windows, the alarm sequence and the latched alarms. The outage becomes
// a gap.
func (d *Daemon) restore(now time.Time, journaled bool) {
	j := d.history()
	if j == nil {
		if journaled {
			// The journal holds the sequence, and could not be opened:
			// whatever this run numbers must not repeat what it holds.
			d.sequenceFloor(now, "the journal could not be opened")
		}
		return
	}
	d.restoreVentilation(j)
	if last, err := j.LastMinute(); err != nil {
		d.log.Warn("journal: cannot read the last minute; exposure starts afresh", "err", err)
	} else if !last.IsZero() {
		if ahead := last.Sub(now); ahead > maxJournalAhead {
			last = d.farAhead(j, now, last, ahead)
		}
		end := lastReading(j, last)
		if at, ok := stoppedAt(j, last); ok {
			end = at
		}
		// Any length: a restart within the minute is time no one measured
		// too (it was left out, in no gap row).
		if now.After(end) {
			d.cur.Gaps = append(d.cur.Gaps, record.Gap{Start: end, End: now, Reason: record.GapDaemonDown})
			d.log.Info("ventd was down; recorded as a gap in the exposure record", "from", end, "to", now, "length", now.Sub(end).Round(time.Second))
		}
		d.restoreExposure(j, now, last)
		if end.After(now) {
			// A Pi keeps no time of its own: booted without network,
			// fake-hwclock sets the time it saved last (hourly), which can
			// be before what the journal holds. Those minutes are recorded
			// already; as after a step back while running, the minutes
			// wait until the clock passes them (the exposure record
			// refuses them by itself). However far behind: recorded again,
			// they were merged into sealed minutes and sealed shifts
			// finished a second time over their first record. What is
			// measured meanwhile is journaled apart (holdApart), and far
			// behind raises the clock fault.
			if end.Sub(now) > maxJournalAhead {
				d.log.Error("the clock is far behind the exposure journal: the exposure record waits until the clock passes the journal's last reading, so that no sealed shift is written over; readings meanwhile are journaled apart, hourly, with no time",
					"clock", now, "journal_until", end, "behind", end.Sub(now).Round(time.Minute),
					"hint", "set the time: connect the network for NTP, or timedatectl set-time; if timedatectl says the clock is synchronised, the journal holds times from a clock that ran ahead: stop ventd and move "+j.Path()+" aside, keeping it for the audit")
			} else {
				d.log.Warn("the clock is behind the journal's last reading: nothing is recorded until it passes it",
					"clock", now, "journal_until", end, "behind", end.Sub(now).Round(time.Second),
					"hint", "the time was likely restored by fake-hwclock after a restart without network: check timedatectl and NTP")
			}
			for _, e := range d.expo {
				e.last = end
			}
			for _, o := range d.outdoor {
				o.last = end
			}
		}
	}
	next, known := uint64(1), false
	if v, ok, err := j.Meta(metaNextAlarm); err == nil && ok {
		switch id, perr := strconv.ParseUint(v, 10, 64); {
		case perr == nil && id <= maxAlarmID:
			next, known = id, true
		default:
			// The journal takes ids up to 2^63-1: numbering from there,
			// every later transition would be refused, and the crash
			// skip would wrap round to numbers already given.
			d.log.Warn("journal: the saved alarm sequence is not usable; numbering on from the events journaled",
				"value", v, "hint", "no ventd writes it: run ventctl verify to see whether the journal was edited")
		}
	}
	// The journal writes transitions at once and the meta each minute, so
	// the events table is the surer high-water mark after a crash.
	lastEvent, _ := j.LastEventID()
	if lastEvent+1 > next && lastEvent < maxAlarmID {
		next, known = lastEvent+1, true
	}
	if v, ok, err := j.Meta(metaCleanStop); err == nil && ok && v != "1" && lastEvent > 0 {
		next += crashSkip
		d.log.Warn("ventd did not stop cleanly: the alarm sequence jumps ahead so that no number repeats one a consumer may have seen",
			"next", next, "skipped", crashSkip)
	}
	d.keep(metaCleanStop, "0")
	if err := d.alarms.eng.SetNextID(next); err != nil {
		d.log.Warn("alarm sequence not restored", "err", err)
	}
	if !known && len(d.replaced) > 0 {
		// A damaged journal replaced by a fresh one whose old file
		// cannot be read: numbering from 1 again would repeat numbers a
		// pager bridge has seen (and drops as duplicates: the
		// journal-replaced fault among them) and alarm ids an
		// acknowledgement may name.
		d.sequenceFloor(now, "the replaced journal's sequence could not be read")
	}
	if v, ok, err := j.Meta(metaActive); err == nil && ok {
		var active []alarm.Alarm
		if jerr := json.Unmarshal([]byte(v), &active); jerr == nil {
			if rerr := d.alarms.eng.Restore(active); rerr != nil {
				d.log.Warn("some alarms could not be restored", "err", rerr)
			}
			d.keepFrozen(active)
		} else {
			d.log.Warn("journal: the saved active alarms do not parse: latched alarms are not restored; those whose condition holds are raised again",
				"key", metaActive, "err", jerr, "hint", "no ventd writes it: run ventctl verify to see whether the journal was edited")
		}
	}
	if v, _, _ := j.Meta(metaConfig); v != d.cfgHash {
		cfg := d.cfg
		d.cur.ConfigChanges = append(d.cur.ConfigChanges, record.ConfigChange{Time: now, Hash: d.cfgHash,
			Summary: fmt.Sprintf("site %q room %q: %d zones, %d sensors, %d fans; shifts %s", cfg.Site, cfg.Room, len(cfg.Zones), len(cfg.Sensors), len(cfg.Fans), cfg.Shifts),
			By:      record.Actor{Name: "config", Via: "config"}})
	}
}

// maxJournalAhead is how far the clock may be behind the exposure record
// (at start, behind the journal's last minute) before that is a fault: a
// clock fake-hwclock set back after a restart without network is behind by
// an hour or so and catches up by itself; more is a clock far wrong, or a
// journal row ventd did not write (see farAhead).
const maxJournalAhead = 6 * time.Hour

// farAhead is the journal's last minute to restore from when it lies more
// than maxJournalAhead after the clock (ahead). A minute row after the
// newest time the journal wrote is no row of ventd's (an edit, a damaged
// row: a minute in 9999 had the replay work through every shift until
// then): the record continues from the newest time written, and the row
// stays for ventctl verify to name. Otherwise the journal's rows are
// ventd's and the clock is far behind them: last stands, and the record
// waits for the clock (restore), never writing over sealed shifts.
func (d *Daemon) farAhead(j *journal.Journal, now, last time.Time, ahead time.Duration) time.Time {
	newest, ok, err := j.Newest()
	if err != nil {
		d.log.Warn("journal: cannot read the newest time written", "err", err)
	}
	if !ok || !last.After(newest.Add(journalTolerance)) {
		return last
	}
	written := newest.Add(-time.Minute).Truncate(time.Minute) // a minute counts at its end
	d.log.Error("the journal's last minute is later than any time ventd wrote to it: a damaged or edited row; it is not restored, and the exposure record continues from the newest time written",
		"clock", now, "journal_last_minute", last, "ahead", ahead.Round(time.Minute), "newest_written", newest,
		"hint", "run ventctl verify -state-dir "+filepath.Dir(j.Path())+" to see which rows were edited; keep the journal as it is for the audit")
	return written
}

// journalTolerance is how far a minute's end may lie after the newest time
// the journal wrote (journal.Options.ClockTolerance's default).
const journalTolerance = 2 * time.Minute

// schedule is the shift schedule as the journal keeps it (metaSchedule).
func (d *Daemon) schedule() string { return d.cfg.Shifts.String() }

// sequenceFloor starts the alarm sequence no lower than the minutes since
// 1970 (29 million in 2026), when the journal that holds it cannot be
// read: numbers counted from 1 reach that only after some 30 million
// transitions, so no earlier number repeats, and the jump is a gap a
// consumer sees rather than a duplicate it drops.
func (d *Daemon) sequenceFloor(now time.Time, why string) {
	floor := uint64(max(now.Unix()/60, 1))
	if floor <= d.alarms.eng.NextID() {
		return
	}
	if err := d.alarms.eng.SetNextID(floor); err != nil {
		d.log.Warn("alarm sequence not moved on", "err", err)
		return
	}
	d.log.Warn("the alarm sequence starts at the minutes since 1970, above any number it gave before: "+why,
		"next", floor, "hint", "alarm and event numbers jump; none repeats one a consumer has seen")
}

// restoreExposure continues each running shift from its last summary and
// replays the minutes of the last 8 h (and the shift) into the rolling
// windows.
func (d *Daemon) restoreExposure(j *journal.Journal, now, last time.Time) {
	window := max(8*time.Hour, d.cfg.Shifts.Length) + exposure.STELWindow
	// Up to the journal's last minute even when the clock is behind it (a
	// Pi booted without network): those minutes are the rolling windows'
	// too, and this run will not record them again.
	// The windows end there too: from a clock days behind, now - window
	// would read every minute since.
	until := now
	if l := last.Add(time.Minute); l.After(until) {
		until = l
	}
	ms, err := j.Minutes(until.Add(-window), until, "", "")
	if err != nil {
		d.log.Warn("journal: cannot read minutes; exposure starts afresh", "err", err)
		return
	}
	// Every shift the replay reaches, and the one running at the last
	// minute however long ago: the running one continues from its
	// summary, and the finished ones stay as the journal has them (the
	// replay holds only their last hours).
	from := until.Add(-window)
	if f := last.Add(-d.cfg.Shifts.Length); f.Before(from) {
		from = f
	}
	shifts, err := j.Shifts(from, last.Add(time.Minute))
	if err != nil {
		d.log.Warn("journal: cannot read shift summaries; the shift's figures are rebuilt from minutes", "err", err)
	}
	n, bad := 0, 0
	// The schedule the journal's shifts follow, when it kept it: a change
	// between shifts, or one the running shift survives (same start, new
	// length), is one all the same.
	was, kept, _ := j.Meta(metaSchedule)
	changedAll := kept && was != d.schedule()
	if changedAll {
		d.log.Warn("the shift schedule changed since the journal's last run: its shifts stay as they are, and the new schedule's are recorded from now",
			"was", was, "now", d.schedule())
	}
	for _, e := range d.expo {
		var resumedUntil time.Time
		changed := changedAll
		for _, sh := range shifts {
			if sh.Zone != e.zone || sh.Quantity != string(e.q) {
				continue
			}
			sum := exposure.Summary{Zone: sh.Zone, Start: sh.Start, End: sh.End, Finished: true}
			if sh.Summary != nil {
				if err := json.Unmarshal(sh.Summary, &sum); err != nil {
					d.log.Warn("journal: a shift summary does not parse; that shift is rebuilt from minutes", "zone", e.zone, "quantity", e.q, "err", err)
					continue
				}
			} else if !sh.Finished {
				continue
			}
			sum.Finished = sum.Finished || sh.Finished
			if p := summaryProblem(sum, sh); !sum.Finished && p != "" {
				d.log.Warn("journal: a running shift's summary holds figures no ventd writes; that shift is rebuilt from minutes",
					"zone", e.zone, "quantity", e.q, "shift_start", sh.Start, "problem", p,
					"hint", "run ventctl verify to see whether the journal was edited")
				continue
			}
			err := e.tr.Resume(sum)
			switch {
			case errors.Is(err, exposure.ErrScheduleChanged):
				// The site changed its shifts or their time zone: this
				// one is finished as it was, its rest a gap, and sealed;
				// the new schedule's record starts now, so no minute
				// counts in two shifts.
				closed := e.tr.Close(sum)
				d.cur.Shifts = append(d.cur.Shifts, closed)
				if sum.Until.Before(closed.End) {
					d.cur.Gaps = append(d.cur.Gaps, record.Gap{Start: sum.Until, End: closed.End, Zone: e.zone, Quantity: e.q, Reason: record.GapScheduleChanged})
				}
				changed = true
				d.log.Warn("the shift schedule changed since the journal's running shift began: that shift is closed, the rest of it a gap, and the new schedule's shifts are recorded from now",
					"zone", e.zone, "quantity", e.q, "shift_start", sum.Start, "shift_end", sum.End)
			case err != nil:
				d.log.Warn("shift not resumed", "err", err)
			case !sum.Finished && sum.Until.After(resumedUntil):
				resumedUntil = sum.Until
			}
		}
		if changed {
			// After every replayed minute (the clock may be behind them).
			from := now
			if l := last.Add(time.Minute); l.After(from) {
				from = l
			}
			e.tr.RecordShiftsFrom(from)
		}
		replayed := 0
		for _, m := range ms {
			if m.Zone != e.zone || m.Quantity != string(e.q) || m.CoveredSeconds <= 0 {
				continue
			}
			if !(m.CoveredSeconds <= 60) {
				// No ventd writes it (the journal refuses it): an edit
				// or a damaged row. Taken as is, its length would move
				// the record days ahead (and the replay, a second at a
				// time, would hold up the start as long).
				bad++
				continue
			}
			span := time.Duration(m.CoveredSeconds * float64(time.Second))
			if err := e.tr.AddInterval(m.Start, span, m.Mean); err == nil {
				replayed++
			}
		}
		n += replayed
		if replayed == 0 && !resumedUntil.IsZero() && resumedUntil.Before(now) {
			// Down for longer than the replay reaches: nothing replayed
			// starts the accounting, so the outage would count for
			// nothing in the resumed shift (8.75 % covered, no gap). It
			// is a gap, and so are the shifts it spans.
			if err := e.tr.Gap(resumedUntil, now); err != nil {
				d.log.Warn("the outage not counted as a gap", "zone", e.zone, "quantity", e.q, "err", err)
			}
		}
	}
	if bad > 0 {
		d.log.Warn("journal: minutes covering more than a minute were left out of the rebuilt exposure record",
			"minutes", bad, "hint", "no ventd writes such a row: run ventctl verify to see whether the journal was edited")
	}
	d.log.Info("exposure records rebuilt from the journal", "minutes", n, "since", until.Add(-window))
}

// recordFactors journals a change of a sensor's configured correction
// (PM calibration factor, CO2 offset, ASC) since the last run: it changes
// how every later reading is corrected, so an auditor must see when.
func (d *Daemon) recordFactors(now time.Time, journaled bool) {
	// With a state directory whose journal cannot be read at all, what
	// the last run had is unknown: every factor would read as changed.
	unknown := journaled && d.history() == nil
	by := record.Actor{Name: "config", Via: "config"}
	for _, s := range d.cfg.Sensors {
		if s.Type.IsSCD4x() {
			kind, v := journal.CalASCOff, "off"
			if s.ASC {
				kind, v = journal.CalASCOn, "on"
			}
			key := "sensor." + s.Name + ".asc"
			if old, ok := d.savedValue(key); !unknown && (!ok || old != v) {
				d.cur.Calibrations = append(d.cur.Calibrations, record.Calibration{Time: now, Sensor: s.Name, Kind: kind,
					Reference: math.NaN(), Correction: math.NaN(), By: by, Note: "automatic self-calibration " + v + " (sensors[].asc)"})
			}
			d.keep(key, v)
		}
		for _, f := range []struct {
			key, kind string
			v         float64
			applies   bool
		}{
			{"sensor." + s.Name + ".pm_calibration", journal.CalPMFactor, s.PMCalibration, s.Type.Measures(sample.PM25)},
			{"sensor." + s.Name + ".co2_offset_ppm", "co2_offset", s.CO2OffsetPPM, s.Type.IsSCD4x()},
		} {
			if !f.applies {
				continue
			}
			d.keep(f.key, fmt.Sprint(f.v))
			old, ok := d.savedValue(f.key)
			if unknown || ok && old == fmt.Sprint(f.v) {
				continue
			}
			prev := math.NaN()
			fmt.Sscan(old, &prev)
			d.cur.Calibrations = append(d.cur.Calibrations, record.Calibration{Time: now, Sensor: s.Name, Kind: f.kind, Reference: prev, Correction: f.v,
				By: by, Note: fmt.Sprintf("%s set to %v in the configuration (was %v)", f.key, f.v, old)})
		}
	}
}

// checkClock records the clock's synchronisation status when it changes.
func (d *Daemon) checkClock(now time.Time) {
	ok, note := true, "simulated clock"
	if !d.sim {
		ok, note = clockSynced()
	}
	if d.clockOK != nil && *d.clockOK == ok {
		return
	}
	d.clockOK = &ok
	if !ok {
		d.log.Warn("the system clock is not synchronised; exposure timestamps may be wrong until it is", "detail", note,
			"hint", "check network time (timedatectl status); a Pi has no battery-backed clock")
	}
	d.cur.Clock = append(d.cur.Clock, record.ClockStatus{Time: now, Synchronized: ok, Source: "ventd", Note: note})
}

// summaryProblem says what in a running shift's stored summary no tracker
// writes (an edit, a damaged row), "" when nothing: resumed as is, a TWA
// of 1e308 became +Inf in /api/state (which then could not be encoded), a
// negative covered time a coverage of −1272 %, and an until past the
// shift's end a schedule change that closed the shift.
func summaryProblem(s exposure.Summary, row journal.Shift) string {
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	elapsed := s.Until.Sub(s.Start)
	switch {
	case !finite(s.TWA) || s.TWA < 0 || s.TWA*float64(8*time.Hour) > math.MaxFloat64/2:
		return fmt.Sprintf("TWA %v", s.TWA)
	case s.Until.Before(s.Start) || s.Until.After(row.End):
		return fmt.Sprintf("accounted up to %s, outside the shift %s to %s", s.Until.Format(time.RFC3339), row.Start.Format(time.RFC3339), row.End.Format(time.RFC3339))
	case s.Covered < 0 || s.Covered.Std() > elapsed || s.TimeOverAlarm < 0 || s.TimeOverAlarm.Std() > elapsed ||
		s.TimeOverSTEL < 0 || s.TimeOverSTEL.Std() > elapsed || s.GapTotal < 0:
		return fmt.Sprintf("covered %s, over the alarm level %s, over the STEL %s, gaps %s in %s", s.Covered.Std(), s.TimeOverAlarm.Std(), s.TimeOverSTEL.Std(), s.GapTotal.Std(), elapsed)
	}
	return ""
}

// keepFrozen tells each sensor whose frozen-reading fault was active, its
// condition holding, when ventd stopped that its reading is still frozen
// until it moves. Otherwise the stuck detector, starting afresh, took the
// frozen reading as good air for alarms.sensor_stuck_after, and the
// restored fault cleared half a minute after the start (a "cleared" on
// the pager) to be raised again as a new alarm when the detector found
// the freeze again.
func (d *Daemon) keepFrozen(active []alarm.Alarm) {
	for _, a := range active {
		if !a.Condition {
			continue
		}
		for _, s := range d.sensors.All() {
			if a.RuleID == alarm.SensorRule(s.Name(), alarm.FaultStuck) {
				s.KeepFrozen(a.Since)
			}
		}
	}
}
