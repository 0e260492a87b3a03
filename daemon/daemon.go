package daemon

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"periph.io/x/conn/v3/gpio"
	"periph.io/x/conn/v3/i2c"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control"
	"github.com/ventd/ventd/control/alarm"
	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/drivers/fan"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/snapshot"
	"github.com/ventd/ventd/testbench/i2csim"
)

// Options configure a Daemon.
type Options struct {
	Config   *config.Config
	Clock    clock.Clock
	Hardware Hardware
	Log      *slog.Logger
	// StateDir holds the journal (journal.db): the exposure record, and
	// what a restart must not lose (alarm ids, latched alarms, the VOC
	// index's learned baseline, SPS30 run time). Empty: nothing is kept.
	StateDir string
	Sim      bool // marks snapshots as simulated
	// AlarmOutput, when set, is the beacon/buzzer relay of the config's
	// alarm_output, switched on while an unacknowledged alarm at or above
	// its level is active.
	AlarmOutput gpio.PinOut
	// RecordI2C, when set, is a directory where every I2C transfer is
	// recorded, one transcript per bus (testbench/i2csim's format), so a
	// session on a real Pi can become a replay test.
	RecordI2C string
	// NewLaw builds each fan's control law from its tuning; nil means
	// ventd's own (control.NewFan). ventbench passes its baselines here.
	NewLaw func(f config.Fan, p control.FanParams) (control.Law, error)
}

// Daemon is the running room controller.
type Daemon struct {
	cfg      *config.Config
	clk      clock.Clock
	hw       Hardware
	newLaw   func(config.Fan, control.FanParams) (control.Law, error)
	log      *slog.Logger
	sim      bool
	sensors  []*sensor
	fans     []*fanOut
	expo     []*zoneExposure
	alarms   *alarms
	beacon   *beacon
	rec      *recorder
	clockOK  *bool // last clock synchronisation status recorded
	period   time.Duration
	started  time.Time
	overruns uint64
	latest   snapshot.Latest
	subs     subscribers
	// requests carries purge requests into the loop, so the loop alone
	// touches the controllers; buffered so a caller never waits on it.
	requests chan request
	beats    heartbeat
}

type request struct {
	purge  bool
	fan    string // empty: every fan
	source string
	// ack, when set, acknowledges an alarm and answers on reply.
	ack   *ackRequest
	reply chan error
	// cal, when set, runs a forced recalibration.
	cal *calRequest
}

type ackRequest struct {
	alarmID uint64 // 0: every active alarm
	who     string
	note    string
}

// fanOut is one fan: its output, its controller, what it was last told.
type fanOut struct {
	cfg    config.Fan
	out    fan.Output
	tach   fan.Tachometer
	ctl    control.Law
	booths []*sensor // the PM sensors of the zones it serves
	staff  []*sensor // the PM sensors of the staff zones
	dp     []*sensor // the pressure sensors of the zones it serves
	last   control.Decision
	rpm    *float64
	err    error
}

// New opens every sensor and fan the config names. A sensor that cannot be
// opened yet is not fatal (the loop keeps trying and the fans run safe); a
// fan that cannot be opened is, because the daemon could not keep it safe.
func New(o Options) (*Daemon, error) {
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.NewLaw == nil {
		o.NewLaw = func(_ config.Fan, p control.FanParams) (control.Law, error) { return control.NewFan(p) }
	}
	hw := o.Hardware
	if o.RecordI2C != "" {
		hw = &recordingHardware{Hardware: hw, dir: o.RecordI2C, buses: map[i2c.Bus]*i2csim.Recorder{}}
	}
	d := &Daemon{cfg: o.Config, clk: o.Clock, hw: hw, newLaw: o.NewLaw, log: o.Log, sim: o.Sim,
		requests: make(chan request, 16)}
	now := d.clk.Now()
	d.started = now
	// The journal first: sensors resume their maintenance counters from it.
	d.rec = openRecorder(o.StateDir, o.Config, now, d.clk, o.Log)
	env := newEnvironment()
	for _, sc := range o.Config.Sensors {
		dev, err := d.newDevice(sc, env)
		if err != nil {
			return nil, err
		}
		d.sensors = append(d.sensors, newSensor(sc, dev, o.Log))
	}
	d.period = o.Config.Control.Period
	if d.period <= 0 {
		d.period = time.Second
	}
	sched, err := exposure.ConfigSchedule(o.Config)
	if err != nil {
		return nil, fmt.Errorf("shifts: %w", err)
	}
	if d.expo, err = newExposures(o.Config, d.sensors, sched); err != nil {
		return nil, err
	}
	for _, fc := range o.Config.Fans {
		f, err := d.newFan(fc)
		if err != nil {
			d.Close()
			return nil, err
		}
		d.fans = append(d.fans, f)
	}
	if d.alarms, err = newAlarms(o.Config, d.fans); err != nil {
		d.Close()
		return nil, err
	}
	if ao := o.Config.AlarmOutput; ao != nil && o.AlarmOutput != nil {
		d.beacon = &beacon{pin: o.AlarmOutput, activeLow: ao.ActiveLow, log: o.Log}
		if err := d.beacon.level.UnmarshalText([]byte(ao.Level)); err != nil {
			return nil, fmt.Errorf("alarm_output.level: %w", err)
		}
	}
	d.rec.restore(now, o.Config, d.expo, d.alarms.eng)
	d.recordFactors(now, o.Config)
	d.checkClock(now)
	return d, nil
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
	d.rec.addClock(journal.ClockStatus{Time: now, Synchronized: ok, Source: "ventd", Note: note})
}

func (d *Daemon) newFan(fc config.Fan) (*fanOut, error) {
	p := control.DefaultFanParams()
	p.MinDuty, p.MaxDuty, p.SafeDuty = fc.MinDuty/100, fc.MaxDuty/100, fc.SafeDuty/100
	c := d.cfg.Control
	if c.TargetPM25 > 0 {
		p.Target = c.TargetPM25
	}
	if p.Background >= p.Target {
		p.Background = p.Target / 2
	}
	if c.RiseRate > 0 {
		p.RiseRate = c.RiseRate
	}
	if c.RampDown > 0 {
		p.RampDown = c.RampDown / 100
	}
	if c.RunOn > 0 {
		p.RunOn = c.RunOn
	}
	if e := d.cfg.Thresholds.EntryPM25; e > 0 {
		p.Entry = e
	}
	if bp := d.cfg.Alarms.BoothPressurePa; bp < 0 {
		p.PressureTarget = bp - 1 // 1 Pa inside the alarm level
	}
	ctl, err := d.newLaw(fc, p)
	if err != nil {
		return nil, fmt.Errorf("fan %s: %w", fc.Name, err)
	}
	out, err := d.hw.Fan(fc)
	if err != nil {
		return nil, fmt.Errorf("fan %s: %w", fc.Name, err)
	}
	tach, err := d.hw.Tach(fc)
	if err != nil {
		return nil, fmt.Errorf("fan %s tachometer: %w", fc.Name, err)
	}
	f := &fanOut{cfg: fc, out: out, tach: tach, ctl: ctl}
	for _, s := range d.sensors {
		if s.cfg.Type.IsPressure() && contains(fc.Zones, s.cfg.Zone) {
			f.dp = append(f.dp, s)
		}
		if s.cfg.Type != config.SPS30 {
			continue
		}
		if contains(fc.Zones, s.cfg.Zone) {
			f.booths = append(f.booths, s)
		} else if z := d.cfg.Zone(s.cfg.Zone); z != nil && z.Kind == config.Staff {
			f.staff = append(f.staff, s)
		}
	}
	// Until the first reading, the booth is unknown: safe duty now.
	if err := out.SetDuty(p.SafeDuty); err != nil {
		return nil, fmt.Errorf("fan %s: setting the safe duty: %w", fc.Name, err)
	}
	f.last = control.Decision{Duty: p.SafeDuty, Mode: control.ModeSafe, Reason: "starting"}
	return f, nil
}

// Snapshot returns the latest published state, nil before the first period.
func (d *Daemon) Snapshot() *snapshot.Snapshot { return d.latest.Load() }

// Now returns the daemon's clock, for outputs that show ages.
func (d *Daemon) Now() time.Time { return d.clk.Now() }

// ErrBusy means the loop has too many requests queued; try again.
var ErrBusy = errors.New("daemon busy: too many requests queued, try again")

// Purge asks the fans serving zone (every fan if zone is empty) to run at
// maximum until their booths are safe to enter. source says who asked
// (button, mqtt, page:<user>) for the log. It never blocks: the loop picks
// the request up within one period.
func (d *Daemon) Purge(zone, source string) error {
	if zone != "" && d.cfg.Zone(zone) == nil {
		return fmt.Errorf("purge: no zone %q", zone)
	}
	select {
	case d.requests <- request{purge: true, fan: zone, source: source}:
		return nil
	default:
		return ErrBusy
	}
}

// CancelPurge ends a purge early.
func (d *Daemon) CancelPurge(zone, source string) error {
	if zone != "" && d.cfg.Zone(zone) == nil {
		return fmt.Errorf("cancel purge: no zone %q", zone)
	}
	select {
	case d.requests <- request{purge: false, fan: zone, source: source}:
		return nil
	default:
		return ErrBusy
	}
}

// Acknowledge acknowledges an active alarm (every active alarm when
// alarmID is 0) for who, with an optional note. It is the entry point for
// the status page and MQTT. The loop answers within one period; Acknowledge
// waits for that answer, the loop never waits for the caller.
func (d *Daemon) Acknowledge(ctx context.Context, alarmID uint64, who, note string) error {
	if who == "" {
		return errors.New("acknowledge: say who acknowledges (a name or staff id)")
	}
	r := request{ack: &ackRequest{alarmID: alarmID, who: who, note: note}, reply: make(chan error, 1)}
	select {
	case d.requests <- r:
	default:
		return ErrBusy
	}
	select {
	case err := <-r.reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (d *Daemon) acknowledge(a ackRequest) error {
	now := d.clk.Now()
	var evs []alarm.Event
	var err error
	if a.alarmID == 0 {
		evs, err = d.alarms.eng.AcknowledgeAll(now, a.who, a.note)
	} else {
		evs, err = d.alarms.eng.Acknowledge(now, a.alarmID, a.who, a.note)
	}
	if err != nil {
		return fmt.Errorf("acknowledge: %w", err)
	}
	for _, e := range evs {
		d.log.Info("alarm", "kind", e.Kind, "rule", e.RuleID, "alarm_id", e.AlarmID, "who", e.Who, "note", e.Note)
	}
	d.alarms.record(evs)
	return nil
}

// Run runs the loop until ctx is done, then leaves every fan at its safe
// duty and stops the sensors.
func (d *Daemon) Run(ctx context.Context) error {
	period := d.period
	next := d.clk.Now()
	d.log.Info("control loop running", "period", period, "sensors", len(d.sensors), "fans", len(d.fans))
	d.rec.start(next)
	for ctx.Err() == nil {
		d.step(next)
		next = next.Add(period)
		now := d.clk.Now()
		if behind := now.Sub(next); behind > period {
			// The loop overran (a slow sensor re-init): skip the missed
			// periods rather than run them back to back.
			d.log.Warn("control loop overran", "behind", behind)
			d.overruns++
			next = now
		}
		d.clk.Sleep(next.Sub(now))
	}
	d.shutdown()
	return nil
}

// step runs one control period at now.
func (d *Daemon) step(now time.Time) {
	if st, ok := d.hw.(Stepper); ok {
		if err := st.Step(now); err != nil {
			d.log.Error("simulation step", "err", err)
		}
	}
	d.drainRequests()
	for _, s := range d.sensors {
		s.update(d.clk.Now())
	}
	now = d.clk.Now()
	d.account(now)
	for _, f := range d.fans {
		in := control.Input{Booth: make([]sample.Sample, 0, len(f.booths)), Staff: make([]sample.Sample, 0, len(f.staff))}
		for _, s := range f.booths {
			in.Booth = append(in.Booth, s.sample(sample.PM25, now))
		}
		for _, s := range f.staff {
			in.Staff = append(in.Staff, s.sample(sample.PM25, now))
		}
		for _, s := range f.dp {
			in.Pressure = append(in.Pressure, s.sample(sample.Pressure, now))
		}
		dec := f.ctl.Update(now, in)
		if dec.Mode != f.last.Mode {
			d.log.Info("fan mode", "fan", f.cfg.Name, "mode", dec.Mode, "duty", dec.Duty, "reason", dec.Reason)
		}
		f.last = dec
		if err := f.out.SetDuty(dec.Duty); err != nil {
			if f.err == nil {
				d.log.Error("setting fan duty failed", "fan", f.cfg.Name, "err", err)
			}
			f.err = err
		} else {
			f.err = nil
		}
		f.readTach()
	}
	if err := d.rec.fault(); err != nil {
		evs, _ := d.alarms.eng.SetCondition(now, journalRule, true, 0)
		d.alarms.record(evs)
	} else {
		evs, _ := d.alarms.eng.SetCondition(now, journalRule, false, 0)
		d.alarms.record(evs)
	}
	d.alarms.evaluate(now, d)
	d.rec.addEvents(d.alarms.pending)
	d.alarms.pending = d.alarms.pending[:0]
	d.beacon.set(d.alarms.eng.Active())
	if now.Sub(now.Truncate(10*time.Minute)) < d.period {
		d.checkClock(now)
	}
	if d.rec.due(now) {
		d.recordShifts(now)
		d.rec.flush(now, d.meta())
	}
	d.freezeLearning()
	snap := d.buildSnapshot(now)
	d.latest.Store(snap)
	d.subs.publish(snap)
	d.beats.beat(d.clk.Now())
}

// account updates the exposure records with this period's samples, and
// hands finished minutes and data gaps to the journal.
func (d *Daemon) account(now time.Time) {
	for _, e := range d.expo {
		m, err := e.update(now, d.period)
		d.rec.addMinute(m)
		switch {
		case !e.valid && e.gapStart.IsZero():
			e.gapStart = now
		case e.valid && !e.gapStart.IsZero():
			d.rec.addGap(journal.Gap{Start: e.gapStart, End: now, Zone: e.zone, Quantity: string(e.q), Reason: journal.GapSensorFault})
			e.gapStart = time.Time{}
		}
		e.snap = e.tr.Snapshot(now)
		if err != nil {
			// Only out-of-order time can fail here: the clock went
			// backwards. The record keeps what it has; the journal
			// notes the jump.
			d.log.Warn("exposure record refused a sample", "zone", e.zone, "quantity", e.q, "err", err)
		}
	}
}

// recordShifts hands the journal every shift that ended and the current
// shift so far.
func (d *Daemon) recordShifts(now time.Time) {
	for _, e := range d.expo {
		done, dropped := e.tr.TakeFinished()
		if dropped > 0 {
			d.log.Warn("shift summaries dropped before they were recorded", "zone", e.zone, "quantity", e.q, "dropped", dropped)
		}
		for _, sum := range done {
			d.rec.addShift(sum)
		}
		if sum, ok := e.tr.Current(now); ok {
			d.rec.addShift(sum)
		}
	}
}

// freezeLearning stops the VOC index from learning in zones where a fan
// is boosting or purging (smoke is an event, not the room's usual air), and
// tells the SPS30s whether their zone is quiet enough for a fan cleaning.
func (d *Daemon) freezeLearning() {
	for _, s := range d.sensors {
		busy := false
		for _, f := range d.fans {
			if contains(f.cfg.Zones, s.cfg.Zone) && f.last.Mode != control.ModeNormal {
				busy = true
			}
		}
		switch dev := s.dev.(type) {
		case *sgp4xDevice:
			if dev.voc != nil {
				dev.freeze(busy)
			}
		case *sps30Device:
			dev.quiet = !busy
		}
	}
}

func (f *fanOut) readTach() {
	if f.tach == nil {
		return
	}
	rpm, err := f.tach.RPM()
	if err != nil {
		zero := 0.0
		f.rpm = &zero
		return
	}
	f.rpm = &rpm
}

func (d *Daemon) drainRequests() {
	for {
		select {
		case r := <-d.requests:
			if r.ack != nil {
				r.reply <- d.acknowledge(*r.ack)
				continue
			}
			if r.cal != nil {
				d.calibrate(r.cal)
				continue
			}
			for _, f := range d.fans {
				if r.fan != "" && !contains(f.cfg.Zones, r.fan) {
					continue
				}
				if r.purge {
					f.ctl.Purge()
				} else {
					f.ctl.CancelPurge()
				}
			}
			d.log.Info("purge request", "start", r.purge, "zone", r.fan, "source", r.source)
		default:
			return
		}
	}
}

// shutdown leaves every fan at its safe duty: if ventd is not watching the
// air, the fans must assume the worst.
func (d *Daemon) shutdown() {
	for _, f := range d.fans {
		safe := f.cfg.SafeDuty / 100
		if err := f.out.SetDuty(safe); err != nil {
			d.log.Error("could not set the safe duty on shutdown", "fan", f.cfg.Name, "err", err)
		}
		f.last = control.Decision{Duty: safe, Mode: control.ModeSafe, Reason: "ventd stopped"}
	}
	// One instant for the last records and the last snapshot, so the
	// journal's final figures are the ones the outputs last showed.
	now := d.clk.Now()
	for _, e := range d.expo {
		e.snap = e.tr.Snapshot(now)
		d.rec.addMinute(e.flush())
		if !e.gapStart.IsZero() {
			d.rec.addGap(journal.Gap{Start: e.gapStart, End: now, Zone: e.zone, Quantity: string(e.q), Reason: journal.GapSensorFault})
		}
	}
	d.rec.addEvents(d.alarms.pending)
	d.recordShifts(now)
	d.rec.stop(now, d.meta(), time.Second)
	d.beacon.set(nil) // a deliberate stop is not an alarm
	d.Close()
	snap := d.buildSnapshot(now)
	d.latest.Store(snap)
	d.subs.publish(snap)
	d.subs.close()
	d.log.Info("stopped; fans left at their safe duty")
}

// Close releases sensors and fan outputs, leaving fans as they are.
func (d *Daemon) Close() {
	for _, s := range d.sensors {
		if s.opened {
			s.dev.halt()
			s.opened = false
		}
	}
	for _, f := range d.fans {
		f.out.Halt()
	}
	if r, ok := d.hw.(*recordingHardware); ok {
		if err := r.close(); err != nil {
			d.log.Error("I2C transcript incomplete", "err", err)
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
