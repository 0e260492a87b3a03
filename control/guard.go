package control

import (
	"fmt"
	"math"
	"time"
)

// guard is what every law shares, ventd's and the baselines alike: it
// checks the booth data and fails safe, runs a purge, and measures the
// booth's decay for the entry estimate. Keeping it in one place means a
// baseline in ventbench is never less safe than ventd, so the comparison
// is about control, not about safety.
type guard struct {
	p     FanParams
	purge bool
	decay decay
}

// check returns the highest valid booth PM2.5 (NaN when none) and, when the
// law must not decide (booth data not trusted, or a purge running), the
// decision to take instead, with override set.
func (g *guard) check(now time.Time, in Input) (level float64, d Decision, override bool) {
	level = math.NaN()
	var bad []string
	for _, s := range in.Booth {
		if !s.Valid(now, g.p.MaxAge) {
			bad = append(bad, fmt.Sprintf("%s %s", s.Sensor, describe(s, now)))
			continue
		}
		if math.IsNaN(level) || s.Value > level {
			level = s.Value
		}
	}
	if !math.IsNaN(level) {
		g.decay.add(now, level)
	}
	safe := g.p.SafeDuty
	if g.purge {
		// A purge asked for maximum; unknown air is no reason to give less.
		safe = math.Max(safe, g.p.MaxDuty)
	}
	switch {
	case len(in.Booth) == 0:
		return level, Decision{Duty: safe, Mode: ModeSafe, Reason: "no booth PM2.5 sensor reading", Level: level}, true
	case len(bad) > 0:
		return level, Decision{Duty: safe, Mode: ModeSafe, Reason: "booth data not trusted: " + joinComma(bad), Level: level}, true
	}
	if g.purge {
		if level < g.p.Entry {
			g.purge = false
		} else {
			return level, Decision{Duty: g.p.MaxDuty, Mode: ModePurge,
				Reason: fmt.Sprintf("purge until booth PM2.5 < %g µg/m³", g.p.Entry), Level: level}, true
		}
	}
	return level, Decision{}, false
}

// Purge runs the fan at maximum until the booth is below the entry
// threshold. It is the entry point for the purge button, MQTT and the
// status page; the next Update answers it at maximum.
func (g *guard) Purge() { g.purge = true }

// CancelPurge ends a purge early.
func (g *guard) CancelPurge() { g.purge = false }

// Purging reports whether a purge is running.
func (g *guard) Purging() bool { return g.purge }

// SecondsToEntry estimates how long until the booth is below the entry
// threshold, from the decay measured over the last minute: 0 when it
// already is, -1 when the level is not falling (no estimate).
func (g *guard) SecondsToEntry() float64 { return g.decay.secondsTo(g.p.Entry) }
