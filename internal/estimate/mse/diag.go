package mse

import (
	"math"
	"slices"
)

// quantile returns the q-quantile of sorted data (linear interpolation
// between order statistics, R's type 7).
func quantile(sorted []float64, q float64) float64 {
	n := len(sorted)
	if n == 0 {
		return math.NaN()
	}
	h := q * float64(n-1)
	lo := int(math.Floor(h))
	if lo >= n-1 {
		return sorted[n-1]
	}
	return sorted[lo] + (h-float64(lo))*(sorted[lo+1]-sorted[lo])
}

func meanSD(x []float64) (float64, float64) {
	if len(x) == 0 {
		return math.NaN(), math.NaN()
	}
	m := 0.0
	for _, v := range x {
		m += v
	}
	m /= float64(len(x))
	s := 0.0
	for _, v := range x {
		s += (v - m) * (v - m)
	}
	if len(x) < 2 {
		return m, math.NaN()
	}
	return m, math.Sqrt(s / float64(len(x)-1))
}

// splitChains halves each chain (dropping a middle draw when odd).
func splitChains(chains [][]float64) [][]float64 {
	var out [][]float64
	for _, c := range chains {
		h := len(c) / 2
		out = append(out, c[:h], c[len(c)-h:])
	}
	return out
}

// splitRHat is the split-chain potential scale reduction factor
// (Gelman et al., BDA3 §11.4).
func splitRHat(chains [][]float64) float64 {
	sc := splitChains(chains)
	m := len(sc)
	n := len(sc[0])
	if n < 2 {
		return math.NaN()
	}
	means := make([]float64, m)
	w := 0.0
	for i, c := range sc {
		mu, sd := meanSD(c)
		means[i] = mu
		w += sd * sd
	}
	w /= float64(m)
	_, sdm := meanSD(means)
	b := float64(n) * sdm * sdm
	if w == 0 {
		if b == 0 {
			return 1
		}
		return math.Inf(1)
	}
	v := float64(n-1)/float64(n)*w + b/float64(n)
	return math.Sqrt(v / w)
}

// ess is the multi-chain effective sample size with Geyer's initial
// monotone sequence truncation (BDA3 §11.5, as in Stan).
func ess(chains [][]float64) float64 {
	sc := splitChains(chains)
	m := len(sc)
	n := len(sc[0])
	if n < 4 {
		return math.NaN()
	}
	means := make([]float64, m)
	vars := make([]float64, m)
	for i, c := range sc {
		means[i], vars[i] = meanSD(c)
		vars[i] *= vars[i]
	}
	w := 0.0
	for _, v := range vars {
		w += v
	}
	w /= float64(m)
	_, sdm := meanSD(means)
	varPlus := float64(n-1)/float64(n)*w + sdm*sdm
	if m == 1 {
		varPlus = float64(n-1) / float64(n) * w
	}
	if varPlus == 0 {
		return float64(m * n)
	}
	acov := func(t int) float64 {
		s := 0.0
		for i, c := range sc {
			mu := means[i]
			a := 0.0
			for k := 0; k+t < n; k++ {
				a += (c[k] - mu) * (c[k+t] - mu)
			}
			s += a / float64(n)
		}
		return s / float64(m)
	}
	rho := func(t int) float64 { return 1 - (w-acov(t))/varPlus }
	sum := 0.0
	prev := math.Inf(1)
	for t := 0; t+1 < n; t += 2 {
		p := rho(t) + rho(t+1)
		if p < 0 {
			break
		}
		p = math.Min(p, prev) // monotone
		prev = p
		sum += p
	}
	tau := -1 + 2*sum
	if tau <= 0 {
		return float64(m * n)
	}
	return float64(m*n) / tau
}

// sortedCopy returns x sorted, leaving x as it was.
func sortedCopy(x []float64) []float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	return s
}
