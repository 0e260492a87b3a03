// Package lograte bounds warnings about what clients do to ventd (a refused
// connection, a malformed request): a manager reading the log sees who is
// doing it, and a flood from many addresses cannot fill the journal or the
// SD card. Each line says how many were not logged since the last.
package lograte

import (
	"sync"
	"time"
)

// The bounds.
const (
	// Every is how often warnings about one key (an address and what it
	// did) are logged; the line says how many were not logged since the last.
	Every = time.Minute
	// Burst lines of one Limiter at most per Every, whatever
	// the number of addresses.
	Burst = 20
	// Keys bounds the addresses a Limiter remembers.
	Keys = 4096
)

// Limiter says whether a warning about one key (an address and what it
// did) is logged now: once per Every per key, and Burst lines per
// Every in all. It runs on the clock it is given.
type Limiter struct {
	mu     sync.Mutex
	last   map[string]*warned
	window time.Time // start of the current Burst window
	lines  int       // lines logged in it
}

type warned struct {
	at      time.Time
	skipped int // refusals not logged since at
}

// Allow reports whether to log about key at now, and how many refusals
// of key were not logged since its last line.
func (l *Limiter) Allow(key string, now time.Time) (skipped int, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last == nil {
		l.last = map[string]*warned{}
	}
	w := l.last[key]
	if w != nil && now.Sub(w.at) < Every {
		w.skipped++
		return 0, false
	}
	if now.Sub(l.window) >= Every || now.Before(l.window) {
		l.window, l.lines = now, 0
	}
	if l.lines >= Burst {
		if w != nil {
			w.skipped++
		}
		return 0, false
	}
	l.lines++
	if w == nil {
		if len(l.last) >= Keys {
			for k, v := range l.last { // forget the keys that have gone quiet
				if now.Sub(v.at) >= Every {
					delete(l.last, k)
				}
			}
			if len(l.last) >= Keys {
				clear(l.last)
			}
		}
		w = &warned{}
		l.last[key] = w
	}
	skipped, w.at, w.skipped = w.skipped, now, 0
	return skipped, true
}
