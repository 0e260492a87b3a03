package control

import (
	"math"
	"time"
)

// A fan on a relay is off or full, so its choice is when to run, and what
// running buys does not depend on why: it takes out the air of its booths,
// which holds the staff area's excess and the booth's own on top, at the
// same rate per watt. The staff area's smoke is priced as for a variable
// fan (staffArea.need), and the booth's is the same smoke one step
// earlier: what a booth holds when the relay stops goes on to the staff
// area, leaking out over tens of minutes, unless a session runs the fan
// first and takes it out with its own. So the relay runs while the staff
// excess and the share of the booth's excess that would reach the staff
// area, together, are worth it (switchFan).

// relayHold is the part of the need that switches a relay on (1) at which
// it stays on: hysteresis, so that the noise of the readings does not
// switch it.
//
// On ventbench's relay days (seeds 1-3, and 4-6 to check): at 0.5 and
// 0.55 the busy day ran to energy 0.46-0.48 and lost a frontier verdict
// to the on/off baselines; at 0.7 and 0.75 the two-booth day lost its
// STEL frontier (at 0.75 the busy day its TWA's too); 0.6 and 0.65 kept
// both, 0.65 for less energy.
const relayHold = 0.65

// sessionStarts keeps when a booth's latest sessions began.
type sessionStarts struct {
	t [startsKept]time.Time // newest first
	n int
}

// startsKept is how many starts the expected wait is judged over: four
// gaps, few enough to follow a room from a busy hour to a quiet one.
const startsKept = 5

func (s *sessionStarts) add(t time.Time) {
	copy(s.t[1:], s.t[:startsKept-1])
	s.t[0] = t
	s.n = min(s.n+1, startsKept)
}

// wait is how long the booth can be expected to go until its next
// session: the mean time between its latest starts. 0 (unknown, so all
// of what it holds counts) until two gaps have been seen, and once the
// next is overdue by a whole gap: the queue has ended, and what the last
// session left will leak out before anyone comes.
func (s *sessionStarts) wait(now time.Time) time.Duration {
	if s.n < 3 {
		return 0
	}
	mean := s.t[0].Sub(s.t[s.n-1]) / time.Duration(s.n-1)
	if now.Sub(s.t[0]) > 2*mean {
		return 0
	}
	return mean
}

// leakShare is the part of a booth's smoke that reaches the staff area
// before its next session runs the fan anyway, wait from now: the booth
// (vol m³) exchanges leak m³/h of its air with the staff area. The wait is
// the mean gap, not what is left of it, so a session that comes at random
// is as likely as not to find more leaked. 1 where the wait or the leak is
// unknown: all of it.
func leakShare(leak, vol float64, wait time.Duration) float64 {
	if wait <= 0 || !(leak > 0) || !(vol > 0) {
		return 1
	}
	return 1 - math.Exp(-leak/vol*wait.Hours())
}
