package mse

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/rollcall-project/rollcall"
)

// Stratum is one stratum's table (say, one region or one year).
type Stratum struct {
	Name  string
	Table *Table
}

// StratifiedOptions configure Stratified.
type StratifiedOptions struct {
	// Method is one that ParseMethod accepts.
	Method    Method
	LogLinear LogLinearOptions
	// LCMCR and DGA settings; stratum i uses seed Seed + i so that the
	// strata's draws are independent and the whole run is reproducible
	// from one seed.
	LCMCR LCMCROptions
	DGA   DGAOptions
	// MinObserved is the number of people below which a stratum is called
	// too sparse [30].
	MinObserved int
}

// Options holds the settings of every method, for Estimate.
type Options struct {
	LogLinear LogLinearOptions
	LCMCR     LCMCROptions
	DGA       DGAOptions
}

// Estimate runs method (one that ParseMethod accepts) on t.
func Estimate(ctx context.Context, t *Table, method Method, opts Options) (Result, error) {
	switch method {
	case MethodLogLinear:
		return LogLinear(ctx, t, opts.LogLinear)
	case MethodLCMCR:
		return LCMCR(ctx, t, opts.LCMCR)
	case MethodChao:
		return Chao(t), nil
	case MethodDGA:
		return DGA(t, opts.DGA)
	case MethodObserved:
		return ObservedCount(t), nil
	}
	if _, err := ParseMethod(string(method)); err != nil {
		return Result{}, err
	}
	return Result{}, fmt.Errorf("mse: method %q has no estimator", method)
}

// Stratified estimates each stratum separately and adds them up.
//
// LCMCR and DGA: the total's draws are the sums of independent draws of
// the strata (same number of draws each); estimate and interval are the
// median and quantiles of those sums. Log-linear and Chao: the estimate is the sum of
// the strata's estimates and the interval a normal approximation with the
// strata's delta-method standard errors added in quadrature, cut at the
// total observed.
func Stratified(ctx context.Context, strata []Stratum, opts StratifiedOptions) (Result, error) {
	if len(strata) == 0 {
		return Result{}, rollcall.Errorf(rollcall.EINVALID, "no strata")
	}
	minObs := opts.MinObserved
	if minObs == 0 {
		minObs = 30
	}
	res := Result{Method: MethodStratified, Level: 0.95}
	var seVar float64
	for i, s := range strata {
		if s.Table == nil {
			return Result{}, rollcall.Errorf(rollcall.EINVALID, "stratum %q has no table", s.Name)
		}
		o := Options{LogLinear: opts.LogLinear, LCMCR: opts.LCMCR, DGA: opts.DGA}
		o.LCMCR.Seed += uint64(i)
		o.DGA.Seed += uint64(i)
		r, err := Estimate(ctx, s.Table, opts.Method, o)
		if err != nil {
			return Result{}, fmt.Errorf("stratum %q: %w", s.Name, err)
		}
		if r.Observed < minObs {
			res.warn(WarnSparseStratum, "stratum %q is too sparse (%d people observed, fewer than %d): its estimate is unreliable", s.Name, r.Observed, minObs)
		}
		if math.IsInf(r.Estimate, 0) || math.IsNaN(r.Estimate) {
			res.warn(WarnNoEstimate, "stratum %q has no finite estimate", s.Name)
		}
		for _, w := range r.Flags {
			if w.Code == WarnObservedFloor || w.Code == WarnHeterogeneity {
				continue // said once for the total
			}
			res.warn(w.Code, "stratum %q: %s", s.Name, w.Text)
		}
		res.Observed += r.Observed
		res.Estimate += r.Estimate
		seVar += r.Parameters["se"] * r.Parameters["se"]
		res.Strata = append(res.Strata, StratumResult{Stratum: s.Name, Result: r})
	}
	res.Parameters = map[string]float64{"strata": float64(len(strata))}
	if opts.Method == MethodLCMCR || opts.Method == MethodDGA {
		res.Seed = opts.LCMCR.Seed
		if opts.Method == MethodDGA {
			res.Seed = opts.DGA.Seed
		}
		n := len(res.Strata[0].Result.Draws)
		sum := make([]float64, n)
		for _, s := range res.Strata {
			d := s.Result.Draws
			if len(d) != n {
				return Result{}, fmt.Errorf("stratified: strata have different numbers of draws")
			}
			for i, x := range d {
				sum[i] += x
			}
		}
		res.Parameters["sum_of_medians"] = res.Estimate
		res.Draws = sum
		sorted := slices.Clone(sum)
		sort.Float64s(sorted)
		lvl := res.Strata[0].Result.Level
		res.Level = lvl
		res.Estimate = quantile(sorted, 0.5)
		res.Lower = quantile(sorted, (1-lvl)/2)
		res.Upper = quantile(sorted, 1-(1-lvl)/2)
		res.Interval = fmt.Sprintf("quantiles of the sum of independent posterior draws of the strata (%s)", strings.ToUpper(string(opts.Method)))
		if opts.Method == MethodDGA {
			res.addFloorWarnings()
			return res, nil
		}
		r0 := res.Strata[0].Result
		res.Chains, res.Burnin, res.Iterations, res.Thin = r0.Chains, r0.Burnin, r0.Iterations, r0.Thin
		for _, s := range res.Strata {
			// The worst stratum's diagnostics stand for the total.
			if res.RHat == 0 || s.Result.RHat > res.RHat {
				res.RHat = s.Result.RHat
			}
			if res.ESS == 0 || s.Result.ESS < res.ESS {
				res.ESS = s.Result.ESS
			}
		}
		res.addFloorWarnings()
		return res, nil
	}
	se := math.Sqrt(seVar)
	z := distuv.UnitNormal.Quantile(0.975)
	res.Lower = math.Max(float64(res.Observed), res.Estimate-z*se)
	res.Upper = res.Estimate + z*se
	res.Parameters["se"] = se
	res.Interval = fmt.Sprintf("normal approximation: sum of the strata's estimates ± %.2f × root sum of squared delta-method standard errors, cut at the total observed", z)
	res.addFloorWarnings()
	return res, nil
}
