package room

import (
	"math"
	"slices"
	"time"
)

// The room model as it was before the propagator cache and the series step
// (commit 04ff546), kept verbatim but for names as the reference the faster
// model is compared with (the flow network and the matrix product,
// unchanged since, are the model's own): per step it rebuilds the flows,
// takes the exponential of the 2n×2n block matrix for each deposition
// group (reusing it for a repeated step length until the flows change)
// and applies it.
// refModel.step replaces only the concentration update of Room.step; the step
// sequence, the fans' spin-up and everything else are the model's own, so
// a room stepped by it is the old model.

type refModel struct {
	flowA, next matrix // next: scratch for the flows being rebuilt
	f           matrix
	fromOutdoor []float64
	props       map[time.Duration]*propagator
	scratchB    []float64
	scratchC    []float64
}

// useReference makes r step its air with the old algorithm.
func useReference(r *Room) {
	n := len(r.zones)
	m := &refModel{fromOutdoor: make([]float64, n), props: map[time.Duration]*propagator{},
		scratchB: make([]float64, n), scratchC: make([]float64, n),
		flowA: newMatrix(n), next: newMatrix(n), f: newMatrix(n + 1)}
	r.stepAir = func(dt time.Duration) { m.step(r, dt) }
}

// refExpm returns e^m by scaling and squaring with a Taylor series.
func refExpm(m matrix) matrix {
	n := m.n
	norm := 0.0 // infinity norm: largest absolute row sum
	for i := 0; i < n; i++ {
		s := 0.0
		for j := 0; j < n; j++ {
			s += math.Abs(m.at(i, j))
		}
		norm = math.Max(norm, s)
	}
	squarings := 0
	if norm > 0.5 {
		squarings = int(math.Ceil(math.Log2(norm / 0.5)))
	}
	scale := math.Ldexp(1, -squarings)

	a := newMatrix(n)
	for i, v := range m.a {
		a.a[i] = v * scale
	}
	sum := newMatrix(n)
	term := newMatrix(n)
	tmp := newMatrix(n)
	for i := 0; i < n; i++ {
		sum.set(i, i, 1)
		term.set(i, i, 1)
	}
	for k := 1; k <= 30; k++ {
		mul(tmp, term, a)
		big := 0.0
		for i := range term.a {
			term.a[i] = tmp.a[i] / float64(k)
			sum.a[i] += term.a[i]
			big = math.Max(big, math.Abs(term.a[i]))
		}
		if big < 1e-17 {
			break
		}
	}
	for ; squarings > 0; squarings-- {
		mul(tmp, sum, sum)
		sum, tmp = tmp, sum
	}
	return sum
}

// flows is the old rebuildFlows. The old model rebuilt them whenever a
// duty, speed, door or stall changed and then dropped its propagators;
// rebuilding every step and dropping them when the matrix differs gives
// the same numbers. (It reuses its matrices, cleared, where the old one
// made new ones.)
func (m *refModel) flows(r *Room) {
	n := len(r.zones)
	out := n
	f := m.f
	r.flowNetwork(f)

	a := m.next
	clear(a.a)
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
		m.fromOutdoor[i] = f.at(out, i) / v
	}
	if !slices.Equal(m.flowA.a, a.a) {
		clear(m.props)
		m.flowA, m.next = a, m.flowA
	}
}

// propagate is the old propagate.
func (m *refModel) propagate(r *Room, dt time.Duration) *propagator {
	if p := m.props[dt]; p != nil {
		return p
	}
	if len(m.props) >= 8 {
		clear(m.props)
	}
	n := len(r.zones)
	h := dt.Hours()
	p := new(propagator)
	for g := 0; g < nGroups; g++ {
		mm := newMatrix(2 * n)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				mm.set(i, j, m.flowA.at(i, j)*h)
			}
			mm.add(i, i, -r.zones[i].deposition[g]*h)
			mm.set(i, n+i, h)
		}
		e := refExpm(mm)
		p.phi[g], p.gamma[g] = newMatrix(n), newMatrix(n)
		for i := 0; i < n; i++ {
			for j := 0; j < n; j++ {
				p.phi[g].set(i, j, e.at(i, j))
				p.gamma[g].set(i, j, e.at(i, n+j))
			}
		}
	}
	m.props[dt] = p
	return p
}

// step is the concentration part of the old step.
func (m *refModel) step(r *Room, dt time.Duration) {
	m.flows(r)
	p := m.propagate(r, dt)
	n := len(r.zones)
	b := m.scratchB
	next := m.scratchC
	for s := 0; s < nSpecies; s++ {
		g := group(s)
		for i := range r.zones {
			z := &r.zones[i]
			src := z.source[s]
			b[i] = m.fromOutdoor[i]*r.outdoor[s] + src/z.cfg.VolumeM3
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
}
