package testbench

import (
	"fmt"
	"sync/atomic"
	"time"

	"github.com/ventd/ventd/testbench/air"
	"github.com/ventd/ventd/testbench/scenario"
)

// driftSource is the air one sensor sees, with the error a scenario's
// sensor_drift adds to the particles: the room's true air stays true (for
// the figures that use it), only this sensor reads it wrong.
type driftSource struct {
	src air.Source
	// drift is set once a scenario starts the drift, and never changed in
	// place: the sensor reads it every second of simulated time, so it
	// takes no lock.
	drift atomic.Pointer[startedDrift]
}

// startedDrift is a sensor's drift and when it started.
type startedDrift struct {
	scenario.Drift
	since time.Time
}

func (d *driftSource) Air(t time.Time) air.State {
	s := d.src.Air(t)
	dr := d.drift.Load()
	if dr == nil || t.Before(dr.since) {
		return s
	}
	off, gain := dr.At(t.Sub(dr.since))
	for _, v := range []*float64{&s.PM1, &s.PM25, &s.PM4, &s.PM10} {
		*v = max(*v*gain+off, 0)
	}
	return s
}

// SensorDrift implements scenario.Target: the sensor's error starts
// growing now.
func (r *Rig) SensorDrift(d scenario.Drift) error {
	ds, ok := r.drifts[d.Sensor]
	if !ok {
		return fmt.Errorf("sensor drift: %s is not a simulated PM sensor", d.Sensor)
	}
	ds.drift.Store(&startedDrift{d, r.Room.Now()})
	return nil
}
