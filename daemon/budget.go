package daemon

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/ventd/ventd/record"
)

// Every request is journaled, done or refused, with who asked. A client
// that asks in a loop (a home-automation rule acknowledging each second,
// a script gone wrong) would then fill the journal with actions, which
// are never pruned for size: the exposure minutes would go first. So the
// journal records at most requestBurst requests from each way in (MQTT,
// the status page, the control socket) at once, then one a
// requestRefill. Past that a request is refused at once and not run,
// except a purge, which always runs: responders may be waiting to enter.
// Neither is journaled one by one: each way in gets one action a
// summaryEvery that counts them, so the record still says what was asked.
const (
	requestBurst  = 30
	requestRefill = time.Minute
	summaryEvery  = time.Minute
)

// unbudgeted are the ways in whose requests are bounded where they start:
// a person at the purge button, root's SIGHUP, ventd itself, a simulated
// room's scenario file.
var unbudgeted = map[string]bool{"button": true, "signal": true, "config": true, "ventd": true, "scenario": true}

// requestBudget is the journal's allowance of requests per way in. The
// loop alone uses it, on the daemon's clock.
type requestBudget struct {
	ways    map[string]*wayBudget
	pending int // requests over an allowance not yet in a summary
}

// wayBudget is one way in's allowance and what went over it since its
// last summary.
type wayBudget struct {
	lim             *rate.Limiter
	served, refused int           // over the allowance since the last summary
	last            record.Action // the last request over it
	summarised      time.Time     // when the last summary was journaled
}

// allow takes one request from via's allowance at now, and reports whether
// there was one.
func (b *requestBudget) allow(via string, now time.Time) bool {
	if unbudgeted[via] {
		return true
	}
	if b.ways == nil {
		b.ways = map[string]*wayBudget{}
	}
	w := b.ways[via]
	if w == nil {
		w = &wayBudget{lim: rate.NewLimiter(rate.Every(requestRefill), requestBurst)}
		b.ways[via] = w
	}
	return w.lim.AllowN(now, 1)
}

// refusal is the error a request over via's allowance is answered with.
func (b *requestBudget) refusal(via string, now time.Time) string {
	wait := requestRefill
	if w := b.ways[via]; w != nil {
		r := w.lim.ReserveN(now, 1)
		wait = r.DelayFrom(now)
		r.CancelAt(now)
	}
	return fmt.Sprintf("refused, not run: more than %d requests by %s at once, then one a minute, go to the journal; try again in %s (a client asking in a loop should stop)",
		requestBurst, via, wait.Round(time.Second))
}

// over counts a, a request from its way in over the allowance, served (a
// purge) or refused, for the way's next summary.
func (b *requestBudget) over(a record.Action) {
	w := b.ways[a.By.Via]
	b.pending++
	if a.Err != "" {
		w.refused++
	} else {
		w.served++
	}
	w.last = a
}

// summaries returns at now one action for each way in with requests over
// its allowance not yet journaled: at once for the first, then at most one
// a summaryEvery; all of them when last is set (ventd is stopping).
func (b *requestBudget) summaries(now time.Time, last bool) []record.Action {
	if b.pending == 0 {
		return nil
	}
	var out []record.Action
	for _, via := range slices.Sorted(maps.Keys(b.ways)) {
		w := b.ways[via]
		// A clock set back since the last summary makes the next one due
		// at once, not when the clock has caught up.
		recent := !w.summarised.IsZero() && !now.Before(w.summarised) && now.Sub(w.summarised) < summaryEvery
		if w.served+w.refused == 0 || (!last && recent) {
			continue
		}
		var what []string
		if w.refused > 0 {
			what = append(what, fmt.Sprintf("%d refused, not run", w.refused))
		}
		if w.served > 0 {
			what = append(what, fmt.Sprintf("%d purge request(s) run", w.served))
		}
		lastAsked := w.last
		asked := string(lastAsked.Kind)
		if lastAsked.Target != "" {
			asked += " " + lastAsked.Target
		}
		msg := fmt.Sprintf("over the journal's allowance for %s (%d at once, then one a minute): %s, not journaled one by one; the last: %s by %s at %s",
			via, requestBurst, strings.Join(what, ", "), asked, lastAsked.By.String(), lastAsked.Time.UTC().Format(time.RFC3339))
		a := record.Action{Time: now, Kind: record.ActOverAllowance, Target: via, By: lastAsked.By}
		if w.refused > 0 {
			a.Err = msg
		} else {
			a.Result = msg
		}
		out = append(out, a)
		b.pending -= w.served + w.refused
		w.served, w.refused, w.summarised = 0, 0, now
	}
	return out
}
