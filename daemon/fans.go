package daemon

import (
	"fmt"
	"log/slog"
	"math"
	"slices"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control"
	"github.com/ventd/ventd/drivers/fan"
	"github.com/ventd/ventd/lograte"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/sensor"
)

// fanOut is one fan: its output and what the room's law last told it.
type fanOut struct {
	cfg  config.Fan
	out  fan.Output
	tach fan.Tachometer
	last control.Decision
	// duty is what the fan runs at: the law's duty, or on a relay off or
	// full (fan.Running), which the record, the energy and the stall
	// detector go by.
	duty  float64
	onOff bool // out is a fan.Switch
	rpm   *float64
	rpms  slab[float64] // rpm's, one for each change (readTach)
	err   error
	// errSince is when setting the duty began to fail (err set).
	errSince time.Time
	// stalled is the stall detector's verdict at the last period: driven,
	// but the tachometer reads it standing still; turned is when a stall
	// last ended (zero: none since start), and turnedWhy the fault the law
	// is told for stallHold after.
	stalled   bool
	turned    time.Time
	turnedWhy string
	// told is the fault the law was last told (control.Law.SetFanFault).
	told string

	// A fan that could not be opened has no out; retryFans tries again.
	reopen attempt[openedFan]

	// tachErr is why the tachometer of a fan whose output is open could
	// not be opened. The tachometer only watches: the fan is driven all
	// the same, and retryFans tries the tachometer again, off the loop.
	tachErr  error
	tachOpen attempt[openedTach]

	// blindLog bounds the log lines of the fan going to the staff-blind
	// duty and back (apply); blindLogged is the state the last line
	// gave, at blindAt.
	blindLog    lograte.Limiter
	blindLogged bool
	blindAt     time.Time
}

// attempt is an open retried off the loop (an open can wait on udev for a
// second, and the loop never waits on an output): started once it is
// due, its outcome taken up at a later period.
type attempt[T any] struct {
	done   chan T
	trying bool
	next   time.Time // when the next may start
}

func newAttempt[T any]() attempt[T] { return attempt[T]{done: make(chan T, 1)} }

// take returns the outcome of the attempt under way once it has come;
// until then it starts one with open, on its own goroutine, when none is
// under way and next has passed.
func (a *attempt[T]) take(now time.Time, open func() T) (r T, ok bool) {
	select {
	case r = <-a.done:
		a.trying = false
		return r, true
	default:
	}
	if !a.trying && !now.Before(a.next) {
		a.trying = true
		go func(done chan<- T) { done <- open() }(a.done)
	}
	return r, false
}

func (d *Daemon) newFan(fc config.Fan) *fanOut {
	safe := fc.SafeDuty / 100
	f := &fanOut{cfg: fc, reopen: newAttempt[openedFan](), tachOpen: newAttempt[openedTach]()}
	// Until the first reading, the booth is unknown: safe duty now.
	f.last = control.Decision{Duty: safe, Mode: control.ModeSafe, Reason: "starting", Level: math.NaN(), SecondsToEntry: -1}
	r := openFan(d.hw, fc)
	if r.err != nil {
		d.log.Error("fan cannot be opened; ventd controls the other fans and tries it again every "+fanRetry.String(),
			"fan", fc.Name, "err", r.err)
		f.err, f.reopen.next = r.err, d.clk.Now().Add(fanRetry)
		return f
	}
	f.use(r, d.clk.Now(), d.log)
	return f
}

// openFan opens fc's output, sets its safe duty, then opens its
// tachometer. The duty comes first: a tachometer only watches, so one that
// cannot be opened (a pin periph does not know, no edge detection in the
// kernel) must not leave the fan undriven: a sysfs PWM channel stays
// disabled and a relay off until the first duty is set. Its error is the
// result's tachErr, beside an open output.
func openFan(hw Hardware, fc config.Fan) openedFan {
	out, err := hw.Fan(fc)
	if err != nil {
		return openedFan{err: fmt.Errorf("fan %s: %w", fc.Name, err)}
	}
	if err := out.SetDuty(fc.SafeDuty / 100); err != nil {
		out.Halt()
		return openedFan{err: fmt.Errorf("fan %s: setting the safe duty: %w", fc.Name, err)}
	}
	tach, err := hw.Tach(fc)
	return openedFan{out: out, tach: tach, tachErr: err}
}

// use makes r's output and tachometer the fan's, at the safe duty openFan
// set; a tachometer that did not open is tried again from now.
func (f *fanOut) use(r openedFan, now time.Time, log *slog.Logger) {
	_, f.onOff = r.out.(fan.Switch)
	f.out, f.tach, f.err = r.out, r.tach, nil
	f.duty = fan.Running(r.out, f.cfg.SafeDuty/100)
	if r.tachErr != nil {
		f.tachFailed(r.tachErr, now, log)
	}
}

// tachFailed notes that the tachometer could not be opened and tries it
// again after fanRetry. Only the first failure is logged: the fault alarm
// names the pin and the error meanwhile.
func (f *fanOut) tachFailed(err error, now time.Time, log *slog.Logger) {
	if f.tachErr == nil {
		log.Error("fan's tachometer cannot be opened; the fan is driven, but a stall cannot be seen until it opens: ventd tries it again every "+fanRetry.String(),
			"fan", f.cfg.Name, "pin", f.tachPin(), "err", err)
	}
	f.tachErr, f.tachOpen.next = err, now.Add(fanRetry)
}

// tachPin is the tachometer's pin as the config names it.
func (f *fanOut) tachPin() string {
	if f.cfg.Tach == nil {
		return ""
	}
	return f.cfg.Tach.Pin
}

// hasTach reports whether the fan has a tachometer, or will have one once
// it (or its output) opens: such a fan has a stall and a tachometer rule.
func (f *fanOut) hasTach() bool { return f.tach != nil || f.tachErr != nil || f.cfg.Tach != nil }

// fanRetry is how often a fan that could not be opened is tried again.
const fanRetry = 30 * time.Second

// openedFan is the outcome of an open: an output (err nil) with its
// tachometer or why that did not open, or why the output did not.
type openedFan struct {
	out     fan.Output
	tach    fan.Tachometer
	tachErr error
	err     error
}

// openedTach is the outcome of a retried tachometer open.
type openedTach struct {
	tach fan.Tachometer
	err  error
}

// retryFans tries again, off the loop, to open the fans that could not be
// opened, and the tachometers of driven fans whose tachometer could not
// be: from then the fan is controlled, or its stalls are seen.
func (d *Daemon) retryFans(now time.Time) {
	hw := d.hw
	for _, f := range d.fans {
		// The config is copied for the open's goroutine only where one
		// may start: copied at the top of the loop it escaped to the
		// heap at every period for every fan (2 % of a simulated
		// hour's allocation).
		switch {
		case f.out == nil:
			fc := f.cfg
			r, ok := f.reopen.take(now, func() openedFan { return openFan(hw, fc) })
			switch {
			case !ok:
			case r.err != nil:
				f.err, f.reopen.next = r.err, now.Add(fanRetry)
			default:
				d.log.Info("fan opened; ventd controls it from now", "fan", f.cfg.Name)
				f.use(r, now, d.log)
			}
		case f.tachErr != nil:
			fc := f.cfg
			r, ok := f.tachOpen.take(now, func() openedTach {
				t, err := hw.Tach(fc)
				return openedTach{t, err}
			})
			switch {
			case !ok:
			case r.err != nil:
				f.tachFailed(r.err, now, d.log)
			default:
				f.tach, f.tachErr = r.tach, nil
				d.log.Info("fan's tachometer opened; its speed is watched from now", "fan", fc.Name, "pin", f.tachPin())
			}
		}
	}
}

// decide runs the room's law on the period's samples and sets each fan's
// duty.
func (d *Daemon) decide(now time.Time) {
	d.retryFans(now)
	for i, f := range d.fans {
		if why := f.fault(now); why != f.told {
			f.told = why
			d.law.SetFanFault(i, why)
			if why != "" {
				d.log.Warn("fan does not work: it, and any other fan of its booths, runs at least at its safe duty", "fan", f.cfg.Name, "why", why)
			} else {
				d.log.Info("fan works again: back under the law", "fan", f.cfg.Name)
			}
		}
	}
	decs := d.law.Update(now, d.lawInputs())
	for i, f := range d.fans {
		f.apply(now, decs[i], d.log)
	}
	// Each consumer copies what it keeps (addBooths, the alarms), so one
	// slice serves every period.
	d.lawBooths = d.law.AppendBooths(d.lawBooths[:0])
	// A booth reading the law holds frozen, before the sensor layer's
	// stuck time, is frozen from now as the stuck detector makes it: its
	// fault alarm is raised, it is unknown air in the record, and the
	// time it stood still is taken out of the exposure record. The law
	// already runs the booth's fans at their safe duty.
	for i := range d.lawBooths {
		for _, fr := range d.lawBooths[i].Frozen { // the status not copied: it is large
			if s := d.sensors.Get(fr.Sensor); s != nil {
				s.MarkFrozen(now, fr.Since, sample.PM25, fr.Value, fr.Why)
			}
		}
	}
}

// fault is why the fan does not work, for the law, or "": it cannot be
// driven (never opened, or setting its duty has failed for
// outputFaultAfter), or it stands still though driven (the stall
// detector, which has waited out a spin-up).
func (f *fanOut) fault(now time.Time) string {
	switch {
	case f.out == nil:
		return "its output cannot be opened"
	case f.err != nil && now.Sub(f.errSince) >= outputFaultAfter:
		return "its duty cannot be set"
	case f.stalled:
		return "not turning though driven (most fans turn again driven harder)"
	case !f.turned.IsZero() && now.Sub(f.turned) < stallHold:
		return f.turnedWhy
	}
	return ""
}

// stallHold is how long a fan that stalled stays at its safe duty after it
// turns again: a fan that stalls at low speed (an EC fan below its start
// voltage, a worn bearing) turns again at full and stalls again once the
// law slows it, and a booth would lose its extraction every minute or two.
// Ten minutes of full speed costs little; a fan that has turned that long
// at full is given back to the law, and one that stalls again is held
// again.
const stallHold = 10 * time.Minute

// setStalled takes the stall detector's verdict at now.
func (f *fanOut) setStalled(now time.Time, stalled bool) {
	if f.stalled && !stalled {
		f.turned = now
		f.turnedWhy = fmt.Sprintf("turning again since %s after a stall, held %.0f min in case it stalls again at a lower speed",
			now.Format("15:04:05 MST"), stallHold.Minutes())
	}
	f.stalled = stalled
}

// outputFaultAfter is how long setting a duty must fail before the fan is
// taken as not working: the output alarm's on-delay (alarm.DefaultRules),
// so that the law and the alarm speak of the same fault.
const outputFaultAfter = 5 * time.Second

// boothStatus is the law's booths as its last Update left them (they
// change nowhere else in a period), asked of the law only before the
// first.
func (d *Daemon) boothStatus() []control.BoothStatus {
	if d.lawBooths == nil {
		d.lawBooths = d.law.Booths()
	}
	return d.lawBooths
}

// lawInputs is what the law reads: the PM2.5 of every sensor that
// measures it and the pressure of every pressure sensor (a fault sample
// for one with no reading yet); the law knows which zone each is in.
func (d *Daemon) lawInputs() []sample.Sample {
	if d.lawReads == nil {
		// The set never changes while the daemon runs (see
		// zoneSensors): what each sensor gives the law is found once.
		d.lawReads = []lawRead{}
		for _, s := range d.sensors.All() {
			t := s.Config().Type
			if t.Measures(sample.PM25) {
				d.lawReads = append(d.lawReads, lawRead{s, sample.PM25})
			}
			if t.IsPressure() {
				d.lawReads = append(d.lawReads, lawRead{s, sample.Pressure})
			}
		}
	}
	d.inputs = slices.Grow(d.inputs[:0], len(d.lawReads))[:len(d.lawReads)]
	for i, r := range d.lawReads {
		r.s.SampleTo(&d.inputs[i], r.q) // in place (see SampleTo)
	}
	return d.inputs
}

// lawRead is one sample the law reads each period.
type lawRead struct {
	s *sensor.Sensor
	q sample.Quantity
}

// apply sets the duty the law decided.
func (f *fanOut) apply(now time.Time, dec control.Decision, log *slog.Logger) {
	switch {
	case dec.Mode != f.last.Mode:
		log.Info("fan mode", "fan", f.cfg.Name, "mode", dec.Mode, "duty", fmt.Sprintf("%.0f%%", dec.Duty*100), "reason", dec.Reason)
		f.blindLogged = dec.StaffBlind // the reason says it
	case dec.StaffBlind != f.last.StaffBlind || dec.StaffBlind != f.blindLogged && now.Sub(f.blindAt) >= lograte.Every:
		// Raised to the staff-blind duty (twice the minimum's air, on a
		// relay full power) or back from it: no change of mode, but one
		// an operator reading the log must see. A staff sensor that
		// comes and goes would log it every time: once a minute at most,
		// with the changes not logged since, and a change held back is
		// logged once the minute is up if it still stands, so the last
		// line says where the fan is.
		if skipped, ok := f.blindLog.Allow("staff-blind", now); ok {
			log.Info("fan mode", "fan", f.cfg.Name, "mode", dec.Mode, "duty", fmt.Sprintf("%.0f%%", dec.Duty*100), "reason", dec.Reason,
				"staff_blind", dec.StaffBlind, "changes_not_logged_since", skipped)
			f.blindLogged, f.blindAt = dec.StaffBlind, now
		}
	}
	f.last = dec
	if f.out == nil {
		f.duty = 0 // ventd drives nothing; err says why
		return
	}
	err := f.out.SetDuty(dec.Duty)
	f.duty = fan.Running(f.out, dec.Duty)
	if err != nil {
		if f.err == nil {
			log.Error("setting fan duty failed", "fan", f.cfg.Name, "err", err)
			f.errSince = now
		}
		f.err = err
	} else {
		f.err = nil
	}
	f.readTach()
}

func (f *fanOut) readTach() {
	if f.tach == nil {
		return
	}
	rpm, err := f.tach.RPM()
	if err != nil {
		rpm = 0
	}
	if f.rpm == nil || *f.rpm != rpm {
		// A new one, never written again: records share the last. Taken
		// from a slab, and only on a change: &rpm put every reading on the
		// heap, changed or not.
		p := f.rpms.next()
		*p = rpm
		f.rpm = p
	}
}

// toSafe sets the fan's safe duty: on shutdown, ventd is no longer
// watching the air, so the fan must assume the worst.
func (f *fanOut) toSafe(why string, log *slog.Logger) error {
	safe := f.cfg.SafeDuty / 100
	f.last = control.Decision{Duty: safe, Mode: control.ModeSafe, Reason: why, Level: math.NaN(), SecondsToEntry: -1}
	if f.out == nil {
		return f.err // never opened: nothing of ventd's drives it
	}
	err := f.out.SetDuty(safe)
	if err != nil {
		log.Error("could not set the safe duty", "fan", f.cfg.Name, "err", err)
	}
	f.duty = fan.Running(f.out, safe)
	return err
}

// halt releases the fan's output, leaving the fan as it is; an open still
// under way is released when it ends.
func (f *fanOut) halt() {
	if f.out != nil {
		f.out.Halt()
		return
	}
	if f.reopen.trying {
		go func() {
			if r := <-f.reopen.done; r.out != nil {
				r.out.Halt()
			}
		}()
	}
}

// fanStates returns every fan's state for the period's record: the last
// record's, shared, while no fan changed (most periods at a steady duty).
// The states are made in place (stateTo): a record.Fan returned and
// copied on was read back in 16-byte moves from the 8-byte stores that
// had just made it, which the processor cannot forward.
func (d *Daemon) fanStates() []record.Fan {
	same := len(d.fanRec) == len(d.fans)
	var cur record.Fan
	for i, f := range d.fans {
		if !same {
			break
		}
		f.stateTo(&cur)
		same = sameFan(&d.fanRec[i], &cur)
	}
	if !same {
		d.fanRec = d.slabs.fans.take(len(d.fans))[:len(d.fans)]
		for i, f := range d.fans {
			f.stateTo(&d.fanRec[i])
		}
	}
	return d.fanRec
}

// sameFan reports whether two fan states read the same (zones compared
// as the one config slice they are taken from).
func sameFan(a, b *record.Fan) bool {
	return a.Name == b.Name && a.Duty == b.Duty && a.OnOff == b.OnOff && a.Mode == b.Mode && a.Reason == b.Reason && a.FanFault == b.FanFault &&
		a.SecondsToEntry == b.SecondsToEntry && a.Error == b.Error &&
		len(a.Zones) == len(b.Zones) && (len(a.Zones) == 0 || &a.Zones[0] == &b.Zones[0]) &&
		(a.RPM == nil) == (b.RPM == nil) && (a.RPM == nil || *a.RPM == *b.RPM)
}

// stateTo sets *s to the fan's part of the period's record.
func (f *fanOut) stateTo(s *record.Fan) {
	s.Name, s.Zones, s.Duty, s.OnOff = f.cfg.Name, f.cfg.Zones, round(f.duty, 4), f.onOff
	s.Mode, s.Reason, s.FanFault, s.RPM = f.last.Mode, f.last.Reason, f.last.FanFault, f.rpm
	s.SecondsToEntry, s.Error = f.last.SecondsToEntry, ""
	if f.err != nil {
		s.Error = f.err.Error()
	}
}

// round keeps digits decimals: what a duty can carry, the staff figures' 0.01 µg/m³.
func round(v float64, digits int) float64 {
	p := math.Pow10(digits)
	return math.Round(v*p) / p
}
