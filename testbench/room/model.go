package room

import (
	"math"
	"time"

	"github.com/ventd/ventd/clock"
)

// Deposition groups: one per particle band, and one for the gases, which
// do not deposit. Species in a group share a propagator.
const nGroups = 5

func group(species int) int {
	if species < gasCO2 {
		return species
	}
	return nGroups - 1
}

// propagator steps every species over one interval h with constant
// coefficients: C(h) = Φ·C(0) + Γ·b, where dC/dt = A·C + b, Φ = e^{Ah} and
// Γ = ∫₀ʰ e^{As} ds (see expm).
type propagator struct {
	dt         time.Duration
	phi, gamma [nGroups]matrix
}

func newPropagator(n int) *propagator {
	p := new(propagator)
	for g := range p.phi {
		p.phi[g], p.gamma[g] = newMatrix(n), newMatrix(n)
	}
	return p
}

// maxStep bounds a step only to keep the matrices' norm modest; the
// solution is exact for any step.
const maxStep = time.Hour

// step integrates the room over dt with the inputs as they are now.
//
// How the air is stepped depends on whether the flows will hold. While a
// fan's wheel is still changing speed, each step has flows of its own, so
// an exponential (O(n³) for n zones, for five deposition groups) would
// serve one step only: such steps sum the series of the exact solution
// directly on each species' concentrations instead (see stepSeries). Once
// every wheel has settled the flows repeat, often for hours, so their
// propagators are computed once per step length and kept (see selectFlows
// and propagate).
func (r *Room) step(dt time.Duration) {
	spinning := false
	for _, f := range r.fans {
		spinning = spinning || f.speed != f.target()
	}
	if r.dirty {
		r.selectFlows(spinning)
	}
	switch {
	case r.stepAir != nil:
		r.stepAir(dt)
	case r.flows == r.transient:
		r.stepSeries(dt)
	default:
		r.stepPropagator(r.propagate(dt))
	}

	decay := r.warmth.of(dt, thermalLag, r.freshDecay)
	for i := range r.zones {
		z := &r.zones[i]
		people := float64(z.occupants)
		if z.session != nil {
			people++
		}
		z.warmth = people*degCPerPerson + (z.warmth-people*degCPerPerson)*decay
		z.damp = people*rhPerPerson + (z.damp-people*rhPerPerson)*decay
	}

	for _, f := range r.fans {
		target := f.target()
		if f.speed == target {
			continue
		}
		f.speed = target + (f.speed-target)*f.spin.of(dt, f.spinUp, r.freshDecay)
		if math.Abs(f.speed-target) < settled {
			f.speed = target
		}
		r.dirty = true
	}
}

// inflows sets b to what flows into each zone per hour besides the air of
// the other zones: outdoor air and the zone's sources.
func (r *Room) inflows(b []conc) {
	st := r.flows
	for i := range b {
		in, rate := st.fromOutdoor[i], &r.zones[i].rate
		for s := range nSpecies {
			b[i][s] = in*r.outdoor[s] + rate[s]
		}
	}
}

// stepPropagator applies p to every species: C = Φ·C + Γ·b with each
// group's Φ and Γ. The species are written out, as in term; the particle
// bands are groups 0 to 3, the gases share group 4.
func (r *Room) stepPropagator(p *propagator) {
	n := len(r.zones)
	c, b := r.vectors[0], r.vectors[1]
	for i := range r.zones {
		c[i] = r.zones[i].c
	}
	r.inflows(b)
	phi0, phi1, phi2, phi3, phi4 := p.phi[0].a, p.phi[1].a, p.phi[2].a, p.phi[3].a, p.phi[4].a
	gam0, gam1, gam2, gam3, gam4 := p.gamma[0].a, p.gamma[1].a, p.gamma[2].a, p.gamma[3].a, p.gamma[4].a
	for i := range n {
		var v0, v1, v2, v3, v4, v5, v6 float64
		for j := range n {
			ij, cj, bj := i*n+j, &c[j], &b[j]
			v0 += phi0[ij]*cj[0] + gam0[ij]*bj[0]
			v1 += phi1[ij]*cj[1] + gam1[ij]*bj[1]
			v2 += phi2[ij]*cj[2] + gam2[ij]*bj[2]
			v3 += phi3[ij]*cj[3] + gam3[ij]*bj[3]
			f, g := phi4[ij], gam4[ij]
			v4 += f*cj[4] + g*bj[4]
			v5 += f*cj[5] + g*bj[5]
			v6 += f*cj[6] + g*bj[6]
		}
		// Rounding can leave a clean zone a hair below zero.
		r.zones[i].c = conc{max(v0, 0), max(v1, 0), max(v2, 0), max(v3, 0), max(v4, 0), max(v5, 0), max(v6, 0)}
	}
}

// stepPropagator's groups: the bands are 0 to 3, the gases share group 4.
var (
	_ = [1]int{}[gasCO2-4]
	_ = [1]int{}[nGroups-5]
)

// keptDecay is a decay over a step of dt; dt 0 is an empty slot (a step
// of 0 is never taken).
type keptDecay struct {
	dt    time.Duration
	decay float64
}

// decays keeps a first-order lag's decay, e^{−dt/τ} for one τ, for the
// last few step lengths dt: the sensors' polls interleave the same few
// lengths again and again, so one kept length was taken anew most steps.
type decays struct {
	kept [4]keptDecay
	next int // the slot the next new length replaces
}

// of returns e^{−dt/tau}, the expression it always was, kept or (fresh, as
// the tests ask, to compare the two) taken anew.
func (d *decays) of(dt, tau time.Duration, fresh bool) float64 {
	if !fresh {
		for _, k := range d.kept {
			if k.dt == dt {
				return k.decay
			}
		}
	}
	v := math.Exp(-dt.Seconds() / tau.Seconds())
	d.kept[d.next] = keptDecay{dt, v}
	d.next = (d.next + 1) % len(d.kept)
	return v
}

// settled is how close (as a fraction of full speed) a fan's wheel must be
// to its duty for the room to stop stepping finely through the spin-up.
const settled = 1e-3

// nextStep returns how far the room may step from now toward t: to t, to
// the end of the next session, and in quarter spin-up constants while a
// fan's wheel is still changing speed, since the flows are held constant
// over a step.
func (r *Room) nextStep(t time.Time) time.Duration {
	dt := min(clock.Sub(t, r.now), maxStep)
	for i := range r.zones {
		if s := r.zones[i].session; s != nil && !s.end.IsZero() {
			dt = min(dt, clock.Sub(s.end, r.now))
		}
	}
	for _, f := range r.fans {
		if f.speed != f.target() {
			dt = min(dt, max(f.spinUp/4, time.Millisecond))
		}
	}
	return max(dt, 0)
}
