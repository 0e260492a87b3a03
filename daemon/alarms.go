package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/sensor"
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
	// sensors, expo, fans and zones are the rule ids of each sensor (in
	// the sensor set's order), exposure record (d.expo's), fan and zone,
	// built once, so the loop neither builds nor hashes the same strings
	// again every second.
	sensors []built[string, sensorRules]
	expo    []built[[2]string, expoRules]
	fans    []built[string, fanRules]
	zones   []built[string, zoneRules]
	booths  []built[string, boothRules]
	// airflow is set when any booth has a low-airflow rule, apart when
	// any has a sensors-apart rule.
	airflow, apart bool
	// apartRules are the sensors-apart rules by booth ("" for the staff
	// zone's), built once.
	apartRules map[string]*apartRule
	// journal is the journal rule's input, built once; journalOn says
	// whether the rule is set.
	journal   alarm.Input
	journalOn bool
	// clock is the clock-behind rule's input; clockOn whether it is set.
	clock   alarm.Input
	clockOn bool
}

// built is a value built for key.
type built[K comparable, T any] struct {
	ok  bool
	key K
	v   T
}

// builtAt returns the value at i of list, built by build when there is
// none yet or it was built for another key.
func builtAt[K comparable, T any](list *[]built[K, T], i int, key K, build func() T) *T {
	for len(*list) <= i {
		*list = append(*list, built[K, T]{})
	}
	b := &(*list)[i]
	if !b.ok || b.key != key {
		*b = built[K, T]{ok: true, key: key, v: build()}
	}
	return &b.v
}

// sensorRules are one sensor's fault rules.
type sensorRules struct{ stale, crc, rnge, stuck, device alarm.Input }

// expoRules are one exposure record's rules; on says which are set.
type expoRules struct {
	stel, twa     alarm.Input
	stelOn, twaOn bool
}

// fanRules are one fan's fault rules, and its stall detector (nil without
// a tachometer), looked up once rather than by name every period.
type fanRules struct {
	output, stall, tach alarm.Input
	det                 *alarm.StallDetector
}

// zoneRules are one zone's containment rule; on says whether it is set.
type zoneRules struct {
	pressure alarm.Input
	on       bool
}

// boothRules are one booth's low-airflow rule; on says whether it is set.
// clearings counts the separate clearings (sessions' ends) the booth's
// measured airflow was updated in since start; obs and last are the
// measurement's observation count and time when it was last looked at.
type boothRules struct {
	airflow   alarm.Input
	on        bool
	clearings int
	obs       int
	last      time.Time
	// ended are the shares the last two whole clearings left (newest
	// last), cur the share so far in this one: the warning goes by their
	// median, so one clearing that went oddly (a door opened onto it, a
	// session still smoking in it) cannot raise or clear it alone.
	ended [2]float64
	cur   float64
}

// apartRule is one sensors-apart rule: a booth's, or the staff zone's
// (the booths' zone ""), with the sensors it compares and its detail
// while its condition holds, written once as it comes (the message is
// rendered as the warning raises).
type apartRule struct {
	in           alarm.Input
	booth, staff string // the sensors, as named in the config
	why          string
}

// evaluateApart feeds the sensors-apart rules: each booth's, or, where
// every booth (two or more) reads apart from the staff area the same way,
// the staff zone's alone: one staff sensor off is one warning naming it,
// not one per booth blaming each booth's sensor.
func (d *Daemon) evaluateApart(h alarm.Batch, now time.Time, add func([]alarm.Event, error)) {
	a := d.alarms
	bs := d.boothStatus()
	if a.apartRules == nil {
		pm := func(zone func(string) bool) string {
			var names []string
			for _, s := range d.cfg.Sensors {
				if zone(s.Zone) && s.Type.Measures(sample.PM25) {
					names = append(names, s.Name)
				}
			}
			return strings.Join(names, ", ")
		}
		staff := pm(func(name string) bool { z := d.cfg.Zone(name); return z != nil && z.Kind == config.Staff })
		a.apartRules = map[string]*apartRule{}
		for i := range bs {
			b := &bs[i]
			if id := alarm.SensorsApartRule(b.Zone); a.rules[id] {
				a.apartRules[b.Zone] = &apartRule{in: a.eng.Input(id), staff: staff, booth: pm(func(name string) bool { return name == b.Zone })}
			}
		}
		for _, z := range d.cfg.ZonesOf(config.Staff) {
			if id := alarm.SensorsApartRule(z.Name); a.rules[id] {
				a.apartRules[""] = &apartRule{in: a.eng.Input(id), staff: staff}
			}
		}
	}
	n, sign, by, least := 0, 0.0, 0.0, time.Duration(math.MaxInt64)
	for i := range bs {
		b := &bs[i] // a BoothStatus is large: not copied
		if a.apartRules[b.Zone] == nil {
			continue
		}
		if b.Apart.For >= sensorsApartAfter && (n == 0 || math.Signbit(b.Apart.By) == math.Signbit(sign)) {
			n, sign, by, least = n+1, b.Apart.By, by+b.Apart.By, min(least, b.Apart.For)
		}
	}
	staff := a.apartRules[""]
	odd := staff != nil && n >= 2 && n == len(a.apartRules)-1
	set := func(r *apartRule, on bool, value float64, why func() string) {
		switch {
		case !on:
			r.why = ""
		case r.why == "":
			r.why = why()
		}
		add(h.SetConditionDetail(r.in, now, r.why != "", value, r.why))
	}
	for i := range bs {
		b := &bs[i]
		if r := a.apartRules[b.Zone]; r != nil {
			set(r, !odd && b.Apart.For >= sensorsApartAfter, b.Apart.By, func() string {
				return fmt.Sprintf("its PM2.5 sensor %s has read %.0f µg/m³ %s the staff area's %s through %s of quiet air",
					r.booth, math.Abs(b.Apart.By), aboveBelow(b.Apart.By), r.staff, roundedHours(b.Apart.For))
			})
		}
	}
	if staff != nil {
		mean := by / float64(max(n, 1))
		set(staff, odd, -mean, func() string {
			return fmt.Sprintf("its PM2.5 sensor %s has read %.0f µg/m³ %s every booth's (all %d) through %s of quiet air",
				staff.staff, math.Abs(mean), aboveBelow(-mean), n, roundedHours(least))
		})
	}
}

// sensorsApartAfter is how much quiet air a booth's sensor and the staff
// area's must read too far apart in (control.SensorsApart) before the
// warning: an hour of it is no passing puff or door left open, and a
// sensor drifts over weeks.
const sensorsApartAfter = time.Hour

// roundedHours says d to the half hour, as a person would ("an hour",
// "2.5 hours").
func roundedHours(d time.Duration) string {
	h := math.Round(d.Hours()*2) / 2
	if h <= 1 {
		return "an hour"
	}
	return strconv.FormatFloat(h, 'f', -1, 64) + " hours"
}

// aboveBelow says which way a difference goes.
func aboveBelow(diff float64) string {
	if diff < 0 {
		return "below"
	}
	return "above"
}

// minAirflowObservations is how many clearing intervals a booth's measured
// airflow must rest on before it can raise the low-airflow warning: one
// interval is too noisy to send someone to check a filter.
const minAirflowObservations = 3

// minAirflowClearings is how many separate clearings must have been
// measured since start before the low-airflow warning can raise. The
// law's intervals are 15 s of one clearing, and its measurement starts
// from the first clearing's value: three intervals of one clearing is one
// clearing, and one that went oddly (a door opened onto it) read 23 % on a
// healthy booth of the eight-booth day and paged the manager ten minutes
// into the shift, for an hour.
const minAirflowClearings = 3

// clearingGap is the least time between two observations of a booth's
// decay that makes them two clearings: one clearing's intervals come 15 s
// apart, sessions minutes apart.
const clearingGap = 2 * time.Minute

// countClearings notes a new clearing when the booth's measurement has
// new observations after a pause longer than clearingGap.
func (r *boothRules) countClearings(dec *control.Decay) {
	if dec.Observations > r.obs && !dec.Last.IsZero() {
		if r.obs == 0 && r.last.IsZero() || dec.Last.Sub(r.last) > clearingGap {
			if r.clearings > 0 {
				r.ended = [2]float64{r.ended[1], r.cur}
			}
			r.clearings++
		}
		r.last = dec.Last
		r.cur = dec.Share
	}
	r.obs = dec.Observations
}

// share is the median of the shares the last two clearings left and the
// one so far (NaN before three clearings).
func (r *boothRules) share() float64 {
	if r.clearings < 3 {
		return math.NaN()
	}
	v := [3]float64{r.ended[0], r.ended[1], r.cur}
	slices.Sort(v[:])
	return v[1]
}

// zoneCheck is one instantaneous value rule of a zone.
type zoneCheck struct {
	in   alarm.Input
	zone string
	q    sample.Quantity
	// sensors are the zone's (zoneSensors), found at the first
	// evaluation: a map lookup a rule a period was a tenth of the rules'
	// time.
	sensors []*sensor.Sensor
	found   bool
	// again marks a check of the zone and quantity of the one before it
	// (the warning's, then the alarm's): it takes that one's value
	// instead of reading the sensors again the same period.
	again bool
	// above is the alarm level's input of a warning's zone and quantity
	// (set on the warning's check when the zone has both). While that
	// alarm is active the warning waits: smoke past both levels raised
	// the alarm after 10 s and the warning 20 s later, which read to a
	// pager as the air getting better, and the alarm already says more.
	above   alarm.Input
	isAbove bool
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
		if f.hasTach() {
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
		staleAfter: ac.SensorStaleAfter, pressure: map[string]*ewma{}}
	for _, r := range rules {
		a.rules[r.ID] = true
	}
	a.journal, a.journalOn = eng.Input(alarm.JournalRule), a.rules[alarm.JournalRule]
	a.clock, a.clockOn = eng.Input(alarm.ClockBehindRule), a.rules[alarm.ClockBehindRule]
	for _, z := range cfg.ZonesOf(config.Booth) {
		a.airflow = a.airflow || a.rules[alarm.AirflowRule(z.Name)]
		a.apart = a.apart || a.rules[alarm.SensorsApartRule(z.Name)]
	}
	for _, z := range cfg.Zones {
		for _, q := range []sample.Quantity{sample.PM25, sample.CO2, sample.VOCIndex} {
			for _, c := range []alarm.Check{alarm.CheckWarning, alarm.CheckAlarm} {
				if id := alarm.ZoneRule(z.Name, q, c); a.rules[id] {
					n := len(a.watched)
					again := n > 0 && a.watched[n-1].zone == z.Name && a.watched[n-1].q == q
					if again && c == alarm.CheckAlarm {
						a.watched[n-1].above, a.watched[n-1].isAbove = eng.Input(id), true
					}
					a.watched = append(a.watched, zoneCheck{in: eng.Input(id), zone: z.Name, q: q, again: again})
				}
			}
		}
	}
	for _, f := range fans {
		if f.hasTach() {
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
	// One lock of the engine for every rule of the period. What is read
	// meanwhile (sensors, fans, the journal's state) never calls the
	// engine, nor does add.
	h := a.eng.Hold()
	defer h.Release()
	var v float64
	var ok bool
	for i := range a.watched {
		c := &a.watched[i]
		if !c.found {
			c.sensors, c.found = d.zoneSensors(c.zone), true
		}
		if !c.again {
			v, ok = sensorsValue(c.sensors, c.q, now)
		}
		if c.isAbove && h.Active(c.above) {
			// Neither raised nor cleared meanwhile: its delays start
			// afresh once the alarm has ended.
			add(h.Evaluate(c.in, now, 0, false))
			continue
		}
		add(h.Evaluate(c.in, now, v, ok))
	}
	for i := range d.cfg.Zones {
		z := &d.cfg.Zones[i] // not a copy of the zone's whole configuration each period
		zr := builtAt(&a.zones, i, z.Name, func() zoneRules {
			id := alarm.PressureRule(z.Name)
			return zoneRules{pressure: a.eng.Input(id), on: a.rules[id]}
		})
		if !zr.on {
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
		add(h.Evaluate(zr.pressure, now, v, ok))
	}
	snaps := d.exposureSnapshots()
	for i, e := range d.expo {
		snap := &snaps[i]
		r := builtAt(&a.expo, i, [2]string{e.zone, string(e.q)}, func() expoRules {
			stel, twa := alarm.ZoneRule(e.zone, e.q, alarm.CheckSTEL), alarm.ZoneRule(e.zone, e.q, alarm.CheckTWA)
			return expoRules{stel: a.eng.Input(stel), twa: a.eng.Input(twa), stelOn: a.rules[stel], twaOn: a.rules[twa]}
		})
		if r.stelOn {
			add(h.Evaluate(r.stel, now, float64(snap.STEL), snap.STEL.Known()))
		}
		if r.twaOn {
			add(h.Evaluate(r.twa, now, snap.TWA8h, snap.Coverage8h > 0))
		}
	}
	for i, s := range d.sensors.All() {
		n, f := s.Name(), s.Faults(now, a.staleAfter)
		r := builtAt(&a.sensors, i, n, func() sensorRules {
			in := func(f alarm.SensorFault) alarm.Input { return a.eng.Input(alarm.SensorRule(n, f)) }
			return sensorRules{stale: in(alarm.FaultStale), crc: in(alarm.FaultCRC), rnge: in(alarm.FaultRange), stuck: in(alarm.FaultStuck), device: in(alarm.FaultDevice)}
		})
		// A sensor that says it has failed (its device alarm), or whose
		// frames keep failing their CRC, is not also "no new reading": one
		// cause, one alarm to acknowledge.
		add(h.SetCondition(r.stale, now, f.Stale && !f.Device && !f.CRC, 0))
		add(h.SetCondition(r.crc, now, f.CRC, float64(f.CRCErrors)))
		add(h.SetCondition(r.rnge, now, f.OutOfRange, 0))
		why := f.FrozenWhy
		if why == "" {
			why = "reading unchanged" // said only if a frozen sensor gave no why
		}
		add(h.SetConditionDetail(r.stuck, now, f.Frozen, 0, why))
		add(h.SetCondition(r.device, now, f.Device, 0))
	}
	for i, f := range d.fans {
		fr := builtAt(&a.fans, i, f.cfg.Name, func() fanRules {
			return fanRules{output: a.eng.Input(alarm.FanOutputRule(f.cfg.Name)), stall: a.eng.Input(alarm.FanStallRule(f.cfg.Name)),
				tach: a.eng.Input(alarm.FanTachRule(f.cfg.Name)), det: a.stall[f.cfg.Name]}
		})
		add(h.SetCondition(fr.output, now, f.err != nil, 0))
		if det := fr.det; det != nil {
			detail := ""
			if f.tachErr != nil {
				detail = f.tachErr.Error()
			}
			add(h.SetConditionDetail(fr.tach, now, f.tachErr != nil, math.NaN(), detail))
			if f.tach == nil {
				// No tachometer open (it failed, or the output is not
				// open yet): no reading is not a stopped fan. The
				// tachometer's own fault says what is missing.
				det.Reset()
				f.setStalled(now, false)
				add(h.SetCondition(fr.stall, now, false, math.NaN()))
				continue
			}
			rpm := -1.0
			if f.rpm != nil {
				rpm = *f.rpm
			}
			f.setStalled(now, det.Update(now, f.duty, rpm))
			add(h.SetCondition(fr.stall, now, f.stalled, rpm))
		}
	}
	if a.journalOn {
		add(h.SetCondition(a.journal, now, d.journalFault() != nil, 0))
	}
	if a.clockOn {
		far := d.farBehind
		detail := ""
		if far {
			detail = d.clockBehindDetail(now)
		}
		add(h.SetConditionDetail(a.clock, now, far, d.behind.Hours(), detail))
	}
	if a.apart {
		d.evaluateApart(h, now, add)
	}
	if a.airflow {
		bs := d.boothStatus()
		for i := range bs {
			b := &bs[i] // a BoothStatus is large: not copied
			r := builtAt(&a.booths, i, b.Zone, func() boothRules {
				id := alarm.AirflowRule(b.Zone)
				return boothRules{airflow: a.eng.Input(id), on: a.rules[id]}
			})
			if r.on {
				dec := &b.Decay
				r.countClearings(dec)
				share := r.share()
				// Nor while its sensor reads apart from the staff area's in
				// quiet air: a booth sensor reading high never sees its
				// smoke clear to the clean air, and its slow "clearing"
				// would send the manager to a filter that is fine.
				valid := dec.Observations >= minAirflowObservations && r.clearings >= minAirflowClearings && finite(share) && b.Apart.For == 0
				add(h.Evaluate(r.airflow, now, 100*share, valid))
			}
		}
	}
}

// addTransitions adds alarm transitions to the period's record and logs
// them at the level they deserve: an operator reading the log must see
// alarms among the routine lines.
func (d *Daemon) addTransitions(evs []alarm.Event) {
	if len(evs) == 0 {
		// The usual case, dozens of times a period: appending nothing
		// still stored the record's slice back, a write barrier each
		// while the collector runs (1 % of a bench's CPU).
		return
	}
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
		d.log.Log(context.Background(), lvl, logMessage(e), attrs...)
	}
	d.cur.Transitions = append(d.cur.Transitions, evs...)
}

// logMessage is a transition's log line: "alarm raised: PM2.5 in staff...".
// Where the event's own message already starts with what happened
// ("cleared: ...", "acknowledged by ...: ..."), saying it twice would read
// "alarm cleared: cleared: ...".
func logMessage(e alarm.Event) string {
	if strings.HasPrefix(e.Message, string(e.Kind)) {
		return "alarm " + e.Message
	}
	return "alarm " + string(e.Kind) + ": " + e.Message
}

// zoneValue is the mean of the zone's good samples of q, a reading above
// its sensor's range counting as its value (a lower bound).
func (d *Daemon) zoneValue(zone string, q sample.Quantity, now time.Time) (float64, bool) {
	return sensorsValue(d.zoneSensors(zone), q, now)
}

// sensorsValue is zoneValue over the zone's sensors.
func sensorsValue(sensors []*sensor.Sensor, q sample.Quantity, now time.Time) (float64, bool) {
	sum, n := 0.0, 0
	var smp sample.Sample
	for _, s := range sensors {
		// A staff area over 1000 µg/m³ must not go quiet because its
		// sensor saturated.
		if s.SampleTo(&smp, q); smp.AtLeast(now, s.StaleAfter()) {
			sum += smp.Value
			n++
		}
	}
	if n == 0 {
		return 0, false
	}
	return sum / float64(n), true
}

// zoneSensors returns the sensors in zone, in the set's order. The set
// never changes while the daemon runs (a reload that would change it is
// refused), so the lists are made once.
func (d *Daemon) zoneSensors(zone string) []*sensor.Sensor {
	if d.inZone == nil {
		d.inZone = map[string][]*sensor.Sensor{}
		for _, s := range d.sensors.All() {
			z := s.Config().Zone
			d.inZone[z] = append(d.inZone[z], s)
		}
	}
	return d.inZone[zone]
}
