package room

import (
	"math"
	"time"
)

// stepSeries steps the air over dt by summing the Taylor series of the
// exact solution on the concentrations:
//
//	C(h) = C + Σ_{k≥1} h^k/k! · M^{k−1}·(M·C + b)
//
// which is C(h) = Φ·C + Γ·b (see expm) without forming Φ and Γ. It serves
// steps whose flows will not come again (a fan spinning up): a product
// with the sparse flow matrix costs O(n) where an exponential costs
// O(n³). All species go together, since they share the flows and differ
// only in deposition, on M's diagonal. Steps whose norm ‖M·h‖ is above ½
// are cut into equal parts below it, so that the terms shrink from the
// first and the series sums to rounding, as the exponential's does: the
// two agree to a few units in the last place per step.
func (r *Room) stepSeries(dt time.Duration) {
	st := r.flows
	h := dt.Hours()
	y, y0, b, diag, term, next := r.vectors[0], r.vectors[1], r.vectors[2], r.vectors[3], r.vectors[4], r.vectors[5]
	norm := 0.0 // ‖M‖∞ over the species
	for i := range r.zones {
		z := &r.zones[i]
		off := 0.0
		for _, v := range st.vals[st.rowStart[i]:st.rowStart[i+1]] {
			off += math.Abs(v)
		}
		a := st.a.at(i, i)
		norm = max(norm, off+z.maxDeposition-a)
		for s := range nSpecies {
			diag[i][s] = a - z.depositionOf[s]
		}
		y[i] = z.c
	}
	r.inflows(b)
	parts := max(1, int(math.Ceil(norm*h/0.5)))
	tau := h / float64(parts)
	terms := seriesTerms(norm * tau)
	for range parts {
		// The first term, τ·(M·C + b), then τ/k·M times the last.
		copy(y0, y)
		st.term(term, y0, y, diag, b, tau)
		for k := 2; k <= terms; k++ {
			st.term(next, term, y, diag, nil, tau/float64(k))
			term, next = next, term
		}
	}
	for i := range r.zones {
		// Rounding can leave a clean zone a hair below zero.
		c, yi := &r.zones[i].c, &y[i]
		c[0], c[1], c[2], c[3] = max(yi[0], 0), max(yi[1], 0), max(yi[2], 0), max(yi[3], 0)
		c[4], c[5], c[6] = max(yi[4], 0), max(yi[5], 0), max(yi[6], 0)
	}
}

// seriesTerms returns how many terms of the series to sum for a norm
// ‖M·τ‖∞ = rho ≤ ½. Term k is at most rho^{k−1}/k! times the first, so
// what is left after K terms is below 2·rho^K/(K+1)! times the first;
// summing until that is under 2⁻⁵⁶ leaves a truncation an eighth of the
// rounding of the sum or less. rho is small in the daemon's steps (1e-3
// for 40 ms in a booth at full extraction: five terms).
func seriesTerms(rho float64) int {
	bound := 2.0
	for k := 1; k < 40; k++ {
		bound *= rho / float64(k+1)
		if bound <= 0x1p-56 {
			return k
		}
	}
	return 40
}

// term sets dst = f·(M·x + add) for every species, M being the flow
// matrix with diag on its diagonal, and adds it to y; add may be nil. dst
// must not alias x or y.
//
// The species are written out: a loop over seven elements costs more in
// its own counting than in the arithmetic, and seven sums in registers
// spare a load and a store per product.
func (st *flowState) term(dst, x, y, diag, add []conc, f float64) {
	for i := range dst {
		d, xi := &diag[i], &x[i]
		v0, v1, v2, v3, v4, v5, v6 := d[0]*xi[0], d[1]*xi[1], d[2]*xi[2], d[3]*xi[3], d[4]*xi[4], d[5]*xi[5], d[6]*xi[6]
		for k := st.rowStart[i]; k < st.rowStart[i+1]; k++ {
			a, xj := st.vals[k], &x[st.cols[k]]
			v0 += a * xj[0]
			v1 += a * xj[1]
			v2 += a * xj[2]
			v3 += a * xj[3]
			v4 += a * xj[4]
			v5 += a * xj[5]
			v6 += a * xj[6]
		}
		if add != nil {
			b := &add[i]
			v0, v1, v2, v3, v4, v5, v6 = v0+b[0], v1+b[1], v2+b[2], v3+b[3], v4+b[4], v5+b[5], v6+b[6]
		}
		t, yi := &dst[i], &y[i]
		t[0], t[1], t[2], t[3], t[4], t[5], t[6] = f*v0, f*v1, f*v2, f*v3, f*v4, f*v5, f*v6
		yi[0] += t[0]
		yi[1] += t[1]
		yi[2] += t[2]
		yi[3] += t[3]
		yi[4] += t[4]
		yi[5] += t[5]
		yi[6] += t[6]
	}
}

var _ = [1]int{}[nSpecies-7] // term and stepSeries write out seven species
