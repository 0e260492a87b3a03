package exposure

import (
	"math"
	"time"
)

// instant is a time as the tracker keeps it: Unix nanoseconds on the wall
// clock, which the bins are indexed by, and the location the time came in,
// which the times it reports keep. The tracker compares and subtracts
// times several times a second per record, and time.Time's methods (the
// monotonic reading, the year-1 epoch, Sub's overflow check) were the
// largest part of that; a monotonic reading in a time given to the
// tracker takes no part (the daemon strips it).
type instant struct {
	ns  int64
	loc *time.Location // nil: the zero time.Time
}

// never is before every instant: the zero time.Time of a field that
// compares, and the time before a tracker has data.
var never = instant{ns: math.MinInt64}

func at(t time.Time) instant {
	if t.IsZero() {
		return never
	}
	return instant{t.UnixNano(), t.Location()}
}

// time is i as a time.Time in its location, as the tracker reported it
// when it kept time.Time.
func (i instant) time() time.Time {
	if i.loc == nil {
		return time.Time{}
	}
	return time.Unix(0, i.ns).In(i.loc)
}

func (i instant) add(d time.Duration) instant { return instant{i.ns + int64(d), i.loc} }

// sub is i − j; the two are within a few centuries of each other.
func (i instant) sub(j instant) time.Duration { return time.Duration(i.ns - j.ns) }

// laterOf and earlierOf break ties as maxTime and minTime do: the second.
func laterOf(a, b instant) instant {
	if a.ns > b.ns {
		return a
	}
	return b
}

func earlierOf(a, b instant) instant {
	if a.ns < b.ns {
		return a
	}
	return b
}
