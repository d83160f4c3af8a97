package mse

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"gonum.org/v1/gonum/stat/distuv"

	"github.com/rollcall-project/rollcall"
)

// LogLinearOptions configure LogLinear. The zero value selects by BIC among
// all hierarchical models (K ≤ 5), graphical models (K = 6) or by a stepwise
// search (K ≥ 7), with a 95% profile-likelihood interval.
type LogLinearOptions struct {
	// Criterion is "bic" (default) or "aic". Rcapture's definitions:
	// AIC = −2 log L + 2p (Poisson), BIC = AIC + (log n − 2)p with n the
	// number of people observed.
	Criterion string
	// MaxOrder bounds the interaction order; 0 means K−1.
	MaxOrder int
	// Model, when set, fits only this model (bracket notation, see ParseModel).
	Model string
	// Search forces the search: "hierarchical", "graphical" or "stepwise".
	Search string
	// Level of the interval; 0 means 0.95.
	Level float64
	// Top is how many ranked candidates the Result lists (0 means 10, <0 none).
	Top int
	// Progress, when set, is called with the number of models fitted so far.
	Progress func(done, total int64)
}

// MaxLogLinearLists is the largest K LogLinear accepts.
const MaxLogLinearLists = 10

// modelFit is one model's outcome in a search.
type modelFit struct {
	model    Model
	fit      glmFit
	aic, bic float64
	nhat     float64 // Poisson N̂ = n + exp(intercept); +Inf when unbounded
	warning  string
	warnCode string
}

func (mf *modelFit) crit(c string) float64 {
	if c == "aic" {
		return mf.aic
	}
	return mf.bic
}

// fitModel fits one model to the observed cells and scores it.
func fitModel(f *fitter, t *Table, m Model, n float64) modelFit {
	f.setCounts(t, false, 0)
	g := f.fit(m, nil)
	p := float64(len(m))
	mf := modelFit{model: m, fit: g}
	mf.aic = -2*g.loglik + 2*p
	mf.bic = mf.aic + (math.Log(n)-2)*p
	mf.nhat = n + math.Exp(g.theta[0])
	switch {
	case len(g.boundary) > 0 && !interceptEstimable(m, f.k, f.active, g.boundary):
		mf.nhat = math.Inf(1)
		mf.warnCode = WarnNoMLE
		mf.warning = "the maximum-likelihood estimate of the unobserved cell does not exist (zero cells force it to infinity)"
	case len(g.boundary) > 0:
		mf.warnCode = WarnBoundaryFit
		mf.warning = fmt.Sprintf("boundary fit: %d empty cells fitted as 0 (some interactions at −∞); the estimate of the unobserved cell is still determined", len(g.boundary))
	case !g.converged:
		mf.warnCode = WarnNotConverged
		mf.warning = fmt.Sprintf("the fit did not converge in %d iterations", g.iter)
	}
	if math.IsNaN(mf.nhat) || math.IsInf(mf.nhat, 0) {
		mf.nhat = math.Inf(1)
	}
	return mf
}

// LogLinear fits Poisson log-linear models to the observed cells, selects one
// by the criterion and returns its estimate N̂ = n + exp(intercept) with a
// multinomial profile-likelihood interval in N (as Rcapture's closedpCI.t).
func LogLinear(ctx context.Context, t *Table, opts LogLinearOptions) (Result, error) {
	s, err := opts.settle(t)
	if err != nil {
		return Result{}, err
	}
	k, n := t.K(), t.Observed()
	res := Result{Method: MethodLogLinear, Lists: t.Lists, Observed: n, Level: s.level, Criterion: s.crit}
	for _, w := range t.sparsityWarnings() {
		res.addWarning(w)
	}
	if n < 20 {
		res.warn(WarnFewObserved, "only %d people observed: log-linear estimates are unreliable", n)
	}
	fits, search, err := searchModels(ctx, t, opts, s)
	if err != nil {
		return Result{}, err
	}
	res.Search = search
	res.ModelsFitted = len(fits)

	weights, avg, excluded := rankFits(fits, s.crit)
	if excluded > 0 && len(fits) > 1 {
		res.warn(WarnModelsUnranked, "%d of %d models were not ranked because their estimate of the unobserved cell does not exist", excluded, len(fits))
	}
	top := opts.Top
	if top == 0 {
		top = 10
	}
	for i := 0; i < top && i < len(fits); i++ {
		f := fits[i]
		res.Candidates = append(res.Candidates, Candidate{
			Model: f.model.Format(k), Params: len(f.model), Deviance: f.fit.deviance,
			AIC: f.aic, BIC: f.bic, Estimate: f.nhat, Weight: weights[i], Warning: f.warning,
		})
	}

	best := fits[0]
	res.Model = best.model.Format(k)
	res.Estimate = best.nhat
	if best.warning != "" {
		res.warn(best.warnCode, "selected model: %s", best.warning)
	}
	res.Parameters = map[string]float64{
		"deviance": best.fit.deviance, "df": float64(len(t.Counts) - 1 - len(best.model)),
		"aic": best.aic, "bic": best.bic, "params": float64(len(best.model)),
		// Σ w·N̂ over the ranked models, w ∝ exp(−Δcriterion/2).
		"model_averaged_estimate": avg,
	}
	if math.IsInf(best.nhat, 0) {
		res.Lower, res.Upper = math.NaN(), math.NaN()
		res.Interval = "none: the estimate is unbounded"
		res.finish(t)
		return res, nil
	}
	if err := selectedModelInterval(ctx, t, best, s.level, &res); err != nil {
		return Result{}, err
	}
	if res.Estimate > 50*float64(n) {
		res.warn(WarnFarAboveSeen, "the estimate is %.0f times the number observed: probably a boundary or sparse-data artefact", res.Estimate/float64(n))
	}
	res.finish(t)
	return res, nil
}

// logLinearSettings are the options after defaults and checks.
type logLinearSettings struct {
	crit     string
	maxOrder int
	level    float64
}

func (o LogLinearOptions) settle(t *Table) (logLinearSettings, error) {
	k := t.K()
	if k < 2 || k > MaxLogLinearLists {
		return logLinearSettings{}, rollcall.Errorf(rollcall.EINVALID, "log-linear models need 2 to %d lists, got %d", MaxLogLinearLists, k)
	}
	if t.Observed() == 0 {
		return logLinearSettings{}, rollcall.Errorf(rollcall.EINVALID, "the table is empty")
	}
	s := logLinearSettings{crit: o.Criterion, maxOrder: o.MaxOrder, level: o.Level}
	if s.crit == "" {
		s.crit = "bic"
	}
	if s.crit != "bic" && s.crit != "aic" {
		return logLinearSettings{}, rollcall.Errorf(rollcall.EINVALID, "criterion must be bic or aic, not %q", s.crit)
	}
	if s.maxOrder <= 0 || s.maxOrder > k-1 {
		s.maxOrder = k - 1
	}
	if s.level == 0 {
		s.level = 0.95
	}
	if s.level <= 0 || s.level >= 1 {
		return logLinearSettings{}, rollcall.Errorf(rollcall.EINVALID, "level must be between 0 and 1, got %g", s.level)
	}
	return s, nil
}

// searchModels fits the given model or the models of the chosen search and
// says which models were compared.
func searchModels(ctx context.Context, t *Table, opts LogLinearOptions, s logLinearSettings) ([]modelFit, string, error) {
	k, n := t.K(), float64(t.Observed())
	var fits []modelFit
	var err error
	var search string
	switch {
	case opts.Model != "":
		m, perr := ParseModel(opts.Model, k)
		if perr != nil {
			return nil, "", perr
		}
		fits = []modelFit{fitModel(newFitter(k), t, m, n)}
		search = "given model"
	case opts.Search == "stepwise" || (opts.Search == "" && k >= 7):
		fits, err = stepwise(ctx, t, s.maxOrder, s.crit, opts.Progress)
		search = fmt.Sprintf("stepwise search (add or drop one term at a time by %s) over hierarchical models with interactions up to order %d", s.crit, s.maxOrder)
	case opts.Search == "graphical" || (opts.Search == "" && k == 6):
		models := graphicalModels(k, s.maxOrder)
		fits, err = fitAll(ctx, t, models, opts.Progress)
		search = fmt.Sprintf("all %d graphical models with interactions up to order %d", len(models), s.maxOrder)
	case opts.Search == "" || opts.Search == "hierarchical":
		// The number of hierarchical models explodes beyond 5 lists
		// (6 lists with pairwise terms only are the 32,768 graphs).
		if k > 6 || (k == 6 && s.maxOrder > 2) {
			return nil, "", rollcall.Errorf(rollcall.EINVALID, "an exhaustive hierarchical search is limited to 5 lists (6 with --max-order 2); use the graphical or stepwise search")
		}
		models := hierarchicalModels(k, s.maxOrder)
		fits, err = fitAll(ctx, t, models, opts.Progress)
		search = fmt.Sprintf("all %d hierarchical models with interactions up to order %d", len(models), s.maxOrder)
	default:
		return nil, "", rollcall.Errorf(rollcall.EINVALID, "unknown search %q (want hierarchical, graphical or stepwise)", opts.Search)
	}
	if err != nil {
		return nil, "", err
	}
	return fits, search, nil
}

// rankFits sorts the fits best first by the criterion (models whose missing
// cell has no finite MLE last: they cannot be selected) and returns their
// weights exp(−Δ/2), normalised over the ranked models, the weighted
// average of their estimates and how many could not be ranked.
func rankFits(fits []modelFit, crit string) (weights []float64, avg float64, excluded int) {
	slices.SortStableFunc(fits, func(a, b modelFit) int {
		ia, ib := math.IsInf(a.nhat, 0), math.IsInf(b.nhat, 0)
		if ia != ib {
			if ia {
				return 1
			}
			return -1
		}
		ca, cb := a.crit(crit), b.crit(crit)
		switch {
		case ca < cb:
			return -1
		case ca > cb:
			return 1
		}
		return 0
	})
	best := fits[0]
	wsum := 0.0
	weights = make([]float64, len(fits))
	for i := range fits {
		if math.IsInf(fits[i].nhat, 0) {
			excluded++
			continue
		}
		weights[i] = math.Exp(-(fits[i].crit(crit) - best.crit(crit)) / 2)
		wsum += weights[i]
	}
	for i := range fits {
		if wsum == 0 {
			weights[i] = math.NaN()
			continue
		}
		weights[i] /= wsum
		if weights[i] > 0 {
			avg += weights[i] * fits[i].nhat
		}
	}
	if wsum == 0 {
		avg = math.NaN()
	}
	return weights, avg, excluded
}

// selectedModelInterval checks the selected model's fit and sets its
// delta-method standard error and profile-likelihood interval on res.
func selectedModelInterval(ctx context.Context, t *Table, best modelFit, level float64, res *Result) error {
	df := res.Parameters["df"]
	if df > 0 && best.fit.deviance > 0 {
		chi := distuv.ChiSquared{K: df}
		if p := chi.Survival(best.fit.deviance); p < 0.05 {
			res.Parameters["gof_p"] = p
			res.warn(WarnPoorFit, "the selected model fits poorly (deviance %.1f on %g df, p = %.2g)", best.fit.deviance, df, p)
		}
	}
	f := newFitter(t.K())
	f.setCounts(t, false, 0)
	f.fit(best.model, best.fit.theta)
	v := f.interceptVariance(best.model)
	e := math.Exp(best.fit.theta[0])
	res.Parameters["se"] = math.Sqrt(e + e*e*v)

	pr, err := profileInterval(ctx, f, t, best.model, best.fit.theta, best.nhat, level)
	if err != nil {
		return err
	}
	res.Lower, res.Upper = pr.lower, pr.upper
	res.Parameters["multinomial_estimate"] = pr.mle
	res.Interval = fmt.Sprintf("multinomial profile likelihood in N for the selected model ({N : 2[l(N̂)−l(N)] ≤ χ²₁(%g)}); it ignores model-selection uncertainty", level)
	for _, w := range pr.warnings {
		res.addWarning(w)
	}
	return nil
}

// fitAll fits every model, in parallel.
func fitAll(ctx context.Context, t *Table, models []Model, progress func(done, total int64)) ([]modelFit, error) {
	fits := make([]modelFit, len(models))
	n := float64(t.Observed())
	workers := min(runtime.GOMAXPROCS(0), len(models))
	var next, done atomic.Int64
	var wg sync.WaitGroup
	var mu sync.Mutex
	total := int64(len(models))
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := newFitter(t.K())
			for {
				i := next.Add(1) - 1
				if i >= total || ctx.Err() != nil {
					return
				}
				fits[i] = fitModel(f, t, models[i], n)
				if d := done.Add(1); progress != nil && (d%256 == 0 || d == total) {
					mu.Lock()
					progress(d, total)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("log-linear search: %w", err)
	}
	return fits, nil
}

// stepwise climbs from the main-effects model, each step adding an
// admissible term (all its one-smaller sub-terms present) or dropping a
// maximal interaction, whichever lowers the criterion most. It returns every
// model it fitted.
func stepwise(ctx context.Context, t *Table, maxOrder int, crit string, progress func(done, total int64)) ([]modelFit, error) {
	k := t.K()
	n := float64(t.Observed())
	f := newFitter(k)
	seen := map[string]bool{}
	var all []modelFit
	cur := fitModel(f, t, closure(nil, k), n)
	all = append(all, cur)
	seen[cur.model.Format(k)] = true
	for {
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("stepwise search: %w", err)
		}
		in := map[uint32]bool{}
		for _, s := range cur.model {
			in[s] = true
		}
		var cands []Model
		for s := uint32(1); s < 1<<k; s++ {
			o := bits.OnesCount32(s)
			if in[s] || o < 2 || o > maxOrder {
				continue
			}
			ok := true
			for r := s; r != 0; r &= r - 1 {
				if !in[s&^(r&-r)] {
					ok = false
					break
				}
			}
			if ok {
				cands = append(cands, closure(append(cur.model.Generators(), s), k))
			}
		}
		gens := cur.model.Generators()
		for i, g := range gens {
			if bits.OnesCount32(g) < 2 {
				continue
			}
			rest := append(append([]uint32(nil), gens[:i]...), gens[i+1:]...)
			// keep g's sub-terms one smaller
			for r := g; r != 0; r &= r - 1 {
				if sub := g &^ (r & -r); bits.OnesCount32(sub) >= 2 {
					rest = append(rest, sub)
				}
			}
			cands = append(cands, closure(rest, k))
		}
		improved := false
		best := cur
		for _, m := range cands {
			key := m.Format(k)
			if seen[key] {
				continue
			}
			seen[key] = true
			mf := fitModel(f, t, m, n)
			all = append(all, mf)
			if !math.IsInf(mf.nhat, 0) && mf.crit(crit) < best.crit(crit)-1e-9 {
				best, improved = mf, true
			}
		}
		if progress != nil {
			progress(int64(len(all)), int64(len(all)))
		}
		if !improved {
			return all, nil
		}
		cur = best
	}
}

type profileResult struct {
	mle, lower, upper float64
	warnings          []Warning
}

// profileInterval computes the multinomial profile-likelihood interval in N:
// for each N the model is fitted to the full table with N − n people in the
// unobserved cell, and l(N) = log N!/(N−n)! + Σ y log(μ/N).
func profileInterval(ctx context.Context, f *fitter, t *Table, m Model, theta []float64, nhat, level float64) (profileResult, error) {
	n := float64(t.Observed())
	start := append([]float64(nil), theta...)
	var out profileResult
	evals := 0
	ell := func(N float64) float64 {
		evals++
		f.setCounts(t, true, N-n)
		g := f.fit(m, start)
		copy(start, g.theta)
		l := lgamma(N+1) - lgamma(N-n+1)
		for c, y := range f.y {
			if f.active[c] && y > 0 {
				l += y * math.Log(f.mu[c]/N)
			}
		}
		return l
	}
	// Maximise in x = log(N − n) by golden section around the Poisson N̂.
	x0 := math.Log(math.Max(nhat-n, 1e-3))
	lo, hi := x0-1, x0+1
	fx := func(x float64) float64 { return ell(n + math.Exp(x)) }
	for fx(lo) > fx(lo+0.01) && lo > -10 {
		lo -= 2
	}
	for fx(hi) > fx(hi-0.01) && hi < x0+40 {
		hi += 2
	}
	const gr = 0.6180339887498949
	a, b := lo, hi
	c, d := b-gr*(b-a), a+gr*(b-a)
	fc, fd := fx(c), fx(d)
	for i := 0; i < 80 && b-a > 1e-10; i++ {
		if fc > fd {
			b, d, fd = d, c, fc
			c = b - gr*(b-a)
			fc = fx(c)
		} else {
			a, c, fc = c, d, fd
			d = a + gr*(b-a)
			fd = fx(d)
		}
	}
	xm := (a + b) / 2
	out.mle = n + math.Exp(xm)
	lmax := fx(xm)
	if err := ctx.Err(); err != nil {
		return out, fmt.Errorf("profile interval: %w", err)
	}
	chi1 := distuv.ChiSquared{K: 1}
	cut := chi1.Quantile(level) / 2
	// Lower limit: N = n (nobody missing) is the smallest possible value.
	if lmax-ell(n) <= cut {
		out.lower = n
	} else {
		a, b := n, out.mle
		for i := 0; i < 200 && b-a > 1e-7*b; i++ {
			mid := (a + b) / 2
			if lmax-ell(mid) > cut {
				a = mid
			} else {
				b = mid
			}
		}
		out.lower = (a + b) / 2
	}
	// Upper limit: step out geometrically, then bisect.
	a, b = out.mle, out.mle+(out.mle-n+1)
	for lmax-ell(b) <= cut {
		a = b
		b = n + 2*(b-n)
		if b > 1e6*n+1e6 {
			out.upper = math.Inf(1)
			out.warnings = append(out.warnings, Warning{Code: WarnUnbounded, Text: "the profile likelihood does not fall below the cut-off: the upper limit is unbounded"})
			return out, nil
		}
	}
	for i := 0; i < 200 && b-a > 1e-7*b; i++ {
		mid := (a + b) / 2
		if lmax-ell(mid) > cut {
			b = mid
		} else {
			a = mid
		}
	}
	out.upper = (a + b) / 2
	return out, nil
}

func lgamma(x float64) float64 {
	l, _ := math.Lgamma(x)
	return l
}
