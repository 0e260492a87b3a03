package daemon

import (
	"sync/atomic"
	"time"
)

// heartbeat is when the loop last finished a control period. A watchdog
// reads it from another goroutine to tell a running loop from a hung one,
// so it is atomic and the loop never waits on a reader.
type heartbeat struct{ last atomic.Pointer[time.Time] }

// beat records that a period finished at t.
func (h *heartbeat) beat(t time.Time) { h.last.Store(&t) }

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
