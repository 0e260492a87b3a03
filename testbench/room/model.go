package room

import (
	"math"
	"time"
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
// Γ = ∫₀ʰ e^{As} ds. Both come from one exponential of the block matrix
// [[A, I], [0, 0]]·h, which needs no inverse of A (singular in a closed
// room without deposition).
type propagator struct {
	phi, gamma [nGroups]matrix
}

// maxStep bounds a step only to keep the matrices' norm modest; the
// solution is exact for any step.
const maxStep = time.Hour

// rebuildFlows rebuilds the flow network from the fans' speeds and the doors, and
// drops the propagators computed for the old one. flow[i][j] is the air
// moving from place i to place j, in m³/h; place n is outdoors.
func (r *Room) rebuildFlows() {
	n := len(r.zones)
	out := n
	f := newMatrix(n + 1)
	for i, z := range r.zones {
		gv := z.cfg.GeneralVentilationM3h
		f.add(out, i, gv)
		f.add(i, out, gv)
		nb := z.neighbour
		if nb < 0 {
			nb = out
		}
		f.add(i, nb, z.cfg.LeakageM3h)
		f.add(nb, i, z.cfg.LeakageM3h)
	}
	for _, fan := range r.fans {
		if fan.stalled || fan.speed == 0 {
			continue
		}
		q := fan.speed * fan.cfg.MaxFlowM3h / float64(len(fan.zones))
		for _, b := range fan.zones {
			nb := r.zones[b].neighbour
			f.add(b, out, q)  // exhaust
			f.add(nb, b, q)   // transfer air from the staff zone
			f.add(out, nb, q) // make-up air into the staff zone
		}
	}
	for _, d := range r.doors {
		if !d.open {
			continue
		}
		a, b := d.places[0], d.places[1]
		if a < 0 {
			a = out
		}
		if b < 0 {
			b = out
		}
		f.add(a, b, d.cfg.OpenExchangeM3h)
		f.add(b, a, d.cfg.OpenExchangeM3h)
	}

	// A without deposition: inflow from other zones off the diagonal,
	// every outflow (to zones and outdoors) on it.
	a := newMatrix(n)
	for i, z := range r.zones {
		v := z.cfg.VolumeM3
		for j := 0; j <= n; j++ {
			if j == i {
				continue
			}
			a.add(i, i, -f.at(i, j)/v)
			if j < n {
				a.set(i, j, f.at(j, i)/v)
			}
		}
		r.fromOutdoor[i] = f.at(out, i) / v
	}
	r.flowA = a
	clear(r.props)
	r.dirty = false
}

// propagate returns the propagator for a step of dt, reusing one computed
// for the same flows and step length: polling sensors step the room by the
// same interval again and again.
func (r *Room) propagate(dt time.Duration) *propagator {
	if p := r.props[dt]; p != nil {
		return p
	}
	if len(r.props) >= 8 {
		clear(r.props)
	}
	n := len(r.zones)
	h := dt.Hours()
	p := new(propagator)
	for g := 0; g < nGroups; g++ {
		m := newMatrix(2 * n)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				m.set(i, j, r.flowA.at(i, j)*h)
			}
			m.add(i, i, -r.zones[i].deposition[g]*h)
			m.set(i, n+i, h)
		}
		e := expm(m)
		p.phi[g], p.gamma[g] = newMatrix(n), newMatrix(n)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				p.phi[g].set(i, j, e.at(i, j))
				p.gamma[g].set(i, j, e.at(i, n+j))
			}
		}
	}
	r.props[dt] = p
	return p
}

// step integrates the room over dt with the inputs as they are now.
func (r *Room) step(dt time.Duration) {
	if r.dirty {
		r.rebuildFlows()
	}
	p := r.propagate(dt)
	n := len(r.zones)
	b := r.scratchB
	next := r.scratchC
	for s := 0; s < nSpecies; s++ {
		g := group(s)
		for i := range r.zones {
			z := &r.zones[i]
			src := z.source[s]
			b[i] = r.fromOutdoor[i]*r.outdoor[s] + src/z.cfg.VolumeM3
		}
		phi, gamma := p.phi[g], p.gamma[g]
		for i := 0; i < n; i++ {
			v := 0.0
			for j := 0; j < n; j++ {
				v += phi.a[i*n+j]*r.zones[j].c[s] + gamma.a[i*n+j]*b[j]
			}
			// Rounding can leave a clean zone a hair below zero.
			next[i] = math.Max(v, 0)
		}
		for i := range r.zones {
			r.zones[i].c[s] = next[i]
		}
	}

	decay := math.Exp(-dt.Seconds() / thermalLag.Seconds())
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
		f.speed = target + (f.speed-target)*math.Exp(-dt.Seconds()/f.spinUp.Seconds())
		if math.Abs(f.speed-target) < settled {
			f.speed = target
		}
		r.dirty = true
	}
}

// settled is how close (as a fraction of full speed) a fan's wheel must be
// to its duty for the room to stop stepping finely through the spin-up.
const settled = 1e-3

// nextStep returns how far the room may step from now toward t: to t, to
// the end of the next session, and in quarter spin-up constants while a
// fan's wheel is still changing speed, since the flows are held constant
// over a step.
func (r *Room) nextStep(t time.Time) time.Duration {
	dt := min(t.Sub(r.now), maxStep)
	for i := range r.zones {
		if s := r.zones[i].session; s != nil && !s.end.IsZero() {
			dt = min(dt, s.end.Sub(r.now))
		}
	}
	for _, f := range r.fans {
		if f.speed != f.target() {
			dt = min(dt, max(f.spinUp/4, time.Millisecond))
		}
	}
	return max(dt, 0)
}
