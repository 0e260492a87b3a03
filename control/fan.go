package control

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/ventd/ventd/sample"
)

// Mode says why a fan runs at its duty.
type Mode string

// The modes, in the order a staff member would ask "why is it loud?".
const (
	ModeSafe   Mode = "safe"   // data missing, stale or bad: fail safe
	ModePurge  Mode = "purge"  // purge requested: full until safe to enter
	ModeBoost  Mode = "boost"  // a session: smoke rising, or run-on after it
	ModeNormal Mode = "normal" // following the booth and staff concentrations
)

// FanParams tunes the control of one fan. Duties are fractions 0..1,
// concentrations PM2.5 in µg/m³.
type FanParams struct {
	MinDuty  float64 // baseline air changes and negative pressure
	MaxDuty  float64
	SafeDuty float64 // when data cannot be trusted

	// Background and Target span the booth feedback's proportional band:
	// demand is zero at Background and full at Target, the booth level the
	// loop steers to; BoothIntegral is the PI's integral time (0: P only).
	Background, Target float64
	BoothIntegral      time.Duration
	// Horizon is how far ahead the booth feedback looks along the booth's
	// trend (fitted over TrendWindow): the feed-forward that spins the fan
	// up while smoke is still rising and lets it slow while the booth is
	// visibly clearing.
	Horizon, TrendWindow time.Duration

	// RiseRate (µg/m³ per second, over RiseWindow) marks a session: the
	// fan goes to MaxDuty at once and stays there while the booth holds
	// above Target, then RunOn longer once it starts to fall.
	RiseRate   float64
	RiseWindow time.Duration
	RunOn      time.Duration

	// StaffMargin is the staff-zone PM2.5 above its learned clean level
	// that the staff feedback tolerates (sensor noise, people); at
	// StaffMargin+StaffBand it demands MaxDuty. The fan helps the staff
	// area because its exhaust draws staff air through the booth.
	// StaffIntegral is that PI's integral time (0: P only); StaffLearn the
	// time constant with which the clean level may rise in quiet air.
	StaffMargin, StaffBand float64
	StaffIntegral          time.Duration
	StaffLearn             time.Duration

	// RampDown is the largest fall in duty per minute, RampUp the largest
	// rise the feedback may ask for per minute: the fan changes speed
	// gently. A session, a purge or bad data move the fan at once: slew
	// limits never slow the response to smoke.
	RampDown, RampUp float64
	// MaxAge is how old a sample may be before it counts as missing.
	MaxAge time.Duration
	// Entry is the booth PM2.5 below which responders may enter; purge
	// ends there.
	Entry float64

	// PressureTarget (Pa, negative) is the booth pressure the fan holds
	// when a differential pressure sensor is fitted: the fan's floor
	// rises above MinDuty by PressureGain (duty per Pa per minute) while
	// the booth's one-minute mean is less negative than this, and sinks
	// back while it is more negative. Without a pressure reading the
	// floor holds where it was.
	PressureTarget float64
	PressureGain   float64
}

// DefaultFanParams are the starting values; a site tunes them in the
// config (see README, "Tuning") and checks the effect with ventbench.
func DefaultFanParams() FanParams {
	return FanParams{
		MinDuty: 0.25, MaxDuty: 1, SafeDuty: 1,
		Background: 10, Target: 25, BoothIntegral: 2 * time.Minute,
		Horizon: time.Minute, TrendWindow: 10 * time.Second,
		RiseRate: 2, RiseWindow: 5 * time.Second,
		RunOn:       2 * time.Minute,
		StaffMargin: 2, StaffBand: 5, StaffIntegral: 0, StaffLearn: time.Hour,
		RampDown: 0.10, RampUp: 1,
		MaxAge: 10 * time.Second,
		Entry:  35,
		// LEED: at least 5 Pa negative on average; 1 Pa of margin.
		PressureTarget: -6, PressureGain: 0.02,
	}
}

// Validate says what is wrong with p, all at once.
func (p FanParams) Validate() error {
	var errs []error
	in01 := func(name string, v float64) {
		if !(v >= 0 && v <= 1) {
			errs = append(errs, fmt.Errorf("%s must be within 0..1 (got %g)", name, v))
		}
	}
	in01("min duty", p.MinDuty)
	in01("max duty", p.MaxDuty)
	in01("safe duty", p.SafeDuty)
	if p.MinDuty > p.MaxDuty {
		errs = append(errs, fmt.Errorf("min duty %g is above max duty %g", p.MinDuty, p.MaxDuty))
	}
	if !(p.Target > p.Background) {
		errs = append(errs, fmt.Errorf("target %g must be above background %g", p.Target, p.Background))
	}
	if p.RiseRate <= 0 || p.RiseWindow <= 0 || p.RampDown <= 0 || p.RampUp <= 0 || p.MaxAge <= 0 {
		errs = append(errs, errors.New("rise rate, rise window, ramp down, ramp up and max age must be positive"))
	}
	if !(p.StaffBand > 0) || !(p.StaffMargin >= 0) || p.StaffLearn <= 0 || p.TrendWindow <= 0 {
		errs = append(errs, errors.New("staff band, staff learn and trend window must be positive, staff margin 0 or more"))
	}
	if p.BoothIntegral < 0 || p.StaffIntegral < 0 || p.Horizon < 0 || p.RunOn < 0 {
		errs = append(errs, errors.New("integral times, horizon and run-on must be 0 or more"))
	}
	return errors.Join(errs...)
}

// Decision is what the controller wants a fan to do now.
type Decision struct {
	Duty   float64
	Mode   Mode
	Reason string // a sentence for the status page and the log
	// Level is the highest valid booth PM2.5 seen, NaN when none.
	Level float64
}

// Fan is ventd's law for one extraction fan: feed-forward on the booth's
// rate of rise, PI feedback on the booth and the staff area against their
// targets, a minimum duty, slew limits, run-on after a session and a purge,
// inside the guard that fails safe on untrusted data.
type Fan struct {
	guard
	duty    float64
	last    time.Time
	history map[string][]point // per booth sensor, newest last, RiseWindow long
	boostTo time.Time          // boost holds until then
	booth   trend
	boothPI pi
	staffPI pi
	staff   baseline
	quietAt time.Time // when the last session's boost ended
	hold    pressureHold
}

// NewFan returns a controller starting at the safe duty: until the first
// good reading arrives, nothing is known about the booth.
func NewFan(p FanParams) (*Fan, error) {
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("control: %w", err)
	}
	return &Fan{
		guard: guard{p: p}, duty: p.SafeDuty, history: map[string][]point{},
		booth:   trend{window: p.TrendWindow},
		boothPI: pi{ti: p.BoothIntegral}, staffPI: pi{ti: p.StaffIntegral},
		staff: baseline{smooth: 20 * time.Second, fall: 2 * time.Minute, rise: p.StaffLearn, warmup: 2 * time.Minute},
	}, nil
}

// Params returns the tuning in use.
func (f *Fan) Params() FanParams { return f.p }

// quietFor is how long after a session the staff area's clean level may
// be learned again.
const quietFor = 15 * time.Minute

// Update decides the duty at now from the latest PM2.5 samples of the
// booths the fan serves and the staff zones beside them.
func (f *Fan) Update(now time.Time, in Input) Decision {
	p := f.p
	dt := now.Sub(f.last)
	if f.last.IsZero() || dt < 0 {
		dt = 0
	}
	f.last = now
	if f.quietAt.IsZero() {
		f.quietAt = now
	}
	level, d, override := f.check(now, in)
	rose := false
	for _, s := range in.Booth {
		if s.Valid(now, p.MaxAge) && f.rising(s) {
			rose = true
		}
	}
	if !math.IsNaN(level) {
		f.booth.add(now, level)
	}
	staff, staffOK, staffBad := f.staffLevel(now, in.Staff)
	if override || level > p.Target {
		f.quietAt = now // smoke about, or air unknown: nothing to learn from
	}
	if override {
		return f.set(d)
	}
	if staffBad != "" {
		return f.set(Decision{Duty: p.SafeDuty, Mode: ModeSafe, Reason: "staff data not trusted: " + staffBad, Level: level})
	}

	// A session: at once to maximum, held while the booth stays up, and
	// RunOn after it starts to clear.
	ahead := f.ahead(level)
	if rose || now.Before(f.boostTo) && level > p.Target && !f.falling() {
		f.boostTo = now.Add(p.RunOn)
	}
	if f.falling() && ahead < p.Target {
		// The run-on has done its job: the booth is clearing and its
		// measured decay puts it below target within the horizon.
		f.boostTo = time.Time{}
	}
	boost := now.Before(f.boostTo)
	if boost {
		f.quietAt = now
	}

	var excess float64
	if staffOK {
		excess = f.staff.add(staff, dt, now.Sub(f.quietAt) >= quietFor)
	}
	band := p.Target - p.Background
	ub := f.boothPI.update((ahead-p.Background)/band, (ahead-p.Target)/band, dt)
	us := 0.0
	if staffOK {
		e := (excess - p.StaffMargin) / p.StaffBand
		us = f.staffPI.update(e, e, dt)
	}
	if boost {
		return f.set(Decision{Duty: p.MaxDuty, Mode: ModeBoost, Reason: "smoke in the booth (or run-on after it)", Level: level})
	}
	u, why := ub, "following booth PM2.5"
	if us > ub {
		u, why = us, fmt.Sprintf("staff PM2.5 %.1f µg/m³ above its clean level", excess)
	}
	want := p.MinDuty + (p.MaxDuty-p.MinDuty)*u
	mins := dt.Minutes()
	want = clamp(want, f.duty-p.RampDown*mins, f.duty+p.RampUp*mins)
	floor := f.hold.update(now, in.Pressure, dt, p)
	if want < floor {
		want, why = floor, fmt.Sprintf("holding the booth at %g Pa", p.PressureTarget)
	}
	return f.set(Decision{Duty: clamp(want, p.MinDuty, p.MaxDuty), Mode: ModeNormal, Reason: why, Level: level})
}

// staffLevel returns the highest valid staff PM2.5, whether there was one,
// and a description of the staff samples that cannot be trusted.
func (f *Fan) staffLevel(now time.Time, staff []sample.Sample) (level float64, ok bool, bad string) {
	for _, s := range staff {
		if !s.Valid(now, f.p.MaxAge) {
			if bad != "" {
				bad += ", "
			}
			bad += fmt.Sprintf("%s %s", s.Sensor, describe(s, now))
			continue
		}
		if !ok || s.Value > level {
			level, ok = s.Value, true
		}
	}
	return level, ok, bad
}

// ahead extrapolates the booth level Horizon ahead along its trend:
// linearly while it rises (smoke accumulates at the source's rate), along
// an exponential while it falls (a well-mixed booth clears as e^(−kt)).
// A rise counts only once it would add more than the rise detector's
// threshold, so sensor noise in clean air never spins the fan up.
func (f *Fan) ahead(level float64) float64 {
	s, h := f.booth.slope(), f.p.Horizon.Seconds()
	switch {
	case s >= 0 && s*h > f.p.RiseRate*f.p.RiseWindow.Seconds():
		return level + s*h
	case s >= 0 || level <= 0:
		return level
	}
	return level * math.Exp(s/level*h)
}

// falling reports whether the booth level fell by a tenth or more over the
// trend window: a booth clearing with no source does, at any duty.
func (f *Fan) falling() bool {
	first, ok := f.booth.oldest()
	n := len(f.booth.pts)
	return ok && n > 1 && f.booth.pts[n-1].v < 0.9*first.v
}

func (f *Fan) set(d Decision) Decision {
	f.duty = d.Duty
	return d
}

// rising records s and reports whether it rose by more than RiseRate ×
// RiseWindow within the last RiseWindow: measured from the window's
// lowest point, so a rise is caught within one sensor period, and over a
// whole window, so one noisy sample does not trigger it.
func (f *Fan) rising(s sample.Sample) bool {
	h := f.history[s.Sensor]
	if n := len(h); n > 0 && !s.Time.After(h[n-1].t) {
		return false // the same sample again: sensors are slower than the loop
	}
	h = append(h, point{s.Time, s.Value})
	for len(h) > 1 && s.Time.Sub(h[0].t) > f.p.RiseWindow {
		h = h[1:]
	}
	f.history[s.Sensor] = h
	low := s.Value
	for _, p := range h {
		low = math.Min(low, p.v)
	}
	return s.Value-low > f.p.RiseRate*f.p.RiseWindow.Seconds()
}

func describe(s sample.Sample, now time.Time) string {
	if s.Quality == sample.Good {
		return fmt.Sprintf("stale (%s old)", now.Sub(s.Time).Round(time.Second))
	}
	if s.Err != nil {
		return fmt.Sprintf("%s: %v", s.Quality, s.Err)
	}
	return s.Quality.String()
}

func joinComma(s []string) string {
	out := ""
	for i, v := range s {
		if i > 0 {
			out += ", "
		}
		out += v
	}
	return out
}

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }
