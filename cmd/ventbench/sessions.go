package main

import (
	"math"
	"slices"
	"time"

	"github.com/ventd/ventd/config"
	"github.com/ventd/ventd/snapshot"
	"github.com/ventd/ventd/testbench/room"
	"github.com/ventd/ventd/testbench/scenario"
)

// SessionFigures say how each session was met: how fast the booth's fans
// reached full, and whether the booth was cleared afterwards.
type SessionFigures struct {
	// Sessions in the scenario (every booth); Share is the share of the
	// scenario's time some booth had a session (a busy day has 10 % or
	// more).
	Sessions int     `json:"sessions"`
	Share    float64 `json:"session_share"`
	// StrongToFull and WeakToFull are the longest times (s) from a
	// session's start to every fan of its booth at full duty, for strong
	// smoke (rising at least control.rise_rate_ugm3_per_s in the booth
	// at the start) and weak smoke (slower). Null when no session of the
	// kind ran; NotFull counts sessions whose fans never reached full
	// while the session lasted.
	StrongToFull *float64 `json:"strong_seconds_to_full"`
	WeakToFull   *float64 `json:"weak_seconds_to_full"`
	NotFull      int      `json:"sessions_never_full"`
	// AfterVisible is the longest time (s) from the first booth reading
	// showing the smoke (its level before the session plus the strong
	// detector's rise, rise_rate × rise_window) to full: the law's own
	// latency, without the sensor's response time.
	AfterVisible *float64 `json:"seconds_to_full_after_visible"`
	// Cleared counts sessions after which the booth sensor came back to
	// within max(10 µg/m³, 10 %) of its level before the session, before
	// the booth's next session (or the end); Uncleared those that did not.
	Cleared   int `json:"sessions_cleared"`
	Uncleared int `json:"sessions_not_cleared"`
}

// sessionWatch follows one session through the snapshots.
type sessionWatch struct {
	zone            string
	booth           int // zone's boothIndex, -1 if none
	start, end      time.Time
	next            time.Time // the booth's next session, or the end
	strong          bool
	pre             float64 // the booth reading just before the start
	visibleAt, full time.Time
	cleared         bool
	done            bool // nothing later changes it (see add)
}

type sessionFigs struct {
	watches  []*sessionWatch
	last     boothAir // latest booth reading per booth, of any period
	fanZones map[string][]string
	maxDuty  map[string]float64
	rise     float64 // the strong detector's rise, µg/m³
	share    float64
}

func newSessionFigs(cfg *config.Config, rc room.Config, sc *scenario.Scenario, start, end time.Time, booth map[string]int) *sessionFigs {
	s := &sessionFigs{last: boothAir{value: make([]float64, len(booth)), seen: make([]bool, len(booth))}, fanZones: map[string][]string{}, maxDuty: map[string]float64{},
		rise: cfg.Control.RiseRate * cfg.Control.RiseWindow.Seconds()}
	for _, f := range cfg.Fans {
		s.fanZones[f.Name], s.maxDuty[f.Name] = f.Zones, f.MaxDuty/100
	}
	volume := map[string]float64{}
	booths := map[string]bool{}
	for _, z := range rc.Zones {
		volume[z.Name] = z.VolumeM3
		booths[z.Name] = z.Kind == room.Booth
	}
	var busy time.Duration
	var spans [][2]time.Duration
	for _, e := range sc.Events {
		v := e.Session
		if v == nil || start.Add(e.At).After(end) || !booths[v.Zone] {
			continue // smoke in the staff area is no booth session: no booth fan is its own
		}
		rate := v.PM25MgPerMin * 1000 / 60 / volume[v.Zone] // µg/m³ per s
		s.watches = append(s.watches, &sessionWatch{zone: v.Zone, booth: indexOf(booth, v.Zone), start: start.Add(e.At), end: start.Add(e.At + v.Duration),
			next: end, strong: rate >= cfg.Control.RiseRate, pre: math.NaN()})
		spans = append(spans, [2]time.Duration{e.At, e.At + v.Duration})
	}
	for i, w := range s.watches {
		for _, n := range s.watches[i+1:] {
			if n.zone == w.zone && n.start.Before(w.next) {
				w.next = n.start
			}
		}
	}
	// The time some booth had a session: the union of the spans.
	slices.SortFunc(spans, func(a, b [2]time.Duration) int { return int(a[0] - b[0]) })
	var till time.Duration
	for _, sp := range spans {
		from := max(sp[0], till)
		if sp[1] > from {
			busy += sp[1] - from
		}
		till = max(till, sp[1])
	}
	s.share = busy.Seconds() / end.Sub(start).Seconds()
	return s
}

// add reads one snapshot: booth holds the latest good reading per booth
// zone taken this period.
func (s *sessionFigs) add(snap *snapshot.Snapshot, booth *boothAir) {
	for _, w := range s.watches {
		now := snap.Time
		if w.done || now.Before(w.start) {
			continue
		}
		if math.IsNaN(w.pre) {
			if v, ok := s.last.at(w.booth); ok {
				w.pre = v
			}
		}
		v, ok := booth.at(w.booth)
		if ok && w.visibleAt.IsZero() && !math.IsNaN(w.pre) && v >= w.pre+s.rise && now.Before(w.end) {
			w.visibleAt = now
		}
		if w.full.IsZero() && now.Before(w.end) && s.allFull(snap, w.zone) {
			w.full = now
		}
		if ok && !w.cleared && !now.Before(w.end) && now.Before(w.next) && !math.IsNaN(w.pre) &&
			v <= w.pre+math.Max(10, 0.1*w.pre) {
			w.cleared = true
		}
		// Past its end and cleared, or past the booth's next session,
		// nothing above can change the watch again: snapshots come in
		// time order.
		w.done = !now.Before(w.end) && (w.cleared || !now.Before(w.next))
	}
	for i, seen := range booth.seen {
		if seen {
			s.last.value[i], s.last.seen[i] = booth.value[i], true
		}
	}
}

func (s *sessionFigs) allFull(snap *snapshot.Snapshot, zone string) bool {
	any := false
	for _, f := range snap.Fans {
		if !slices.Contains(s.fanZones[f.Name], zone) {
			continue
		}
		any = true
		if f.Duty < s.maxDuty[f.Name]-1e-9 {
			return false
		}
	}
	return any
}

func (s *sessionFigs) finish(end time.Time) SessionFigures {
	out := SessionFigures{Sessions: len(s.watches), Share: s.share}
	longest := func(p **float64, v float64) {
		if *p == nil || v > **p {
			*p = &v
		}
	}
	for _, w := range s.watches {
		if w.full.IsZero() {
			out.NotFull++
		} else {
			d := w.full.Sub(w.start).Seconds()
			if w.strong {
				longest(&out.StrongToFull, d)
			} else {
				longest(&out.WeakToFull, d)
			}
			if !w.visibleAt.IsZero() {
				longest(&out.AfterVisible, math.Max(w.full.Sub(w.visibleAt).Seconds(), 0))
			}
		}
		switch {
		case w.cleared:
			out.Cleared++
		case w.end.Before(end):
			out.Uncleared++
		}
	}
	return out
}
