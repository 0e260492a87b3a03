package sensor

import (
	"sync"
	"time"

	"github.com/ventd/ventd/clock"
)

// environment shares each zone's temperature and humidity from its SCD4x
// with the SGP4x there, which needs them for humidity compensation.
type environment struct {
	mu sync.Mutex
	// zones holds each zone's last reading, in the order first set. A
	// room has a few zones with an SCD4x, and every SGP4x asks every
	// second: a scan costs less than a map's lookup and, for a booth
	// without an SCD4x of its own, its iteration.
	zones []envReading
}

type envReading struct {
	zone  string
	t, rh float64
	at    time.Time
}

func newEnvironment() *environment { return &environment{} }

func (e *environment) set(zone string, t, rh float64, at time.Time) {
	e.mu.Lock()
	defer e.mu.Unlock()
	r := envReading{zone, t, rh, at}
	for i := range e.zones {
		if e.zones[i].zone == zone {
			e.zones[i] = r
			return
		}
	}
	e.zones = append(e.zones, r)
}

// get returns the zone's T and RH if measured within the last minute, else
// the freshest other zone's (a booth often has no SCD4x of its own, and the
// room's air is near enough for compensation), else the datasheet's
// uncompensated defaults (25 °C, 50 %RH).
func (e *environment) get(zone string, now time.Time) (t, rh float64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	fresh := func(r *envReading) bool { return clock.Sub(now, r.at) < time.Minute }
	var newest envReading
	for i := range e.zones {
		r := &e.zones[i]
		if r.zone == zone && fresh(r) {
			return r.t, r.rh
		}
		if r.at.After(newest.at) {
			newest = *r
		}
	}
	if fresh(&newest) {
		return newest.t, newest.rh
	}
	return 25, 50
}
