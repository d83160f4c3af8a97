package match

import (
	"math"
	"math/rand/v2"

	"github.com/rollcall-project/rollcall"
)

// drawRounds and drawPilot: rounds of pilot draws that correct the links'
// chances, and draws per round.
const (
	drawRounds = 3
	drawPilot  = 30
)

// Draws returns n plausible clusterings of the records (cluster numbers
// per record, as Result.Cluster), repeatable for a seed, to carry the
// uncertainty of linkage into what is estimated from the clusters.
//
// Each draw takes the doubtful pairs (ReviewLower ≤ probability <
// ReviewUpper, undecided) as links with their probability, the pairs above
// the band (and must-links) always, those below never, then builds
// clusters from these links as Run does from the links above the
// threshold: must-links first, then the links from the most probable down,
// each merge refused by a cannot-link, the chain guard or the guard
// (surnames and birth dates of the whole cluster, two records of one list
// only through their own link). So every draw honours the human decisions
// and is transitive. The doubtful links' chances are corrected over a few
// pilot rounds so that a pair the model gives 0.3 ends up in one cluster
// in about three draws in ten (joins through other records would make it
// more, the guards less), unless the guards always forbid it.
//
// Why not a Gibbs or split–merge sampler over partitions: it needs a
// likelihood of a whole partition, which a pairwise Fellegi–Sunter model
// does not give, and mixes slowly on many small clusters; drawing links
// from calibrated pairwise probabilities is the approximation Sadinle
// (2018) compares against, and the guards keep transitivity from chaining
// doubtful links into large clusters (its known bias).
func (res *Result) Draws(n int, seed uint64) ([][]int32, error) {
	w := res.w
	if n < 0 {
		return nil, rollcall.Errorf(rollcall.EINVALID, "%d draws: want 0 or more", n)
	}
	if w == nil {
		// fewer than two records: nothing is uncertain
		out := make([][]int32, n)
		for d := range out {
			out[d] = append([]int32(nil), res.Cluster...)
		}
		return out, nil
	}
	lo, hi := w.s.ReviewLower, w.s.ReviewUpper
	cl := w.newClusterer(w.decided, lo)
	at := make(map[pairIdx]int32, len(cl.edges))
	pos := make([]int32, len(w.pairs)) // pair index → place in cl.edges
	for i := range pos {
		pos[i] = -1
	}
	for k, e := range cl.edges {
		at[w.pairs[e]] = int32(k)
		pos[e] = int32(k)
	}
	// q is each link's chance in a draw: the pair's probability, then
	// corrected so that how often a pair ends up in one cluster matches
	// its probability (transitivity adds joins, the guards remove some).
	q := make([]float64, len(cl.edges))
	doubtful := func(p float64) bool { return p >= lo && p < hi }
	for k, e := range cl.edges {
		q[k] = float64(w.prob[e])
		if !doubtful(q[k]) {
			q[k] = 1 // above the band (or a must-link): as in Run
		}
	}
	taken := make([]bool, len(cl.edges))
	draw := func(rng *rand.Rand) []int32 {
		for k := range cl.edges {
			taken[k] = rng.Float64() < q[k]
		}
		take := func(e int32) bool { return taken[pos[e]] }
		strong := func(a, b int32) bool {
			k, ok := at[pairIdx{min(a, b), max(a, b)}]
			return ok && taken[k]
		}
		c, _, _ := cl.run(take, strong)
		return c
	}
	rng := rand.New(rand.NewPCG(seed, 0x6c696e6b))
	together := make([]float64, len(cl.edges))
	for round := 0; round < drawRounds; round++ {
		clear(together)
		for range drawPilot {
			c := draw(rng)
			for k, e := range cl.edges {
				if p := w.pairs[e]; c[p.a] == c[p.b] {
					together[k]++
				}
			}
		}
		for k, e := range cl.edges {
			p := float64(w.prob[e])
			if !doubtful(p) {
				continue
			}
			f := together[k] / drawPilot
			// a pseudo-count keeps one pilot's noise from swinging q
			q[k] = math.Min(1, math.Max(0, q[k]*(p+0.5/drawPilot)/(f+0.5/drawPilot)))
		}
	}
	out := make([][]int32, n)
	for d := range out {
		out[d] = draw(rng)
	}
	return out, nil
}
