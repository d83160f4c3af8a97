package mse

import (
	"math"
	"math/bits"
	"math/rand/v2"
)

// rng draws the variates the Gibbs sampler needs from an explicit PCG
// source. gonum's distuv samplers allocate per call through an interface and
// use generic algorithms; these are the classic fast exact methods:
// Marsaglia–Tsang gamma, Hörmann's BTRD binomial and PTRS Poisson.
type rng struct {
	src pcg
	r   *rand.Rand // normal and exponential variates, drawn from src
}

func newRNG(seed, stream uint64) *rng {
	g := &rng{src: pcg{seed, stream}}
	g.r = rand.New(&g.src)
	return g
}

// pcg is math/rand/v2's PCG (128-bit LCG, DXSM output), the same stream
// for the same seeds, written out so that uniform inlines it: the sampler
// draws hundreds of uniforms per sweep.
type pcg struct{ hi, lo uint64 }

func (p *pcg) Uint64() uint64 {
	const (
		mulHi    = 2549297995355413924
		mulLo    = 4865540595714422341
		incHi    = 6364136223846793005
		incLo    = 1442695040888963407
		cheapMul = 0xda942042e4dd58b5
	)
	hi, lo := bits.Mul64(p.lo, mulLo)
	hi += p.hi*mulLo + p.lo*mulHi
	lo, c := bits.Add64(lo, incLo, 0)
	hi, _ = bits.Add64(hi, incHi, c)
	p.lo, p.hi = lo, hi
	hi ^= hi >> 32
	hi *= cheapMul
	hi ^= hi >> 48
	return hi * (lo | 1)
}

// uniform returns a float in the open interval (0, 1).
func (g *rng) uniform() float64 {
	return (float64(g.src.Uint64()>>11) + 0.5) * (1.0 / (1 << 53))
}

// gamma draws Gamma(shape a, scale 1).
func (g *rng) gamma(a float64) float64 {
	if a < 1 {
		// Gamma(a) = Gamma(a+1)·U^(1/a)
		return g.gamma(a+1) * math.Pow(g.uniform(), 1/a)
	}
	if a == 1 {
		return g.r.ExpFloat64()
	}
	d := a - 1.0/3
	c := 1 / math.Sqrt(9*d)
	for {
		x := g.r.NormFloat64()
		v := 1 + c*x
		if v <= 0 {
			continue
		}
		v = v * v * v
		u := g.uniform()
		x2 := x * x
		if u < 1-0.0331*x2*x2 {
			return d * v
		}
		if math.Log(u) < 0.5*x2+d*(1-v+math.Log(v)) {
			return d * v
		}
	}
}

// logGamma returns the log of a Gamma(a, 1) draw without underflow for tiny
// shapes (a Gamma(0.01) draw is often below the smallest float64).
func (g *rng) logGamma(a float64) float64 {
	if a < 1 {
		return math.Log(g.gamma(a+1)) + math.Log(g.uniform())/a
	}
	return math.Log(g.gamma(a))
}

// beta draws Beta(a, b) for a, b ≥ 1, with fast paths for a or b = 1.
func (g *rng) beta(a, b float64) float64 {
	switch {
	case a == 1 && b == 1:
		return g.uniform()
	case a == 1:
		return -math.Expm1(math.Log(g.uniform()) / b)
	case b == 1:
		return math.Exp(math.Log(g.uniform()) / a)
	}
	x := g.gamma(a)
	y := g.gamma(b)
	return x / (x + y)
}

// logBeta returns log V and log(1−V) for V ~ Beta(a, b), any a, b > 0.
func (g *rng) logBeta(a, b float64) (float64, float64) {
	if a >= 1 && b >= 1 {
		x, y := g.gamma(a), g.gamma(b)
		s := x + y
		return math.Log(x / s), math.Log(y / s)
	}
	lx, ly := g.logGamma(a), g.logGamma(b)
	m := math.Max(lx, ly)
	ls := m + math.Log(math.Exp(lx-m)+math.Exp(ly-m))
	return lx - ls, ly - ls
}

// binomial draws Binomial(n, p).
func (g *rng) binomial(n int, p float64) int {
	if n <= 0 || p <= 0 {
		return 0
	}
	if p >= 1 {
		return n
	}
	if p > 0.5 {
		return n - g.binomial(n, 1-p)
	}
	// Inversion's O(np) loop beats BTRD's setup and logarithms up to
	// np ≈ 30 (measured on the LCMCR sweep, +7%); BTRD needs np ≥ 10.
	if float64(n)*p < 30 {
		return g.binomialInv(n, p)
	}
	return g.binomialBTRD(n, p)
}

// binomialInv is sequential inversion, expected cost O(np).
func (g *rng) binomialInv(n int, p float64) int {
	u := g.uniform()
	// (1−p)^n ≥ 1 − np (Bernoulli's inequality): most draws with a tiny
	// mean are settled as 0 without a transcendental call.
	if u < 1-float64(n)*p {
		return 0
	}
	q := 1 - p
	q0 := powInt(q, n)
	r := p / q
	gg := r * float64(n+1)
	for first := true; ; first = false {
		x := 0
		f := q0
		if !first {
			u = g.uniform()
		}
		for {
			if u < f {
				return x
			}
			if x >= n || x > 200 {
				break // numerical tail: start again
			}
			u -= f
			x++
			f *= gg*recip[x] - r
		}
	}
}

// recip[x] = 1/x, so the inversion loop multiplies instead of dividing.
var recip = func() (t [202]float64) {
	for i := 1; i < len(t); i++ {
		t[i] = 1 / float64(i)
	}
	return t
}()

// logFactTable[k] = log k! for small k.
var logFactTable = func() (t [1024]float64) {
	for k := 1; k < len(t); k++ {
		t[k] = t[k-1] + math.Log(float64(k))
	}
	return t
}()

// logFactorial returns log k! for a whole number k ≥ 0: a table lookup, or
// Stirling's series (error below 1e-17 beyond the table).
func logFactorial(k float64) float64 {
	if k < float64(len(logFactTable)) {
		return logFactTable[int(k)]
	}
	x := k + 1
	r := 1 / (x * x)
	return (x-0.5)*math.Log(x) - x + 0.5*math.Log(2*math.Pi) + (1.0/12-r*(1.0/360-r*(1.0/1260)))/x
}

// powInt returns x^n by repeated squaring: for the n of the inversion
// sampler it is faster than exp(n·log1p(−p)) and accurate to a few ulps.
func powInt(x float64, n int) float64 {
	if n > 1<<16 {
		return math.Pow(x, float64(n))
	}
	r := 1.0
	for n > 0 {
		if n&1 == 1 {
			r *= x
		}
		x *= x
		n >>= 1
	}
	return r
}

// binomialBTRD is Hörmann's (1993) transformed rejection with
// decomposition, for np ≥ 30 here (it holds from 10) and p ≤ 1/2; the final test uses the exact
// log-pmf ratio.
func (g *rng) binomialBTRD(n int, p float64) int {
	nf := float64(n)
	q := 1 - p
	spq := math.Sqrt(nf * p * q)
	b := 1.15 + 2.53*spq
	a := -0.0873 + 0.0248*b + 0.01*p
	c := nf*p + 0.5
	vr := 0.92 - 4.2/b
	alpha := (2.83 + 5.1/b) * spq
	m := math.Floor((nf + 1) * p)
	h, lpq := math.NaN(), 0.0 // log m!(n−m)! and log(p/q), computed on first need
	for {
		u := g.uniform() - 0.5
		v := g.uniform()
		us := 0.5 - math.Abs(u)
		k := math.Floor((2*a/us+b)*u + c)
		if k < 0 || k > nf {
			continue
		}
		if us >= 0.07 && v <= vr {
			return int(k)
		}
		v = math.Log(v * alpha / (a/(us*us) + b))
		if math.IsNaN(h) {
			h = logFactorial(m) + logFactorial(nf-m)
			lpq = math.Log(p / q)
		}
		if v <= h-logFactorial(k)-logFactorial(nf-k)+(k-m)*lpq {
			return int(k)
		}
	}
}

// poisson draws Poisson(lam).
func (g *rng) poisson(lam float64) float64 {
	if lam <= 0 {
		return 0
	}
	if lam < 10 {
		l := math.Exp(-lam)
		k := 0.0
		prod := g.uniform()
		for prod > l {
			k++
			prod *= g.uniform()
		}
		return k
	}
	if lam > 1e15 {
		// Beyond exact integers the normal approximation is exact enough.
		return math.Max(0, math.Round(lam+math.Sqrt(lam)*g.r.NormFloat64()))
	}
	// Hörmann's PTRS.
	slam := math.Sqrt(lam)
	loglam := math.Log(lam)
	b := 0.931 + 2.53*slam
	a := -0.059 + 0.02483*b
	invalpha := 1.1239 + 1.1328/(b-3.4)
	vr := 0.9277 - 3.6224/(b-2)
	for {
		u := g.uniform() - 0.5
		v := g.uniform()
		us := 0.5 - math.Abs(u)
		k := math.Floor((2*a/us+b)*u + lam + 0.43)
		if us >= 0.07 && v <= vr {
			return k
		}
		if k < 0 || (us < 0.013 && v > us) {
			continue
		}
		if math.Log(v)+math.Log(invalpha)-math.Log(a/(us*us)+b) <= -lam+k*loglam-logFactorial(k) {
			return k
		}
	}
}

// negBinomial draws the number of failures before size successes with
// success probability prob (GSL's parameterisation), as a gamma–Poisson
// mixture.
func (g *rng) negBinomial(size, prob float64) float64 {
	if prob >= 1 {
		return 0
	}
	return g.poisson(g.gamma(size) * (1 - prob) / prob)
}

// multinomial splits n over weights w (not normalised) into out by
// sequential binomials. suffix is scratch of len(w).
func (g *rng) multinomial(n int, w, suffix []float64, out []int) {
	k := len(w)
	s := 0.0
	for i := k - 1; i >= 0; i-- {
		s += w[i]
		suffix[i] = s
	}
	rem := n
	for i := 0; i < k-1; i++ {
		if rem == 0 {
			out[i] = 0
			continue
		}
		if rem <= 4 && suffix[i] > 0 {
			// A few left: place them one by one among classes i..k−1,
			// cheaper than a binomial per class.
			clear(out[i:])
			for ; rem > 0; rem-- {
				u := g.uniform() * suffix[i]
				j := i
				for j < k-1 && u >= w[j] {
					u -= w[j]
					j++
				}
				out[j]++
			}
			return
		}
		x := 0
		if suffix[i] > 0 {
			x = g.binomial(rem, w[i]/suffix[i])
		}
		out[i] = x
		rem -= x
	}
	out[k-1] = rem
}
