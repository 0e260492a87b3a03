package daemon

import (
	"encoding/json"
	"strconv"
	"time"
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
// state and maintenance counters, site and room. Only changed values are
// passed on.
func (d *Daemon) save(now time.Time, final bool) {
	if !final && now.Sub(d.lastSave) < saveEvery && now.After(d.lastSave) {
		return
	}
	d.lastSave = now
	all := d.sensors.Keep()
	all[metaNextAlarm] = strconv.FormatUint(d.alarms.eng.NextID(), 10)
	all[metaConfig] = d.cfgHash
	all["site"], all["room"] = d.cfg.Site, d.cfg.Room
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
