package match

import (
	"cmp"
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
)

// randomU estimates u (level frequencies among non-matches) from random
// record pairs: almost every random pair is a non-match. The sample is
// drawn from one seeded stream, so it does not depend on the worker count.
func (w *work) randomU(ctx context.Context) [][]float64 {
	n := len(w.src)
	nf := len(w.cols)
	cnt := make([][]float64, nf)
	for f, c := range w.cols {
		cnt[f] = make([]float64, c.nlev)
	}
	comparable := w.comparablePairs()
	if comparable == 0 {
		return cnt
	}
	const target = 25_000
	samples := int64(target)
	if samples > comparable*2 {
		samples = comparable * 2
	}
	rng := rand.New(rand.NewPCG(uint64(w.s.Seed), 100))
	link := w.s.LinkType == Link
	sample := make([]pairIdx, 0, samples)
	for int64(len(sample)) < samples {
		a, b := int32(rng.IntN(n)), int32(rng.IntN(n))
		if a == b || (link && w.src[a] == w.src[b]) {
			continue
		}
		sample = append(sample, pairIdx{a, b})
	}
	var mu sync.Mutex
	_ = w.parallel(ctx, "sampling", len(sample), func(lo, hi int) {
		local := make([][]float64, nf)
		for f, c := range w.cols {
			local[f] = make([]float64, c.nlev)
		}
		for _, p := range sample[lo:hi] {
			for f, c := range w.cols {
				local[f][c.level(p.a, p.b)]++
			}
		}
		mu.Lock()
		for f := range local {
			for l, v := range local[f] {
				cnt[f][l] += v
			}
		}
		mu.Unlock()
	})
	u := make([][]float64, nf)
	for f := range cnt {
		u[f] = normalizeLevels(cnt[f], 0.5)
	}
	return u
}

// normalizeLevels turns counts of levels 1.. into probabilities with a
// pseudo-count; level 0 (missing) stays 1 (neutral).
func normalizeLevels(cnt []float64, pseudo float64) []float64 {
	out := make([]float64, len(cnt))
	tot := 0.0
	for l := 1; l < len(cnt); l++ {
		tot += cnt[l] + pseudo
	}
	out[0] = 1
	for l := 1; l < len(cnt); l++ {
		out[l] = (cnt[l] + pseudo) / tot
	}
	return out
}

// initialM is a starting m: most matches agree exactly.
func initialM(nlev int) []float64 {
	m := make([]float64, nlev)
	m[0] = 1
	rest := 1.0
	share := 0.8
	for l := nlev - 1; l >= 2; l-- {
		m[l] = rest * share
		rest -= m[l]
		share = 0.5
	}
	m[1] = rest
	return m
}

// pattern is a distinct comparison vector, and whether its pairs are of
// one source (when the prior differs for them).
type pattern struct {
	code uint64
	same bool
}

// patterns counts the distinct comparison vectors of the candidate pairs,
// apart for pairs of one source when split.
func (w *work) patterns(split bool) (pats []pattern, counts []float64) {
	nf := len(w.cols)
	agg := map[pattern]float64{}
	var mu sync.Mutex
	_ = w.parallel(context.Background(), "counting", len(w.pairs), func(lo, hi int) {
		local := map[pattern]float64{}
		for i := lo; i < hi; i++ {
			p := w.pairs[i]
			local[pattern{w.code(w.gamma[i*nf : (i+1)*nf]), split && w.src[p.a] == w.src[p.b]}]++
		}
		mu.Lock()
		for k, v := range local {
			agg[k] += v
		}
		mu.Unlock()
	})
	for k := range agg {
		pats = append(pats, k)
	}
	// A fixed order keeps EM's sums, and so the run, repeatable.
	slices.SortFunc(pats, func(a, b pattern) int {
		if a.code != b.code {
			return cmp.Compare(a.code, b.code)
		}
		return cmp.Compare(boolInt(a.same), boolInt(b.same))
	})
	counts = make([]float64, len(pats))
	for i, k := range pats {
		counts[i] = agg[k]
	}
	return pats, counts
}

// splitPrior reports whether pairs of one source get their own prior:
// with several lists, a list rarely names a person twice, so two of its
// records are far less likely a match than two records of different lists.
func (w *work) splitPrior() bool { return w.nsrc > 1 && w.s.LinkType != Link }

// sameSourcePairs counts the comparable pairs within one source.
func (w *work) sameSourcePairs() int64 {
	cnt := make([]int64, w.nsrc)
	for _, s := range w.src {
		cnt[s]++
	}
	var tot int64
	for _, c := range cnt {
		tot += c * (c - 1) / 2
	}
	return tot
}

// code packs a comparison vector into 4 bits per field.
func (w *work) code(g []uint8) uint64 {
	var c uint64
	for f, l := range g {
		c |= uint64(l) << (4 * f)
	}
	return c
}

// analyticU replaces u of the agreement levels that term frequencies give
// exactly (two random records share a value with chance Σ share²), which
// random sampling estimates badly when values are many and rare, and
// rescales the other levels to keep the total.
func (w *work) analyticU(u [][]float64) {
	for f, c := range w.cols {
		top := c.nlev - 1
		set := map[int]float64{}
		_, exact := frequencies(c.vid, len(c.str))
		switch c.kind {
		case Name:
			set[top] = exact
			set[top-1] = math.Max(c.tfMean-exact, 1e-9)
		case Exact, Text, Category, Facility, Place:
			set[top] = exact
		default:
			continue
		}
		fixed, rest := 0.0, 0.0
		for l := 1; l < c.nlev; l++ {
			if v, ok := set[l]; ok {
				fixed += v
			} else {
				rest += u[f][l]
			}
		}
		if fixed >= 1 || rest <= 0 {
			continue
		}
		for l := 1; l < c.nlev; l++ {
			if v, ok := set[l]; ok {
				u[f][l] = math.Max(v, 1e-12)
			} else {
				u[f][l] *= (1 - fixed) / rest
			}
		}
	}
}

// train learns the model. u comes from random pairs (and term
// frequencies); m and the prior by EM over the candidate pairs, taking the
// pairs that blocking left out as non-matches: the prior is then the
// chance that two comparable records match, which with random-pair u
// gives correct posteriors whatever the blocking selected.
func (w *work) train(ctx context.Context) error {
	nf := len(w.cols)
	u := w.randomU(ctx)
	if err := ctx.Err(); err != nil {
		return err
	}
	w.analyticU(u)
	m := make([][]float64, nf)
	for f, c := range w.cols {
		m[f] = initialM(c.nlev)
	}
	split := w.splitPrior()
	pats, counts := w.patterns(split)
	lv := make([][]uint8, len(pats))
	for i, c := range pats {
		lv[i] = make([]uint8, nf)
		for f := 0; f < nf; f++ {
			lv[i][f] = uint8(c.code >> (4 * f) & 15)
		}
	}
	comparable := float64(w.comparablePairs())
	// comparable pairs by prior: [0] across sources (or all), [1] within
	comp := [2]float64{comparable, 0}
	if split {
		comp[1] = float64(w.sameSourcePairs())
		comp[0] -= comp[1]
	}
	for k := range comp {
		comp[k] = math.Max(comp[k], 1)
	}
	// Start from "one match per record" among comparable pairs, fewer
	// within a list.
	lambda := [2]float64{math.Min(0.5, float64(len(w.src))/comp[0]), 0}
	lambda[1] = lambda[0] / 10
	post := make([]float64, len(pats))
	iters := 0
	for it := 0; it < 200; it++ {
		iters = it + 1
		for i := range pats {
			lam := lambda[boolInt(pats[i].same)]
			lm, lu := math.Log(lam), math.Log(1-lam)
			for f, l := range lv[i] {
				if l == 0 {
					continue
				}
				lm += math.Log(m[f][l])
				lu += math.Log(u[f][l])
			}
			post[i] = 1 / (1 + math.Exp(lu-lm))
		}
		var tm [2]float64
		nm := make([][]float64, nf)
		for f, c := range w.cols {
			nm[f] = make([]float64, c.nlev)
		}
		for i, cnt := range counts {
			p := post[i] * cnt
			tm[boolInt(pats[i].same)] += p
			for f, l := range lv[i] {
				nm[f][l] += p
			}
		}
		delta := 0.0
		for k := range lambda {
			if k == 1 && !split {
				continue
			}
			nl := math.Min(math.Max(tm[k]/comp[k], 1e-12), 0.5)
			delta = math.Max(delta, math.Abs(math.Log(nl/lambda[k])))
			lambda[k] = nl
		}
		all := tm[0] + tm[1]
		for f := range nm {
			// A pseudo-count keeps levels that no match reached yet
			// (a typo in a rare place) from counting as impossible; it is
			// smaller when there are few matches to learn from.
			mm := normalizeLevels(nm[f], math.Min(1, all/100))
			for l := 1; l < len(mm); l++ {
				delta = math.Max(delta, math.Abs(mm[l]-m[f][l]))
			}
			m[f] = mm
		}
		if delta < 1e-6 {
			break
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	w.emIters = iters
	w.s.Lambda = lambda[0]
	w.s.LambdaSameSource = 0
	if split {
		w.s.LambdaSameSource = lambda[1]
	}
	for f := range w.s.Fields {
		names := levelNames(w.cols[f].kind)
		lvls := make([]Level, len(names))
		for l, nm := range names {
			lvls[l] = Level{Name: nm, M: m[f][l], U: u[f][l]}
		}
		w.s.Fields[f].Levels = lvls
	}
	w.s.Trained = true
	return nil
}

// maxTF bounds the term-frequency adjustment (in natural-log units).
const maxTF = 3.0

// score computes every pair's match probability from the parameters.
func (w *work) score(ctx context.Context) {
	nf := len(w.cols)
	bf := make([][]float64, nf)
	for f := range w.cols {
		lv := w.s.Fields[f].Levels
		bf[f] = make([]float64, len(lv))
		for l := 1; l < len(lv); l++ {
			bf[f][l] = math.Log(lv[l].M / lv[l].U)
		}
	}
	logit := func(l float64) float64 { return math.Log(l / (1 - l)) }
	w.prior = [2]float64{logit(w.s.Lambda), logit(w.s.Lambda)}
	if w.s.LambdaSameSource > 0 && w.splitPrior() {
		w.prior[1] = logit(w.s.LambdaSameSource)
	}
	w.bf = bf
	w.prob = make([]float32, len(w.pairs))
	cal := w.s.Calibration
	_ = w.parallel(ctx, "scoring", len(w.pairs), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			w.prob[i] = float32(cal.Apply(logistic(w.logit(i))))
		}
	})
}

// weight is the log Bayes factor of field f at level l for a pair whose
// first record is a, with the term-frequency adjustment on agreement.
func (w *work) weight(f int, l uint8, a int32) float64 {
	s := w.bf[f][l]
	c := w.cols[f]
	if c.tf && int(l) >= c.nlev-1-boolInt(c.kind == Name) && l > 1 && c.tfMean > 0 {
		s += c.tfAdjust(a)
	}
	if c.tf && c.kind == Name && l == nlSameGiven && c.givenTFMean > 0 {
		s += c.givenTFAdjust(a)
	}
	return s
}

// givenTFAdjust is tfAdjust for the given name alone: a shared 영철 says
// less than a shared rare given name.
func (c *column) givenTFAdjust(a int32) float64 {
	g := c.gkey[a]
	if g < 0 || c.givenTF[g] <= 0 {
		return 0
	}
	x := math.Log(c.givenTFMean / float64(c.givenTF[g]))
	return math.Max(-maxTF, math.Min(maxTF, x))
}

// tfAdjust is the log factor by which agreeing on record a's value is
// stronger (rare value) or weaker (common value) than an average agreement.
func (c *column) tfAdjust(a int32) float64 {
	var tf float32
	if c.key != nil {
		k := c.key[a]
		if k < 0 {
			return 0
		}
		tf = c.keyTF[k]
	} else {
		v := c.vid[a]
		if v < 0 {
			return 0 // the agreement came from an alternative form
		}
		tf = c.vidTF[v]
	}
	if tf <= 0 {
		return 0
	}
	x := math.Log(c.tfMean / float64(tf))
	return math.Max(-maxTF, math.Min(maxTF, x))
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
