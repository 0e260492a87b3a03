package clock

import "time"

// maxSubSeconds is the largest difference, in whole seconds, whose
// nanoseconds fit a Duration with a second to spare.
const maxSubSeconds = int64(1<<63-1)/int64(time.Second) - 1

// Sub is t.Sub(u), cheaper for two times without a monotonic reading (the
// simulation's, times rounded to the wall clock, times read back). Sub
// checks its result by adding it back to u and comparing, which made it
// most of the cost of the loops over a window's points and of the
// exposure record's accounting. Two wall-clock times subtract exactly as
// their Unix seconds and nanoseconds do; times with a monotonic reading,
// and times too far apart for a Duration (Sub saturates), take Sub.
func Sub(t, u time.Time) time.Duration {
	// Round(0) strips the monotonic reading: unchanged, there was none.
	if t == t.Round(0) && u == u.Round(0) {
		if s := t.Unix() - u.Unix(); s >= -maxSubSeconds && s <= maxSubSeconds {
			return time.Duration(s)*time.Second + time.Duration(t.Nanosecond()-u.Nanosecond())
		}
	}
	return t.Sub(u)
}
