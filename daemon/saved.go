package daemon

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/record"
)

// saveEvery is how often the state a restart must not lose is handed to
// the journal; the journal writes only what changed.
const saveEvery = time.Minute

// keep notes a value to save with the next record that saves state.
func (d *Daemon) keep(key, value string) {
	if d.cur.Saved == nil {
		d.cur.Saved = map[string]string{}
	}
	d.cur.Saved[key] = value
}

// save puts the state to keep into the record once a minute (and at
// shutdown): the alarm sequence, the active alarms, the sensors' learned
// state and maintenance counters, site, room, the shift time zone and each
// zone's kind. Only
// changed values are passed on.
func (d *Daemon) save(now time.Time, final bool) {
	if !final && now.Sub(d.lastSave) < saveEvery && now.After(d.lastSave) {
		return
	}
	d.lastSave = now
	if d.toSave == nil {
		d.toSave = map[string]string{}
	}
	all := d.toSave
	clear(all)
	d.sensors.KeepTo(all)
	all[metaNextAlarm] = strconv.FormatUint(d.alarms.eng.NextID(), 10)
	all[metaConfig] = d.cfgHash
	if d.cfgKept.of != d.cfg {
		// What the configuration alone says, made again only when a
		// reload replaces it: the schedule's string was a third of a
		// save.
		kv := [][2]string{{"site", d.cfg.Site}, {"room", d.cfg.Room},
			{journal.TimeZoneKey, d.cfg.Shifts.ZoneName()}, {metaSchedule, d.schedule()}}
		for _, z := range d.cfg.Zones {
			// So that the export and the report tell the outdoor air's
			// minutes from an exposure record without the configuration.
			kv = append(kv, [2]string{journal.ZoneKindKey(z.Name), string(z.Kind)})
		}
		d.cfgKept.of, d.cfgKept.kv = d.cfg, kv
	}
	for _, e := range d.cfgKept.kv {
		all[e[0]] = e[1]
	}
	if b, err := json.Marshal(d.alarms.eng.Active()); err == nil {
		all[metaActive] = string(b)
	}
	for k, v := range all {
		if d.saved[k] != v {
			d.keep(k, v)
			d.saved[k] = v
		}
	}
}

// checkJournal raises the replaced-journal alarm and records the action
// when a damaged journal was moved aside (at start or since), and sends
// the whole state to keep again to the fresh file.
func (d *Daemon) checkJournal(now time.Time) {
	if d.recorder == nil {
		return
	}
	rs := append(d.replaced, d.recorder.TakeReplaced()...)
	d.replaced = nil
	for _, r := range rs {
		d.cur.Actions = append(d.cur.Actions, record.Action{Time: r.Time, Kind: record.ActJournalReplaced, Target: r.MovedTo,
			By: record.Ventd, Result: "moved the damaged journal aside to " + r.MovedTo + " and started a fresh one; records before " +
				r.Time.UTC().Format(time.RFC3339) + " are in the moved file", Err: r.Reason})
		d.saved = map[string]string{}
		d.lastSave = time.Time{}
	}
	evs, err := d.alarms.eng.SetCondition(now, alarm.JournalReplacedRule, len(rs) > 0, 0)
	if err == nil {
		d.addTransitions(evs)
	}
}
