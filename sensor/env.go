package sensor

import (
	"sync"
	"time"

	"github.com/ventd/ventd/clock"
)

// environment shares each zone's temperature and humidity from its SCD4x
// with the SGP4x there, which needs them for humidity compensation.
type environment struct {
	mu   sync.Mutex
	zone map[string]envReading
}

type envReading struct {
	t, rh float64
	at    time.Time
}

func newEnvironment() *environment { return &environment{zone: map[string]envReading{}} }

func (e *environment) set(zone string, t, rh float64, at time.Time) {
	e.mu.Lock()
	e.zone[zone] = envReading{t, rh, at}
	e.mu.Unlock()
}

// get returns the zone's T and RH if measured within the last minute, else
// the freshest other zone's (a booth often has no SCD4x of its own, and the
// room's air is near enough for compensation), else the datasheet's
// uncompensated defaults (25 °C, 50 %RH).
func (e *environment) get(zone string, now time.Time) (t, rh float64) {
	e.mu.Lock()
	defer e.mu.Unlock()
	fresh := func(r envReading) bool { return clock.Sub(now, r.at) < time.Minute }
	if r, ok := e.zone[zone]; ok && fresh(r) {
		return r.t, r.rh
	}
	var newest envReading
	for _, r := range e.zone {
		if r.at.After(newest.at) {
			newest = r
		}
	}
	if fresh(newest) {
		return newest.t, newest.rh
	}
	return 25, 50
}
