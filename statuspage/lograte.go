package statuspage

import (
	"sync"
	"time"
)

// Bounds on the warnings about refused requests: a manager reading the
// journal sees who is doing it, and a flood of refusals from many
// addresses cannot fill the journal or the SD card.
const (
	// warnEvery is how often one address's refusals of one kind are
	// logged; the line says how many were not logged since the last.
	warnEvery = time.Minute
	// warnBurst lines of one logLimiter at most per warnEvery, whatever
	// the number of addresses.
	warnBurst = 20
	// warnKeys bounds the addresses a logLimiter remembers.
	warnKeys = 4096
)

// logLimiter says whether a warning about one key (an address and what it
// did) is logged now: once per warnEvery per key, and warnBurst lines per
// warnEvery in all. It runs on the clock it is given.
type logLimiter struct {
	mu     sync.Mutex
	last   map[string]*warned
	window time.Time // start of the current warnBurst window
	lines  int       // lines logged in it
}

type warned struct {
	at      time.Time
	skipped int // refusals not logged since at
}

// allow reports whether to log about key at now, and how many refusals
// of key were not logged since its last line.
func (l *logLimiter) allow(key string, now time.Time) (skipped int, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.last == nil {
		l.last = map[string]*warned{}
	}
	w := l.last[key]
	if w != nil && now.Sub(w.at) < warnEvery {
		w.skipped++
		return 0, false
	}
	if now.Sub(l.window) >= warnEvery || now.Before(l.window) {
		l.window, l.lines = now, 0
	}
	if l.lines >= warnBurst {
		if w != nil {
			w.skipped++
		}
		return 0, false
	}
	l.lines++
	if w == nil {
		if len(l.last) >= warnKeys {
			for k, v := range l.last { // forget the keys that have gone quiet
				if now.Sub(v.at) >= warnEvery {
					delete(l.last, k)
				}
			}
			if len(l.last) >= warnKeys {
				clear(l.last)
			}
		}
		w = &warned{}
		l.last[key] = w
	}
	skipped, w.at, w.skipped = w.skipped, now, 0
	return skipped, true
}
