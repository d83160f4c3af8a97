package match

import (
	"cmp"
	"context"
	"math"
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
	mod   string // "", "year", "year1", "given", "surname", "sound", "given1", "given2"
}

func (k blockKey) name(s *Settings) string {
	if k.mod != "" {
		return s.Fields[k.field].Column + ":" + k.mod
	}
	return s.Fields[k.field].Column
}

// keyVals are the values of a blocking key per record: a first value and,
// for names written in several forms or in an order that is a guess, up to
// two more (-1 when none; extra is nil when no record has more). Two
// records agree on the key when any of their values agree.
type keyVals struct {
	a     []int32
	extra [maxKeyVals - 1][]int32
}

// maxKeyVals bounds the values of a key per record.
const maxKeyVals = 3

// value returns record i's v-th value, -1 when it has none.
func (kv *keyVals) value(v int, i int32) int32 {
	if v == 0 {
		return kv.a[i]
	}
	if e := kv.extra[v-1]; e != nil {
		return e[i]
	}
	return -1
}

// agree reports whether records i and j share a value.
func (kv *keyVals) agree(i, j int32) bool {
	for u := 0; u < maxKeyVals; u++ {
		x := kv.value(u, i)
		if x < 0 {
			break
		}
		for v := 0; v < maxKeyVals; v++ {
			y := kv.value(v, j)
			if y < 0 {
				break
			}
			if x == y {
				return true
			}
		}
	}
	return false
}

// keys returns the values of key k for every record: the first form's key
// first, then the other forms', then the keys of the other reading of the
// name order.
func (w *work) keys(k blockKey) keyVals {
	first, other := w.rowKeys(k)
	c := w.cols[k.field]
	if c.alts == 0 && other == nil {
		return keyVals{a: first}
	}
	n := int(c.n)
	kv := keyVals{a: make([]int32, n)}
	for e := range kv.extra {
		kv.extra[e] = make([]int32, n)
	}
	var vals [maxKeyVals]int32
	for i := 0; i < n; i++ {
		got := 0
		add := func(x int32) {
			if x < 0 || got == maxKeyVals {
				return
			}
			for _, y := range vals[:got] {
				if x == y {
					return
				}
			}
			vals[got] = x
			got++
		}
		for j := 0; j <= c.alts; j++ {
			add(first[i+j*n])
		}
		if other != nil {
			for j := 0; j <= c.alts; j++ {
				add(other[i+j*n])
			}
		}
		for v := got; v < maxKeyVals; v++ {
			vals[v] = -1
		}
		kv.a[i] = vals[0]
		for e := range kv.extra {
			kv.extra[e][i] = vals[e+1]
		}
	}
	return kv
}

// rowKeys returns the key of every row of the field's column, and the key
// in the other reading of full names (nil for other fields).
func (w *work) rowKeys(k blockKey) (first, other []int32) {
	c := w.cols[k.field]
	switch {
	// The other reading's given name is the surname and its surname the
	// given name: as blocking values they would pair every Kim (every
	// Yong-chol); the whole key and the sound and syllable keys of the
	// other reading are specific enough.
	case k.mod == "given":
		return c.gkey, nil
	case k.mod == "surname":
		return c.skey, nil
	case k.mod == "sound":
		return c.snd, c.snd2
	case k.mod == "given1":
		return c.syl1, c.syl1b
	case k.mod == "given2":
		return c.syl2, c.syl2b
	case c.kind == Name:
		return c.key, c.key2
	case c.keyed():
		return c.key, nil
	case c.kind == Date:
		out := make([]int32, len(c.vid))
		for i, v := range c.vid {
			out[i] = -1
			if v < 0 {
				continue
			}
			if k.mod == "year" || k.mod == "year1" {
				out[i] = c.dyear[v]
			} else if c.dprec[v] == uint8(rollcall.PrecDay) || c.dprec[v] == 0 {
				out[i] = v
			}
		}
		return out, nil
	}
	return c.vid, nil
}

// keyVariants returns the values of every record for k: one keyVals, or
// two for "year1" (birth year ± 1), whose union pairs records whose years
// differ by at most one: years bucketed in twos, starting even or odd.
func (w *work) keyVariants(k blockKey) []keyVals {
	if k.mod != "year1" {
		return []keyVals{w.keys(k)}
	}
	years := w.keys(blockKey{k.field, "year"}).a
	a, b := make([]int32, len(years)), make([]int32, len(years))
	for i, y := range years {
		a[i], b[i] = -1, -1
		if y >= 0 {
			a[i], b[i] = y/2, (y+1)/2
		}
	}
	return []keyVals{{a: a}, {a: b}}
}

// expand compiles a rule spec into the rules of each key variant.
func expand(keys []blockKey, variants [][]keyVals) []*rule {
	out := []*rule{{}}
	for i, vs := range variants {
		var next []*rule
		for _, r := range out {
			for _, v := range vs {
				nr := &rule{keys: append(append([]blockKey{}, r.keys...), keys[i]), vals: append(append([]keyVals{}, r.vals...), v)}
				next = append(next, nr)
			}
		}
		out = next
	}
	return out
}

// rule is a compiled blocking rule.
type rule struct {
	keys []blockKey
	vals []keyVals // per key: per record
}

func (r *rule) agree(a, b int32) bool {
	for k := range r.vals {
		if !r.vals[k].agree(a, b) {
			return false
		}
	}
	return true
}

// hashes appends to out the hash of each combination of record i's key
// values for this rule (none when a part is missing).
func (r *rule) hashes(i int32, out []uint64) []uint64 {
	const most = 8
	m := len(r.vals)
	if m > most {
		return out
	}
	var vals [most][maxKeyVals]int32
	var cnt, at [most]int
	for k := range r.vals {
		for v := 0; v < maxKeyVals; v++ {
			x := r.vals[k].value(v, i)
			if x < 0 {
				break
			}
			vals[k][cnt[k]] = x
			cnt[k]++
		}
		if cnt[k] == 0 {
			return out
		}
	}
	var pick [most]int32
	for {
		for k := 0; k < m; k++ {
			pick[k] = vals[k][at[k]]
		}
		out = append(out, hashOf(pick[:m]))
		// next combination, the last key fastest
		k := m - 1
		for ; k >= 0; k-- {
			if at[k]++; at[k] < cnt[k] {
				break
			}
			at[k] = 0
		}
		if k < 0 {
			return out
		}
	}
}

// hashOf combines key values: exactly for one or two, mixed for more.
func hashOf(xs []int32) uint64 {
	switch len(xs) {
	case 1:
		return uint64(xs[0])
	case 2:
		return uint64(uint32(xs[0]))<<32 | uint64(uint32(xs[1]))
	}
	h := uint64(14695981039346656037)
	for _, x := range xs {
		h ^= uint64(uint32(x))
		h *= 1099511628211
		h ^= h >> 29
	}
	return h
}

// block chooses the rules (if not given) and generates candidate pairs.
func (w *work) block(ctx context.Context) error {
	var rules []*rule
	if len(w.s.Blocking) == 0 {
		w.s.Blocking = w.autoRules()
		if len(w.s.Blocking) == 0 {
			return rollcall.Errorf(rollcall.EINVALID, "no blocking rule keeps the candidate pairs under %d: give blocking rules or more selective fields", w.budget())
		}
	}
	for si, spec := range w.s.Blocking {
		var bks []blockKey
		var variants [][]keyVals
		for _, k := range spec {
			f, mod, err := w.s.parseKey(w.ds, k)
			if err != nil {
				return err
			}
			bk := blockKey{f, mod}
			bks = append(bks, bk)
			variants = append(variants, w.keyVariants(bk))
		}
		before := len(w.pairs)
		for _, r := range expand(bks, variants) {
			if err := ctx.Err(); err != nil {
				return err
			}
			w.pairs = w.rulePairs(r, rules, w.pairs)
			rules = append(rules, r)
		}
		w.ruleStats = append(w.ruleStats, RuleStats{Rule: spec, Pairs: int64(len(w.pairs) - before)})
		w.opt.Progress("blocking", int64(si+1), int64(len(w.s.Blocking)))
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
	var hs []uint64
	multi := false
	for i := int32(0); i < n; i++ {
		hs = r.hashes(i, hs[:0])
		multi = multi || len(hs) > 1
		for _, h := range hs {
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
	keep := func(a, b int32) bool {
		if link && w.src[a] == w.src[b] {
			return false
		}
		if len(r.vals) > 2 && !r.agree(a, b) {
			return false // hash collision
		}
		for _, q := range earlier {
			if q.agree(a, b) {
				return false
			}
		}
		return true
	}
	// Records with two values may meet in two groups: collect, then drop
	// the repeats.
	var got []pairIdx
	for s := 0; s < len(ks); {
		e := s + 1
		for e < len(ks) && ks[e].key == ks[s].key {
			e++
		}
		for i := s; i < e; i++ {
			a := ks[i].idx
			for j := i + 1; j < e; j++ {
				b := ks[j].idx
				if a == b {
					continue
				}
				if multi {
					got = append(got, pairIdx{a, b})
				} else if keep(a, b) {
					out = append(out, pairIdx{a, b})
				}
			}
		}
		s = e
	}
	if multi {
		slices.SortFunc(got, func(x, y pairIdx) int {
			if x.a != y.a {
				return cmp.Compare(x.a, y.a)
			}
			return cmp.Compare(x.b, y.b)
		})
		for _, p := range slices.Compact(got) {
			if keep(p.a, p.b) {
				out = append(out, p)
			}
		}
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
		switch mod {
		case "year":
			return 0.7
		case "year1":
			return 0.8
		}
		return 0.55
	case Category, Place:
		return 0.75
	case Facility:
		return 0.7
	}
	return 0.6
}

// autoRules picks blocking rules from the fields: single keys and pairs of
// keys whose pair counts fit a budget, chosen greedily for the most
// estimated recall per pair until the recall estimate is high or the
// budget is spent. It never returns a rule that pairs everything.
func (w *work) autoRules() [][]string {
	n := len(w.src)
	budget := w.budget()
	keys, chance, vals := w.blockingKeys()
	cands := w.candidateRules(keys, vals, budget)
	var chosen []cand
	spent := int64(0)
	// Rounds: while less than half the budget is spent, assume keys break
	// more often than guessed and add the rules that this would call for.
	for round := 0; round < 3 && (round == 0 || spent < budget/2); round++ {
		scale := math.Pow(0.8, float64(round))
		chosen, spent, cands = w.greedyRules(keys, chance, scale, cands, chosen, spent, budget, n)
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

// blockingKeys lists the keys blocking may use (every field's key, a
// date's year and year ± 1, a full name's parts), at most 30, each with the
// chance that two records of one entity agree on it and its values.
func (w *work) blockingKeys() (keys []blockKey, chance []float64, vals [][]keyVals) {
	n := len(w.src)
	for f, fl := range w.s.Fields {
		mods := []string{""}
		switch {
		case fl.Kind == Date:
			mods = append(mods, "year", "year1")
		case fl.Kind == Name && w.cols[f].gkey != nil:
			mods = append(mods, "given", "surname", "sound", "given1", "given2")
		}
		for _, mod := range mods {
			bk := blockKey{f, mod}
			v := w.keyVariants(bk)
			present := 0
			for _, x := range v[0].a {
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
	return keys, chance, vals
}

// candidateRules lists the rules within the budget: every key alone, every
// pair of keys of two fields, and (with few keys) triples of keys of three
// fields whose pairs are all coarse.
func (w *work) candidateRules(keys []blockKey, vals [][]keyVals, budget int64) []cand {
	var cands []cand
	counter := newPairCounter(w, 50_000)
	add := func(ks ...int) {
		var m uint32
		var bks []blockKey
		var vs [][]keyVals
		for _, k := range ks {
			m |= 1 << k
			bks = append(bks, keys[k])
			vs = append(vs, vals[k])
		}
		cost := int64(0)
		for _, r := range expand(bks, vs) {
			cost += counter.count(r.vals)
		}
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
	if len(keys) > 12 {
		return cands
	}
	// Triples refine pairs that give many pairs (coarse).
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
	return cands
}

// greedyRules adds rules from cands to chosen, the most estimated recall
// per pair first, until the simulated matches (keys agreeing with the
// chances, times scale) are covered or the budget is spent. It returns
// the rules chosen, the pairs spent and the candidates left.
func (w *work) greedyRules(keys []blockKey, chance []float64, scale float64, cands []cand, chosen []cand, spent, budget int64, n int) ([]cand, int64, []cand) {
	// Monte Carlo agreement patterns of a true match.
	rng := rand.New(rand.NewPCG(uint64(w.s.Seed), 7))
	const samples = 20000
	pats := make([]uint32, samples)
	for s := range pats {
		var m uint32
		for k, p := range chance {
			if rng.Float64() < p*scale {
				m |= 1 << k
			}
		}
		// agreeing on a date agrees on its year and year ± 1, on a name
		// on its parts
		for k, bk := range keys {
			if m&(1<<k) != 0 && (bk.mod == "" || bk.mod == "year") {
				for k2, bk2 := range keys {
					if bk2.field == bk.field && bk2.mod != "" && bk2.mod != bk.mod && (bk.mod == "" || bk2.mod == "year1") {
						m |= 1 << k2
					}
				}
			}
		}
		pats[s] = m
	}
	// Distinct patterns with their weights; covered ones drop out.
	weight := map[uint32]int{}
	for _, p := range pats {
		weight[p]++
	}
	type wpat struct {
		p uint32
		n int
	}
	var open []wpat
	for p, c := range weight {
		open = append(open, wpat{p, c})
	}
	slices.SortFunc(open, func(a, b wpat) int { return cmp.Compare(a.p, b.p) })
	got := 0
	cover := func(mask uint32) {
		kept := open[:0]
		for _, o := range open {
			if o.p&mask == mask {
				got += o.n
			} else {
				kept = append(kept, o)
			}
		}
		open = kept
	}
	for _, c := range chosen {
		cover(c.mask)
	}
	for float64(got)/samples < 0.99999 {
		best, bestScore, bestGain := -1, 0.0, 0
		for ci, c := range cands {
			if spent+c.cost > budget {
				continue
			}
			gain := 0
			for _, o := range open {
				if o.p&c.mask == c.mask {
					gain += o.n
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
		cover(c.mask)
		cands = append(cands[:best], cands[best+1:]...)
	}
	return chosen, spent, cands
}

// cand is a candidate blocking rule: a set of keys (indexes and bit mask)
// and its estimated pair count.
type cand struct {
	mask uint32
	ks   []int
	cost int64
}

// budget is the most candidate pairs automatic blocking may produce.
func (w *work) budget() int64 {
	if w.s.MaxPairs > 0 {
		return int64(w.s.MaxPairs)
	}
	return max(100_000, 25*int64(len(w.src)))
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

func (pc *pairCounter) count(vals []keyVals) int64 {
	r := &rule{vals: vals}
	link := pc.w.s.LinkType == Link
	buf := pc.buf[:0]
	var hs []uint64
	for _, i := range pc.sample {
		hs = r.hashes(i, hs[:0])
		for _, h := range hs {
			if link {
				// keep the source in the low bits to count within-source pairs
				h = h<<8 | uint64(pc.w.src[i]&0xff)
			}
			buf = append(buf, h)
		}
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
func (w *work) decisionPairs(ds []Decision, idx map[string]int32) []decided {
	if len(ds) == 0 {
		return nil
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
	return out
}

func probOf(same bool) float32 {
	if same {
		return 1
	}
	return 0
}

// RuleString renders a blocking rule for people.
func RuleString(r []string) string { return strings.Join(r, " & ") }
