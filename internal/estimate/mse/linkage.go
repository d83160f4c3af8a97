package mse

import (
	"context"
	"encoding/json"
	"fmt"
	"math"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/rollcall-project/rollcall"
)

// Linkage says how much of a pooled estimate's uncertainty comes from
// record linkage: the estimate was made once per linkage draw (a plausible
// clustering of the records into people) and the results combined.
type Linkage struct {
	// Draws is the number of linkage draws pooled.
	Draws int `json:"draws"`
	// Share is the share of the interval's width that linkage adds:
	// 1 − (mean width of the draws' own intervals) / (width of the pooled
	// interval), 0 when linkage adds nothing.
	Share float64 `json:"share"`
	// VarianceShare is the between-draw part of the pooled variance of N
	// (law of total variance): var(E[N | draw]) / var(N).
	VarianceShare float64 `json:"variance_share"`
	// EstimateMin and EstimateMax are the smallest and largest estimate of
	// a single draw.
	EstimateMin float64 `json:"estimate_min"`
	EstimateMax float64 `json:"estimate_max"`
}

// EstimateLinkage runs one method on the capture tables of several linkage
// draws and pools the results with PoolLinkage. Draw i's sampler seeds are
// opts' seeds + i. Each draw runs with opts as given: the pooled posterior
// holds the draws of all of them, so with many linkage draws each chain can
// be shorter than for a single estimate (the pooled effective sample size
// is the sum of the draws').
func EstimateLinkage(ctx context.Context, tables []*Table, method Method, opts Options) (Result, error) {
	if len(tables) == 0 {
		return Result{}, rollcall.Errorf(rollcall.EINVALID, "no linkage draws to estimate")
	}
	rs := make([]Result, len(tables))
	for i, t := range tables {
		o := opts
		o.LCMCR.Seed += uint64(i)
		o.DGA.Seed += uint64(i)
		r, err := Estimate(ctx, t, method, o)
		if err != nil {
			return Result{}, fmt.Errorf("linkage draw %d: %w", i+1, err)
		}
		rs[i] = r
	}
	return PoolLinkage(rs)
}

// PoolLinkage combines estimates of one population made with one method on
// several linkage draws. Results that carry posterior draws (LCMCR, DGA)
// are pooled by their draws, the same number from each linkage draw, so
// that the pooled posterior is the equal mixture of the draws' posteriors
// (Sadinle 2018). Results without draws (log-linear, Chao) are pooled as a
// mixture too: each draw's result is read as a split normal distribution
// whose median is its estimate and whose quantiles at the level are its
// limits, and the pooled estimate and limits are the mixture's median and
// quantiles.
func PoolLinkage(results []Result) (Result, error) {
	if len(results) == 0 {
		return Result{}, rollcall.Errorf(rollcall.EINVALID, "no linkage draws to pool")
	}
	r0 := results[0]
	withDraws := len(r0.Draws) > 0
	for i, r := range results {
		switch {
		case r.Method != r0.Method:
			return Result{}, rollcall.Errorf(rollcall.EINVALID, "linkage draw %d was estimated with %s, draw 1 with %s: pool one method at a time", i+1, r.Method, r0.Method)
		case r.Level != r0.Level:
			return Result{}, rollcall.Errorf(rollcall.EINVALID, "linkage draw %d has a %g%% interval, draw 1 a %g%% one", i+1, 100*r.Level, 100*r0.Level)
		case (len(r.Draws) > 0) != withDraws:
			return Result{}, rollcall.Errorf(rollcall.EINVALID, "linkage draw %d has posterior draws and draw 1 has not (or the reverse)", i+1)
		case math.IsNaN(r.Estimate) || math.IsInf(r.Estimate, 0) || math.IsNaN(r.Lower) || math.IsNaN(r.Upper):
			return Result{}, rollcall.Errorf(rollcall.EINVALID, "linkage draw %d has no finite estimate and interval (%g [%g, %g])", i+1, r.Estimate, r.Lower, r.Upper)
		}
	}
	res := Result{
		Method: r0.Method, Lists: r0.Lists, Level: r0.Level, Criterion: r0.Criterion, Search: r0.Search,
		Seed: r0.Seed, Chains: r0.Chains, Iterations: r0.Iterations, Burnin: r0.Burnin, Thin: r0.Thin,
		Linkage: &Linkage{Draws: len(results), EstimateMin: math.Inf(1), EstimateMax: math.Inf(-1)},
	}
	obsMin, obsMax, obsSum := math.Inf(1), math.Inf(-1), 0.0
	width := 0.0
	for _, r := range results {
		o := float64(r.Observed)
		obsMin, obsMax, obsSum = math.Min(obsMin, o), math.Max(obsMax, o), obsSum+o
		res.Linkage.EstimateMin = math.Min(res.Linkage.EstimateMin, r.Estimate)
		res.Linkage.EstimateMax = math.Max(res.Linkage.EstimateMax, r.Estimate)
		width += r.Upper - r.Lower
	}
	width /= float64(len(results))
	res.Observed = int(math.Round(obsSum / float64(len(results))))
	var within, between float64
	if withDraws {
		within, between = res.poolDraws(results)
	} else {
		within, between = res.poolMixture(results, obsMin)
	}
	switch pw := res.Upper - res.Lower; {
	case math.IsInf(pw, 0) || math.IsInf(width, 0):
		res.Linkage.Share = math.NaN() // unbounded: no share of a width
	case pw > 0:
		res.Linkage.Share = math.Max(0, 1-width/pw)
	}
	switch tot := within + between; {
	case math.IsInf(tot, 0):
		res.Linkage.VarianceShare = math.NaN() // an unbounded interval has no variance
	case tot > 0:
		res.Linkage.VarianceShare = between / tot
	}
	res.Parameters = map[string]float64{
		"linkage_draws": float64(len(results)), "observed_min": obsMin, "observed_max": obsMax,
		"mean_draw_width": width, "within_variance": within, "between_variance": between,
	}
	res.poolWarnings(results)
	return res, nil
}

// poolDraws pools the posterior draws, the same number from each linkage
// draw (evenly spaced, so that every chain contributes), and returns the
// mean within-draw variance and the variance of the draws' means.
func (res *Result) poolDraws(results []Result) (within, between float64) {
	m := len(results[0].Draws)
	for _, r := range results {
		m = min(m, len(r.Draws))
	}
	means := make([]float64, len(results))
	pooled := make([]float64, 0, m*len(results))
	for i, r := range results {
		d := make([]float64, m)
		for j := range d {
			d[j] = r.Draws[j*len(r.Draws)/m]
		}
		mu, sd := meanSD(d)
		means[i] = mu
		within += sd * sd
		pooled = append(pooled, d...)
	}
	within /= float64(len(results))
	between = popVariance(means)
	res.Draws = pooled
	s := sortedCopy(pooled)
	res.Estimate = quantile(s, 0.5)
	res.Lower = quantile(s, (1-res.Level)/2)
	res.Upper = quantile(s, 1-(1-res.Level)/2)
	res.Interval = fmt.Sprintf("equal-tailed %g%% interval of the posterior draws pooled over %d linkage draws (%d from each)", 100*res.Level, len(results), m)
	for _, r := range results {
		// The worst draw's R-hat stands for the pool; the draws' chains are
		// independent, so their effective sizes add up.
		if r.RHat > res.RHat || math.IsNaN(r.RHat) {
			res.RHat = r.RHat
		}
		res.ESS += r.ESS * float64(m) / float64(len(r.Draws))
	}
	return within, between
}

// splitNormal is a distribution with median m whose lower half is a half
// normal of scale lo and upper half one of scale hi (+Inf: that half lies
// at infinity).
type splitNormal struct{ m, lo, hi float64 }

func (s splitNormal) cdf(x float64) float64 {
	switch {
	case x < s.m:
		if s.lo == 0 {
			return 0
		}
		return distuv.UnitNormal.CDF((x - s.m) / s.lo)
	case math.IsInf(s.hi, 1):
		return 0.5
	case s.hi == 0:
		return 1
	}
	return distuv.UnitNormal.CDF((x - s.m) / s.hi)
}

// moments returns the mean and variance of the split normal.
func (s splitNormal) moments() (float64, float64) {
	c := math.Sqrt(2 / math.Pi)
	return s.m + c*(s.hi-s.lo), (1-2/math.Pi)*(s.hi-s.lo)*(s.hi-s.lo) + s.lo*s.hi
}

// poolMixture pools results without draws as a mixture of split normals
// and returns the mean within-draw variance and the variance of the draws'
// means (+Inf when an interval is unbounded).
func (res *Result) poolMixture(results []Result, floor float64) (within, between float64) {
	z := distuv.UnitNormal.Quantile(1 - (1-res.Level)/2)
	comps := make([]splitNormal, len(results))
	means := make([]float64, len(results))
	for i, r := range results {
		comps[i] = splitNormal{m: r.Estimate, lo: math.Max(0, r.Estimate-r.Lower) / z, hi: math.Max(0, r.Upper-r.Estimate) / z}
		mu, v := comps[i].moments()
		means[i] = mu
		within += v
	}
	within /= float64(len(results))
	between = popVariance(means)
	cdf := func(x float64) float64 {
		s := 0.0
		for _, c := range comps {
			s += c.cdf(x)
		}
		return s / float64(len(comps))
	}
	// Bracket: below every lower limit and above every finite upper one.
	lo, hi := math.Inf(1), math.Inf(-1)
	for _, c := range comps {
		lo = math.Min(lo, c.m-10*c.lo)
		if !math.IsInf(c.hi, 1) {
			hi = math.Max(hi, c.m+10*c.hi)
		}
		hi = math.Max(hi, c.m)
	}
	q := func(p float64) float64 {
		if cdf(hi) < p {
			return math.Inf(1)
		}
		a, b := lo, hi
		for range 200 {
			mid := (a + b) / 2
			if cdf(mid) < p {
				a = mid
			} else {
				b = mid
			}
			if b-a < 1e-9*math.Max(1, math.Abs(b)) {
				break
			}
		}
		return (a + b) / 2
	}
	res.Estimate = q(0.5)
	res.Lower = math.Max(floor, q((1-res.Level)/2))
	res.Upper = q(1 - (1-res.Level)/2)
	res.Interval = fmt.Sprintf("median and %g%% quantiles of the equal mixture of %d linkage draws' results, each read as a split normal with its estimate as median and its interval limits as quantiles", 100*res.Level, len(results))
	return within, between
}

// poolWarnings lists each warning code the draws raised once, with the
// first draw's text and in how many draws it came up.
func (res *Result) poolWarnings(results []Result) {
	type seen struct {
		w Warning
		n int
	}
	var order []string
	byCode := map[string]*seen{}
	for _, r := range results {
		codes := map[string]bool{}
		for _, w := range r.Flags {
			// The pool's own effective size replaces the draws'.
			if w.Code == WarnObservedFloor || w.Code == WarnHeterogeneity || w.Code == WarnLowESS || codes[w.Code] {
				continue
			}
			codes[w.Code] = true
			if s, ok := byCode[w.Code]; ok {
				s.n++
				continue
			}
			byCode[w.Code] = &seen{w, 1}
			order = append(order, w.Code)
		}
	}
	if res.ESS > 0 && res.ESS < 400 {
		res.warn(WarnLowESS, "effective sample size %.0f < 400 over all linkage draws: the interval limits are imprecise; run longer", res.ESS)
	}
	for _, c := range order {
		s := byCode[c]
		if s.n == len(results) {
			res.warn(c, "in every linkage draw: %s", s.w.Text)
		} else {
			res.warn(c, "in %d of %d linkage draws, for example: %s", s.n, len(results), s.w.Text)
		}
	}
	res.addFloorWarnings()
}

// popVariance is the variance of x with divisor len(x) (0 for one value).
func popVariance(x []float64) float64 {
	if len(x) == 1 {
		return 0
	}
	_, sd := meanSD(x)
	n := float64(len(x))
	return sd * sd * (n - 1) / n
}

type linkageJSON struct {
	Draws         int    `json:"draws"`
	Share         jfloat `json:"share"`
	VarianceShare jfloat `json:"variance_share"`
	EstimateMin   jfloat `json:"estimate_min"`
	EstimateMax   jfloat `json:"estimate_max"`
}

// MarshalJSON writes non-finite numbers as null.
func (l Linkage) MarshalJSON() ([]byte, error) {
	return json.Marshal(linkageJSON{l.Draws, jfloat(l.Share), jfloat(l.VarianceShare), jfloat(l.EstimateMin), jfloat(l.EstimateMax)})
}

// UnmarshalJSON reads null numbers as NaN.
func (l *Linkage) UnmarshalJSON(b []byte) error {
	var j linkageJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*l = Linkage{j.Draws, float64(j.Share), float64(j.VarianceShare), float64(j.EstimateMin), float64(j.EstimateMax)}
	return nil
}
