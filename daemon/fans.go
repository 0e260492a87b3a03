package daemon

import (
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/control"
	"github.com/ventd/ventd/drivers/fan"
	"github.com/ventd/ventd/record"
	"github.com/ventd/ventd/sample"
	"github.com/ventd/ventd/sensor"
)

// fanOut is one fan: its output, its controller, what it was last told.
type fanOut struct {
	cfg    config.Fan
	out    fan.Output
	tach   fan.Tachometer
	ctl    control.Law
	booths []*sensor.Sensor // the PM sensors of the zones it serves
	staff  []*sensor.Sensor // the PM sensors of the staff zones
	dp     []*sensor.Sensor // the pressure sensors of the zones it serves
	last   control.Decision
	rpm    *float64
	err    error
	in     control.Input // reused each period
}

// fanParams is the law's tuning for fan fc under cfg.
func (d *Daemon) fanParams(cfg *config.Config, fc config.Fan) control.FanParams {
	p := control.DefaultFanParams()
	p.MinDuty, p.MaxDuty, p.SafeDuty = fc.MinDuty/100, fc.MaxDuty/100, fc.SafeDuty/100
	c := cfg.Control
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
	if e := cfg.Thresholds.EntryPM25; e > 0 {
		p.Entry = e
	}
	if bp := cfg.Alarms.BoothPressurePa; bp < 0 {
		p.PressureTarget = bp - 1 // 1 Pa inside the alarm level
	}
	return p
}

func (d *Daemon) newFan(fc config.Fan) (*fanOut, error) {
	p := d.fanParams(d.cfg, fc)
	newLaw := d.newLaw
	ctl, err := newLaw(fc, p)
	if err != nil {
		return nil, fmt.Errorf("fan %s: %w", fc.Name, err)
	}
	out, err := d.hw.Fan(fc)
	if err != nil {
		return nil, fmt.Errorf("fan %s: %w", fc.Name, err)
	}
	tach, err := d.hw.Tach(fc)
	if err != nil {
		out.Halt()
		return nil, fmt.Errorf("fan %s tachometer: %w", fc.Name, err)
	}
	f := &fanOut{cfg: fc, out: out, tach: tach, ctl: ctl}
	// Until the first reading, the booth is unknown: safe duty now.
	if err := out.SetDuty(p.SafeDuty); err != nil {
		out.Halt()
		return nil, fmt.Errorf("fan %s: setting the safe duty: %w", fc.Name, err)
	}
	f.last = control.Decision{Duty: p.SafeDuty, Mode: control.ModeSafe, Reason: "starting"}
	return f, nil
}

// linkFans tells each fan which sensors it steers by: the PM sensors of
// the booths it serves, those of the staff zones, and the booths' pressure
// sensors.
func (d *Daemon) linkFans() {
	for _, f := range d.fans {
		for _, s := range d.sensors.All() {
			sc := s.Config()
			if sc.Type.IsPressure() && contains(f.cfg.Zones, sc.Zone) {
				f.dp = append(f.dp, s)
			}
			if !sc.Type.Measures(sample.PM25) {
				continue
			}
			if contains(f.cfg.Zones, sc.Zone) {
				f.booths = append(f.booths, s)
			} else if z := d.cfg.Zone(sc.Zone); z != nil && z.Kind == config.Staff {
				f.staff = append(f.staff, s)
			}
		}
	}
}

// decide runs the fan's law on the period's samples and sets the duty.
func (f *fanOut) decide(now time.Time, log *slog.Logger) {
	in := &f.in
	in.Booth, in.Staff, in.Pressure = in.Booth[:0], in.Staff[:0], in.Pressure[:0]
	for _, s := range f.booths {
		in.Booth = append(in.Booth, s.Sample(sample.PM25))
	}
	for _, s := range f.staff {
		in.Staff = append(in.Staff, s.Sample(sample.PM25))
	}
	for _, s := range f.dp {
		in.Pressure = append(in.Pressure, s.Sample(sample.Pressure))
	}
	dec := f.ctl.Update(now, *in)
	if dec.Mode != f.last.Mode {
		log.Info("fan mode", "fan", f.cfg.Name, "mode", dec.Mode, "duty", fmt.Sprintf("%.0f%%", dec.Duty*100), "reason", dec.Reason)
	}
	f.last = dec
	if err := f.out.SetDuty(dec.Duty); err != nil {
		if f.err == nil {
			log.Error("setting fan duty failed", "fan", f.cfg.Name, "err", err)
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
	f.rpm = &rpm
}

// toSafe sets the fan's safe duty: on shutdown, ventd is no longer
// watching the air, so the fan must assume the worst.
func (f *fanOut) toSafe(why string, log *slog.Logger) {
	safe := f.cfg.SafeDuty / 100
	if err := f.out.SetDuty(safe); err != nil {
		log.Error("could not set the safe duty", "fan", f.cfg.Name, "err", err)
	}
	f.last = control.Decision{Duty: safe, Mode: control.ModeSafe, Reason: why}
}

// state is the fan's part of the period's record.
func (f *fanOut) state() record.Fan {
	s := record.Fan{
		Name: f.cfg.Name, Zones: f.cfg.Zones, Duty: round(f.last.Duty, 4),
		Mode: f.last.Mode, Reason: f.last.Reason, RPM: f.rpm,
		SecondsToEntry: f.ctl.SecondsToEntry(),
	}
	if f.err != nil {
		s.Error = f.err.Error()
	}
	return s
}

// round keeps the digits a duty can carry.
func round(v float64, digits int) float64 {
	p := math.Pow10(digits)
	return math.Round(v*p) / p
}

// boothsTrusted reports whether every booth sample of the last period was
// a good measurement.
func (f *fanOut) boothsTrusted() bool {
	for _, smp := range f.in.Booth {
		if smp.Quality != sample.Good {
			return false
		}
	}
	return len(f.in.Booth) > 0
}
