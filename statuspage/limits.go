package statuspage

import (
	"math"
	"net/netip"
	"time"

	"github.com/ventd/ventd/config"
)

// The bounds on PIN attempts slow guessing, not responders.
//
// Only a wrong PIN counts. Each check takes an attempt from its address's
// allowance (page.client_attempts_per_minute) and from the one every
// address shares (page.attempts_per_minute) before the PIN is checked, so
// guesses still in flight are bounded too; a right PIN gives both back.
// A responder's purges and acknowledgements therefore never run out of
// attempts, however many come in a minute: the daemon's own allowance
// per way in bounds what a script with the PIN can ask of the journal.
//
// An address whose PIN was right within trustFor keeps its own
// allowance only: the wrong guesses of other addresses, which spend the
// shared one, never lock the tablet on the wall out of a purge. So does
// an address in page.tablets, from its first attempt: a tablet not yet
// trusted (after a restart, or new on the wall) would otherwise share
// the allowance with the guessers.
const trustFor = 24 * time.Hour

// allowance is a bucket of attempts that refills at perMinute a minute,
// up to perMinute.
type allowance struct {
	left float64
	at   time.Time // when left was counted
}

func fullAllowance(perMinute int, now time.Time) *allowance {
	return &allowance{left: float64(perMinute), at: now}
}

// refill adds what has come back since it was last counted.
func (b *allowance) refill(now time.Time, perMinute int) {
	if now.After(b.at) {
		b.left = math.Min(float64(perMinute), b.left+now.Sub(b.at).Minutes()*float64(perMinute))
		b.at = now
	}
}

// take takes one attempt, or says how long until there is one.
func (b *allowance) take(now time.Time, perMinute int) (time.Duration, bool) {
	b.refill(now, perMinute)
	if b.left >= 1 {
		b.left--
		return 0, true
	}
	return time.Duration((1 - b.left) / float64(perMinute) * float64(time.Minute)), false
}

// give returns an attempt taken (the PIN was right, or never checked).
func (b *allowance) give(perMinute int) {
	b.left = math.Min(float64(perMinute), b.left+1)
}

// full reports whether nothing has been taken that has not come back.
func (b *allowance) full(now time.Time, perMinute int) bool {
	b.refill(now, perMinute)
	return b.left >= float64(perMinute)
}

// claim is one PIN check's hold on the allowances, settled once the PIN
// has been checked.
type claim struct {
	host   string
	shared bool // taken from the shared allowance too
}

// allow takes an attempt for a PIN check from the client's allowance
// and, unless its PIN was right lately, the shared one; it says how long
// to wait when either is spent.
func (a *actions) allow(from string) (claim, time.Duration, bool) {
	host := clientHost(from)
	now := a.p.now()
	pc := a.p.cfg.Page
	a.mu.Lock()
	defer a.mu.Unlock()
	own := a.per[host]
	if own == nil {
		if len(a.per) >= maxClients {
			for k, v := range a.per { // forget the clients whose allowance has refilled
				if v.full(now, pc.ClientAttemptsPerMinute) {
					delete(a.per, k)
				}
			}
		}
		if len(a.per) >= maxClients {
			return claim{}, time.Minute, false
		}
		own = fullAllowance(pc.ClientAttemptsPerMinute, now)
		a.per[host] = own
	}
	trusted := a.trustedAt(host, now) || isTablet(pc, from)
	// Both or neither: an attempt the shared allowance refuses was never
	// checked, and must not cost the client's own allowance (a tablet
	// trying while others spend the shared one would be locked out after
	// them).
	if d, ok := own.take(now, pc.ClientAttemptsPerMinute); !ok {
		return claim{}, d, false
	}
	if !trusted {
		if d, ok := a.shared.take(now, pc.AttemptsPerMinute); !ok {
			own.give(pc.ClientAttemptsPerMinute)
			return claim{}, d, false
		}
	}
	return claim{host: host, shared: !trusted}, 0, true
}

// settle ends a claim: a wrong PIN keeps the attempts it took; a right
// one (or a PIN never checked) gives them back, and a right one makes its
// address trusted for trustFor.
func (a *actions) settle(c claim, counted, right bool) {
	if c.host == "" {
		return
	}
	now := a.p.now()
	pc := a.p.cfg.Page
	a.mu.Lock()
	defer a.mu.Unlock()
	if counted && !right {
		return
	}
	if own := a.per[c.host]; own != nil {
		own.give(pc.ClientAttemptsPerMinute)
	}
	if c.shared {
		a.shared.give(pc.AttemptsPerMinute)
	}
	if right {
		a.trust(c.host, now)
	}
}

// isTablet reports whether from, a request's remote address, is one of
// page.tablets: the address ventd sees, so behind a reverse proxy the
// proxy's (the README says not to list it).
func isTablet(pc config.Page, from string) bool {
	ap, err := netip.ParseAddrPort(from)
	return err == nil && pc.IsTablet(ap.Addr())
}

// trustedAt reports whether host gave the right PIN within trustFor of
// now. a.mu is held.
func (a *actions) trustedAt(host string, now time.Time) bool {
	at, ok := a.trusted[host]
	return ok && now.Sub(at) < trustFor
}

// trust marks host's PIN right at now, keeping at most maxClients
// addresses: the expired go first, then the longest trusted. a.mu is
// held.
func (a *actions) trust(host string, now time.Time) {
	if _, ok := a.trusted[host]; !ok && len(a.trusted) >= maxClients {
		oldest := ""
		for k, at := range a.trusted {
			if now.Sub(at) >= trustFor {
				delete(a.trusted, k)
			} else if oldest == "" || at.Before(a.trusted[oldest]) {
				oldest = k
			}
		}
		if len(a.trusted) >= maxClients {
			delete(a.trusted, oldest)
		}
	}
	a.trusted[host] = now
}
