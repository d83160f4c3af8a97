package mse

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/rollcall-project/rollcall"
)

// LCMCROptions configure LCMCR. Zero values take the defaults in brackets.
type LCMCROptions struct {
	// Classes is the truncation level K* of the stick-breaking prior [10].
	Classes int
	// AlphaShape and AlphaRate are the Gamma prior on the concentration α
	// [0.25, 0.25].
	AlphaShape, AlphaRate float64
	// Seed seeds the chains; chain c uses PCG(Seed, stream c).
	Seed uint64
	// Chains run in parallel goroutines [2].
	Chains int
	// Burnin sweeps per chain are discarded [10,000] (after 500 warm-up
	// sweeps with α fixed, as LCMCR does, that are not counted).
	Burnin int
	// Iterations sweeps per chain follow the burn-in [200,000].
	Iterations int
	// Thin keeps every Thin-th draw [20].
	Thin int
	// Level of the credible interval [0.95].
	Level float64
	// MaxN0Factor, when positive, redraws n0 while n0 > MaxN0Factor·n (the
	// R package's hard cap is 20). Off by default: the cap truncates the
	// posterior; the result reports it when set.
	MaxN0Factor float64
	// Progress, when set, is called with sweeps done and total over all chains.
	Progress func(done, total int64)
}

func (o *LCMCROptions) defaults() {
	if o.Classes == 0 {
		o.Classes = 10
	}
	if o.AlphaShape == 0 {
		o.AlphaShape = 0.25
	}
	if o.AlphaRate == 0 {
		o.AlphaRate = 0.25
	}
	if o.Chains == 0 {
		o.Chains = 2
	}
	if o.Burnin == 0 {
		o.Burnin = 10000
	}
	if o.Iterations == 0 {
		o.Iterations = 200000
	}
	if o.Thin == 0 {
		o.Thin = 20
	}
	if o.Level == 0 {
		o.Level = 0.95
	}
}

const lcmcrWarmup = 500

// invisibleShareWarn is the posterior mean weight of nearly invisible
// classes above which LCMCR warns.
const invisibleShareWarn = 0.05

// smallPattern is the pattern frequency up to which class labels are drawn
// person by person rather than by sequential binomials.
const smallPattern = 8

// LCMCR fits the Dirichlet-process latent-class model of Manrique-Vallier
// (2016) by Gibbs sampling with data augmentation of the unseen, and returns
// the posterior median of N with an equal-tailed credible interval, pooled
// over chains.
func LCMCR(ctx context.Context, t *Table, opts LCMCROptions) (Result, error) {
	opts.defaults()
	switch {
	case t.K() < 2:
		return Result{}, rollcall.Errorf(rollcall.EINVALID, "LCMCR needs at least 2 lists, got %d", t.K())
	case opts.Classes < 1 || opts.Classes > 100:
		return Result{}, rollcall.Errorf(rollcall.EINVALID, "classes must be between 1 and 100, got %d", opts.Classes)
	case opts.Chains < 1 || opts.Chains > 64:
		return Result{}, rollcall.Errorf(rollcall.EINVALID, "chains must be between 1 and 64, got %d", opts.Chains)
	case opts.Burnin < 0 || opts.Iterations < 1 || opts.Thin < 1 || opts.Iterations < opts.Thin:
		return Result{}, rollcall.Errorf(rollcall.EINVALID, "need burn-in ≥ 0 and iterations ≥ thin ≥ 1 (got %d, %d, %d)", opts.Burnin, opts.Iterations, opts.Thin)
	case opts.AlphaShape <= 0 || opts.AlphaRate <= 0:
		return Result{}, rollcall.Errorf(rollcall.EINVALID, "the Gamma prior on alpha needs positive shape and rate")
	case opts.Level <= 0 || opts.Level >= 1:
		return Result{}, rollcall.Errorf(rollcall.EINVALID, "level must be between 0 and 1, got %g", opts.Level)
	}
	n := t.Observed()
	if n == 0 {
		return Result{}, rollcall.Errorf(rollcall.EINVALID, "the table is empty")
	}
	res := Result{
		Method: MethodLCMCR, Lists: t.Lists, Observed: n, Level: opts.Level,
		Seed: opts.Seed, Chains: opts.Chains, Iterations: opts.Iterations, Burnin: opts.Burnin, Thin: opts.Thin,
		Interval: fmt.Sprintf("equal-tailed %g%% posterior credible interval, %d chains pooled", opts.Level*100, opts.Chains),
	}
	for _, w := range t.sparsityWarnings() {
		res.addWarning(w)
	}
	if t.K() == 3 {
		res.warn(WarnThreeLists, "with 3 lists a latent-class model has few degrees of freedom: the estimate leans on the prior")
	}

	total := int64(opts.Chains) * int64(opts.Burnin+opts.Iterations)
	var done atomic.Int64
	var pmu sync.Mutex
	report := func(d int64) {
		v := done.Add(d)
		if opts.Progress != nil {
			pmu.Lock()
			opts.Progress(v, total)
			pmu.Unlock()
		}
	}
	draws := make([][]float64, opts.Chains)
	caps := make([]int64, opts.Chains)
	invisible := make([]float64, opts.Chains)
	errs := make([]error, opts.Chains)
	var wg sync.WaitGroup
	for c := 0; c < opts.Chains; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := newLCMCRChain(t, &opts, opts.Seed, chainStream(c))
			draws[c], errs[c] = s.run(ctx, report)
			caps[c] = s.capped
			invisible[c] = s.invisible
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return Result{}, fmt.Errorf("lcmcr: %w", err)
		}
	}

	var pooled []float64
	for _, d := range draws {
		pooled = append(pooled, d...)
	}
	res.Draws = pooled
	sorted := slices.Clone(pooled)
	sort.Float64s(sorted)
	res.Estimate = quantile(sorted, 0.5)
	res.Lower = quantile(sorted, (1-opts.Level)/2)
	res.Upper = quantile(sorted, 1-(1-opts.Level)/2)
	mean, sd := meanSD(pooled)
	res.Parameters = map[string]float64{
		"mean": mean, "sd": sd, "classes": float64(opts.Classes),
		"alpha_shape": opts.AlphaShape, "alpha_rate": opts.AlphaRate, "draws": float64(len(pooled)),
	}
	for c, d := range draws {
		// Per-chain medians show which chain wandered when R-hat is high.
		sc := slices.Clone(d)
		sort.Float64s(sc)
		res.Parameters[fmt.Sprintf("median_chain_%d", c+1)] = quantile(sc, 0.5)
	}
	inv := 0.0
	for _, v := range invisible {
		inv += v
	}
	inv /= float64(len(pooled))
	res.Parameters["invisible_class_share"] = inv
	if inv > invisibleShareWarn {
		res.warn(WarnInvisibleClass, "latent classes that every list captures with probability below %.0f%% hold %.0f%% of the population on average (posterior mean): their size rests on the model, hardly on the lists", 100*nearZeroCapture, 100*inv)
	}
	if opts.Chains >= 2 {
		res.RHat = splitRHat(draws)
		if res.RHat > 1.05 || math.IsNaN(res.RHat) {
			res.warn(WarnRHat, "chains disagree (R-hat %.3f > 1.05): run longer", res.RHat)
		}
	} else {
		res.RHat = math.NaN()
		res.warn(WarnOneChain, "one chain: R-hat cannot be computed")
	}
	res.ESS = ess(draws)
	if res.ESS < 400 {
		res.warn(WarnLowESS, "effective sample size %.0f < 400: the interval limits are imprecise; run longer", res.ESS)
	}
	if opts.MaxN0Factor > 0 {
		res.Parameters["n0_cap"] = opts.MaxN0Factor * float64(n)
		var c int64
		for _, x := range caps {
			c += x
		}
		res.Parameters["n0_cap_rejections"] = float64(c)
		if c > 0 {
			res.warn(WarnTruncated, "n0 was redrawn %d times because it exceeded the cap %g·n: the posterior is truncated", c, opts.MaxN0Factor)
		}
	}
	if res.Upper > 20*float64(n) {
		res.warn(WarnFarAboveSeen, "the upper limit exceeds 20 times the number observed: the data say little about the unseen")
	}
	res.finish(t)
	return res, nil
}

// chainStream derives chain c's PCG stream (splitmix64 of c).
func chainStream(c int) uint64 {
	z := uint64(c+1) * 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// lcmcrChain is one Gibbs chain. It works on the distinct observed patterns
// and their frequencies, never on individuals. Arrays are flat: lam[k*J+j]
// is the capture probability of list j in class k.
type lcmcrChain struct {
	g          *rng
	opts       *LCMCROptions
	j, k, m    int
	n          int
	pat        []uint32
	freq       []int
	lam        []float64
	pi         []float64
	fac        []float64 // 1 − V_k of the last sweep
	logFac     []float64 // log(1 − V_k) where drawn in log space, else NaN
	w          []float64 // scratch: class weights of one pattern
	base       []float64 // π_k ∏_j (1 − λ_jk): class k's share of the unseen
	ratio      []float64 // ratio[j*K+k] = λ_jk / (1 − λ_jk): pattern weights are base·∏ ratio
	suffix     []float64
	cnt        []int // scratch multinomial output
	size       []int // class sizes incl. augmented zeros
	ones       []int // ones[k*J+j]: class-k members on list j
	zeros      []int // augmented zeros per class
	n0         int
	alpha      float64
	capped     int64
	invisible  float64 // Σ over kept draws of the weight of nearly invisible classes
	bitsOf     [][]int // list indices of each pattern
	pi0        float64
	lastLogPiK float64
}

func newLCMCRChain(t *Table, opts *LCMCROptions, seed, stream uint64) *lcmcrChain {
	pat, freq := t.patterns()
	J, K, M := t.K(), opts.Classes, len(pat)
	s := &lcmcrChain{
		g: newRNG(seed, stream), opts: opts, j: J, k: K, m: M, n: t.Observed(),
		pat: pat, freq: freq,
		lam: make([]float64, K*J), pi: make([]float64, K), fac: make([]float64, K), logFac: make([]float64, K),
		w: make([]float64, K), base: make([]float64, K), ratio: make([]float64, K*J), suffix: make([]float64, K), cnt: make([]int, K),
		size: make([]int, K), ones: make([]int, K*J), zeros: make([]int, K),
		alpha: 0.3 / float64(K),
	}
	s.bitsOf = make([][]int, M)
	for i, p := range pat {
		for r := p; r != 0; r &= r - 1 {
			s.bitsOf[i] = append(s.bitsOf[i], bits.TrailingZeros32(r))
		}
	}
	lc := t.ListCounts()
	for k := 0; k < K; k++ {
		s.pi[k] = 1 / float64(K)
		for j := 0; j < J; j++ {
			s.lam[k*J+j] = float64(lc[j]) / float64(s.n)
		}
	}
	s.lastLogPiK = math.Log(s.pi[K-1])
	s.updateUnseen()
	return s
}

// sweep is one Gibbs scan in the order of LCMCR's Update().
func (s *lcmcrChain) sweep(updateAlpha bool) {
	J, K := s.j, s.k
	// 1. Class counts of each observed pattern.
	clear(s.size)
	clear(s.ones)
	for m := 0; m < s.m; m++ {
		w := s.w
		bs := s.bitsOf[m]
		copy(w, s.base)
		for _, j := range bs {
			r := s.ratio[j*K : j*K+K]
			r = r[:len(w)]
			for k := range w {
				w[k] *= r[k]
			}
		}
		f := s.freq[m]
		if f <= smallPattern {
			// A few people: one categorical draw each beats K binomials.
			tot := 0.0
			for _, x := range w {
				tot += x
			}
			for i := 0; i < f; i++ {
				u := s.g.uniform() * tot
				k := 0
				for k < K-1 && u >= w[k] {
					u -= w[k]
					k++
				}
				s.size[k]++
				for _, j := range bs {
					s.ones[k*J+j]++
				}
			}
			continue
		}
		s.g.multinomial(f, w, s.suffix, s.cnt)
		for k, c := range s.cnt {
			if c == 0 {
				continue
			}
			s.size[k] += c
			for _, j := range s.bitsOf[m] {
				s.ones[k*J+j] += c
			}
		}
	}
	for k := 0; k < K; k++ {
		s.size[k] += s.zeros[k]
	}
	// 2. λ_jk ~ Beta(1 + ones, 1 + zeros-on-list); augmented people are 0 everywhere.
	for k := 0; k < K; k++ {
		for j := 0; j < J; j++ {
			o := s.ones[k*J+j]
			// Keep 1 − λ positive so λ/(1 − λ) stays finite.
			s.lam[k*J+j] = min(s.g.beta(float64(1+o), float64(1+s.size[k]-o)), 1-0x1p-52)
		}
	}
	// 3. Stick-breaking weights. V ~ Beta(1 + n_k, α + Σ_{l>k} n_l) from two
	// gamma draws; log space only where a shape is below 1 (tiny α and
	// empty later classes), where 1 − V can underflow.
	rest := 0
	for k := 0; k < K; k++ {
		rest += s.size[k]
	}
	stick := 1.0
	for k := 0; k < K-1; k++ {
		rest -= s.size[k]
		a, b := float64(1+s.size[k]), s.alpha+float64(rest)
		if b >= 1 {
			x, y := s.g.gamma(a), s.g.gamma(b)
			sxy := x + y
			s.pi[k] = stick * x / sxy
			f := y / sxy
			stick *= f
			s.logFac[k] = math.NaN() // log(f) computed only if needed
			s.fac[k] = f
		} else {
			lv, l1v := s.g.logBeta(a, b)
			s.pi[k] = stick * math.Exp(lv)
			stick *= math.Exp(l1v)
			s.logFac[k] = l1v
		}
	}
	s.pi[K-1] = stick
	if stick > 1e-280 {
		s.lastLogPiK = math.Log(stick)
	} else {
		l := 0.0
		for k := 0; k < K-1; k++ {
			if math.IsNaN(s.logFac[k]) {
				l += math.Log(s.fac[k])
			} else {
				l += s.logFac[k]
			}
		}
		s.lastLogPiK = l
	}
	// 4–6. The unseen.
	s.updateUnseen()
	// 7. α.
	if updateAlpha && K > 1 {
		s.alpha = s.g.gamma(s.opts.AlphaShape+float64(K-1)) / (s.opts.AlphaRate - s.lastLogPiK)
	}
}

// updateUnseen draws n0 ~ NegBin(n, 1 − π0) and the classes of the unseen.
func (s *lcmcrChain) updateUnseen() {
	pi0 := s.computeBase()
	s.pi0 = pi0
	for {
		n0 := s.g.negBinomial(float64(s.n), 1-pi0)
		if s.opts.MaxN0Factor > 0 && n0 > s.opts.MaxN0Factor*float64(s.n) {
			s.capped++
			continue
		}
		if n0 > 1<<52 {
			n0 = 1 << 52
		}
		s.n0 = int(n0)
		break
	}
	s.g.multinomial(s.n0, s.base, s.suffix, s.zeros)
}

// computeBase sets base and ratio from π and λ and returns π0, the
// probability of being on no list.
func (s *lcmcrChain) computeBase() float64 {
	J, K := s.j, s.k
	pi0 := 0.0
	for k := 0; k < K; k++ {
		x := s.pi[k]
		for j, l := range s.lam[k*J : k*J+J] {
			x *= 1 - l
			s.ratio[j*K+k] = l / (1 - l)
		}
		s.base[k] = x
		pi0 += x
	}
	return pi0
}

// nearZeroCapture is the capture probability below which a latent class
// counts as nearly invisible when every list stays below it.
const nearZeroCapture = 0.05

// invisibleShare is the weight π_k of the classes that every list captures
// with probability below nearZeroCapture: the people the model places there
// are inferred from its structure and prior, hardly from captures.
func (s *lcmcrChain) invisibleShare() float64 {
	w := 0.0
	J := s.j
	for k := range s.pi {
		if slices.Max(s.lam[k*J:k*J+J]) < nearZeroCapture {
			w += s.pi[k]
		}
	}
	return w
}

// relabel orders the classes by decreasing weight, so that the sequential
// binomials meet the big classes first and stop early.
func (s *lcmcrChain) relabel() {
	J, K := s.j, s.k
	idx := make([]int, K)
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return s.pi[idx[a]] > s.pi[idx[b]] })
	lam := slices.Clone(s.lam)
	pi, zeros := slices.Clone(s.pi), slices.Clone(s.zeros)
	for to, from := range idx {
		copy(s.lam[to*J:to*J+J], lam[from*J:from*J+J])
		s.pi[to], s.zeros[to] = pi[from], zeros[from]
	}
	s.computeBase()
}

// run does warm-up, burn-in and sampling; it returns the kept draws of N.
func (s *lcmcrChain) run(ctx context.Context, report func(int64)) ([]float64, error) {
	for i := 0; i < lcmcrWarmup; i++ {
		s.sweep(false)
	}
	s.relabel()
	const chunk = 2048
	pending := int64(0)
	tick := func() error {
		pending++
		if pending == chunk {
			report(pending)
			pending = 0
			return ctx.Err()
		}
		return nil
	}
	for i := 0; i < s.opts.Burnin; i++ {
		s.sweep(true)
		if err := tick(); err != nil {
			return nil, err
		}
	}
	out := make([]float64, 0, s.opts.Iterations/s.opts.Thin)
	for i := 1; i <= s.opts.Iterations; i++ {
		s.sweep(true)
		if i%s.opts.Thin == 0 {
			out = append(out, float64(s.n+s.n0))
			s.invisible += s.invisibleShare()
		}
		if err := tick(); err != nil {
			return nil, err
		}
	}
	report(pending)
	return out, nil
}
