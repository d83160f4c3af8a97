package mse

import (
	"math"
)

// fitter fits Poisson log-linear models to a 2^K table by Newton–Raphson
// (IRLS). The design column of term S at cell ω is 1 when S ⊆ ω, so
// X'WX[S,T] is the sum of weights over cells containing S∪T: one superset-sum
// transform of the weights gives the whole matrix, and one subset-sum
// transform of the coefficients gives every linear predictor. A fitter holds
// scratch space and is not safe for concurrent use.
type fitter struct {
	k, cells int
	y        []float64 // counts; y[0] used only when zero is true
	active   []bool    // cells that enter the likelihood

	eta, mu, a, b []float64
	h, rhs        []float64
	skip          []bool
	theta, delta  []float64
}

// glmFit is the outcome of one fit.
type glmFit struct {
	theta     []float64
	deviance  float64
	loglik    float64 // Poisson log-likelihood (with the log y! terms)
	iter      int
	converged bool
	boundary  []int // zero cells whose fitted value went to 0
}

const (
	glmMaxIter = 100
	glmTol     = 1e-10
	boundaryMu = 1e-6
)

func newFitter(k int) *fitter {
	c := 1 << k
	return &fitter{
		k: k, cells: c,
		y: make([]float64, c), active: make([]bool, c),
		eta: make([]float64, c), mu: make([]float64, c), a: make([]float64, c), b: make([]float64, c),
	}
}

func (f *fitter) setCounts(t *Table, withZero bool, n0 float64) {
	for c := range f.y {
		f.y[c] = float64(t.Counts[c])
		f.active[c] = c > 0
	}
	f.active[0] = withZero
	f.y[0] = 0
	if withZero {
		f.y[0] = n0
	}
}

func (f *fitter) grow(p int) {
	if cap(f.h) < p*p {
		f.h = make([]float64, p*p)
	}
	if cap(f.rhs) < p {
		f.rhs = make([]float64, p)
		f.skip = make([]bool, p)
		f.theta = make([]float64, p)
		f.delta = make([]float64, p)
	}
	f.h = f.h[:p*p]
	f.rhs, f.skip, f.theta, f.delta = f.rhs[:p], f.skip[:p], f.theta[:p], f.delta[:p]
}

// predict sets eta and mu from theta.
func (f *fitter) predict(m Model, theta []float64) {
	clear(f.eta)
	for i, t := range m {
		f.eta[t] = theta[i]
	}
	subsetSum(f.eta, f.k)
	for c, e := range f.eta {
		if f.active[c] {
			f.mu[c] = math.Exp(e)
		} else {
			f.mu[c] = 0
		}
	}
}

func (f *fitter) deviance() float64 {
	d := 0.0
	for c, y := range f.y {
		if !f.active[c] {
			continue
		}
		mu := f.mu[c]
		if y > 0 {
			d += y*math.Log(y/mu) - (y - mu)
		} else {
			d += mu
		}
	}
	return 2 * d
}

func (f *fitter) loglik() float64 {
	l := 0.0
	for c, y := range f.y {
		if !f.active[c] {
			continue
		}
		if y > 0 {
			lg, _ := math.Lgamma(y + 1)
			l += y*math.Log(f.mu[c]) - lg
		}
		l -= f.mu[c]
	}
	return l
}

// hessian fills h (p×p) with X'diag(mu)X and returns it.
func (f *fitter) hessian(m Model) {
	p := len(m)
	for c := range f.a {
		f.a[c] = f.mu[c]
	}
	supersetSum(f.a, f.k)
	for i, s := range m {
		for j := i; j < p; j++ {
			v := f.a[s|m[j]]
			f.h[i*p+j] = v
			f.h[j*p+i] = v
		}
	}
}

// fit fits model m; start, when not nil, holds starting coefficients.
func (f *fitter) fit(m Model, start []float64) glmFit {
	p := len(m)
	f.grow(p)
	var devOld float64
	first := start == nil
	if first {
		clear(f.theta)
		for c, y := range f.y {
			if f.active[c] {
				f.mu[c] = y + 0.1
				f.eta[c] = math.Log(f.mu[c])
			} else {
				f.mu[c], f.eta[c] = 0, 0
			}
		}
		devOld = math.Inf(1)
	} else {
		copy(f.theta, start)
		f.predict(m, f.theta)
		devOld = f.deviance()
	}
	res := glmFit{}
	for it := 1; it <= glmMaxIter; it++ {
		res.iter = it
		f.hessian(m)
		// Right-hand side: the IRLS working response on the first step
		// (theta = 0), the score X'(y − mu) afterwards.
		for c := range f.b {
			if !f.active[c] {
				f.b[c] = 0
				continue
			}
			if first {
				f.b[c] = f.mu[c]*f.eta[c] + f.y[c] - f.mu[c]
			} else {
				f.b[c] = f.y[c] - f.mu[c]
			}
		}
		supersetSum(f.b, f.k)
		for i, s := range m {
			f.rhs[i] = f.b[s]
		}
		cholSolve(f.h, f.rhs, p, f.skip, f.delta)
		step := 1.0
		var dev float64
		for half := 0; ; half++ {
			for i := range f.delta {
				f.delta[i] *= step
			}
			for i := range f.theta {
				f.theta[i] += f.delta[i]
			}
			f.predict(m, f.theta)
			dev = f.deviance()
			if first || (!math.IsNaN(dev) && !math.IsInf(dev, 0) && dev <= devOld*(1+1e-12)+1e-12) || half == 30 {
				break
			}
			for i := range f.theta {
				f.theta[i] -= f.delta[i]
			}
			step = 0.5
		}
		first = false
		if math.Abs(dev-devOld)/(math.Abs(dev)+0.1) < glmTol {
			devOld = dev
			res.converged = true
			break
		}
		devOld = dev
	}
	res.theta = append([]float64(nil), f.theta...)
	res.deviance = devOld
	res.loglik = f.loglik()
	for c, y := range f.y {
		if f.active[c] && y == 0 && f.mu[c] < boundaryMu {
			res.boundary = append(res.boundary, c)
		}
	}
	return res
}

// interceptVariance returns (X'WX)^{-1}[0,0] at the current fit.
func (f *fitter) interceptVariance(m Model) float64 {
	p := len(m)
	f.hessian(m)
	clear(f.rhs)
	f.rhs[0] = 1
	cholSolve(f.h, f.rhs, p, f.skip, f.delta)
	if f.skip[0] {
		return math.Inf(1)
	}
	return f.delta[0]
}

// interceptEstimable reports whether the intercept is determined by the
// fitted values of the cells that stay positive, i.e. whether the missing
// cell has a finite estimate on the boundary face.
func interceptEstimable(m Model, k int, active []bool, boundary []int) bool {
	// e0 lies in the row space of X_F iff G x = e0 is solvable, with
	// G = X_F'X_F (G[S,T] = number of face cells containing S∪T).
	cnt := make([]float64, 1<<k)
	for c := range cnt {
		if active[c] {
			cnt[c] = 1
		}
	}
	for _, c := range boundary {
		cnt[c] = 0
	}
	supersetSum(cnt, k)
	p := len(m)
	g := make([]float64, p*p)
	g0 := make([]float64, p*p)
	for i, s := range m {
		for j, t := range m {
			g[i*p+j] = cnt[s|t]
		}
	}
	copy(g0, g)
	e := make([]float64, p)
	e[0] = 1
	x := make([]float64, p)
	cholSolve(g, e, p, make([]bool, p), x)
	for i := 0; i < p; i++ {
		r := -e[i]
		for j := 0; j < p; j++ {
			r += g0[i*p+j] * x[j]
		}
		if math.Abs(r) > 1e-6 {
			return false
		}
	}
	return true
}

// cholSolve solves A x = b for a symmetric positive semi-definite A (p×p,
// row-major, overwritten). Directions whose pivot is negligible are dropped
// (x is 0 there and skip is set), which gives a generalised-inverse solution
// for rank-deficient or boundary fits.
func cholSolve(a, b []float64, p int, skip []bool, x []float64) {
	a = a[:p*p]
	for j := 0; j < p; j++ {
		rj := a[j*p : j*p+j+1]
		d := rj[j]
		orig := d
		for _, v := range rj[:j] {
			d -= v * v
		}
		if d <= 1e-11*orig || d <= 0 {
			skip[j] = true
			for i := j; i < p; i++ {
				a[i*p+j] = 0
			}
			continue
		}
		skip[j] = false
		l := math.Sqrt(d)
		rj[j] = l
		inv := 1 / l
		lj := rj[:j]
		for i := j + 1; i < p; i++ {
			ri := a[i*p : i*p+j+1]
			s := ri[j]
			for k, v := range lj {
				s -= ri[k] * v
			}
			ri[j] = s * inv
		}
	}
	// forward: L z = b
	for i := 0; i < p; i++ {
		if skip[i] {
			x[i] = 0
			continue
		}
		ri := a[i*p : i*p+i+1]
		s := b[i]
		for k, v := range ri[:i] {
			s -= v * x[k]
		}
		x[i] = s / ri[i]
	}
	// back: L' x = z
	for i := p - 1; i >= 0; i-- {
		if skip[i] {
			x[i] = 0
			continue
		}
		s := x[i]
		for k := i + 1; k < p; k++ {
			s -= a[k*p+i] * x[k]
		}
		x[i] = s / a[i*p+i]
	}
}

// subsetSum replaces a[m] by the sum of a over the subsets of m.
func subsetSum(a []float64, k int) {
	n := len(a)
	for bit := 1; bit < n; bit <<= 1 {
		for base := 0; base < n; base += 2 * bit {
			lo, hi := a[base:base+bit], a[base+bit:base+2*bit]
			for i := range lo {
				hi[i] += lo[i]
			}
		}
	}
}

// supersetSum replaces a[m] by the sum of a over the supersets of m.
func supersetSum(a []float64, k int) {
	n := len(a)
	for bit := 1; bit < n; bit <<= 1 {
		for base := 0; base < n; base += 2 * bit {
			lo, hi := a[base:base+bit], a[base+bit:base+2*bit]
			for i := range lo {
				lo[i] += hi[i]
			}
		}
	}
}
