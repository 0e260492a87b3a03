package clock

import "time"

// maxSubSeconds is the largest difference, in whole seconds, whose
// nanoseconds fit a Duration with a second to spare.
const maxSubSeconds = int64(1<<63-1)/int64(time.Second) - 1

// Sub is t.Sub(u), cheaper for times without a monotonic reading (the
// simulation's, times rounded to the wall clock, times read back). Sub
// checks its result by adding it back to u and comparing, which made it
// most of the cost of the loops over a window's points and of the
// exposure record's accounting. Unless both times have a monotonic
// reading, Sub subtracts their wall clocks, exactly as their Unix seconds
// and nanoseconds do; two with a monotonic reading, and times too far
// apart for a Duration (Sub saturates), take Sub.
func Sub(t, u time.Time) time.Duration {
	// Round(0) strips the monotonic reading: unchanged, there was none.
	// One without is enough, and the first is the only one looked at
	// when it has none.
	if t == t.Round(0) || u == u.Round(0) {
		if s := t.Unix() - u.Unix(); s >= -maxSubSeconds && s <= maxSubSeconds {
			return time.Duration(s)*time.Second + time.Duration(t.Nanosecond()-u.Nanosecond())
		}
	}
	return t.Sub(u)
}

// Base is one time that many are subtracted from: From(t) is Sub(t, u),
// with u's half of Sub's work done once. The law fits a line through
// every point of a window each period, each point's time less the
// first's, and checking the first time again for each point was a third
// of that fit.
type Base struct {
	u         time.Time
	wall      bool // u has no monotonic reading
	sec, nsec int64
}

// NewBase returns the Base for subtracting u.
func NewBase(u time.Time) Base {
	return Base{u: u, wall: u == u.Round(0), sec: u.Unix(), nsec: int64(u.Nanosecond())}
}

// From is Sub(t, u).
func (b Base) From(t time.Time) time.Duration {
	if b.wall || t == t.Round(0) {
		if s := t.Unix() - b.sec; s >= -maxSubSeconds && s <= maxSubSeconds {
			return time.Duration(s)*time.Second + time.Duration(int64(t.Nanosecond())-b.nsec)
		}
	}
	return t.Sub(b.u)
}
