package match

import (
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

// patterns counts the distinct comparison vectors of the candidate pairs.
func (w *work) patterns() (codes []uint64, counts []float64) {
	nf := len(w.cols)
	agg := map[uint64]float64{}
	var mu sync.Mutex
	_ = w.parallel(context.Background(), "counting", len(w.pairs), func(lo, hi int) {
		local := map[uint64]float64{}
		for i := lo; i < hi; i++ {
			local[w.code(w.gamma[i*nf:(i+1)*nf])]++
		}
		mu.Lock()
		for k, v := range local {
			agg[k] += v
		}
		mu.Unlock()
	})
	for k := range agg {
		codes = append(codes, k)
	}
	// A fixed order keeps EM's sums, and so the run, repeatable.
	slices.Sort(codes)
	counts = make([]float64, len(codes))
	for i, k := range codes {
		counts[i] = agg[k]
	}
	return codes, counts
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
	codes, counts := w.patterns()
	lv := make([][]uint8, len(codes))
	for i, c := range codes {
		lv[i] = make([]uint8, nf)
		for f := 0; f < nf; f++ {
			lv[i][f] = uint8(c >> (4 * f) & 15)
		}
	}
	comparable := float64(w.comparablePairs())
	if comparable < 1 {
		comparable = 1
	}
	// Start from "one match per record" among comparable pairs.
	lambda := math.Min(0.5, float64(len(w.src))/comparable)
	post := make([]float64, len(codes))
	iters := 0
	for it := 0; it < 200; it++ {
		iters = it + 1
		for i := range codes {
			lm, lu := math.Log(lambda), math.Log(1-lambda)
			for f, l := range lv[i] {
				if l == 0 {
					continue
				}
				lm += math.Log(m[f][l])
				lu += math.Log(u[f][l])
			}
			post[i] = 1 / (1 + math.Exp(lu-lm))
		}
		tm := 0.0
		nm := make([][]float64, nf)
		for f, c := range w.cols {
			nm[f] = make([]float64, c.nlev)
		}
		for i, cnt := range counts {
			p := post[i] * cnt
			tm += p
			for f, l := range lv[i] {
				nm[f][l] += p
			}
		}
		newLambda := math.Min(math.Max(tm/comparable, 1e-12), 0.5)
		delta := math.Abs(math.Log(newLambda / lambda))
		lambda = newLambda
		for f := range nm {
			// A pseudo-count keeps levels that no match reached yet
			// (a typo in a rare place) from counting as impossible; it is
			// smaller when there are few matches to learn from.
			mm := normalizeLevels(nm[f], math.Min(1, tm/100))
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
	w.s.Lambda = lambda
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
	prior := math.Log(w.s.Lambda / (1 - w.s.Lambda))
	w.bf = bf
	w.prob = make([]float32, len(w.pairs))
	_ = w.parallel(ctx, "scoring", len(w.pairs), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			g := w.gamma[i*nf : (i+1)*nf]
			p := w.pairs[i]
			s := prior
			for f, l := range g {
				s += w.weight(f, l, p.a)
			}
			w.prob[i] = float32(1 / (1 + math.Exp(-s)))
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
	return s
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
