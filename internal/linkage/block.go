package linkage

import (
	"context"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"

	"github.com/rollcall-project/rollcall"
)

// blockKey is one component of a blocking rule: a field's default key or a
// date field's year.
type blockKey struct {
	field int
	mod   string // "", "year", "given", "surname"
}

func (k blockKey) name(s *Settings) string {
	if k.mod != "" {
		return s.Fields[k.field].Column + ":" + k.mod
	}
	return s.Fields[k.field].Column
}

// keys returns the key of every record (-1 when missing).
func (w *work) keys(k blockKey) []int32 {
	c := w.cols[k.field]
	switch {
	case k.mod == "given":
		return c.gkey
	case k.mod == "surname":
		return c.skey
	case c.kind == Name || c.kind == Category:
		return c.key
	case c.kind == Date:
		out := make([]int32, len(c.vid))
		for i, v := range c.vid {
			out[i] = -1
			if v < 0 {
				continue
			}
			if k.mod == "year" {
				out[i] = c.dyear[v]
			} else if c.dprec[v] == uint8(rollcall.PrecDay) || c.dprec[v] == 0 {
				out[i] = v
			}
		}
		return out
	}
	return c.vid
}

// rule is a compiled blocking rule.
type rule struct {
	keys []blockKey
	vals [][]int32 // per key: per record
}

func (r *rule) agree(a, b int32) bool {
	for _, v := range r.vals {
		x := v[a]
		if x < 0 || x != v[b] {
			return false
		}
	}
	return true
}

// hash of record i's key for this rule; ok false when a part is missing.
func (r *rule) hash(i int32) (uint64, bool) {
	if len(r.vals) == 1 {
		x := r.vals[0][i]
		return uint64(x), x >= 0
	}
	if len(r.vals) == 2 {
		x, y := r.vals[0][i], r.vals[1][i]
		return uint64(uint32(x))<<32 | uint64(uint32(y)), x >= 0 && y >= 0
	}
	h := uint64(14695981039346656037)
	for _, v := range r.vals {
		x := v[i]
		if x < 0 {
			return 0, false
		}
		h ^= uint64(uint32(x))
		h *= 1099511628211
		h ^= h >> 29
	}
	return h, true
}

// block chooses the rules (if not given) and generates candidate pairs.
func (w *work) block(ctx context.Context) error {
	var rules []*rule
	if len(w.s.Blocking) == 0 {
		w.s.Blocking = w.autoRules()
	}
	for _, spec := range w.s.Blocking {
		r := &rule{}
		for _, k := range spec {
			f, mod, err := w.s.parseKey(w.ds, k)
			if err != nil {
				return err
			}
			bk := blockKey{f, mod}
			r.keys = append(r.keys, bk)
			r.vals = append(r.vals, w.keys(bk))
		}
		rules = append(rules, r)
	}
	for ri, r := range rules {
		if err := ctx.Err(); err != nil {
			return err
		}
		before := len(w.pairs)
		w.pairs = w.rulePairs(r, rules[:ri], w.pairs)
		w.ruleStats = append(w.ruleStats, RuleStats{Rule: w.s.Blocking[ri], Pairs: int64(len(w.pairs) - before)})
		w.opt.Progress("blocking", int64(ri+1), int64(len(rules)))
	}
	return nil
}

type keyed struct {
	key uint64
	idx int32
}

// rulePairs appends the pairs of rule r not already given by earlier rules.
func (w *work) rulePairs(r *rule, earlier []*rule, out []pairIdx) []pairIdx {
	n := int32(len(w.src))
	ks := make([]keyed, 0, n)
	for i := int32(0); i < n; i++ {
		if h, ok := r.hash(i); ok {
			ks = append(ks, keyed{h, i})
		}
	}
	slices.SortFunc(ks, func(x, y keyed) int {
		switch {
		case x.key < y.key:
			return -1
		case x.key > y.key:
			return 1
		}
		return int(x.idx - y.idx)
	})
	link := w.s.LinkType == Link
	for s := 0; s < len(ks); {
		e := s + 1
		for e < len(ks) && ks[e].key == ks[s].key {
			e++
		}
		for i := s; i < e; i++ {
			a := ks[i].idx
			for j := i + 1; j < e; j++ {
				b := ks[j].idx
				if link && w.src[a] == w.src[b] {
					continue
				}
				if len(r.vals) > 2 && !r.agree(a, b) {
					continue // hash collision
				}
				dup := false
				for _, q := range earlier {
					if q.agree(a, b) {
						dup = true
						break
					}
				}
				if !dup {
					out = append(out, pairIdx{a, b})
				}
			}
		}
		s = e
	}
	return out
}

// comparablePairs counts the pairs the link type allows.
func (w *work) comparablePairs() int64 {
	n := int64(len(w.src))
	all := n * (n - 1) / 2
	if w.s.LinkType != Link {
		return all
	}
	cnt := make([]int64, w.nsrc)
	for _, s := range w.src {
		cnt[s]++
	}
	for _, c := range cnt {
		all -= c * (c - 1) / 2
	}
	return all
}

// agreeChance is a rough prior chance that two records of one entity agree
// on a field's blocking key, before missing values.
func agreeChance(k Kind, mod string) float64 {
	// Deliberately low: real variants, typos and partial dates break keys
	// more often than one guesses, and a pessimistic estimate buys recall
	// with more rules while the pair budget lasts.
	switch k {
	case Name:
		if mod != "" {
			return 0.7
		}
		return 0.55
	case Text:
		return 0.5
	case Date:
		if mod == "year" {
			return 0.7
		}
		return 0.55
	case Category:
		return 0.75
	}
	return 0.6
}

// autoRules picks blocking rules from the fields: single keys and pairs of
// keys whose pair counts fit a budget, chosen greedily for the most
// estimated recall per pair until the recall estimate is high or the
// budget is spent. It never returns a rule that pairs everything.
func (w *work) autoRules() [][]string {
	n := len(w.src)
	budget := int64(w.s.MaxPairs)
	if budget <= 0 {
		budget = max(100_000, 25*int64(n))
	}
	var keys []blockKey
	var chance []float64
	var vals [][]int32
	for f, fl := range w.s.Fields {
		mods := []string{""}
		switch {
		case fl.Kind == Date:
			mods = append(mods, "year")
		case fl.Kind == Name && w.cols[f].gkey != nil:
			mods = append(mods, "given", "surname")
		}
		for _, mod := range mods {
			bk := blockKey{f, mod}
			v := w.keys(bk)
			present := 0
			for _, x := range v {
				if x >= 0 {
					present++
				}
			}
			if present < 2 {
				continue
			}
			q := float64(present) / float64(n)
			keys = append(keys, bk)
			chance = append(chance, agreeChance(fl.Kind, mod)*q*q)
			vals = append(vals, v)
		}
	}
	if len(keys) > 30 {
		keys, chance, vals = keys[:30], chance[:30], vals[:30]
	}
	// Candidate rules: every key alone and every pair of keys of two fields.
	type cand struct {
		mask uint32
		ks   []int
		cost int64
	}
	var cands []cand
	counter := newPairCounter(w, 200_000)
	add := func(ks ...int) {
		var m uint32
		var vs [][]int32
		for _, k := range ks {
			m |= 1 << k
			vs = append(vs, vals[k])
		}
		cost := counter.count(vs)
		if cost <= budget {
			cands = append(cands, cand{m, ks, cost})
		}
	}
	for i := range keys {
		add(i)
	}
	for i := range keys {
		for j := i + 1; j < len(keys); j++ {
			if keys[i].field != keys[j].field {
				add(i, j)
			}
		}
	}
	// Triples of keys of three fields, when there are few enough keys and
	// the pairs they refine are coarse (many pairs).
	if len(keys) <= 12 {
		coarse := map[[2]int]bool{}
		for i := range keys {
			for j := i + 1; j < len(keys); j++ {
				coarse[[2]int{i, j}] = true
			}
		}
		for _, c := range cands {
			if len(c.ks) == 2 && c.cost <= budget/8 {
				delete(coarse, [2]int{c.ks[0], c.ks[1]})
			}
		}
		for i := range keys {
			for j := i + 1; j < len(keys); j++ {
				if !coarse[[2]int{i, j}] {
					continue
				}
				for k := j + 1; k < len(keys); k++ {
					fi, fj, fk := keys[i].field, keys[j].field, keys[k].field
					if fi != fj && fj != fk && fi != fk && coarse[[2]int{i, k}] && coarse[[2]int{j, k}] {
						add(i, j, k)
					}
				}
			}
		}
	}
	// Monte Carlo agreement patterns of a true match.
	rng := rand.New(rand.NewPCG(uint64(w.s.Seed), 7))
	const samples = 20000
	pats := make([]uint32, samples)
	for s := range pats {
		var m uint32
		for k, p := range chance {
			if rng.Float64() < p {
				m |= 1 << k
			}
		}
		// agreeing on a date agrees on its year, on a name on its parts
		for k, bk := range keys {
			if m&(1<<k) != 0 && bk.mod == "" {
				for k2, bk2 := range keys {
					if bk2.field == bk.field && bk2.mod != "" {
						m |= 1 << k2
					}
				}
			}
		}
		pats[s] = m
	}
	covered := make([]bool, samples)
	var chosen []cand
	spent := int64(0)
	recall := 0.0
	for recall < 0.99999 {
		best, bestScore, bestGain := -1, 0.0, 0
		for ci, c := range cands {
			if spent+c.cost > budget {
				continue
			}
			gain := 0
			for s, p := range pats {
				if !covered[s] && p&c.mask == c.mask {
					gain++
				}
			}
			if gain == 0 {
				continue
			}
			score := float64(gain) / float64(c.cost+int64(n))
			if score > bestScore {
				best, bestScore, bestGain = ci, score, gain
			}
		}
		if best < 0 || bestGain < 2 && len(chosen) > 0 {
			break
		}
		c := cands[best]
		chosen = append(chosen, c)
		spent += c.cost
		got := 0
		for s, p := range pats {
			if !covered[s] && p&c.mask == c.mask {
				covered[s] = true
			}
			if covered[s] {
				got++
			}
		}
		recall = float64(got) / samples
		cands = append(cands[:best], cands[best+1:]...)
	}
	// Most specific (fewest pairs) first, so duplicates are checked cheaply.
	sort.SliceStable(chosen, func(i, j int) bool { return chosen[i].cost < chosen[j].cost })
	var out [][]string
	for _, c := range chosen {
		var r []string
		for _, k := range c.ks {
			r = append(r, keys[k].name(w.s))
		}
		out = append(out, r)
	}
	if len(out) == 0 && len(keys) > 0 && int64(n)*int64(n-1)/2 <= budget {
		// Tiny inputs with no selective key: compare on the first key.
		out = append(out, []string{keys[0].name(w.s)})
	}
	return out
}

// pairCounter estimates the number of pairs a rule generates, exactly for
// small inputs and from a sample for large ones.
type pairCounter struct {
	w      *work
	sample []int32
	scale  float64
	buf    []uint64
}

func newPairCounter(w *work, max int) *pairCounter {
	n := len(w.src)
	pc := &pairCounter{w: w, scale: 1}
	if n <= max {
		pc.sample = make([]int32, n)
		for i := range pc.sample {
			pc.sample[i] = int32(i)
		}
		return pc
	}
	rng := rand.New(rand.NewPCG(uint64(w.s.Seed), 11))
	pc.sample = make([]int32, max)
	for i := range pc.sample {
		pc.sample[i] = int32(rng.IntN(n))
	}
	f := float64(n) / float64(max)
	pc.scale = f * f
	return pc
}

func (pc *pairCounter) count(vals [][]int32) int64 {
	r := &rule{vals: vals}
	link := pc.w.s.LinkType == Link
	buf := pc.buf[:0]
	for _, i := range pc.sample {
		h, ok := r.hash(i)
		if !ok {
			continue
		}
		if link {
			// keep the source in the low bits to count within-source pairs
			h = h<<8 | uint64(pc.w.src[i]&0xff)
		}
		buf = append(buf, h)
	}
	pc.buf = buf
	slices.Sort(buf)
	var total int64
	for s := 0; s < len(buf); {
		e := s + 1
		for e < len(buf) && sameKey(buf[e], buf[s], link) {
			e++
		}
		c := int64(e - s)
		total += c * (c - 1) / 2
		if link {
			for t := s; t < e; {
				u := t + 1
				for u < e && buf[u] == buf[t] {
					u++
				}
				k := int64(u - t)
				total -= k * (k - 1) / 2
				t = u
			}
		}
		s = e
	}
	return int64(float64(total) * pc.scale)
}

func sameKey(a, b uint64, link bool) bool {
	if link {
		return a>>8 == b>>8
	}
	return a == b
}

// decided is a decision mapped to a candidate pair.
type decided struct {
	pair int
	same bool
	prob float32
}

// decisionPairs adds the pairs of decisions to the candidates (so they are
// scored and reported) and returns them with their pair indexes. Decisions
// on unknown ids are skipped: records may have left the dataset.
func (w *work) decisionPairs(ds []Decision, idx map[string]int32) ([]decided, int, error) {
	if len(ds) == 0 {
		return nil, 0, nil
	}
	at := make(map[pairIdx]int, len(ds))
	for _, d := range ds {
		a, okA := idx[d.A]
		b, okB := idx[d.B]
		if !okA || !okB || a == b {
			continue
		}
		if a > b {
			a, b = b, a
		}
		at[pairIdx{a, b}] = -1
	}
	for i, p := range w.pairs {
		if _, ok := at[p]; ok {
			at[p] = i
		}
	}
	var out []decided
	seen := map[pairIdx]bool{}
	for _, d := range ds {
		a, okA := idx[d.A]
		b, okB := idx[d.B]
		if !okA || !okB || a == b {
			continue
		}
		if a > b {
			a, b = b, a
		}
		p := pairIdx{a, b}
		if seen[p] {
			// the latest decision on a pair wins
			for k := range out {
				if w.pairs[out[k].pair] == p {
					out[k].same = d.Same
					out[k].prob = probOf(d.Same)
				}
			}
			continue
		}
		seen[p] = true
		i := at[p]
		if i < 0 {
			i = len(w.pairs)
			w.pairs = append(w.pairs, p)
			at[p] = i
		}
		out = append(out, decided{pair: i, same: d.Same, prob: probOf(d.Same)})
	}
	return out, 0, nil
}

func probOf(same bool) float32 {
	if same {
		return 1
	}
	return 0
}

// RuleString renders a blocking rule for people.
func RuleString(r []string) string { return strings.Join(r, " & ") }
