package daemon

import (
	"sync/atomic"
	"time"
)

// heartbeat is when the loop last finished a control period. A watchdog
// reads it from another goroutine to tell a running loop from a hung one,
// so it is atomic and the loop never waits on a reader.
type heartbeat struct {
	last atomic.Pointer[time.Time]
	// times hands each beat a time of its own, never written again once
	// stored (a reader may hold the last one): eight beats an allocation
	// instead of one each, every period.
	times slab[time.Time]
}

// beat records that a period finished at t. Only the loop beats.
func (h *heartbeat) beat(t time.Time) {
	p := h.times.next()
	*p = t
	h.last.Store(p)
}

// LastPeriod returns the daemon clock's time at which the last control
// period finished, zero before the first. On the wall clock it keeps Go's
// monotonic reading, so comparing it with Now is immune to the clock being
// set (a Pi's clock jumps at boot when network time arrives).
func (d *Daemon) LastPeriod() time.Time {
	if t := d.beats.last.Load(); t != nil {
		return *t
	}
	return time.Time{}
}
