package room

import "math"

// matrix is a dense square matrix stored by rows.
type matrix struct {
	n int
	a []float64
}

func newMatrix(n int) matrix { return matrix{n: n, a: make([]float64, n*n)} }

func (m matrix) at(i, j int) float64     { return m.a[i*m.n+j] }
func (m matrix) set(i, j int, v float64) { m.a[i*m.n+j] = v }
func (m matrix) add(i, j int, v float64) { m.a[i*m.n+j] += v }

// identity makes m the identity matrix.
func (m matrix) identity() {
	clear(m.a)
	for i := 0; i < m.n; i++ {
		m.a[i*m.n+i] = 1
	}
}

// mul sets dst = x·y; dst must not alias x or y.
func mul(dst, x, y matrix) {
	n := x.n
	clear(dst.a)
	for i := 0; i < n; i++ {
		row := dst.a[i*n : (i+1)*n]
		for k := 0; k < n; k++ {
			xik := x.a[i*n+k]
			if xik == 0 {
				continue
			}
			yk := y.a[k*n : (k+1)*n]
			for j := range row {
				row[j] += xik * yk[j]
			}
		}
	}
}

// columns is a square matrix's nonzero entries by column: column j's are
// entries[start[j]:start[j+1]], in row order.
type columns struct {
	start   []int
	entries []entry
}

// entry is a matrix entry v in row i.
type entry struct {
	i int
	v float64
}

func newColumns(n int) columns {
	return columns{start: make([]int, n+1), entries: make([]entry, 0, n*n)}
}

// set makes c m's nonzero entries.
func (c *columns) set(m matrix) {
	n := m.n
	c.entries = c.entries[:0]
	for j := 0; j < n; j++ {
		c.start[j] = len(c.entries)
		for i := 0; i < n; i++ {
			if v := m.a[i*n+j]; v != 0 {
				c.entries = append(c.entries, entry{i, v})
			}
		}
	}
	c.start[n] = len(c.entries)
}

// expmScratch holds expm's working matrices so that a propagator costs no
// allocation.
type expmScratch struct {
	b, term, next, tmp matrix
	bc                 columns // b's nonzero entries, for sparseSeries
	// keepZeros, which the tests set, sums the series with denseSeries,
	// to compare the two.
	keepZeros bool
}

func newExpmScratch(n int) *expmScratch {
	return &expmScratch{b: newMatrix(n), term: newMatrix(n), next: newMatrix(n), tmp: newMatrix(n), bc: newColumns(n)}
}

// expm sets phi = e^{Mh} and gamma = ∫₀ʰ e^{Ms} ds for M = a − diag(k),
// the propagators of dC/dt = M·C + b over h. Both are the blocks of
// e^{[[M, I], [0, 0]]·h} = [[phi, gamma], [0, I]], which needs no inverse
// of M (singular in a closed room without deposition). It works on the
// n×n blocks instead of the 2n×2n matrix, with each product taken over
// the blocks' nonzero terms in the order the full product would take
// them, so it returns the same numbers as scaling and squaring the full
// matrix, at an eighth of the work.
//
// That method: the matrices are small and well conditioned (a ventilation
// matrix has real, non-positive eigenvalues), so scaling the norm below ½
// and summing a Taylor series to machine precision is accurate and cheap.
func expm(phi, gamma, a matrix, k []float64, h float64, w *expmScratch) {
	n := a.n
	b := w.b
	norm := 0.0 // infinity norm of the full matrix: largest absolute row sum
	for i := 0; i < n; i++ {
		s := 0.0
		for j := 0; j < n; j++ {
			v := a.a[i*n+j] * h
			if j == i {
				v += -k[i] * h
			}
			b.a[i*n+j] = v
			s += math.Abs(v)
		}
		s += h // the identity block's entry in this row
		norm = max(norm, s)
	}
	squarings := 0
	if norm > 0.5 {
		squarings = int(math.Ceil(math.Log2(norm / 0.5)))
	}
	scale := math.Ldexp(1, -squarings)
	for i := range b.a {
		b.a[i] *= scale
	}
	hs := h * scale

	// The sum's blocks are phi (M's powers) and gamma (the identity
	// block times them); the k-th term's are term_k = term_{k−1}·b/k and
	// term_{k−1}·hs/k.
	sum, sumG := phi, gamma
	sum.identity()
	clear(sumG.a)
	w.term.identity()
	// b is mostly zeros (a booth exchanges air with its staff zone only),
	// and sparseSeries leaves them out of the products. Its terms are
	// finite when b is (their norm is at most ½ᵏ), so it sums what
	// denseSeries sums (see sparseSeries); a b with an infinity or a NaN,
	// whose norm is no number, takes denseSeries, to have its NaNs.
	if norm <= math.MaxFloat64 && !w.keepZeros {
		w.bc.set(b)
		sparseSeries(sum, sumG, w.term, w.next, &w.bc, hs)
	} else {
		denseSeries(sum, sumG, w.term, w.next, b, hs)
	}
	// Squaring [[S, G], [0, I]] gives [[S², S·G + G], [0, I]].
	next := w.next
	for ; squarings > 0; squarings-- {
		mul(w.tmp, sum, sum)
		mul(next, sum, sumG)
		for i, v := range sumG.a {
			next.a[i] += v
		}
		copy(sum.a, w.tmp.a)
		copy(sumG.a, next.a)
	}
}

// denseSeries adds the series' terms from the first, term_k = term_{k−1}·b/k
// and term_{k−1}·hs/k with term (term_0) the identity, to sum and sumG
// until they are below rounding; term and next are its working matrices.
func denseSeries(sum, sumG, term, next, b matrix, hs float64) {
	for k := 1; k <= 30; k++ {
		mul(next, term, b)
		fk := float64(k)
		// The sum has converged once every entry of the term is below
		// 1e-17 (a NaN never is). A flag, not the largest entry: a
		// running max of three, with its NaN and signed-zero rules, cost
		// more than the product.
		small := true
		for i, t := range next.a {
			g := term.a[i] * hs / fk
			t /= fk
			next.a[i] = t
			sum.a[i] += t
			sumG.a[i] += g
			if !(math.Abs(t) < 1e-17 && math.Abs(g) < 1e-17) {
				small = false
			}
		}
		term, next = next, term
		if small {
			break
		}
	}
}

// sparseSeries is denseSeries with b's zeros left out of the products,
// and each entry of a term summed in a register as it is taken, not in
// memory product by product. Each entry sums, from +0 and in the same
// order (over m ascending, of term[i][m]·b[m][j]), the products mul sums
// for it, except that those with a zero of b are left out and those with
// a zero of the term are not, which mul skips. Such products are zeros
// (the terms are finite), and adding a zero changes no sum but a zero's
// sign (x + ±0 = x for x ≠ 0). So the terms, the sums and where they stop
// are denseSeries' numbers, but for the signs of zeros, which change
// nothing downstream: a propagator is only multiplied and added, and the
// step clamps its sums with max(v, 0), which makes −0 +0.
func sparseSeries(sum, sumG, term, next matrix, bc *columns, hs float64) {
	n := sum.n
	for k := 1; k <= 30; k++ {
		fk := float64(k)
		// See denseSeries; once an entry is not small the others need no
		// look.
		small := true
		for i := 0; i < n; i++ {
			ti, ni := term.a[i*n:(i+1)*n], next.a[i*n:(i+1)*n]
			si, gi := sum.a[i*n:(i+1)*n], sumG.a[i*n:(i+1)*n]
			for j := range ni {
				p := 0.0
				for _, e := range bc.entries[bc.start[j]:bc.start[j+1]] {
					p += ti[e.i] * e.v
				}
				t := p / fk
				g := ti[j] * hs / fk
				ni[j] = t
				si[j] += t
				gi[j] += g
				if small && !(math.Abs(t) < 1e-17 && math.Abs(g) < 1e-17) {
					small = false
				}
			}
		}
		term, next = next, term
		if small {
			break
		}
	}
}
