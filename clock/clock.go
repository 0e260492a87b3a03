// Package clock gives every ventd component its time from one injected
// source, so the same code runs on the wall clock on a Pi and on simulated
// time in tests, where an 8 h shift passes in seconds.
package clock

import (
	"sync"
	"sync/atomic"
	"time"
)

// Clock is the time source a component reads and sleeps on.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// Sleep pauses the caller for d of this clock's time.
	Sleep(d time.Duration)
}

// Real is the wall clock.
type Real struct{}

// Now returns time.Now().
func (Real) Now() time.Time { return time.Now() }

// Sleep calls time.Sleep.
func (Real) Sleep(d time.Duration) { time.Sleep(d) }

// Sim is simulated time that moves only when a caller sleeps on it.
//
// Sim has one timeline: the daemon's loop (and the drivers it calls) sleep
// on it in turn, and everyone else only reads Now. Two goroutines sleeping
// at once would both advance it, so don't.
//
// With a speed above zero, Sleep also waits on the wall clock so that
// simulated time runs speed times faster than real time, measured from the
// start so rounding never accumulates. Speed zero runs as fast as the CPU
// allows.
type Sim struct {
	mu sync.Mutex
	// elapsed is how far simulated time has moved from start, in
	// nanoseconds. It is atomic so that Now, called many times a period
	// by the loop and its drivers, takes no lock; it is changed only
	// under mu, so Sleep, Advance and Hold keep their order.
	elapsed atomic.Int64
	start   time.Time
	// startSec, startNsec and loc are start's Unix time and location,
	// for Now, when start has no monotonic reading (wall: a simulation's
	// start); see at.
	startSec, startNsec int64
	loc                 *time.Location
	wall                bool
	wallStart           time.Time
	speed               float64
	hooks               []func(time.Time)
	held                *sync.Cond // made by the first Hold
	holding             bool
	heldAt              time.Time // wall time of Hold, so pacing does not catch up after it
}

// NewSim returns a simulated clock reading start, paced at speed times real
// time (0: unpaced).
func NewSim(start time.Time, speed float64) *Sim {
	sec := start.Unix()
	return &Sim{start: start, wallStart: time.Now(), speed: speed,
		startSec: sec, startNsec: int64(start.Nanosecond()), loc: start.Location(),
		// Round(0) strips a monotonic reading: unchanged, there was none.
		// A start this side of 146 billion years adds any Duration to
		// its seconds without overflow, whichever way they are added.
		wall: start == start.Round(0) && sec > -1<<62 && sec < 1<<62}
}

// Now returns the simulated time.
func (s *Sim) Now() time.Time { return s.at(time.Duration(s.elapsed.Load())) }

// at is start.Add(elapsed). For a start without a monotonic reading that
// is start's Unix time plus elapsed in start's location, the same value
// (such a Time holds its instant and its location only), which time.Unix
// makes in two thirds of Add's time: Now is read many times a simulated
// second. TestSimNowIsStartAdd checks the two are ==.
func (s *Sim) at(elapsed time.Duration) time.Time {
	if !s.wall {
		return s.start.Add(elapsed)
	}
	return time.Unix(s.startSec+int64(elapsed/time.Second), s.startNsec+int64(elapsed%time.Second)).In(s.loc)
}

// Sleep advances simulated time by d, pacing against the wall clock when
// the clock has a speed. While the clock is held (Hold), Sleep waits for
// Release first.
func (s *Sim) Sleep(d time.Duration) {
	if d < 0 {
		d = 0
	}
	s.mu.Lock()
	for s.holding {
		s.held.Wait()
	}
	elapsed := time.Duration(s.elapsed.Add(int64(d)))
	now := s.at(elapsed)
	var wait time.Duration
	if s.speed > 0 {
		due := s.wallStart.Add(time.Duration(float64(elapsed) / s.speed))
		wait = time.Until(due)
	}
	hooks := s.hooks
	s.mu.Unlock()
	if wait > 0 {
		time.Sleep(wait)
	}
	for _, h := range hooks {
		h(now)
	}
}

// Advance is Sleep without the wall-clock pacing; tests use it to move time.
func (s *Sim) Advance(d time.Duration) {
	s.mu.Lock()
	now, hooks := s.at(time.Duration(s.elapsed.Add(int64(d)))), s.hooks
	s.mu.Unlock()
	for _, h := range hooks {
		h(now)
	}
}

// OnAdvance calls fn with the new time each time the clock moves, on the
// goroutine that moved it: the simulated room plays its scenario this way,
// so the world moves with the clock and the daemon's loop needs no hook of
// its own.
func (s *Sim) OnAdvance(fn func(now time.Time)) {
	s.mu.Lock()
	s.hooks = append(s.hooks, fn)
	s.mu.Unlock()
}

// Hold stops simulated time: the next Sleep waits until Release. A test
// holds the clock while it looks at the daemon, so what it reads does not
// depend on how fast the machine runs the simulation.
func (s *Sim) Hold() {
	s.mu.Lock()
	if s.held == nil {
		s.held = sync.NewCond(&s.mu)
	}
	if !s.holding {
		s.holding, s.heldAt = true, time.Now()
	}
	s.mu.Unlock()
}

// Release lets simulated time run again after Hold.
func (s *Sim) Release() {
	s.mu.Lock()
	if s.holding {
		s.wallStart = s.wallStart.Add(time.Since(s.heldAt))
	}
	s.holding = false
	if s.held != nil {
		s.held.Broadcast()
	}
	s.mu.Unlock()
}

// Speed returns the pacing factor given to NewSim.
func (s *Sim) Speed() float64 { return s.speed }
