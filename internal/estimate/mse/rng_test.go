package mse

import (
	"math"
	"math/rand/v2"
	"testing"

	"gonum.org/v1/gonum/stat/distuv"
)

// chiSquareP compares draws with a pmf by a chi-square test, pooling cells
// with expected count below 5 into their neighbours.
func chiSquareP(t *testing.T, counts map[int]int, pmf func(int) float64, lo, hi, draws int) float64 {
	t.Helper()
	stat, df := 0.0, -1
	accO, accE := 0.0, 0.0
	seen := 0
	for k := lo; k <= hi; k++ {
		accO += float64(counts[k])
		accE += pmf(k) * float64(draws)
		seen += counts[k]
		if accE >= 5 {
			stat += (accO - accE) * (accO - accE) / accE
			df++
			accO, accE = 0, 0
		}
	}
	if seen != draws {
		t.Fatalf("%d draws outside [%d, %d]", draws-seen, lo, hi)
	}
	if accE > 0 {
		stat += (accO - accE) * (accO - accE) / math.Max(accE, 1e-9)
		df++
	}
	return distuv.ChiSquared{K: float64(df)}.Survival(stat)
}

func TestBinomialDistribution(t *testing.T) {
	g := newRNG(42, 7)
	const draws = 200000
	for _, c := range []struct {
		n int
		p float64
	}{{5, 0.3}, {40, 0.1}, {300, 0.02}, {60, 0.25}, {200, 0.1}, {290, 0.1}, {35, 0.85}, {1000, 0.3}, {50, 0.9}, {2000, 0.5}, {100000, 0.001}, {7, 1e-9}} {
		counts := map[int]int{}
		for i := 0; i < draws; i++ {
			counts[g.binomial(c.n, c.p)]++
		}
		d := distuv.Binomial{N: float64(c.n), P: c.p}
		p := chiSquareP(t, counts, func(k int) float64 { return d.Prob(float64(k)) }, 0, c.n, draws)
		if p < 1e-4 {
			t.Errorf("Binomial(%d, %g): chi-square p = %.2g", c.n, c.p, p)
		}
	}
}

func TestPoissonDistribution(t *testing.T) {
	g := newRNG(43, 7)
	const draws = 200000
	for _, lam := range []float64{0.5, 3, 9.9, 10, 30, 5000} {
		counts := map[int]int{}
		for i := 0; i < draws; i++ {
			counts[int(g.poisson(lam))]++
		}
		d := distuv.Poisson{Lambda: lam}
		hi := int(lam + 20*math.Sqrt(lam) + 20)
		p := chiSquareP(t, counts, func(k int) float64 { return d.Prob(float64(k)) }, 0, hi, draws)
		if p < 1e-4 {
			t.Errorf("Poisson(%g): chi-square p = %.2g", lam, p)
		}
	}
}

// Moments of continuous draws against their exact values, within 5
// standard errors (the seed is fixed, so the test is deterministic).
func TestGammaBetaNegBinMoments(t *testing.T) {
	g := newRNG(44, 7)
	const draws = 400000
	check := func(name string, draw func() float64, mean, sd float64) {
		t.Helper()
		s, s2 := 0.0, 0.0
		for i := 0; i < draws; i++ {
			x := draw()
			s += x
			s2 += x * x
		}
		m := s / draws
		v := s2/draws - m*m
		if se := sd / math.Sqrt(draws); math.Abs(m-mean) > 5*se {
			t.Errorf("%s: mean %g, want %g ± %g", name, m, mean, 5*se)
		}
		if math.Abs(math.Sqrt(v)-sd) > 0.02*sd {
			t.Errorf("%s: sd %g, want %g", name, math.Sqrt(v), sd)
		}
	}
	for _, a := range []float64{0.1, 0.5, 1, 2.5, 100} {
		check("gamma", func() float64 { return g.gamma(a) }, a, math.Sqrt(a))
	}
	// logGamma of a tiny shape: E[X] = a even when X underflows.
	check("exp(logGamma(0.02))", func() float64 { return math.Exp(g.logGamma(0.02)) }, 0.02, math.Sqrt(0.02))
	for _, ab := range [][2]float64{{1, 1}, {1, 7}, {7, 1}, {3, 40}, {200, 300}} {
		a, b := ab[0], ab[1]
		sd := math.Sqrt(a * b / ((a + b) * (a + b) * (a + b + 1)))
		check("beta", func() float64 { return g.beta(a, b) }, a/(a+b), sd)
		check("logBeta", func() float64 { lv, _ := g.logBeta(a, b); return math.Exp(lv) }, a/(a+b), sd)
	}
	check("logBeta(1, 0.05)", func() float64 { _, l1 := g.logBeta(1, 0.05); return math.Exp(l1) }, 0.05/1.05, math.Sqrt(0.05/(1.05*1.05*2.05)))
	// NegBin(size r, prob q) failures: mean r(1−q)/q, variance r(1−q)/q².
	for _, c := range [][2]float64{{4400, 0.42}, {30, 0.9}, {100, 0.01}} {
		r, q := c[0], c[1]
		check("negbin", func() float64 { return g.negBinomial(r, q) }, r*(1-q)/q, math.Sqrt(r*(1-q))/q)
	}
}

func TestMultinomialSumsAndMeans(t *testing.T) {
	g := newRNG(45, 7)
	w := []float64{5, 0, 1e-8, 3, 2}
	suffix := make([]float64, len(w))
	out := make([]int, len(w))
	sum := make([]float64, len(w))
	const draws, n = 50000, 1000
	for i := 0; i < draws; i++ {
		g.multinomial(n, w, suffix, out)
		tot := 0
		for k, c := range out {
			tot += c
			sum[k] += float64(c)
		}
		if tot != n || out[1] != 0 {
			t.Fatalf("draw %v", out)
		}
	}
	for k, wk := range w {
		p := wk / 10
		mean := sum[k] / draws
		se := math.Sqrt(n*p*(1-p)/draws) + 1e-9
		if math.Abs(mean-n*p) > 5*se+1e-6 {
			t.Errorf("class %d: mean %g, want %g", k, mean, n*p)
		}
	}
}

func TestLogFactorial(t *testing.T) {
	for _, k := range []float64{0, 1, 2, 10, 1023, 1024, 1025, 5000, 1e6, 1e12} {
		want := lgamma(k + 1)
		if got := logFactorial(k); math.Abs(got-want) > 1e-12*math.Max(1, want) {
			t.Errorf("logFactorial(%g) = %.17g, want %.17g", k, got, want)
		}
	}
}

// The joint distribution of a small multinomial, which mixes the binomial
// and the one-by-one paths, against exact probabilities.
func TestMultinomialJoint(t *testing.T) {
	g := newRNG(46, 7)
	w := []float64{0.5, 0.2, 0.2, 0.1}
	suffix := make([]float64, 4)
	out := make([]int, 4)
	for _, n := range []int{3, 6, 9} {
		counts := map[int]int{}
		const draws = 200000
		for i := 0; i < draws; i++ {
			g.multinomial(n, w, suffix, out)
			counts[((out[0]*10+out[1])*10+out[2])*10+out[3]]++
		}
		// Enumerate the compositions of n into 4 parts.
		stat, df := 0.0, -1
		for a := 0; a <= n; a++ {
			for b := 0; a+b <= n; b++ {
				for c := 0; a+b+c <= n; c++ {
					d := n - a - b - c
					lp := lgamma(float64(n+1)) - lgamma(float64(a+1)) - lgamma(float64(b+1)) - lgamma(float64(c+1)) - lgamma(float64(d+1)) +
						float64(a)*math.Log(w[0]) + float64(b)*math.Log(w[1]) + float64(c)*math.Log(w[2]) + float64(d)*math.Log(w[3])
					e := math.Exp(lp) * draws
					o := float64(counts[((a*10+b)*10+c)*10+d])
					stat += (o - e) * (o - e) / e
					df++
				}
			}
		}
		if p := (distuv.ChiSquared{K: float64(df)}).Survival(stat); p < 1e-4 {
			t.Errorf("n=%d: chi-square p = %.2g", n, p)
		}
	}
}

// pcg reproduces math/rand/v2's PCG stream.
func TestPCGMatchesStdlib(t *testing.T) {
	for _, seeds := range [][2]uint64{{0, 0}, {1, 2}, {20240601, chainStream(1)}} {
		ours, std := pcg{seeds[0], seeds[1]}, rand.NewPCG(seeds[0], seeds[1])
		for i := range 1000 {
			if a, b := ours.Uint64(), std.Uint64(); a != b {
				t.Fatalf("seeds %v, draw %d: %x, stdlib %x", seeds, i, a, b)
			}
		}
	}
}
