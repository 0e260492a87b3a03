package control

import (
	"fmt"
	"math"
	"time"

	"github.com/ventd/ventd/sample"
)

// The baselines are what ventd is measured against in ventbench: a fan at
// a fixed duty, the on/off switch with hysteresis that most installed
// systems use, and a proportional controller on the booth's PM2.5. Each
// runs one fan from its own booths' sensors alone, as such controllers do,
// inside the guard ventd's law keeps too (safe duty on untrusted booth
// data, purge on request).

// FanLaw is a law for one fan, seeing only the booths it serves.
type FanLaw interface {
	Update(now time.Time, in FanInput) Decision
	Purge()
	CancelPurge()
	Purging() bool
	SecondsToEntry() float64
}

// FanInput is what a per-fan law sees: the latest PM2.5 sample of each
// sensor in the booths the fan serves.
type FanInput struct {
	Booth []sample.Sample
}

var (
	_ FanLaw = (*Fixed)(nil)
	_ FanLaw = (*OnOff)(nil)
	_ FanLaw = (*Proportional)(nil)
)

// Fixed runs the fan at one duty whatever the air.
type Fixed struct {
	guard
	duty float64
	// Bare leaves out the guard's safe duty on untrusted data: the fan
	// holds its duty whatever the sensors say. It is the physical bound
	// ("the fan at minimum all day"), not a controller anyone should run.
	bare bool
	// why is the reason every decision gives, made once: the law runs
	// every period and the text never changes.
	why string
}

// NewFixed returns a law that holds duty, which must lie within the fan's
// MinDuty..MaxDuty.
func NewFixed(f FanSpec, t Tuning, duty float64) (*Fixed, error) {
	if !(duty >= f.MinDuty && duty <= f.MaxDuty) {
		return nil, fmt.Errorf("control: fixed duty %g is outside fan %s's range %g..%g", duty, f.Name, f.MinDuty, f.MaxDuty)
	}
	return &Fixed{guard: guard{f: f, t: t}, duty: duty, why: fmt.Sprintf("fixed duty %.0f%%", 100*duty)}, nil
}

// NewBare returns a fixed duty with no guard at all (see Fixed.bare).
func NewBare(f FanSpec, t Tuning, duty float64) (*Fixed, error) {
	l, err := NewFixed(f, t, duty)
	if err == nil {
		l.bare = true
	}
	return l, err
}

// isBare reports whether the law ignores every guard (NewBare), a fan
// that does not work too (perFan).
func (f *Fixed) isBare() bool { return f.bare }

// Update holds the fixed duty unless the guard overrides it.
func (f *Fixed) Update(now time.Time, in FanInput) Decision {
	level, d, override := f.check(now, in)
	if override && !f.bare {
		return d
	}
	d.Duty, d.Mode, d.Reason = f.duty, ModeNormal, f.why
	d.Level = level
	return d
}

// OnOff is the thermostat-style control of common installations: maximum
// when the booth PM2.5 reaches On, minimum once it falls below Off.
type OnOff struct {
	guard
	on, off float64
	high    bool
	// onWhy and offWhy are the reasons of the two states, made once.
	onWhy, offWhy string
}

// NewOnOff returns an on/off law switching to MaxDuty at on µg/m³ and back
// to MinDuty below off; off < on is the hysteresis.
func NewOnOff(f FanSpec, t Tuning, on, off float64) (*OnOff, error) {
	if !(on > off && off >= 0) {
		return nil, fmt.Errorf("control: on/off thresholds on %g, off %g: want 0 ≤ off < on", on, off)
	}
	return &OnOff{guard: guard{f: f, t: t}, on: on, off: off,
		onWhy:  fmt.Sprintf("booth PM2.5 reached %g µg/m³", on),
		offWhy: fmt.Sprintf("booth PM2.5 below %g µg/m³", on)}, nil
}

// Update switches on the highest booth level, unless the guard overrides it.
func (o *OnOff) Update(now time.Time, in FanInput) Decision {
	level, d, override := o.check(now, in)
	if override {
		return d
	}
	switch {
	case level >= o.on:
		o.high = true
	case level < o.off:
		o.high = false
	}
	if o.high {
		d.Duty, d.Mode, d.Reason = o.f.MaxDuty, ModeBoost, o.onWhy
	} else {
		d.Duty, d.Mode, d.Reason = o.f.MinDuty, ModeNormal, o.offWhy
	}
	return d
}

// Proportional runs the fan in proportion to the booth's PM2.5: minimum at
// Low, maximum at High and above, linear between.
type Proportional struct {
	guard
	low, high float64
	why       string // the reason, made once
}

// NewProportional returns a proportional law over low..high µg/m³.
func NewProportional(f FanSpec, t Tuning, low, high float64) (*Proportional, error) {
	if !(high > low && low >= 0) {
		return nil, fmt.Errorf("control: proportional band %g..%g: want 0 ≤ low < high", low, high)
	}
	return &Proportional{guard: guard{f: f, t: t}, low: low, high: high,
		why: fmt.Sprintf("proportional to booth PM2.5 over %g..%g µg/m³", low, high)}, nil
}

// Update follows the highest booth level, unless the guard overrides it.
func (p *Proportional) Update(now time.Time, in FanInput) Decision {
	level, d, override := p.check(now, in)
	if override {
		return d
	}
	u := clamp((level-p.low)/(p.high-p.low), 0, 1)
	d.Duty = p.f.MinDuty + (p.f.MaxDuty-p.f.MinDuty)*u
	d.Mode, d.Reason = ModeNormal, p.why
	return d
}

// perFan runs one FanLaw per fan as a room's Law.
type perFan struct {
	p      Params
	build  func(f FanSpec, t Tuning) (FanLaw, error)
	laws   []FanLaw
	byName map[string]sample.Sample
	now    time.Time
	// in holds the samples a fan's law is given, reused: no law keeps
	// its input past Update, and the laws run every period.
	in []sample.Sample
	// faults are the fans that do not work (SetFanFault).
	faults fanFaults
}

// PerFan makes a room's Law of one per-fan law for each fan, built by
// build from the fan and the tuning; each sees only its own booths.
func PerFan(p Params, build func(f FanSpec, t Tuning) (FanLaw, error)) (Law, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	l := &perFan{p: p, build: build, byName: map[string]sample.Sample{}}
	for _, f := range p.Fans {
		fl, err := build(f, p.Tuning)
		if err != nil {
			return nil, fmt.Errorf("fan %s: %w", f.Name, err)
		}
		l.laws = append(l.laws, fl)
	}
	return l, nil
}

func (l *perFan) Update(now time.Time, in []sample.Sample) []Decision {
	l.now = now
	clear(l.byName)
	for _, s := range in {
		l.byName[s.Sensor] = s
	}
	out := make([]Decision, len(l.laws))
	for i, f := range l.p.Fans {
		l.in = l.appendBoothSamples(l.in[:0], f.Booths...)
		out[i] = l.laws[i].Update(now, FanInput{Booth: l.in})
		if b, ok := l.laws[i].(interface{ isBare() bool }); !ok || !b.isBare() {
			out[i] = faultFloor(out[i], f, l.faults.reason(l.p, i))
		}
	}
	return out
}

// appendBoothSamples appends the samples of the booths' PM sensors; a
// sensor with none appears as a fault, so the guard cannot take it for
// clean air.
func (l *perFan) appendBoothSamples(out []sample.Sample, booths ...int) []sample.Sample {
	for _, i := range booths {
		for _, name := range l.p.Booths[i].PM {
			s, ok := l.byName[name]
			if !ok {
				s = sample.Sample{Sensor: name, Zone: l.p.Booths[i].Zone, Quantity: sample.PM25, Quality: sample.Fault}
			}
			out = append(out, s)
		}
	}
	return out
}

// Retune implements Law: each fan's law is rebuilt with the new settings
// (the baselines learn nothing worth keeping); a purge under way carries on.
func (l *perFan) Retune(p Params) error {
	if err := p.Validate(); err != nil {
		return err
	}
	if err := l.p.sameLayout(p); err != nil {
		return err
	}
	laws := make([]FanLaw, len(p.Fans))
	for i, f := range p.Fans {
		fl, err := l.build(f, p.Tuning)
		if err != nil {
			return fmt.Errorf("fan %s: %w", f.Name, err)
		}
		if l.laws[i].Purging() {
			fl.Purge()
		}
		laws[i] = fl
	}
	l.p, l.laws = p, laws
	return nil
}

// SetFanFault implements Law.
func (l *perFan) SetFanFault(i int, why string) { l.faults.set(len(l.laws), i, why) }

func (l *perFan) Purge(zone string)       { l.each(zone, FanLaw.Purge) }
func (l *perFan) CancelPurge(zone string) { l.each(zone, FanLaw.CancelPurge) }

func (l *perFan) each(zone string, do func(FanLaw)) {
	for i, f := range l.p.Fans {
		for _, b := range f.Booths {
			if zone == "" || l.p.Booths[b].Zone == zone {
				do(l.laws[i])
				break
			}
		}
	}
}

// Staff implements Law: a per-fan law does not watch the staff area.
func (l *perFan) Staff() (StaffStatus, bool) { return StaffStatus{}, false }

// Booths reports what a per-fan law knows: the level, whether it is
// trusted, purge and entry estimate; it measures no decay.
func (l *perFan) Booths() []BoothStatus { return l.AppendBooths(nil) }

// AppendBooths implements Law.
func (l *perFan) AppendBooths(dst []BoothStatus) []BoothStatus {
	for i, b := range l.p.Booths {
		st := BoothStatus{Zone: b.Zone, Level: math.NaN(), CleanAir: math.NaN(), Excess: math.NaN(), Trusted: true,
			SecondsToEntry: -1, Decay: Decay{ACH: math.NaN(), NominalACH: math.NaN()}, Apart: SensorsApart{By: math.NaN()}}
		l.in = l.appendBoothSamples(l.in[:0], i)
		for _, s := range l.in {
			if !s.Valid(l.now, l.p.MaxAge) {
				st.Trusted = false
			} else if math.IsNaN(st.Level) || s.Value > st.Level {
				st.Level = s.Value
			}
		}
		for j, f := range l.p.Fans {
			for _, fb := range f.Booths {
				if fb == i {
					st.Purging = st.Purging || l.laws[j].Purging()
					st.SecondsToEntry = l.laws[j].SecondsToEntry()
				}
			}
		}
		dst = append(dst, st)
	}
	return dst
}
