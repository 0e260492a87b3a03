package daemon

import (
	"context"
	"fmt"
	"reflect"
	"strings"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control"
	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/record"
)

// Reload applies a new configuration without stopping the fans: the
// thresholds, the alarm settings and the control tuning take effect in the
// next period, latched and active alarms carry over, and the change is
// journaled with who asked. A configuration that changes anything else
// (zones, sensors, fans, GPIOs, shifts, exposure limits, the journal,
// where ventd listens) is refused, saying which keys need a restart:
// those change the hardware or the record's meaning, and a restart
// resumes the shift exactly. cfg must already be valid (config.Load).
func (d *Daemon) Reload(ctx context.Context, cfg *config.Config, by record.Actor) (string, error) {
	if err := checkActor(by, "reload"); err != nil {
		return "", err
	}
	a, err := d.ask(ctx, by, record.ActConfigReload, func(d *Daemon) record.Action { return d.reload(cfg, by) })
	return a.Result, err
}

// reloadable are the sections Reload applies; the rest need a restart.
var reloadable = []string{"Thresholds", "Control", "Alarms"}

func (d *Daemon) reload(cfg *config.Config, by record.Actor) record.Action {
	a := record.Action{Kind: record.ActConfigReload, Target: "configuration", By: by}
	if keys := restartKeys(d.cfg, cfg); len(keys) > 0 {
		a.Err = fmt.Sprintf("the new configuration changes %s, which need a restart (systemctl restart ventd; the shift's record carries on); nothing was changed", strings.Join(keys, ", "))
		return a
	}
	hash := cfg.Hash()
	if hash == d.cfgHash {
		a.Result = "the configuration is unchanged"
		return a
	}
	changed := changedSections(d.cfg, cfg)
	alarms, err := newAlarms(cfg, d.fans, d.recorder != nil)
	if err != nil {
		a.Err = "the new alarm rules: " + err.Error()
		return a
	}
	params, err := control.ParamsFor(cfg)
	if err != nil {
		a.Err = "the new control settings: " + err.Error()
		return a
	}
	// Carry the alarms over: the sequence, and the active alarms of rules
	// that still exist (a removed rule's alarm ends here, and the log says so).
	if err := alarms.eng.SetNextID(d.alarms.eng.NextID()); err != nil {
		a.Err = err.Error()
		return a
	}
	// The law keeps what it has learned (each booth's clean air and decay)
	// and the sessions and purges under way.
	if err := d.law.Retune(params); err != nil {
		a.Err = "the new control settings: " + err.Error()
		return a
	}
	if err := alarms.eng.Restore(d.alarms.eng.Active()); err != nil {
		d.log.Warn("some active alarms did not carry over to the new rules", "err", err)
	}
	alarms.pressure = d.alarms.pressure
	for _, e := range d.expo {
		e.tr.SetLimits(exposure.ConfigLimits(cfg, e.q))
	}
	d.alarms, d.cfg, d.cfgHash = alarms, cfg, hash
	d.cur.ConfigChanges = append(d.cur.ConfigChanges, record.ConfigChange{Time: d.clk.Now(), Hash: hash,
		Summary: "reloaded: " + strings.Join(changed, ", "), By: by})
	a.Result = "reloaded: " + strings.Join(changed, ", ") + " changed; in force from this period"
	return a
}

// restartKeys lists the top-level keys that differ between old and new
// outside the reloadable sections.
func restartKeys(old, new *config.Config) []string {
	var out []string
	ov, nv := reflect.ValueOf(old).Elem(), reflect.ValueOf(new).Elem()
	for i := 0; i < ov.NumField(); i++ {
		f := ov.Type().Field(i)
		if contains(reloadable, f.Name) || !f.IsExported() {
			continue
		}
		if !reflect.DeepEqual(ov.Field(i).Interface(), nv.Field(i).Interface()) {
			out = append(out, yamlKey(f))
		}
	}
	// The loop's period is the one control key the law does not hold: the
	// loop, the minute rows and the alarms' counts are paced by it from
	// start. Reloading it claimed success and changed nothing.
	if old.Control.Period != new.Control.Period {
		out = append(out, "control.period")
	}
	return out
}

// changedSections lists the reloadable sections that differ.
func changedSections(old, new *config.Config) []string {
	var out []string
	ov, nv := reflect.ValueOf(old).Elem(), reflect.ValueOf(new).Elem()
	for _, name := range reloadable {
		f, _ := ov.Type().FieldByName(name)
		if !reflect.DeepEqual(ov.FieldByName(name).Interface(), nv.FieldByName(name).Interface()) {
			out = append(out, yamlKey(f))
		}
	}
	return out
}

func yamlKey(f reflect.StructField) string {
	if k, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); k != "" {
		return k
	}
	return f.Name
}
