package testbench

import (
	"fmt"
	"sync"
	"time"

	"github.com/ventd/ventd/testbench/air"
	"github.com/ventd/ventd/testbench/scenario"
)

// driftSource is the air one sensor sees, with the error a scenario's
// sensor_drift adds to the particles: the room's true air stays true (for
// the figures that use it), only this sensor reads it wrong.
type driftSource struct {
	src   air.Source
	mu    sync.Mutex
	drift *scenario.Drift
	since time.Time
}

func (d *driftSource) Air(t time.Time) air.State {
	s := d.src.Air(t)
	d.mu.Lock()
	dr, since := d.drift, d.since
	d.mu.Unlock()
	if dr == nil || t.Before(since) {
		return s
	}
	off, gain := dr.At(t.Sub(since))
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
	ds.mu.Lock()
	defer ds.mu.Unlock()
	ds.drift, ds.since = &d, r.Room.Now()
	return nil
}
