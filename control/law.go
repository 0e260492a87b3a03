package control

import (
	"fmt"
	"math"
	"time"

	"github.com/ventd/ventd/sample"
)

// Law decides every fan of a room each control period. Room is ventd's
// law; ventbench runs the baselines (fixed duty, on/off, proportional, one
// per fan) through the same interface with PerFan, so every law runs the
// same control path.
type Law interface {
	// Update decides each fan's duty at now, in the order of Params.Fans,
	// from the latest sample of every PM2.5 sensor in the booths and
	// staff zones and of every booth pressure sensor. A configured sensor
	// missing from in counts as a sensor with no reading.
	Update(now time.Time, in []sample.Sample) []Decision
	// Purge runs the fans of zone's booths (every booth when zone is
	// "") at maximum until the booth is safe to enter; CancelPurge ends
	// it early. A zone that is no booth of the room is ignored.
	Purge(zone string)
	CancelPurge(zone string)
	// SetFanFault tells the law that fan i (Params.Fans order) does not
	// work, and why (a stall its tachometer reads, an output that cannot
	// be set), or with why "" that it works again. The fan and every
	// other fan of its booths then run at their safe duty (fanfault.go).
	SetFanFault(i int, why string)
	// Booths reports each booth as the law sees it, in Params.Booths
	// order, with its measured decay.
	Booths() []BoothStatus
	// AppendBooths is Booths appended to dst, for a caller that asks
	// every period and can reuse the slice.
	AppendBooths(dst []BoothStatus) []BoothStatus
	// Staff reports the staff area as the law sees it; false for a law
	// that does not watch it (the per-fan baselines).
	Staff() (StaffStatus, bool)
	// Retune takes new settings (a config reload) from the next period,
	// keeping what the law has learned and the sessions under way. The
	// room's layout (booths, staff zones, fans, sensors) must be the same;
	// changing it needs a new law.
	Retune(p Params) error
}

// Mode says why a fan runs at its duty.
type Mode string

// The modes, in the order a staff member would ask "why is it loud?".
const (
	ModeSafe   Mode = "safe"   // data missing, stale or bad: fail safe
	ModePurge  Mode = "purge"  // purge requested: full until safe to enter
	ModeBoost  Mode = "boost"  // a session: smoke in a booth it serves
	ModeNormal Mode = "normal" // following the booths and the staff area
)

// Decision is what the law wants one fan to do now.
type Decision struct {
	Duty   float64
	Mode   Mode
	Reason string // a sentence for the status page and the log
	// Level is the highest trusted PM2.5 of the booths the fan serves,
	// NaN when none.
	Level float64
	// SecondsToEntry estimates when every booth the fan serves is below
	// the entry threshold: 0 now, -1 unknown.
	SecondsToEntry float64
	// StaffBlind says the fan runs at Tuning.StaffBlindDuty because no
	// staff PM2.5 sensor can be trusted, where the air alone would have
	// it slower: no change of Mode, but one the log should show.
	StaffBlind bool
	// FanFault says the duty was raised to the safe duty for a fan of
	// its booths that does not work (this one or another): the air is
	// known, a fan is not (fanfault.go).
	FanFault bool
}

func describe(s sample.Sample, now time.Time) string {
	if s.Quality == sample.Good {
		return fmt.Sprintf("stale (%s old)", now.Sub(s.Time).Round(time.Second))
	}
	if s.Err != nil {
		return fmt.Sprintf("%s: %v", s.Quality, s.Err)
	}
	return s.Quality.String()
}

func clamp(v, lo, hi float64) float64 { return maxOf(lo, minOf(hi, v)) }

// ema is an exponential moving average; tau 0 follows at once.
type ema struct {
	tau  time.Duration
	v    float64
	ok   bool
	rate followRate
}

func (e *ema) add(x float64, dt time.Duration) {
	if !e.ok {
		e.v, e.ok = x, true
		return
	}
	e.v += (x - e.v) * e.rate.of(dt, e.tau)
}

// followRate is follow for one tau at the few dt it is asked for, kept:
// the law steps each of its filters every period, and the exponential
// taken afresh was a tenth of the law's time. A period's length takes a
// few values (1 s, and a millisecond either side where a sensor's read
// sleeps on the clock), so a handful are kept, the oldest replaced.
type followRate struct {
	tau  time.Duration
	kept [4]struct {
		dt time.Duration
		k  float64
	}
	n int // how many were found; kept[n % len(kept)] is replaced next
}

// of is follow(dt, tau).
func (r *followRate) of(dt, tau time.Duration) float64 {
	if tau != r.tau {
		*r = followRate{tau: tau}
	}
	for i := range min(r.n, len(r.kept)) {
		if r.kept[i].dt == dt {
			return r.kept[i].k
		}
	}
	k := follow(dt, tau)
	slot := &r.kept[r.n%len(r.kept)]
	slot.dt, slot.k = dt, k
	r.n++
	return k
}

// expKept is math.Exp, or math.Expm1, of the few arguments one filter
// asks it for, kept: the same argument, to the bit, has the same answer.
// A filter's argument is its period over a time constant; both hold for
// minutes (a period's length takes a few values, see followRate), so
// most periods find theirs here. One expKept serves one function.
type expKept struct {
	kept [4]struct {
		x uint64 // the argument's bits
		v float64
	}
	n int // how many were found; kept[n % len(kept)] is replaced next
}

// exp is math.Exp(x).
func (e *expKept) exp(x float64) float64 { return e.of(x, math.Exp) }

// expm1 is math.Expm1(x).
func (e *expKept) expm1(x float64) float64 { return e.of(x, math.Expm1) }

func (e *expKept) of(x float64, f func(float64) float64) float64 {
	bits := math.Float64bits(x)
	for i := range min(e.n, len(e.kept)) {
		if e.kept[i].x == bits {
			return e.kept[i].v
		}
	}
	v := f(x)
	slot := &e.kept[e.n%len(e.kept)]
	slot.x, slot.v = bits, v
	e.n++
	return v
}

// follow is the share of the way a first-order filter with time constant
// tau moves in dt.
func follow(dt, tau time.Duration) float64 {
	if tau <= 0 {
		return 1
	}
	return 1 - math.Exp(-dt.Seconds()/tau.Seconds())
}

// point is one level at one time.
type point struct {
	t time.Time
	v float64
}

// maxOf is math.Max(x, y), bit for bit. math.Max is assembly on amd64,
// which is never inlined, and the law asks it dozens of times a period:
// where x and y are ordered the answer is the larger at once; equal
// values (+0 and −0) and NaNs take math.Max's own rules.
func maxOf(x, y float64) float64 {
	switch {
	case x > y:
		return x
	case y > x:
		return y
	}
	return math.Max(x, y)
}

// minOf is math.Min(x, y), bit for bit, as maxOf is math.Max.
func minOf(x, y float64) float64 {
	switch {
	case x < y:
		return x
	case y < x:
		return y
	}
	return math.Min(x, y)
}
