package daemon

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/drivers/sensirion"
	"github.com/ventd/ventd/sample"
)

// alarms feeds the alarm engine from the loop's state each period: zone
// values and exposure averages, sensor health, fan stalls.
type alarms struct {
	eng     *alarm.Engine
	rules   map[string]bool
	stuck   map[string]*alarm.StuckDetector // per sensor, on its main quantity
	stall   map[string]*alarm.StallDetector // per fan with a tachometer
	recent  []alarm.Event                   // newest last, for /api/state
	pending []alarm.Event                   // for the journal

	staleAfter time.Duration
	// pressure is each booth's average pressure (5 min exponential
	// mean): containment is judged on the average, as LEED does, so a
	// door opening for a moment is not an alarm.
	pressure map[string]*ewma
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

// recentEvents is how many alarm events /api/state carries; the journal
// keeps them all.
const recentEvents = 50

func newAlarms(cfg *config.Config, fans []*fanOut) (*alarms, error) {
	s := alarm.DefaultSetup()
	for _, z := range cfg.Zones {
		if z.Kind == config.Staff {
			s.StaffZones = append(s.StaffZones, z.Name)
		}
	}
	for _, sn := range cfg.Sensors {
		s.Sensors = append(s.Sensors, sn.Name)
	}
	for _, f := range fans {
		if f.tach != nil {
			s.Fans = append(s.Fans, f.cfg.Name)
		}
	}
	for _, sn := range cfg.Sensors {
		if sn.Type.IsPressure() {
			s.PressureBooths = append(s.PressureBooths, sn.Zone)
		}
	}
	t, ac, lim := cfg.Thresholds, cfg.Alarms, cfg.Exposure.Limits
	s.PM25 = alarm.Band{Warning: t.PM25.Warning, Alarm: t.PM25.Alarm}
	s.CO2 = alarm.Band{Warning: t.CO2.Warning, Alarm: t.CO2.Alarm}
	s.VOCIndex = alarm.Band{Warning: t.VOCIndex.Warning, Alarm: t.VOCIndex.Alarm}
	s.Exposure = map[sample.Quantity]alarm.ExposureLimits{
		sample.CO2:  {TWA: lim.CO2.TWA, STEL: lim.CO2.STEL},
		sample.PM25: {TWA: lim.PM25.TWA, STEL: lim.PM25.STEL},
	}
	s.BoothPressure = ac.BoothPressurePa
	rules := append(alarm.DefaultRules(s), alarm.Rule{
		ID: journalRule, Level: alarm.LevelFault, Subject: "journal", Direction: alarm.WhenTrue,
		// A failed write is retried next minute; a fault that lasts two
		// flushes means records are at risk.
		OnDelay: 2 * time.Minute, FlapCount: 3, FlapWindow: time.Hour,
		Message: "the exposure journal is not keeping records: check the state directory and free space",
	})
	for _, f := range fans {
		rules = append(rules, alarm.Rule{
			ID: outputRule(f.cfg.Name), Level: alarm.LevelFault, Subject: f.cfg.Name, Direction: alarm.WhenTrue,
			// The loop sets the duty every period; a few seconds of
			// failures is a broken output, not a hiccup.
			OnDelay: 5 * time.Second, OffDelay: 30 * time.Second, FlapCount: 3, FlapWindow: time.Hour,
			Message: "fan {subject}: ventd cannot set its duty; check the PWM/relay wiring and the log",
		})
	}
	// The site's timing for the instantaneous value alarms.
	for i := range rules {
		r := &rules[i]
		switch {
		case strings.HasSuffix(r.ID, "/warning"):
			r.OnDelay, r.OffDelay = ac.OnDelay, ac.OffDelay
			r.Hysteresis = r.Threshold * ac.HysteresisPercent / 100
		case strings.HasSuffix(r.ID, "/alarm") && r.Subject != "":
			r.OffDelay = ac.OffDelay
			r.Hysteresis = r.Threshold * ac.HysteresisPercent / 100
			r.Latching = ac.LatchAlarmLevel
		}
	}
	eng, err := alarm.NewEngine(rules)
	if err != nil {
		return nil, fmt.Errorf("alarm rules: %w", err)
	}
	a := &alarms{eng: eng, rules: map[string]bool{}, stuck: map[string]*alarm.StuckDetector{}, stall: map[string]*alarm.StallDetector{},
		staleAfter: ac.SensorStaleAfter, pressure: map[string]*ewma{}}
	for _, r := range rules {
		a.rules[r.ID] = true
	}
	for _, sn := range cfg.Sensors {
		// A reading identical for this long is a frozen sensor: real
		// sensors always jitter.
		if a.stuck[sn.Name], err = alarm.NewStuckDetector(0, ac.SensorStuckAfter); err != nil {
			return nil, err
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

// journalRule is the fault raised while the journal cannot keep records.
const journalRule = "journal/write"

// outputRule is the fault raised while a fan's duty cannot be set.
func outputRule(fan string) string { return "fan/" + fan + "/output" }

// mainQuantity is the reading a sensor is stuck on if it stops changing.
// It is "" for the gas index sensors: their indices legitimately hold one
// value for hours (VOC 100, NOx 1 in steady clean air), so an unchanging
// index is no sign of a frozen sensor.
func mainQuantity(t config.SensorType) sample.Quantity {
	switch {
	case t == config.SPS30:
		return sample.PM25
	case t.IsSCD4x():
		return sample.CO2
	case t.IsPressure():
		return sample.Pressure
	}
	return ""
}

// evaluate runs every rule for this period.
func (a *alarms) evaluate(now time.Time, d *Daemon) {
	var evs []alarm.Event
	add := func(e []alarm.Event, err error) {
		if err != nil {
			d.log.Error("alarm rule", "err", err)
		}
		evs = append(evs, e...)
	}
	// Instantaneous values and averages in the staff zones.
	for _, z := range d.cfg.Zones {
		for _, q := range []sample.Quantity{sample.PM25, sample.CO2, sample.VOCIndex} {
			v, ok := zoneValue(d.sensors, z.Name, q, now)
			for _, lvl := range []string{"warning", "alarm"} {
				if id := z.Name + "/" + string(q) + "/" + lvl; a.rules[id] {
					add(a.eng.Evaluate(now, id, v, ok))
				}
			}
		}
	}
	for _, b := range d.cfg.Zones {
		id := b.Name + "/pressure/containment"
		if !a.rules[id] {
			continue
		}
		v, ok := zoneValue(d.sensors, b.Name, sample.Pressure, now)
		if ok {
			avg, found := a.pressure[b.Name]
			if !found {
				avg = &ewma{tau: 5 * time.Minute}
				a.pressure[b.Name] = avg
			}
			v = avg.add(now, v)
		}
		add(a.eng.Evaluate(now, id, v, ok))
	}
	for _, e := range d.expo {
		snap := e.snap
		if id := e.zone + "/" + string(e.q) + "/stel"; a.rules[id] {
			add(a.eng.Evaluate(now, id, float64(snap.STEL), snap.STEL.Known()))
		}
		if id := e.zone + "/" + string(e.q) + "/twa"; a.rules[id] {
			add(a.eng.Evaluate(now, id, snap.TWA8h, snap.Coverage8h > 0))
		}
	}
	// Sensor faults.
	for _, s := range d.sensors {
		n := s.cfg.Name
		stale := !s.lastSuccess.IsZero() && now.Sub(s.lastSuccess) > max(s.cfg.StaleAfter, a.staleAfter) ||
			s.lastSuccess.IsZero() && s.failures > 0
		crc := s.failures > 0 && errors.Is(s.lastErr, sensirion.ErrCRC)
		outOfRange, stuck := false, false
		for _, smp := range s.samples() {
			if smp.Quality == sample.OutOfRange {
				outOfRange = true
			}
		}
		if q := mainQuantity(s.cfg.Type); q != "" {
			// The raw sample: the detector must see the value move again
			// to clear, even while the loop distrusts it.
			if smp, ok := s.latest[q]; ok && smp.Quality == sample.Good {
				stuck = a.stuck[n].Update(now, smp.Value)
			}
		}
		switch {
		case stuck && s.frozen == nil:
			s.frozen = fmt.Errorf("reading unchanged for %s: the sensor looks frozen", d.cfg.Alarms.SensorStuckAfter)
			d.log.Warn("sensor reading frozen; treated as unknown air until it changes", "sensor", n,
				"hint", "power-cycle the sensor or check its fan (SPS30) and cable")
		case !stuck:
			s.frozen = nil
		}
		add(a.eng.SetCondition(now, "sensor/"+n+"/stale", stale, 0))
		add(a.eng.SetCondition(now, "sensor/"+n+"/crc", crc, float64(s.errs["crc"])))
		add(a.eng.SetCondition(now, "sensor/"+n+"/range", outOfRange, 0))
		add(a.eng.SetCondition(now, "sensor/"+n+"/stuck", stuck, 0))
	}
	// Fan outputs that cannot be set, and stalls.
	for _, f := range d.fans {
		add(a.eng.SetCondition(now, outputRule(f.cfg.Name), f.err != nil, 0))
	}
	for _, f := range d.fans {
		det, ok := a.stall[f.cfg.Name]
		if !ok {
			continue
		}
		rpm := -1.0
		if f.rpm != nil {
			rpm = *f.rpm
		}
		add(a.eng.SetCondition(now, "fan/"+f.cfg.Name+"/stall", det.Update(now, f.last.Duty, rpm), rpm))
	}
	for _, e := range evs {
		d.log.Info("alarm", "kind", e.Kind, "level", e.Level, "rule", e.RuleID, "alarm_id", e.AlarmID, "value", e.Value, "msg", e.Message)
	}
	a.record(evs)
}

func (a *alarms) record(evs []alarm.Event) {
	a.pending = append(a.pending, evs...)
	a.recent = append(a.recent, evs...)
	if n := len(a.recent); n > recentEvents {
		a.recent = append([]alarm.Event(nil), a.recent[n-recentEvents:]...)
	}
}

// zoneValue is the mean of the zone's good samples of q.
func zoneValue(sensors []*sensor, zone string, q sample.Quantity, now time.Time) (float64, bool) {
	sum, n := 0.0, 0
	for _, s := range sensors {
		if s.cfg.Zone != zone {
			continue
		}
		if smp, ok := s.latest[q]; ok && s.trusted(smp).Valid(now, s.cfg.StaleAfter) {
			sum += smp.Value
			n++
		}
	}
	if n == 0 {
		return 0, false
	}
	return sum / float64(n), true
}
