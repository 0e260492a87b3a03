package control

import (
	"fmt"
	"time"
)

// The baselines are what ventd is measured against in ventbench: a fan at a
// fixed duty (full, minimum, half) and the on/off switch with hysteresis
// that most installed systems use. They share ventd's guard, so each fails
// safe on untrusted booth data and purges on request exactly as ventd does.

var (
	_ Law = (*Fixed)(nil)
	_ Law = (*OnOff)(nil)
)

// Fixed runs the fan at one duty whatever the air.
type Fixed struct {
	guard
	duty float64
}

// NewFixed returns a law that holds duty, which must lie within the fan's
// MinDuty..MaxDuty.
func NewFixed(p FanParams, duty float64) (*Fixed, error) {
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("control: %w", err)
	}
	if !(duty >= p.MinDuty && duty <= p.MaxDuty) {
		return nil, fmt.Errorf("control: fixed duty %g is outside the fan's range %g..%g", duty, p.MinDuty, p.MaxDuty)
	}
	return &Fixed{guard: guard{p: p}, duty: duty}, nil
}

// Update holds the fixed duty unless the guard overrides it.
func (f *Fixed) Update(now time.Time, in Input) Decision {
	level, d, override := f.check(now, in)
	if override {
		return d
	}
	return Decision{Duty: f.duty, Mode: ModeNormal, Reason: fmt.Sprintf("fixed duty %.0f%%", 100*f.duty), Level: level}
}

// OnOff is the thermostat-style control of common installations: maximum
// when the booth PM2.5 reaches On, minimum once it falls below Off.
type OnOff struct {
	guard
	on, off float64
	high    bool
}

// NewOnOff returns an on/off law switching to MaxDuty at on µg/m³ and back
// to MinDuty below off; off < on is the hysteresis.
func NewOnOff(p FanParams, on, off float64) (*OnOff, error) {
	if err := p.Validate(); err != nil {
		return nil, fmt.Errorf("control: %w", err)
	}
	if !(on > off && off >= 0) {
		return nil, fmt.Errorf("control: on/off thresholds on %g, off %g: want 0 ≤ off < on", on, off)
	}
	return &OnOff{guard: guard{p: p}, on: on, off: off}, nil
}

// Update switches on the highest booth level, unless the guard overrides it.
func (o *OnOff) Update(now time.Time, in Input) Decision {
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
		return Decision{Duty: o.p.MaxDuty, Mode: ModeBoost, Reason: fmt.Sprintf("booth PM2.5 reached %g µg/m³", o.on), Level: level}
	}
	return Decision{Duty: o.p.MinDuty, Mode: ModeNormal, Reason: fmt.Sprintf("booth PM2.5 below %g µg/m³", o.on), Level: level}
}
