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

// mul sets dst = x·y; dst must not alias x or y.
func mul(dst, x, y matrix) {
	n := x.n
	for i := 0; i < n; i++ {
		row := dst.a[i*n : (i+1)*n]
		clear(row)
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

// expm returns e^m by scaling and squaring with a Taylor series. The
// matrices here are small (twice the zone count) and well conditioned
// (a ventilation matrix has real, non-positive eigenvalues), so scaling
// the norm below ½ and summing to machine precision is accurate and cheap.
func expm(m matrix) matrix {
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
