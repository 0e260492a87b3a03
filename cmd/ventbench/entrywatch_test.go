package main

import (
	"math/rand/v2"
	"testing"
	"time"
)

// entryWatch ends the entry windows a scan of every window each period
// ends, at the same periods: random windows (overlapping, sharing starts,
// some never ended), booths reading clean or not, and times that now and
// then step back.
func TestEntryWatchEndsWhatAScanEnds(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	start := time.Date(2026, 3, 2, 7, 0, 0, 0, time.UTC)
	for round := range 50 {
		var ws []entryWindow
		for range rng.IntN(40) {
			from := start.Add(time.Duration(rng.IntN(3600)) * time.Second)
			ws = append(ws, entryWindow{booth: rng.IntN(3), from: from, till: from.Add(time.Duration(1+rng.IntN(900)) * time.Second)})
		}
		scan, watched := append([]entryWindow(nil), ws...), append([]entryWindow(nil), ws...)
		watch := newEntryWatch(watched)
		now := start
		for range 5000 {
			now = now.Add(time.Duration(rng.IntN(3)) * time.Second)
			if rng.IntN(200) == 0 {
				now = now.Add(-time.Duration(rng.IntN(120)) * time.Second)
			}
			clean := [3]bool{rng.IntN(30) == 0, rng.IntN(30) == 0, rng.IntN(30) == 0}
			for i := range scan {
				w := &scan[i]
				if w.done || now.Before(w.from) || !now.Before(w.till) {
					continue
				}
				if clean[w.booth] {
					w.done, w.seconds = true, now.Sub(w.from).Seconds()
				}
			}
			watch.end(watched, now, func(b int) bool { return clean[b] })
			for i := range scan {
				if scan[i] != watched[i] {
					t.Fatalf("round %d at %v: window %d %+v, a scan has %+v", round, now, i, watched[i], scan[i])
				}
			}
		}
	}
}
