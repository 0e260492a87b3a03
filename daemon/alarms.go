package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/sample"
)

// alarms feeds the alarm engine each period from what the loop measured:
// zone values and exposure averages, sensor health, fan outputs and
// stalls, the journal. It reads the sensors; it never changes them.
type alarms struct {
	eng   *alarm.Engine
	rules map[alarm.RuleID]bool
	stall map[string]*alarm.StallDetector // per fan with a tachometer

	staleAfter time.Duration
	// pressure is each booth's average pressure (5 min exponential
	// mean): containment is judged on the average, as LEED does, so a
	// door opening for a moment is not an alarm.
	pressure map[string]*ewma
	// watched are the zone rules evaluated each period, built once.
	watched []zoneCheck
	// ids keeps the rule ids built from names, so the loop does not
	// build the same strings again every second.
	ids map[[4]string]alarm.RuleID
}

// id returns the rule id that build makes from key (the kind of rule,
// then the names it is built from), built the first time a key is asked
// for.
func (a *alarms) id(key [4]string, build func() alarm.RuleID) alarm.RuleID {
	id, ok := a.ids[key]
	if !ok {
		id = build()
		a.ids[key] = id
	}
	return id
}

func (a *alarms) sensorRule(name string, f alarm.SensorFault) alarm.RuleID {
	return a.id([4]string{"sensor", name, string(f)}, func() alarm.RuleID { return alarm.SensorRule(name, f) })
}

func (a *alarms) zoneRule(zone string, q sample.Quantity, c alarm.Check) alarm.RuleID {
	return a.id([4]string{"zone", zone, string(q), string(c)}, func() alarm.RuleID { return alarm.ZoneRule(zone, q, c) })
}

// zoneCheck is one instantaneous value rule of a zone.
type zoneCheck struct {
	id   alarm.RuleID
	zone string
	q    sample.Quantity
}

// ewma is an exponentially weighted mean over time.
type ewma struct {
	v    float64
	last time.Time
	tau  time.Duration
}

func (e *ewma) add(now time.Time, v float64) float64 {
	if e.last.IsZero() {
		e.v = v
	} else if dt := now.Sub(e.last); dt > 0 {
		k := min(dt.Seconds()/e.tau.Seconds(), 1)
		e.v += (v - e.v) * k
	}
	e.last = now
	return e.v
}

func newAlarms(cfg *config.Config, fans []*fanOut, journal bool) (*alarms, error) {
	room := alarm.Room{Journal: journal}
	for _, f := range fans {
		if f.tach != nil {
			room.TachFans = append(room.TachFans, f.cfg.Name)
		}
	}
	rules := alarm.DefaultRules(alarm.ConfigSetup(cfg, room))
	eng, err := alarm.NewEngine(rules)
	if err != nil {
		return nil, fmt.Errorf("alarm rules: %w", err)
	}
	ac := cfg.Alarms
	a := &alarms{eng: eng, rules: map[alarm.RuleID]bool{}, stall: map[string]*alarm.StallDetector{},
		ids: map[[4]string]alarm.RuleID{}, staleAfter: ac.SensorStaleAfter, pressure: map[string]*ewma{}}
	for _, r := range rules {
		a.rules[r.ID] = true
	}
	for _, z := range cfg.Zones {
		for _, q := range []sample.Quantity{sample.PM25, sample.CO2, sample.VOCIndex} {
			for _, c := range []alarm.Check{alarm.CheckWarning, alarm.CheckAlarm} {
				if id := alarm.ZoneRule(z.Name, q, c); a.rules[id] {
					a.watched = append(a.watched, zoneCheck{id: id, zone: z.Name, q: q})
				}
			}
		}
	}
	for _, f := range fans {
		if f.tach != nil {
			if a.stall[f.cfg.Name], err = alarm.NewStallDetector(ac.FanStallMinDuty/100, ac.FanStallRPM, ac.FanStallAfter); err != nil {
				return nil, err
			}
		}
	}
	return a, nil
}

// evaluateAlarms runs every rule for this period and adds the transitions
// to the record.
func (d *Daemon) evaluateAlarms(now time.Time) {
	a := d.alarms
	add := func(e []alarm.Event, err error) {
		if err != nil {
			d.log.Error("alarm rule", "err", err)
		}
		d.addTransitions(e)
	}
	for _, c := range a.watched {
		v, ok := d.zoneValue(c.zone, c.q, now)
		add(a.eng.Evaluate(now, c.id, v, ok))
	}
	for _, z := range d.cfg.Zones {
		id := a.id([4]string{"pressure", z.Name}, func() alarm.RuleID { return alarm.PressureRule(z.Name) })
		if !a.rules[id] {
			continue
		}
		v, ok := d.zoneValue(z.Name, sample.Pressure, now)
		if ok {
			avg, found := a.pressure[z.Name]
			if !found {
				avg = &ewma{tau: 5 * time.Minute}
				a.pressure[z.Name] = avg
			}
			v = avg.add(now, v)
		}
		add(a.eng.Evaluate(now, id, v, ok))
	}
	for _, e := range d.expo {
		if id := a.zoneRule(e.zone, e.q, alarm.CheckSTEL); a.rules[id] {
			add(a.eng.Evaluate(now, id, float64(e.snap.STEL), e.snap.STEL.Known()))
		}
		if id := a.zoneRule(e.zone, e.q, alarm.CheckTWA); a.rules[id] {
			add(a.eng.Evaluate(now, id, e.snap.TWA8h, e.snap.Coverage8h > 0))
		}
	}
	for _, s := range d.sensors.All() {
		n, f := s.Name(), s.Faults(now, a.staleAfter)
		add(a.eng.SetCondition(now, a.sensorRule(n, alarm.FaultStale), f.Stale, 0))
		add(a.eng.SetCondition(now, a.sensorRule(n, alarm.FaultCRC), f.CRC, float64(f.CRCErrors)))
		add(a.eng.SetCondition(now, a.sensorRule(n, alarm.FaultRange), f.OutOfRange, 0))
		add(a.eng.SetCondition(now, a.sensorRule(n, alarm.FaultStuck), f.Frozen, 0))
	}
	for _, f := range d.fans {
		add(a.eng.SetCondition(now, a.id([4]string{"fan-output", f.cfg.Name}, func() alarm.RuleID { return alarm.FanOutputRule(f.cfg.Name) }), f.err != nil, 0))
		if det, ok := a.stall[f.cfg.Name]; ok {
			rpm := -1.0
			if f.rpm != nil {
				rpm = *f.rpm
			}
			add(a.eng.SetCondition(now, a.id([4]string{"fan-stall", f.cfg.Name}, func() alarm.RuleID { return alarm.FanStallRule(f.cfg.Name) }), det.Update(now, f.last.Duty, rpm), rpm))
		}
	}
	if a.rules[alarm.JournalRule] {
		add(a.eng.SetCondition(now, alarm.JournalRule, d.journalFault() != nil, 0))
	}
}

// addTransitions adds alarm transitions to the period's record and logs
// them at the level they deserve: an operator reading the log must see
// alarms among the routine lines.
func (d *Daemon) addTransitions(evs []alarm.Event) {
	for _, e := range evs {
		lvl := slog.LevelWarn
		switch {
		case e.Kind == alarm.Raised && e.Level >= alarm.LevelAlarm:
			lvl = slog.LevelError
		case e.Kind == alarm.Cleared || e.Kind == alarm.Acknowledged:
			lvl = slog.LevelInfo
		}
		attrs := []any{"kind", e.Kind, "level", e.Level, "rule", e.RuleID, "seq", e.ID, "alarm_id", e.AlarmID}
		if e.Kind == alarm.Acknowledged {
			attrs = append(attrs, "who", e.Who)
		} else if e.Value.Known() {
			attrs = append(attrs, "value", fmt.Sprintf("%.4g", float64(e.Value)))
		}
		d.log.Log(context.Background(), lvl, "alarm "+string(e.Kind)+": "+e.Message, attrs...)
	}
	d.cur.Transitions = append(d.cur.Transitions, evs...)
}

// zoneValue is the mean of the zone's good samples of q.
func (d *Daemon) zoneValue(zone string, q sample.Quantity, now time.Time) (float64, bool) {
	sum, n := 0.0, 0
	for _, s := range d.sensors.All() {
		cfg := s.Config()
		if cfg.Zone != zone {
			continue
		}
		if smp := s.Sample(q); smp.Valid(now, cfg.StaleAfter) {
			sum += smp.Value
			n++
		}
	}
	if n == 0 {
		return 0, false
	}
	return sum / float64(n), true
}
