package sensor

import (
	"strconv"
	"strings"
	"time"
)

// A reading that stood still before a restart and stands still after it
// is one run for the stuck watch: a restart of ventd does not power the
// sensors off, and a watch that started again would count up to 30 min
// of a frozen reading as measured air a second time, and find the freeze
// only after that. The run is saved once it has stood a minute (shorter
// runs are every second of a live reading, and not worth a write); "" when
// there is none, so that a stale run is never taken for the present one.

// minStill is how long a run stands before it is saved.
const minStill = time.Minute

func (s *Sensor) stillKey() string { return "sensor." + s.cfg.Name + ".still" }

// still is the saved form of the stuck watch's run at now: "value@unix
// ms", or "" when the reading moved within the last minute.
func (s *Sensor) still(now time.Time) string {
	ref, since, ok := s.stuck.Run()
	if !ok || now.Sub(since) < minStill {
		return ""
	}
	return strconv.FormatFloat(ref, 'g', -1, 64) + "@" + strconv.FormatInt(since.UnixMilli(), 10)
}

// resumeStill continues the run saved before a restart, if the restart was
// soon enough after it for the sensor to have kept its power: the next
// reading, if it is the same value, extends it.
func (s *Sensor) resumeStill(saved func(string) (string, bool), now time.Time, stuckAfter time.Duration) {
	v, ok := saved(s.stillKey())
	if !ok || v == "" {
		return
	}
	val, at, ok := strings.Cut(v, "@")
	ref, err := strconv.ParseFloat(val, 64)
	ms, merr := strconv.ParseInt(at, 10, 64)
	if !ok || err != nil || merr != nil {
		return // not ours to judge: the watch starts afresh
	}
	since := time.UnixMilli(ms)
	if since.After(now) || now.Sub(since) > stuckAfter+10*time.Minute {
		return // long down: a repeated value now is a coincidence
	}
	s.stuck.Resume(ref, since)
}
