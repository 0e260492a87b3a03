package control

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// guard is what every per-fan baseline shares with ventd's law: it checks
// the booth data and fails safe, runs a purge, and estimates the time to
// safe entry. A baseline in ventbench is never less safe than ventd, so
// the comparison is about control, not about safety.
type guard struct {
	f     FanSpec
	t     Tuning
	purge bool
	decay logTrend
	// toEntry is decay's estimate, kept until the next level: a per-fan
	// law is asked for it once in its decision and again for each of its
	// booths' status, every period, and the fit is the same each time.
	toEntry   float64
	toEntryOK bool
}

// check returns the highest valid booth PM2.5 (NaN when none) and, when the
// law must not decide (booth data not trusted, or a purge running), the
// decision to take instead, with override set. A fan of its booths that
// does not work raises the decision after (perFan, faultFloor).
func (g *guard) check(now time.Time, in FanInput) (level float64, d Decision, override bool) {
	level = math.NaN()
	var bad []string
	for _, s := range in.Booth {
		if !s.Valid(now, g.t.MaxAge) {
			bad = append(bad, fmt.Sprintf("%s %s", s.Sensor, describe(s, now)))
			continue
		}
		if math.IsNaN(level) || s.Value > level {
			level = s.Value
		}
	}
	if !math.IsNaN(level) {
		g.decay.add(now, level)
		g.toEntryOK = false
	}
	safe := g.f.SafeDuty
	if g.purge {
		// A purge asked for maximum; unknown air is no reason to give less.
		safe = maxOf(safe, g.f.MaxDuty)
	}
	d = Decision{Level: level, SecondsToEntry: g.SecondsToEntry()}
	switch {
	case len(in.Booth) == 0:
		d.Duty, d.Mode, d.Reason = safe, ModeSafe, "no booth PM2.5 sensor reading"
		return level, d, true
	case len(bad) > 0:
		d.Duty, d.Mode, d.Reason = safe, ModeSafe, "booth data not trusted: "+strings.Join(bad, ", ")
		return level, d, true
	}
	if g.purge {
		if level < g.t.Entry {
			g.purge = false
		} else {
			d.Duty, d.Mode, d.Reason = g.f.MaxDuty, ModePurge, fmt.Sprintf("purge until booth PM2.5 < %g µg/m³", g.t.Entry)
			return level, d, true
		}
	}
	return level, d, false
}

// Purge runs the fan at maximum until the booth is below the entry
// threshold.
func (g *guard) Purge() { g.purge = true }

// CancelPurge ends a purge early.
func (g *guard) CancelPurge() { g.purge = false }

// Purging reports whether a purge is running.
func (g *guard) Purging() bool { return g.purge }

// SecondsToEntry estimates how long until the booth is below the entry
// threshold, from the decay measured over the last minute: 0 when it
// already is, -1 when the level is not falling (no estimate).
func (g *guard) SecondsToEntry() float64 {
	if !g.toEntryOK {
		g.toEntry, g.toEntryOK = g.decay.secondsTo(g.t.Entry), true
	}
	return g.toEntry
}
