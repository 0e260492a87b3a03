package daemon

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"periph.io/x/conn/v3/gpio"

	"github.com/ventd/ventd/clock"
	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control"
	"github.com/ventd/ventd/control/exposure"
	"github.com/ventd/ventd/journal"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/sensor"
	"github.com/ventd/ventd/snapshot"
)

// Options configure a Daemon.
type Options struct {
	Config   *config.Config
	Clock    clock.Clock
	Hardware Hardware
	Log      *slog.Logger
	// StateDir holds the journal (journal.db): the exposure record, and
	// what a restart must not lose (alarm sequence, latched alarms, the
	// VOC index's learned baseline, SPS30 run time). Empty: nothing is
	// kept.
	StateDir string
	// BeforeOpen, when set, is called before the journal is opened again
	// after a failure (a state directory that appeared after start); an
	// error keeps it closed and is reported as the journal's fault. ventd
	// takes the state directory's lock here, so a directory made after
	// start cannot be shared by two daemons.
	BeforeOpen func() error
	Sim        bool // marks records as simulated
	// AlarmOutput, when set, is the beacon/buzzer relay of the config's
	// alarm_output, switched on while an unacknowledged alarm at or above
	// its level is active.
	AlarmOutput gpio.PinOut
	// NewLaw builds the room's control law from the parameters
	// control.ParamsFor makes of the config (at start and on every reload);
	// nil means ventd's own, control.NewRoom. ventbench passes its
	// baselines here, so every law it compares runs the site's config
	// through the same mapping and the same loop.
	NewLaw func(p control.Params) (control.Law, error)
	// Scenario, under simulation, says what the simulated room is doing,
	// for the record.
	Scenario func() []string
	// OnPeriod, when set, is called at the end of every control period, on
	// the loop's goroutine, with the period's wall-clock duration (time.Now,
	// not the simulated clock): /metrics' loop duration histogram. It must
	// return at once.
	OnPeriod func(took time.Duration)
}

// Daemon is the running room controller.
type Daemon struct {
	cfg      *config.Config
	cfgHash  string
	clk      clock.Clock
	hw       Hardware
	log      *slog.Logger
	sim      bool
	scenario func() []string
	onPeriod func(took time.Duration)
	law      control.Law     // one law for the room's fans
	inputs   []sample.Sample // the law's input, reused each period
	// lawBooths is the law's booths after its last Update: the alarms and
	// the record read them, once a period (see boothStatus).
	lawBooths []control.BoothStatus
	decayObs  []int                       // each booth's decay observations at the last period (booths.go)
	booths    []record.Booth              // the last record's booths, shared while they stay the same
	staff     *record.StaffAir            // the last record's staff area, shared while it stays the same
	fanRec    []record.Fan                // the last record's fans, likewise
	inZone    map[string][]*sensor.Sensor // each zone's sensors (zoneSensors)
	minZones  []*zoneMinutes              // every minute aggregate (minuteZones)
	lawReads  []lawRead                   // the samples the law reads (lawInputs)
	// cfgKept is what save keeps of the configuration of, in order.
	cfgKept struct {
		of *config.Config
		kv [][2]string
	}
	period  time.Duration
	started time.Time

	sensors *sensor.Set
	fans    []*fanOut
	expo    []*zoneExposure
	// outdoor are the outdoor air's minute aggregates: journaled as
	// context for the exposure records, and no record themselves.
	outdoor []*zoneMinutes
	alarms  *alarms
	beacon  *beacon
	clockOK *bool // last clock synchronisation status recorded

	journal  *journal.Journal // nil without a state dir or when it failed to open
	salvaged *journal.Journal // a damaged journal moved aside at start, read for restore
	replaced []journal.Replacement
	recorder *journal.Recorder
	fault    error             // journalFault's answer for the period faultOf
	faultOf  *record.Period    // (the period being built when it was found)
	saved    map[string]string // state last handed to the journal
	// toSave is save's map of the state to keep, emptied and filled again
	// each minute: never published (what changed is copied into the
	// record), so one map serves every save.
	toSave   map[string]string
	lastSave time.Time

	number   uint64
	overruns uint64
	// lastNow is the previous period's time, monotonic reading and all,
	// to see the wall clock stepped (clockStep); refusedLogged is when a
	// refused exposure sample was last logged.
	lastNow, refusedLogged time.Time
	// stepped is how far the wall clock stepped forward or back since
	// the last period, beyond the monotonic clock (0: it did not).
	stepped time.Duration
	// behind is how far the clock is behind the exposure record this
	// period, 0 when it is not, and behindFrom where the record stands;
	// held is what was measured meanwhile, not yet journaled (holdApart).
	behind     time.Duration
	behindFrom time.Time
	held       heldApart
	// farBehind is set once the clock was more than maxJournalAhead
	// behind the record, until the record resumes: the clock fault.
	farBehind bool
	stopping  bool           // shutdown: the last record says so
	beats     heartbeat      // when the last period finished, for the watchdog
	cur       *record.Period // the period being built
	slabs     slabs          // where records are made from (step.go)
	hub       *record.Hub
	view      *snapshot.View
	latest    atomic.Pointer[record.Period]
	// requests carries requests into the loop, so the loop alone touches
	// the controllers; buffered so a caller never waits to queue one.
	requests chan request
	budget   requestBudget // the journal's allowance of requests (budget.go)
}

// New opens every sensor and fan the config names and sets every fan to its
// safe duty before anything else. A sensor or fan that cannot be opened yet
// is not fatal: the loop keeps trying, the other fans run safe, and the
// fault alarms say which part is out. Exiting instead would leave every fan
// uncontrolled, the alarm output silent and the page dark.
func New(o Options) (*Daemon, error) {
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.NewLaw == nil {
		o.NewLaw = func(p control.Params) (control.Law, error) { return control.NewRoom(p) }
	}
	d := &Daemon{cfg: o.Config, cfgHash: o.Config.Hash(), clk: o.Clock, hw: o.Hardware, log: o.Log, sim: o.Sim, scenario: o.Scenario, onPeriod: o.OnPeriod,
		hub: record.NewHub(), view: &snapshot.View{}, requests: make(chan request, requestQueue), saved: map[string]string{}}
	if p, ok := o.Hardware.(interface {
		OnPurge(func(zone string, cancel bool) error)
	}); ok {
		// A simulated room whose scenario asks for purges, as staff do.
		p.OnPurge(func(zone string, cancel bool) error {
			return d.QueuePurge(zone, record.Actor{Name: "scenario", Via: "scenario"}, "the scenario's purge event", cancel)
		})
	}
	// The law before any hardware: a config it cannot run touches no fan.
	params, err := control.ParamsFor(o.Config)
	if err == nil {
		d.law, err = o.NewLaw(params)
	}
	if err != nil {
		return nil, fmt.Errorf("control law: %w", err)
	}
	d.period = o.Config.Control.Period
	if d.period <= 0 {
		d.period = time.Second
	}
	now := d.clk.Now()
	d.started = now
	d.cur = &record.Period{}
	// Fans first: until the first reading the air is unknown, and the
	// fans must be at their safe duty before the journal is opened or
	// a sensor is touched.
	for _, fc := range o.Config.Fans {
		d.fans = append(d.fans, d.newFan(fc))
	}
	openErr := d.openJournal(o.StateDir, now)
	d.sensors, err = sensor.New(o.Config.Sensors, d.hw.Bus, sensor.Opts{Clock: d.clk, Log: o.Log,
		Saved: d.savedValue, StuckAfter: o.Config.Alarms.SensorStuckAfter, Period: o.Config.Control.Period})
	if err != nil {
		d.Close()
		return nil, err
	}
	sched, err := exposure.ConfigSchedule(o.Config)
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("shifts: %w", err)
	}
	if d.expo, err = newExposures(o.Config, d.sensors, sched); err != nil {
		d.Close()
		return nil, err
	}
	d.outdoor = newOutdoorMinutes(o.Config, d.sensors)
	if d.alarms, err = newAlarms(o.Config, d.fans, o.StateDir != ""); err != nil {
		d.Close()
		return nil, err
	}
	if ao := o.Config.AlarmOutput; ao != nil && o.AlarmOutput != nil {
		d.beacon = &beacon{pin: o.AlarmOutput, activeLow: ao.ActiveLow, log: o.Log}
		if err := d.beacon.level.UnmarshalText([]byte(ao.Level)); err != nil {
			d.Close()
			return nil, fmt.Errorf("alarm_output.level: %w", err)
		}
	}
	d.restore(now, o.StateDir != "")
	for _, e := range d.expo {
		if e.last.IsZero() {
			// From now, where the restore's daemon_down gap ends, to the
			// first period (sensors opened, the journal read: 0.667 s
			// simulated) no one measured: it was in no gap row. The
			// first period says why (starting, or a sensor failed from
			// the start); a clock behind the record waits instead.
			e.gapStart, e.gapReason = now.Round(0), record.GapStarting
		}
	}
	for _, e := range d.expo {
		e.tr.ResetTotals() // counters start with the process, not with the rebuilt hours
	}
	d.recordFactors(now, o.StateDir != "")
	d.closeSalvaged()
	d.checkClock(now)
	d.hub.Attach("snapshot", d.view, nil)
	d.hub.Attach("log", &roomLog{log: o.Log}, nil)
	if o.StateDir != "" {
		d.recorder = journal.NewRecorder(d.journal, journal.RecorderOpts{Log: o.Log, OpenErr: openErr, Reopen: d.reopener(o.StateDir, o.BeforeOpen), Check: true})
		d.hub.Attach("journal", d.recorder, nil)
	}
	return d, nil
}

// Attach delivers every period's record to out from the next period on, on
// a goroutine of its own: out can never delay the loop (see record.Hub).
func (d *Daemon) Attach(name string, out record.Output, opts *record.AttachOpts) {
	d.hub.Attach(name, out, opts)
}

// Outputs returns each output's delivery figures (how far behind it is).
func (d *Daemon) Outputs() []record.Stats { return d.hub.Stats() }

// Snapshot returns the latest picture of the room, nil before the first
// period.
func (d *Daemon) Snapshot() *snapshot.Snapshot { return d.view.Load() }

// Latest returns the latest period record, nil before the first.
func (d *Daemon) Latest() *record.Period { return d.latest.Load() }

// Now returns the daemon's clock, for outputs that show ages.
func (d *Daemon) Now() time.Time { return d.clk.Now() }

// Config returns the configuration in force.
func (d *Daemon) Config() *config.Config { return d.cfg }

// Run runs the loop until ctx is done, then leaves every fan at its safe
// duty, publishes a last record and stops the outputs.
func (d *Daemon) Run(ctx context.Context) error {
	period := d.period
	next := d.clk.Now()
	d.log.Info("control loop running", "period", period, "sensors", len(d.sensors.All()), "fans", len(d.fans))
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

// shutdown leaves every fan at its safe duty (if ventd is not watching the
// air, the fans must assume the worst) and hands the outputs a last record
// at one instant, so the journal's final figures are the ones the outputs
// last showed.
func (d *Daemon) shutdown() {
	var left, undriven []string
	for _, f := range d.fans {
		if err := f.toSafe("ventd stopped", d.log); err != nil {
			undriven = append(undriven, fmt.Sprintf("%s (%v)", f.cfg.Name, err))
		} else {
			left = append(left, f.cfg.Name)
		}
	}
	now := d.clk.Now()
	d.cur.Time = now
	// The record ends at the last period, not at now: the next start's
	// daemon_down gap begins where this run's record stops (stoppedAt),
	// and the time between the last period and now was measured by no
	// one. Summarised up to now, the held sample counted it as measured
	// (and over the alarm level) while the restart counted it down too:
	// 0.949 s twice at every stop.
	stopped := d.recordEnd(now)
	snaps := d.exposureSnapshots()
	for i, e := range d.expo {
		end := e.stopAt(stopped)
		e.tr.RollingTo(&snaps[i], end)
		e.shift = nil // the last record's summary is a fresh one
		d.addMinute(e.flush())
		if !e.gapStart.IsZero() && end.After(e.gapStart) {
			d.addGap(e, end)
		}
	}
	if d.recorder != nil && len(d.expo) > 0 {
		d.keep(metaStoppedAt, stopped.UTC().Format(time.RFC3339Nano))
	}
	for _, o := range d.outdoor {
		d.addMinute(o.flush())
	}
	d.takeShifts()
	d.holdApart(now, true)
	d.save(now, true)
	if d.recorder != nil {
		d.keep(metaCleanStop, "1")
	}
	d.beacon.set(nil) // a deliberate stop is not an alarm
	d.summariseOverAllowance(true)
	// The last record says ventd is stopping, with the sensors as they
	// were: released first, they would read as failed, and the status
	// page and the pager would show a sensor fault for every restart.
	d.stopping = true
	d.publish(now)
	d.Close()
	if !d.hub.Close(2 * time.Second) {
		// The journal may be the one stuck (a stalled disk): it is left
		// to finish on its own rather than hold the stop up.
		d.log.Warn("an output was still busy at shutdown; its last records may be lost", "outputs", fmt.Sprint(d.hub.Stats()))
	} else if d.recorder != nil {
		d.recorder.Close(now)
	}
	if len(undriven) == 0 {
		d.log.Info("stopped; fans left at their safe duty", "fans", strings.Join(left, ", "))
		return
	}
	// A fan ventd never opened, or could not set, keeps whatever its
	// output last had: the log must not claim it safe.
	leftAt := strings.Join(left, ", ")
	if leftAt == "" {
		leftAt = "none"
	}
	d.log.Warn("stopped; not every fan could be left at its safe duty", "left_at_safe_duty", leftAt, "not_driven", strings.Join(undriven, "; "),
		"fix", "a fan ventd could not drive keeps whatever its output last had: check its wiring and the errors logged for it")
}

// Close releases sensors and fan outputs, leaving fans as they are.
func (d *Daemon) Close() {
	if d.sensors != nil {
		d.sensors.Close()
	}
	d.closeSalvaged() // New's error paths
	for _, f := range d.fans {
		f.halt()
	}
}
