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
	ModeSafe   Mode = "safe"   // booth data missing, stale or bad: fail safe
	ModePurge  Mode = "purge"  // purge requested: full until safe to enter
	ModeBoost  Mode = "boost"  // smoke rising fast, or run-on after it
	ModeNormal Mode = "normal" // following the booth concentration
)

// FanParams tunes the control of one fan. Duties are fractions 0..1.
type FanParams struct {
	MinDuty  float64 // baseline air changes and negative pressure
	MaxDuty  float64
	SafeDuty float64 // when data cannot be trusted

	// Background is the booth PM2.5 (µg/m³) with no one smoking, at which
	// the fan sits at MinDuty; Target is the level at which it reaches
	// MaxDuty. Between them demand is proportional.
	Background, Target float64
	// RiseRate (µg/m³ per second, over RiseWindow) sends the fan to
	// maximum at once: smoke in a 4 m³ booth outruns any proportional term.
	RiseRate   float64
	RiseWindow time.Duration
	// RunOn holds maximum after the rise ends: a session goes on after the
	// first puff.
	RunOn time.Duration
	// RampDown is the largest fall in duty per minute; rises are never
	// limited, so the fan answers smoke at once and quietens gently.
	RampDown float64
	// MaxAge is how old a sample may be before it counts as missing.
	MaxAge time.Duration
	// Entry is the booth PM2.5 below which responders may enter; purge
	// ends there.
	Entry float64
}

// DefaultFanParams are the starting values; a site tunes them in the config.
func DefaultFanParams() FanParams {
	return FanParams{
		MinDuty: 0.25, MaxDuty: 1, SafeDuty: 1,
		Background: 10, Target: 60,
		RiseRate: 2, RiseWindow: 5 * time.Second,
		RunOn:    2 * time.Minute,
		RampDown: 0.10,
		MaxAge:   10 * time.Second,
		Entry:    35,
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
	if p.RiseRate <= 0 || p.RiseWindow <= 0 || p.RampDown <= 0 || p.MaxAge <= 0 {
		errs = append(errs, errors.New("rise rate, rise window, ramp down and max age must be positive"))
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

// Fan controls one extraction fan from the PM2.5 samples of the booths it
// serves.
type Fan struct {
	guard
	p       FanParams
	duty    float64
	last    time.Time
	history map[string][]point // per sensor, newest last, RiseWindow long
	boostTo time.Time          // boost holds until then
}

type point struct {
	t time.Time
	v float64
}

// NewFan returns a controller starting at the safe duty: until the first
// good reading arrives, nothing is known about the booth.
func NewFan(p FanParams) (*Fan, error) {
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("control: %w", err)
	}
	return &Fan{guard: guard{p: p}, p: p, duty: p.SafeDuty, history: map[string][]point{}}, nil
}

// Params returns the tuning in use.
func (f *Fan) Params() FanParams { return f.p }

// Update decides the duty at now from the latest PM2.5 sample of each booth
// sensor the fan serves. This first law uses the booth alone.
func (f *Fan) Update(now time.Time, in Input) Decision {
	dt := now.Sub(f.last)
	if f.last.IsZero() || dt < 0 {
		dt = 0
	}
	f.last = now
	level, d, override := f.check(now, in)
	for _, s := range in.Booth {
		if s.Valid(now, f.p.MaxAge) && f.rising(s) {
			f.boostTo = now.Add(f.p.RunOn)
		}
	}
	if override {
		f.duty = d.Duty
		return d
	}
	if now.Before(f.boostTo) {
		return f.set(f.p.MaxDuty, ModeBoost, "booth PM2.5 rising fast (or run-on after it)", level)
	}
	frac := (level - f.p.Background) / (f.p.Target - f.p.Background)
	want := f.p.MinDuty + (f.p.MaxDuty-f.p.MinDuty)*clamp(frac, 0, 1)
	if floor := f.duty - f.p.RampDown*dt.Minutes(); want < floor {
		want = floor
	}
	return f.set(clamp(want, f.p.MinDuty, f.p.MaxDuty), ModeNormal, "following booth PM2.5", level)
}

func (f *Fan) set(duty float64, m Mode, why string, level float64) Decision {
	f.duty = duty
	return Decision{Duty: duty, Mode: m, Reason: why, Level: level}
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
