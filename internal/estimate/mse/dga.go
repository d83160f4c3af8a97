package mse

import (
	"fmt"
	"math"
	"math/bits"
	"math/rand/v2"
	"slices"

	"github.com/rollcall-project/rollcall"
)

// DGAOptions configure DGA. Zero values take the defaults in brackets.
type DGAOptions struct {
	// Delta is the hyper-Dirichlet prior count per cell of the full 2^K
	// table [2^−K, as the dga package suggests].
	Delta float64
	// LogPriorN is the log prior of the population size N up to a constant
	// [−log N: p(N) ∝ 1/N, dga 2.0's default].
	LogPriorN func(N float64) float64
	// MinMissing is the smallest number missing on the grid [0]. The dga
	// package's examples start at 1; with the default prior 0 (nobody
	// missed) is a possible value.
	MinMissing int
	// MaxMissing is the largest number missing on the grid. 0 doubles the
	// grid until its upper half holds less than 1e−3 of the posterior (so
	// that, even for the heavy tails of the saturated graph, about that
	// much lies beyond it), up to 100 times the number observed.
	MaxMissing int
	// Level of the credible interval [0.95].
	Level float64
	// Seed seeds the posterior draws in Result.Draws (used to add strata
	// and to pool linkage draws); the estimate itself is exact.
	Seed uint64
	// Top is how many graphs the Result lists (0 means 10, <0 none).
	Top int
}

// Limits of DGA. Three lists have 8 decomposable graphs, four 61, five 822;
// six would have 18,154 and seven 617,675.
const (
	MinDGALists = 3
	MaxDGALists = 5
)

const (
	dgaDraws    = 10000 // posterior draws kept in Result.Draws
	dgaGridRel  = 5e-4  // grid bins are at most this share of the number missing wide
	dgaTailMass = 1e-3  // mass allowed in the upper half of the grid
)

// DGA averages the posterior of N over all decomposable graphical log-linear
// models of the lists (Madigan & York 1997, as R's dga package): each graph
// has a hyper-Dirichlet prior on its cell probabilities, so its marginal
// likelihood at every number missing is a ratio of Dirichlet integrals over
// its cliques and separators; with a prior on N and equal prior weights on
// the graphs, the posterior over (graph, N) is exact on a grid of N. The
// estimate is the posterior median of N, the interval equal-tailed.
func DGA(t *Table, opts DGAOptions) (Result, error) {
	post, err := dgaPosterior(t, opts)
	if err != nil {
		return Result{}, err
	}
	k, n := t.K(), t.Observed()
	level := post.level
	res := Result{
		Method: MethodDGA, Lists: t.Lists, Observed: n, Level: level, Seed: opts.Seed,
		ModelsFitted: len(post.graphs),
		Search:       fmt.Sprintf("all %d decomposable graphical models, averaged by posterior probability", len(post.graphs)),
		Interval:     fmt.Sprintf("equal-tailed %g%% posterior interval of N averaged over the models (Madigan & York 1997)", level*100),
	}
	for _, w := range t.sparsityWarnings() {
		res.addWarning(w)
	}
	if k == 3 {
		res.warn(WarnThreeLists, "with 3 lists the graphs differ little in fit: the averaged estimate leans on the priors")
	}
	avg := post.averaged()
	s := post.summary(avg)
	res.Estimate, res.Lower, res.Upper = s.median, s.lower, s.upper
	order := post.modelOrder()
	best := order[0]
	res.Model = post.graphs[best].model.Format(k)
	res.Parameters = map[string]float64{
		"delta": post.delta, "graphs": float64(len(post.graphs)),
		"mean": s.mean, "mode": s.mode,
		// The Bayes estimator under relative squared loss, E[1/N]/E[1/N²]
		// (Madigan & York's choice).
		"bayes_estimator":       s.bayes,
		"top_model_probability": post.modelProb[best],
		"grid_max_missing":      post.hi, "grid_points": float64(len(avg)),
	}
	top := opts.Top
	if top == 0 {
		top = 10
	}
	for i := 0; i < top && i < len(order); i++ {
		g := order[i]
		ms := post.summary(post.modelPosterior(g))
		res.Candidates = append(res.Candidates, Candidate{
			Model: post.graphs[g].model.Format(k), Params: len(post.graphs[g].model),
			Deviance: math.NaN(), AIC: math.NaN(), BIC: math.NaN(),
			Estimate: ms.median, Weight: post.modelProb[g],
		})
	}
	if post.truncated {
		res.warn(WarnTruncated, "the posterior of N is still heavy at the end of the grid (%.0f missing, %.1g of the mass in its upper half): the upper limit is truncated and the data say little about the unseen", post.hi, post.tail)
	}
	if res.Upper > 20*float64(n) {
		res.warn(WarnFarAboveSeen, "the upper limit exceeds 20 times the number observed: the data say little about the unseen")
	}
	res.Draws = post.draws(avg, opts.Seed)
	res.finish(t)
	return res, nil
}

// dgaGraph is one decomposable graph: its hierarchical model (the closure
// of its cliques) and the subsets whose Dirichlet integrals make its
// marginal likelihood, Π ψ(plus) / Π ψ(minus).
type dgaGraph struct {
	model       Model
	plus, minus []uint32
}

// decomposableGraphs enumerates the decomposable (chordal) graphs on k
// vertices. For each it takes a maximum cardinality search order v1..vk; the
// graph is chordal exactly when every vertex's earlier neighbours P_i form
// a clique, and then the marginal likelihood is Π ψ(P_i ∪ {v_i}) / ψ(P_i):
// the terms of non-maximal sets cancel, leaving cliques over separators
// (Blair & Peyton 1993).
func decomposableGraphs(k int) []dgaGraph {
	var out []dgaGraph
	forEachGraph(k, func(adj []uint32) {
		if g, ok := chordalFactors(adj); ok {
			out = append(out, g)
		}
	})
	return out
}

// chordalFactors runs maximum cardinality search on the graph given by its
// adjacency masks and returns its factorisation, or false when the graph is
// not chordal.
func chordalFactors(adj []uint32) (dgaGraph, bool) {
	k := len(adj)
	var g dgaGraph
	var done uint32
	var cliques []uint32
	for range k {
		v, most := -1, -1
		for u := 0; u < k; u++ {
			if done>>u&1 == 0 {
				if c := bits.OnesCount32(adj[u] & done); c > most {
					v, most = u, c
				}
			}
		}
		p := adj[v] & done
		for r := p; r != 0; r &= r - 1 {
			u := bits.TrailingZeros32(r)
			if adj[u]&p != p&^(1<<u) {
				return dgaGraph{}, false
			}
		}
		f := p | 1<<v
		g.plus = append(g.plus, f)
		if p != 0 {
			g.minus = append(g.minus, p)
		}
		cliques = append(cliques, f)
		done |= 1 << v
	}
	g.model = closure(cliques, k)
	return g, true
}

// dgaPost is the posterior over (graph, number missing) on a grid.
type dgaPost struct {
	graphs    []dgaGraph
	n         int
	lo, hi    float64   // smallest and largest number missing on the grid
	start     []float64 // grid bin i holds the numbers missing start[i] .. start[i]+width[i]−1,
	width     []float64 // represented by nm[i], their middle
	nm        []float64
	delta     float64
	level     float64
	psi       [][]float64 // psi[S][i]: log Γ(n_S0 + missing + α_S), the part of log ψ(S) that varies with the grid
	psiConst  []float64   // the part of log ψ(S) that does not
	base      []float64   // per grid point: log N!/(N−n)! + log prior(N)
	lgNA      []float64   // per grid point: log Γ(N + A), once per connected component
	modelProb []float64
	logMass   []float64 // log total mass of each graph (unnormalised)
	avg       []float64 // the model-averaged posterior over the grid
	truncated bool
	tail      float64
}

func (p *dgaPost) nmiss(i int) float64 { return p.nm[i] }

// setGrid lays out bins over lo..hi: single numbers while they are small,
// then bins at most dgaGridRel of their value wide, so that the grid stays
// near 2,000·log(hi/2,000) bins however large the numbers get while the
// posterior's resolution stays 0.05% of N.
func (p *dgaPost) setGrid(hi float64) {
	p.hi = hi
	p.start, p.width, p.nm = p.start[:0], p.width[:0], p.nm[:0]
	for s := p.lo; s <= hi; {
		w := math.Max(1, math.Floor(s*dgaGridRel))
		w = math.Min(w, hi-s+1)
		p.start = append(p.start, s)
		p.width = append(p.width, w)
		p.nm = append(p.nm, s+math.Floor((w-1)/2))
		s += w
	}
}

func dgaPosterior(t *Table, opts DGAOptions) (*dgaPost, error) {
	k, n := t.K(), t.Observed()
	switch {
	case k < MinDGALists:
		return nil, rollcall.Errorf(rollcall.EINVALID, "dga needs %d to %d lists, got %d: with 2 lists the only graphs are independence and the saturated model, whose estimate would be the prior's", MinDGALists, MaxDGALists, k)
	case k > MaxDGALists:
		return nil, rollcall.Errorf(rollcall.EINVALID, "dga needs %d to %d lists, got %d: it averages over every decomposable graph, and their number explodes beyond 5 lists (18,154 for 6, 617,675 for 7) without reference results to check against; merge lists (for example by kind) or use lcmcr", MinDGALists, MaxDGALists, k)
	case n == 0:
		return nil, rollcall.Errorf(rollcall.EINVALID, "the table is empty")
	case opts.Delta < 0 || math.IsNaN(opts.Delta) || math.IsInf(opts.Delta, 0):
		return nil, rollcall.Errorf(rollcall.EINVALID, "the prior count delta must be positive, got %g", opts.Delta)
	case opts.Level < 0 || opts.Level >= 1:
		return nil, rollcall.Errorf(rollcall.EINVALID, "level must be between 0 and 1, got %g", opts.Level)
	case opts.MinMissing < 0 || opts.MaxMissing < 0 || (opts.MaxMissing > 0 && opts.MaxMissing <= opts.MinMissing):
		return nil, rollcall.Errorf(rollcall.EINVALID, "the grid of the number missing must satisfy 0 ≤ min < max, got %d and %d", opts.MinMissing, opts.MaxMissing)
	}
	p := &dgaPost{graphs: decomposableGraphs(k), n: n, delta: opts.Delta, level: opts.Level, lo: float64(opts.MinMissing)}
	if p.delta == 0 {
		p.delta = math.Ldexp(1, -k)
	}
	if p.level == 0 {
		p.level = 0.95
	}
	logPrior := opts.LogPriorN
	if logPrior == nil {
		logPrior = func(N float64) float64 { return -math.Log(N) }
	}
	// The grid the caller gave, or doubled from 2·n up to 100·n until its
	// upper half holds little mass; either way say when it cuts the tail.
	m, limit := opts.MaxMissing, opts.MaxMissing
	if m == 0 {
		m, limit = max(2*n, 100, 2*opts.MinMissing), max(100*n, 2*opts.MinMissing)
	}
	for ; ; m = min(2*m, limit) {
		p.compute(t, logPrior, m)
		p.tail = 0
		for i, w := range p.avg {
			if p.nm[i] > (p.lo+float64(m))/2 {
				p.tail += w
			}
		}
		if p.tail < dgaTailMass {
			return p, nil
		}
		if m == limit {
			p.truncated = true
			return p, nil
		}
	}
}

// compute fills the posterior on the grid lo..maxMissing.
func (p *dgaPost) compute(t *Table, logPrior func(float64) float64, maxMissing int) {
	k, n := t.K(), float64(p.n)
	p.setGrid(float64(maxMissing))
	G := len(p.nm)
	A := p.delta * float64(int(1)<<k)
	// Log ψ(S) for the marginal table over the lists in S with cell 0
	// raised by the number missing: α_S = δ·2^(k−|S|) per cell,
	// log Γ(A) − log Γ(N + A) + Σ_c [log Γ(n_c + α_S) − log Γ(α_S)].
	// The Γ(N + A) terms are kept apart in lgNA: the graph's plus sets
	// minus its minus sets are its connected components, and those terms
	// of cancelling sets cancel too.
	p.psi = make([][]float64, 1<<k)
	p.psiConst = make([]float64, 1<<k)
	for s := uint32(1); s < 1<<k; s++ {
		size := bits.OnesCount32(s)
		alpha := p.delta * float64(int(1)<<(k-size))
		marg := make([]float64, 1<<size)
		for cell, c := range t.Counts {
			marg[pext(uint32(cell), s)] += float64(c)
		}
		cst := lgamma(A) - lgamma(alpha)
		for _, c := range marg[1:] {
			cst += lgamma(c+alpha) - lgamma(alpha)
		}
		p.psiConst[s] = cst
		v := make([]float64, G)
		for i := range v {
			v[i] = lgamma(marg[0] + p.nmiss(i) + alpha)
		}
		p.psi[s] = v
	}
	// Per grid point: log N!/(N−n)! (the multinomial coefficient without
	// the constant Π n_c!), the prior and the bin's width.
	p.base = make([]float64, G)
	p.lgNA = make([]float64, G)
	for i := range p.base {
		N := n + p.nmiss(i)
		p.base[i] = lgamma(N+1) - lgamma(p.nmiss(i)+1) + logPrior(N) + math.Log(p.width[i])
		p.lgNA[i] = lgamma(N + A)
	}
	// First the largest log weight of each graph (additions only), then
	// the masses of the graphs that can matter: a graph whose every weight
	// is e^−40/G below the largest adds less than e^−40 to the posterior.
	row := make([]float64, G)
	rowMax := make([]float64, len(p.graphs))
	for g := range p.graphs {
		p.row(g, row)
		rowMax[g] = slices.Max(row)
	}
	scale := slices.Max(rowMax)
	cut := scale - 40 - math.Log(float64(G))
	p.logMass = make([]float64, len(p.graphs))
	p.avg = make([]float64, G)
	total := 0.0
	for g := range p.graphs {
		if rowMax[g] < cut {
			p.logMass[g] = math.Inf(-1)
			continue
		}
		p.row(g, row)
		s := 0.0
		for i, x := range row {
			e := math.Exp(x - scale)
			s += e
			p.avg[i] += e
		}
		p.logMass[g] = scale + math.Log(s)
		total += s
	}
	p.modelProb = make([]float64, len(p.graphs))
	for g, l := range p.logMass {
		p.modelProb[g] = math.Exp(l-scale) / total
	}
	for i := range p.avg {
		p.avg[i] /= total
	}
}

// row sets out to the log posterior weight (unnormalised) of graph g at
// every grid point.
func (p *dgaPost) row(g int, out []float64) {
	gr := p.graphs[g]
	c := 0.0
	for _, s := range gr.plus {
		c += p.psiConst[s]
	}
	for _, s := range gr.minus {
		c -= p.psiConst[s]
	}
	comps := float64(len(gr.plus) - len(gr.minus))
	for i := range out {
		out[i] = p.base[i] + c - comps*p.lgNA[i]
	}
	for _, s := range gr.plus {
		for i, v := range p.psi[s] {
			out[i] += v
		}
	}
	for _, s := range gr.minus {
		for i, v := range p.psi[s] {
			out[i] -= v
		}
	}
}

// modelPosterior returns graph g's posterior over the grid, normalised to 1
// (also for a graph too improbable to enter the average).
func (p *dgaPost) modelPosterior(g int) []float64 {
	row := make([]float64, len(p.base))
	p.row(g, row)
	m := slices.Max(row)
	s := 0.0
	for i, x := range row {
		row[i] = math.Exp(x - m)
		s += row[i]
	}
	for i := range row {
		row[i] /= s
	}
	return row
}

// averaged returns the model-averaged posterior over the grid.
func (p *dgaPost) averaged() []float64 { return p.avg }

// modelOrder returns the graphs by decreasing posterior probability.
func (p *dgaPost) modelOrder() []int {
	idx := make([]int, len(p.graphs))
	for i := range idx {
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case p.modelProb[a] > p.modelProb[b]:
			return -1
		case p.modelProb[a] < p.modelProb[b]:
			return 1
		}
		return 0
	})
	return idx
}

type dgaSummary struct {
	median, lower, upper, mean, mode, bayes float64
}

// summary describes a posterior over the grid. Quantiles follow dga: the
// smallest N whose cumulative probability exceeds the level.
func (p *dgaPost) summary(w []float64) dgaSummary {
	n := float64(p.n)
	tot, m1, inv1, inv2 := 0.0, 0.0, 0.0, 0.0
	best := 0
	for i, x := range w {
		N := n + p.nmiss(i)
		tot += x
		m1 += x * N
		inv1 += x / N
		inv2 += x / (N * N)
		if x > w[best] {
			best = i
		}
	}
	q := func(level float64) float64 {
		c := 0.0
		for i, x := range w {
			c += x / tot
			if c > level {
				return n + p.nmiss(i)
			}
		}
		return n + p.nmiss(len(w)-1)
	}
	a := (1 - p.level) / 2
	return dgaSummary{
		median: q(0.5), lower: q(a), upper: q(1 - a),
		mean: m1 / tot, mode: n + p.nmiss(best), bayes: inv1 / inv2,
	}
}

// draws returns dgaDraws independent draws of N from the posterior w by
// inversion, so that strata and linkage draws can be combined as with a
// sampler's output.
func (p *dgaPost) draws(w []float64, seed uint64) []float64 {
	cdf := make([]float64, len(w))
	c := 0.0
	for i, x := range w {
		c += x
		cdf[i] = c
	}
	g := rand.New(rand.NewPCG(seed, 0xd6a))
	out := make([]float64, dgaDraws)
	for i := range out {
		u := g.Float64() * c
		j, _ := slices.BinarySearch(cdf, u)
		j = min(j, len(w)-1)
		out[i] = float64(p.n) + p.start[j] + math.Floor(g.Float64()*p.width[j])
	}
	return out
}

// pext gathers the bits of x selected by mask into the low bits.
func pext(x, mask uint32) uint32 {
	var out uint32
	b := 0
	for r := mask; r != 0; r &= r - 1 {
		j := bits.TrailingZeros32(r)
		out |= (x >> j & 1) << b
		b++
	}
	return out
}
