package control

import (
	"math"
	"strings"
	"testing"
	"time"
)

func TestSessionStartsWait(t *testing.T) {
	var s sessionStarts
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }
	for i, m := range []int{0, 5} {
		s.add(at(m))
		if w := s.wait(at(m + 1)); w != 0 {
			t.Fatalf("after %d starts: wait %v, want unknown (0)", i+1, w)
		}
	}
	s.add(at(12))
	if w := s.wait(at(13)); w != 6*time.Minute {
		t.Fatalf("starts at 0, 5 and 12 min: wait %v, want their mean gap, 6m", w)
	}
	if w := s.wait(at(24)); w != 6*time.Minute {
		t.Fatalf("12 min after the last start: wait %v, want 6m", w)
	}
	// Overdue by a whole gap: the queue has ended.
	if w := s.wait(at(25)); w != 0 {
		t.Fatalf("13 min after the last start, the mean gap 6 min: wait %v, want unknown (0)", w)
	}
	// Only the latest startsKept count: a quiet morning is forgotten once
	// the queue has run a while.
	for m := 100; m <= 120; m += 5 {
		s.add(at(m))
	}
	if w := s.wait(at(121)); w != 5*time.Minute {
		t.Fatalf("a queue every 5 min after a quiet morning: wait %v, want 5m", w)
	}
}

func TestLeakShare(t *testing.T) {
	for _, c := range []struct {
		leak, vol float64
		wait      time.Duration
		want      float64
	}{
		{10, 4, 5 * time.Minute, 0.188},  // the simulated booth, a queue every 5 min
		{10, 4, 15 * time.Minute, 0.465}, // a busy day
		{10, 4, 2 * time.Hour, 0.993},    // a quiet one: nearly all of it
		{10, 4, 0, 1},                    // no idea when the next comes
		{0, 4, 5 * time.Minute, 1},       // the leak not fitted yet
		{10, 0, 5 * time.Minute, 1},
		{math.NaN(), 4, 5 * time.Minute, 1},
	} {
		if got := leakShare(c.leak, c.vol, c.wait); math.Abs(got-c.want) > 0.001 {
			t.Errorf("leakShare(%g m³/h, %g m³, %v) = %.3f, want %.3f", c.leak, c.vol, c.wait, got, c.want)
		}
	}
}

// offAt runs the world until the relay switches off (at most limit) and
// returns the booth's true excess over the staff area then; -1 if it did
// not.
func offAt(w *world, limit time.Duration) float64 {
	for range int(limit / time.Second) {
		if d := w.run(time.Second); d.Duty == 0 {
			return w.booth - w.staff
		}
	}
	return -1
}

// In a queue of short sessions the next one runs the fan within minutes
// and takes out what the last one left, with its own smoke; in the
// meantime little of it leaks. So the relay stops with more left in the
// booth than after a lone session, and clears the rest once the queue
// ends.
func TestRelayLeavesATailToTheNextSession(t *testing.T) {
	w := relayWorld(t, nil)
	w.run(15 * time.Minute)
	w.session(2.5, time.Minute)
	lone := offAt(w, 10*time.Minute)
	if lone < 0 || lone > 2*w.p.Tuning.SessionExcess {
		t.Fatalf("a lone session: off with %.1f µg/m³ left in the booth, want off and under %g", lone, 2*w.p.Tuning.SessionExcess)
	}
	w.run(30 * time.Minute)
	var queued []float64
	for range 12 {
		w.session(2.5, time.Minute)
		start := len(w.trace)
		queued = append(queued, offAt(w, 4*time.Minute))
		w.run(4*time.Minute - time.Duration(len(w.trace)-start)*time.Second)
	}
	onOffOnly(t, "the queue", w.trace)
	last := queued[len(queued)-1]
	if last < 2*lone || last < 15 {
		t.Fatalf("a session every 5 min: off with %.1f µg/m³ left (each: %.1f), after a lone one %.1f; want more left", last, queued, lone)
	}
	// The queue ends: what was left is cleared within the half hour, by
	// one switching on, not many.
	start := len(w.trace)
	w.run(30 * time.Minute)
	if x := w.booth - w.staff; x > 2*w.p.Tuning.SessionExcess {
		t.Fatalf("30 min after the queue ended the booth still holds %.1f µg/m³ above the staff area", x)
	}
	ons, why := 0, ""
	for i := start; i < len(w.trace); i++ {
		if w.trace[i].Duty == 1 && w.trace[i-1].Duty == 0 {
			ons++
			why = w.trace[i].Reason
		}
	}
	if ons != 1 || !strings.HasPrefix(why, "clearing booth") {
		t.Fatalf("after the queue: switched on %d times (last for %q), want once, for the booth", ons, why)
	}
	t.Logf("left in the booth at switching off: lone session %.1f, in the queue %.1f µg/m³", lone, queued)
}
