package sensor

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/ventd/ventd/sample"
)

// A reading that stood still before a restart and stands still after it
// is one run for the stuck watch: a restart of ventd does not power the
// sensors off, and a watch that started again would count up to the
// stuck time (30 min by default, 5 min for an SPS30) of a frozen reading
// as measured air a second time, and find the freeze only after that.
// The run is saved once it has stood a minute (shorter runs are every
// second of a live reading, and not worth a write); "" when there is
// none, so that a stale run is never taken for the present one.

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

// MarkFrozen takes the room law's verdict that the reading of q, standing
// at value since since, is frozen (why says how the law told; see
// control's frozen.go), found at now. The law tells sooner than the stuck
// time: a booth reading that stood still while the staff area's air rose,
// or that stood exactly still for minutes with no staff sensor moving.
// From then on the sensor is frozen as the stuck detector would make it:
// its samples are unknown air, its frozen-reading fault alarm is raised,
// and the time since the reading stopped changing is taken back out of the
// exposure record (TakeFreezes), until the reading moves, a still 0
// included. It reports whether it marked the sensor: not when it is
// frozen already, nor when its reading of q is no longer value or no
// longer good (it moved, or failed, after the law saw it).
func (s *Sensor) MarkFrozen(now, since time.Time, q sample.Quantity, value float64, why string) bool {
	if s.frozen != nil {
		return false
	}
	i := s.find(q)
	if i < 0 || s.latest[i].Quality != sample.Good || s.latest[i].Value != value {
		return false
	}
	s.held, s.heldQ, s.heldV = true, q, value
	s.froze = since
	s.frozen, s.why = errors.New(why), why
	vals := map[sample.Quantity]float64{}
	for _, v := range s.latest {
		vals[v.Quantity] = v.Value
	}
	s.found = append(s.found, Freeze{Sensor: s.cfg.Name, Zone: s.cfg.Zone, Quantity: q, Since: since, Found: now, Values: vals})
	s.log.Warn("sensor reading frozen, found by the room law before the stuck time; treated as unknown air until it changes",
		"since", since, "why", why, "hint", "power-cycle the sensor or check its fan (SPS30) and cable")
	return true
}
