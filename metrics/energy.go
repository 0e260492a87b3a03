package metrics

import (
	"math"
	"sync/atomic"
	"time"

	"github.com/ventd/ventd/record"
)

// maxEnergyStep is the longest time between two periods that energy is
// integrated over. A longer one is a clock jump (a Pi without a battery
// clock setting its time at boot) or a stalled loop, and counts nothing
// rather than hours at the last duty.
const maxEnergyStep = time.Minute

// energy integrates each fan's estimated power over the control periods,
// with the duty each period commanded held until the next (as ventbench
// does). The loop writes, scrapes read: one atomic per fan, and the map
// of fans is fixed at construction.
type energy struct {
	rated map[string]float64
	fans  map[string]*fanEnergy
	last  time.Time // loop only
}

type fanEnergy struct {
	bits atomic.Uint64 // joules, float64 bits
	duty float64       // loop only: the duty since last
	seen bool
}

func newEnergy(rated map[string]float64) *energy {
	e := &energy{rated: rated, fans: map[string]*fanEnergy{}}
	for name, p := range rated {
		if p > 0 {
			e.fans[name] = &fanEnergy{}
		}
	}
	return e
}

func (e *energy) integrate(now time.Time, fans []record.Fan) {
	dt := now.Sub(e.last)
	step := !e.last.IsZero() && dt > 0 && dt <= maxEnergyStep
	e.last = now
	for _, f := range fans {
		fe := e.fans[f.Name]
		if fe == nil {
			continue
		}
		if step && fe.seen {
			j := math.Float64frombits(fe.bits.Load()) + e.rated[f.Name]*math.Pow(fe.duty, 3)*dt.Seconds()
			fe.bits.Store(math.Float64bits(j))
		}
		fe.duty, fe.seen = f.Duty, true
	}
}

func (e *energy) joules(fan string) float64 {
	if fe := e.fans[fan]; fe != nil {
		return math.Float64frombits(fe.bits.Load())
	}
	return 0
}
