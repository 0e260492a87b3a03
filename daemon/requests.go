package daemon

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/sample"
)

// Requests that change the room come from the control socket, MQTT, the
// status page and the purge button. Each is queued to the loop, which alone
// changes its state, answers it within a period, and records it (done or
// refused, with who asked) in the period's record. The loop never waits on
// a caller: replies go through buffered channels.

// requestQueue bounds the requests waiting for the loop.
const requestQueue = 16

// ErrBusy means the loop has too many requests queued; try again.
var ErrBusy = errors.New("daemon busy: too many requests queued, try again in a second")

// ErrNothingToAcknowledge means no active alarm awaits acknowledgement.
var ErrNothingToAcknowledge = errors.New("no active alarm awaits acknowledgement")

// request is one queued request; run executes it on the loop and returns
// the action to record.
type request struct {
	run   func(d *Daemon) record.Action
	reply chan reply        // buffered; nil: nobody waits
	by    record.Actor      // who asks, for the journal's allowance
	kind  record.ActionKind // what is asked, for a refusal over it
	// always: run even over the allowance (a purge).
	always bool
}

// reply is the loop's answer to a request.
type reply struct {
	a    record.Action
	over bool // refused over the journal's allowance (ErrOverAllowance)
}

// ErrOverAllowance means a request was refused, not run, because its way
// in (MQTT, the status page, the control socket) has asked more than the
// journal records one by one (budget.go); try again later. It is
// record's, so a way in can tell it without importing the daemon.
var ErrOverAllowance = record.ErrOverAllowance

// overAllowance is a refusal over the allowance, in words.
type overAllowance string

func (e overAllowance) Error() string        { return string(e) }
func (e overAllowance) Is(target error) bool { return target == ErrOverAllowance }

// ask queues run, asked by by, and waits for the loop's answer or ctx.
func (d *Daemon) ask(ctx context.Context, by record.Actor, kind record.ActionKind, run func(d *Daemon) record.Action) (record.Action, error) {
	r := request{run: run, reply: make(chan reply, 1), by: by, kind: kind, always: kind == record.ActPurge}
	select {
	case d.requests <- r:
	default:
		return record.Action{}, ErrBusy
	}
	select {
	case rep := <-r.reply:
		a := rep.a
		switch {
		case a.Err != "" && rep.over:
			return a, overAllowance(a.Err)
		case a.Err != "":
			return a, errors.New(a.Err)
		}
		return a, nil
	case <-ctx.Done():
		return record.Action{}, fmt.Errorf("no answer from the control loop: %w (the request may still be served)", ctx.Err())
	}
}

// drainRequests serves every queued request, within the journal's
// allowance (requestBudget).
func (d *Daemon) drainRequests() {
	defer d.summariseOverAllowance(false)
	for {
		select {
		case r := <-d.requests:
			now := d.clk.Now()
			within := d.budget.allow(r.by.Via, now)
			var a record.Action
			if within || r.always {
				a = r.run(d)
			} else {
				a = record.Action{Kind: r.kind, By: r.by, Err: d.budget.refusal(r.by.Via, now)}
			}
			a.Time = d.clk.Now()
			if !within {
				// Counted in its way's summary; logged there too, so a
				// loop does not fill the log either.
				d.budget.over(a)
				if r.reply != nil {
					r.reply <- reply{a: a, over: true}
				}
				continue
			}
			d.cur.Actions = append(d.cur.Actions, a)
			if a.Err != "" {
				msg := "request refused"
				if a.Kind == record.ActPurge {
					msg = "purge refused or not carried out"
				}
				d.log.Warn(msg, "kind", a.Kind, "target", a.Target, "by", a.By.String(), "err", a.Err)
			} else {
				d.log.Info("request served", "kind", a.Kind, "target", a.Target, "by", a.By.String(), "result", a.Result)
			}
			if r.reply != nil {
				r.reply <- reply{a: a}
			}
		default:
			return
		}
	}
}

// summariseOverAllowance adds to the period the summaries of requests
// over the journal's allowance that are due (all of them when last).
func (d *Daemon) summariseOverAllowance(last bool) {
	for _, a := range d.budget.summaries(d.clk.Now(), last) {
		d.log.Warn("requests over the journal's allowance", "via", a.Target, "summary", a.Err+a.Result)
		d.cur.Actions = append(d.cur.Actions, a)
	}
}

func checkActor(by record.Actor, what string) error {
	if strings.TrimSpace(by.Name) == "" {
		return fmt.Errorf("%s: say who asks (a name or staff id), for the record", what)
	}
	if err := record.CheckName(by.Name); err != nil {
		return fmt.Errorf("%s: the name %q %v: give a plain name or staff id, for the record", what, by.Name, err)
	}
	return nil
}

// Purge asks the fans serving zone (every booth when zone is empty) to run
// at maximum until the booths are below the entry level, so responders can
// enter. It waits for the loop (within a period) and returns what happens,
// in words: a booth already safe to enter is said so, not purged.
func (d *Daemon) Purge(ctx context.Context, zone string, by record.Actor, reason string) (string, error) {
	if err := checkActor(by, "purge"); err != nil {
		return "", err
	}
	a, err := d.ask(ctx, by, record.ActPurge, func(d *Daemon) record.Action { return d.purge(zone, by, reason, true) })
	return a.Result, err
}

// CancelPurge ends a purge early.
func (d *Daemon) CancelPurge(ctx context.Context, zone string, by record.Actor) (string, error) {
	if err := checkActor(by, "cancel purge"); err != nil {
		return "", err
	}
	a, err := d.ask(ctx, by, record.ActCancelPurge, func(d *Daemon) record.Action { return d.purge(zone, by, "", false) })
	return a.Result, err
}

// QueuePurge asks for a purge (or, with cancel, its end) as Purge and
// CancelPurge do, without waiting for the loop's answer, which is
// journaled and logged as any request's: for a simulated room's scenario,
// whose events play on the goroutine that moves the clock the loop sleeps
// on, so the request is served at the next period, the same in every run.
func (d *Daemon) QueuePurge(zone string, by record.Actor, reason string, cancel bool) error {
	if err := checkActor(by, "purge"); err != nil {
		return err
	}
	r := request{run: func(d *Daemon) record.Action { return d.purge(zone, by, reason, !cancel) }, by: by, kind: record.ActPurge, always: !cancel}
	if cancel {
		r.kind = record.ActCancelPurge
	}
	select {
	case d.requests <- r:
		return nil
	default:
		return ErrBusy
	}
}

func (d *Daemon) purge(zone string, by record.Actor, reason string, start bool) record.Action {
	a := record.Action{Kind: record.ActPurge, Target: zone, By: by, Note: reason}
	if !start {
		a.Kind = record.ActCancelPurge
	}
	if a.Target == "" {
		a.Target = "all booths"
	}
	fans, err := d.fansFor(zone)
	if err != nil {
		a.Err = err.Error()
		return a
	}
	entry := d.cfg.Thresholds.EntryPM25
	booths := map[string]control.BoothStatus{}
	for _, b := range d.law.Booths() {
		booths[b.Zone] = b
	}
	var said []string
	undriven := false // a fan a purge needs that ventd cannot set
	for _, f := range fans {
		zones := f.cfg.Zones
		if zone != "" {
			zones = []string{zone}
		}
		// What the law sees of the booths asked for: the highest level,
		// whether every sensor is trusted, whether a purge runs.
		level, trusted, purging, toEntry := math.NaN(), len(zones) > 0, false, 0.0
		for _, z := range zones {
			b, ok := booths[z]
			trusted = trusted && ok && b.Trusted && !math.IsNaN(b.Level)
			purging = purging || b.Purging
			if ok && !math.IsNaN(b.Level) && !(b.Level <= level) {
				level = b.Level
			}
			if toEntry >= 0 && b.SecondsToEntry >= 0 {
				toEntry = math.Max(toEntry, b.SecondsToEntry)
			} else {
				toEntry = -1
			}
		}
		names := strings.Join(zones, ", ")
		switch {
		case !start && !purging:
			said = append(said, fmt.Sprintf("%s: no purge was running", names))
		case !start:
			for _, z := range zones {
				d.law.CancelPurge(z)
			}
			said = append(said, fmt.Sprintf("%s: purge ended; fan %s back under automatic control", names, f.cfg.Name))
		case trusted && level < entry:
			said = append(said, fmt.Sprintf("%s: already safe to enter (PM2.5 %.0f µg/m³, entry level %g); no purge needed", names, level, entry))
		case f.err != nil:
			// Asked of the law all the same: the fan runs at maximum
			// once ventd can set it again (it tries every period, and
			// reopens a fan that never opened). Never "at maximum" now.
			for _, z := range zones {
				d.law.Purge(z)
			}
			undriven = true
			said = append(said, fmt.Sprintf("%s: NOT purging: ventd cannot set fan %s (%v), so the booth gets no extraction from it; the purge starts only once ventd can set the fan: mend it (the log says why), or clear the booth another way",
				names, f.cfg.Name, f.err))
			continue
		case !trusted:
			for _, z := range zones {
				d.law.Purge(z)
			}
			said = append(said, fmt.Sprintf("%s: PM2.5 unknown (sensor fault): fan %s at maximum, but ventd cannot tell when it is safe to enter", names, f.cfg.Name))
		default:
			for _, z := range zones {
				d.law.Purge(z)
			}
			when := "once PM2.5 falls below " + fmt.Sprint(entry) + " µg/m³"
			if toEntry > 0 {
				when = fmt.Sprintf("in about %s", fmtSeconds(toEntry))
			}
			said = append(said, fmt.Sprintf("%s: purging (PM2.5 %.0f µg/m³): fan %s at maximum; safe to enter %s", names, level, f.cfg.Name, when))
		}
		if start && len(said) > 0 {
			said[len(said)-1] += d.fanTrouble(f)
		}
	}
	if undriven {
		// Not served: ventctl exits non-zero, the status page and MQTT
		// answer an error, and the journal records why.
		a.Err = strings.Join(said, "; ")
		return a
	}
	a.Result = strings.Join(said, "; ")
	return a
}

// fansFor returns the fans that serve zone, every fan serving a booth when
// zone is empty.
func (d *Daemon) fansFor(zone string) ([]*fanOut, error) {
	if err := CheckPurgeZone(d.cfg, zone); err != nil {
		return nil, err
	}
	var out []*fanOut
	for _, f := range d.fans {
		if zone == "" || contains(f.cfg.Zones, zone) {
			out = append(out, f)
		}
	}
	return out, nil
}

// CheckPurgeZone says why zone cannot be purged in cfg, or nil: it must
// be a zone a fan clears (empty: every booth). The loop checks it, and the
// status page before it counts a PIN attempt, in the same words.
func CheckPurgeZone(cfg *config.Config, zone string) error {
	if zone == "" {
		return nil
	}
	var booths []string
	for _, z := range cfg.ZonesOf(config.Booth) {
		booths = append(booths, z.Name)
	}
	z := cfg.Zone(zone)
	switch {
	case z == nil:
		return fmt.Errorf("no zone %q; zones: %s", zone, strings.Join(booths, ", "))
	case z.Kind == config.Outdoor:
		// Said apart from "no fan serves it": the zone is no mistake
		// in the config, the request is.
		return fmt.Errorf("zone %q is the outdoor air (a sensor outside or in the supply duct): ventd reads it, no fan clears it; purge a booth: %s",
			zone, strings.Join(booths, ", "))
	case len(cfg.FansFor(zone)) == 0:
		return fmt.Errorf("no fan serves zone %q; purge a booth: %s", zone, strings.Join(booths, ", "))
	}
	return nil
}

func fmtSeconds(s float64) string {
	if s < 90 {
		return fmt.Sprintf("%.0f s", s)
	}
	return fmt.Sprintf("%.0f min", math.Ceil(s/60))
}

// Acknowledge acknowledges an active alarm (every unacknowledged one when
// alarmID is 0) for by, with an optional note, and says which.
func (d *Daemon) Acknowledge(ctx context.Context, alarmID uint64, by record.Actor, note string) (string, error) {
	if err := checkActor(by, "acknowledge"); err != nil {
		return "", err
	}
	a, err := d.ask(ctx, by, record.ActAcknowledge, func(d *Daemon) record.Action { return d.acknowledge(alarmID, by, note) })
	if err != nil && strings.Contains(err.Error(), ErrNothingToAcknowledge.Error()) {
		err = fmt.Errorf("acknowledge: %w", ErrNothingToAcknowledge)
	}
	return a.Result, err
}

func (d *Daemon) acknowledge(id uint64, by record.Actor, note string) record.Action {
	a := record.Action{Kind: record.ActAcknowledge, Target: "all", By: by, Note: note}
	now := d.clk.Now()
	var evs []alarm.Event
	var err error
	if id == 0 {
		evs, err = d.alarms.eng.AcknowledgeAll(now, by.Name, note)
		if err == nil && len(evs) == 0 {
			err = ErrNothingToAcknowledge
		}
	} else {
		a.Target = fmt.Sprint(id)
		evs, err = d.alarms.eng.Acknowledge(now, id, by.Name, note)
	}
	if err != nil {
		a.Err = fmt.Sprintf("acknowledge: %v", err)
		return a
	}
	d.addTransitions(evs)
	var acked []string
	for _, e := range evs {
		if e.Kind == alarm.Acknowledged {
			acked = append(acked, fmt.Sprintf("#%d %s", e.AlarmID, e.RuleID))
		}
	}
	a.Result = fmt.Sprintf("acknowledged %d alarm(s): %s", len(acked), strings.Join(acked, ", "))
	return a
}

// The plausible CO2 references: outdoor air is about 420 ppm; an SCD4x is
// specified to 5,000 ppm for calibration; a reference far from what the
// sensor reads now is more likely a typo or the wrong air than a sensor
// that far off.
const (
	minReferencePPM = 400
	maxReferencePPM = 5000
	// maxCorrectionPPM is how far from the sensor's reading a reference may
	// be without force: an SCD41 drifts tens of ppm a year, and a factory
	// accuracy of ±(50 ppm + 5%) leaves about this much.
	maxCorrectionPPM = 400
)

// ForcedRecalibration tells a CO2 sensor that the air it sits in now has
// referencePPM of CO2 (outdoor air: about 420 ppm; or a reference
// instrument's reading) and returns the correction the sensor applied. A
// busy smoky room never shows the sensor the fresh air its automatic
// self-calibration assumes, so this is how a technician keeps CO2 honest.
// A reference more than 400 ppm from what the sensor reads now is refused
// unless force is set. The sensor must have measured for 3 minutes in
// steady air. It runs in steps over about a second without holding the
// loop up, and is journaled with who did it.
func (d *Daemon) ForcedRecalibration(ctx context.Context, sensor string, referencePPM int, force bool, by record.Actor, note string) (int, error) {
	if err := checkActor(by, "forced recalibration"); err != nil {
		return 0, err
	}
	if referencePPM < minReferencePPM || referencePPM > maxReferencePPM {
		return 0, fmt.Errorf("forced recalibration: reference %d ppm: use the CO2 the sensor sits in, %d to %d ppm (outdoor air is about 420)", referencePPM, minReferencePPM, maxReferencePPM)
	}
	done := make(chan calResult, 1)
	_, err := d.ask(ctx, by, record.ActCalibrate, func(d *Daemon) record.Action { return d.recalibrate(sensor, referencePPM, force, by, note, done) })
	if err != nil {
		return 0, err
	}
	select {
	case r := <-done:
		return r.correction, r.err
	case <-ctx.Done():
		return 0, fmt.Errorf("forced recalibration of %s: %w (it may still finish; see the journal)", sensor, ctx.Err())
	}
}

type calResult struct {
	correction int
	err        error
}

func (d *Daemon) recalibrate(name string, ref int, force bool, by record.Actor, note string, done chan calResult) record.Action {
	a := record.Action{Kind: record.ActCalibrate, Target: name, By: by, Note: note}
	s := d.sensors.Get(name)
	if s == nil {
		a.Err = fmt.Sprintf("forced recalibration: no sensor %q", name)
		return a
	}
	now := d.clk.Now()
	if cur := s.Sample(sample.CO2); !force && cur.Valid(now, s.Config().StaleAfter) && math.Abs(cur.Value-float64(ref)) > maxCorrectionPPM {
		a.Err = fmt.Sprintf("forced recalibration of %s: it reads %.0f ppm, %.0f ppm from the reference %d ppm: is the sensor really in air at the reference? (wait 3 minutes in steady air; give -force if a reference instrument says so)",
			name, cur.Value, math.Abs(cur.Value-float64(ref)), ref)
		return a
	}
	err := s.Recalibrate(now, ref, by, note, func(corr int, err error) {
		done <- calResult{corr, err}
		// The outcome is an action of its own, recorded when it is known.
		out := record.Action{Time: d.clk.Now(), Kind: record.ActCalibrate, Target: name, By: by, Note: note}
		if err != nil {
			out.Err = err.Error()
		} else {
			out.Result = fmt.Sprintf("recalibrated to %d ppm: correction %+d ppm", ref, corr)
		}
		d.cur.Actions = append(d.cur.Actions, out)
	})
	if err != nil {
		a.Err = "forced recalibration: " + err.Error()
		return a
	}
	a.Result = fmt.Sprintf("recalibration of %s to %d ppm started; about a second", name, ref)
	return a
}

// fanTrouble is what a purge's answer adds for a fan that cannot do it: a
// responder reading "fan at maximum" would take the purge as under way.
// It is empty for a fan that works. (A fan ventd cannot set at all is no
// purge: purge says so instead of "at maximum".)
func (d *Daemon) fanTrouble(f *fanOut) string {
	if f.err != nil {
		return fmt.Sprintf("; but ventd cannot set fan %s (%v): mend it before the booth fills again", f.cfg.Name, f.err)
	}
	stall := alarm.FanStallRule(f.cfg.Name)
	for _, a := range d.alarms.eng.Active() {
		if a.RuleID == stall && a.Condition {
			return fmt.Sprintf("; but fan %s is not turning (stall fault): the booth gets no extraction and will not clear", f.cfg.Name)
		}
	}
	return ""
}
