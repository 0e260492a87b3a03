package main

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// progressEvery is how often a long ventbench says how far it has got.
const progressEvery = 15 * time.Second

// progress tells a person at a terminal that a long ventbench is working.
// The first run of a build simulates every baseline too (a few minutes on
// two cores, before the cache holds them), and ventbench printed nothing
// until its table: it looked hung. It writes to stderr, so the table and
// -json on stdout are unchanged.
type progress struct {
	w     io.Writer
	start time.Time
	total int
	// caching is set when the baselines' results are kept for later runs.
	caching bool
	// cost is every run's estimated cost (job.cost); simulated and cached
	// are what the finished runs cost, apart, for the time left.
	cost float64

	mu                sync.Mutex
	done, hits        int
	simulated, cached float64
}

func newProgress(w io.Writer, start time.Time, jobs []job, caching bool) *progress {
	p := &progress{w: w, start: start, total: len(jobs), caching: caching}
	for _, j := range jobs {
		p.cost += j.cost()
	}
	return p
}

// finished counts a run that ended, taken from the cache or simulated.
func (p *progress) finished(j job, fromCache bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done++
	if fromCache {
		p.hits++
		p.cached += j.cost()
	} else {
		p.simulated += j.cost()
	}
}

// line is what progress says at now: runs done, from the cache, and the
// time left at the pace so far (runs still to come may be cached, so it is
// an upper bound).
func (p *progress) line(now time.Time) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	elapsed := now.Sub(p.start)
	s := fmt.Sprintf("ventbench: %d of %d runs done after %s", p.done, p.total, elapsed.Round(time.Second))
	if p.hits > 0 {
		s += fmt.Sprintf(" (%d from the cache)", p.hits)
	}
	if left := p.cost - p.simulated - p.cached; p.simulated > 0 && left > 0 {
		s += fmt.Sprintf("; at most %s left", time.Duration(float64(elapsed)*left/p.simulated).Round(time.Second))
	}
	if p.caching && 2*p.hits < p.done {
		// Said while the cache is what is missing: the next run of this
		// build reuses every baseline.
		s += "; a build's first run simulates the baselines, later runs reuse them"
	}
	return s
}

// report writes a line every progressEvery until stop is closed, and
// closes done when it returns, so nothing is written after.
func (p *progress) report(stop <-chan struct{}, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(progressEvery)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case now := <-t.C:
			fmt.Fprintln(p.w, p.line(now))
		}
	}
}
