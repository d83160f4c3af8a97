package match

import (
	"slices"
)

// unionFind keeps clusters with their member lists (to check constraints
// between two clusters before merging them).
type unionFind struct {
	parent  []int32
	members [][]int32
}

func newUnionFind(n int) *unionFind {
	u := &unionFind{parent: make([]int32, n), members: make([][]int32, n)}
	for i := range u.parent {
		u.parent[i] = int32(i)
	}
	return u
}

func (u *unionFind) find(x int32) int32 {
	for u.parent[x] != x {
		u.parent[x] = u.parent[u.parent[x]]
		x = u.parent[x]
	}
	return x
}

func (u *unionFind) list(r int32) []int32 {
	if u.members[r] == nil {
		return []int32{r}
	}
	return u.members[r]
}

// union merges the clusters of roots ra and rb (small into large).
func (u *unionFind) union(ra, rb int32) int32 {
	la, lb := u.list(ra), u.list(rb)
	if len(la) < len(lb) {
		ra, rb, la, lb = rb, ra, lb, la
	}
	u.parent[rb] = ra
	u.members[ra] = append(la, lb...)
	u.members[rb] = nil
	return ra
}

// cluster builds clusters: must-links first, then candidate pairs from the
// most to the least probable down to the threshold (Kruskal order), each
// merge refused when it would join records under a cannot-link, when its
// link is weaker than the chain threshold and the two groups hold a pair
// the model scored below ConflictBelow, or when the guard refuses it (see
// guard). It returns cluster numbers per record, the count of refused
// merges and the count of cannot-links contradicted by must-links (which
// win).
func (w *work) cluster(dec []decided) ([]int32, int, int) {
	cl := w.newClusterer(dec, w.s.Threshold)
	strong := map[pairIdx]bool{}
	for i, p := range w.pairs {
		if float64(w.prob[i]) >= w.s.StrongThreshold {
			strong[p] = true
		}
	}
	return cl.run(nil, func(a, b int32) bool { return strong[pairIdx{min(a, b), max(a, b)}] })
}

// clusterer holds what every clustering of one run shares: the decisions,
// the candidate links in Kruskal order and the guard.
type clusterer struct {
	w           *work
	must        []pairIdx
	cannotPairs []pairIdx
	cannot      *adjacency
	edges       []int32 // pair indexes from the most probable down
	guard       *guard
	low         *adjacency // pairs below ConflictBelow, built when needed
}

// newClusterer prepares clusterings over the pairs scored at least floor.
func (w *work) newClusterer(dec []decided, floor float64) *clusterer {
	cl := &clusterer{w: w, guard: w.newGuard()}
	for _, d := range dec {
		if d.same {
			cl.must = append(cl.must, w.pairs[d.pair])
		} else {
			cl.cannotPairs = append(cl.cannotPairs, w.pairs[d.pair])
		}
	}
	cl.cannot = newAdjacency(len(w.src), cl.cannotPairs)
	for i, pr := range w.prob {
		if float64(pr) >= floor {
			cl.edges = append(cl.edges, int32(i))
		}
	}
	slices.SortStableFunc(cl.edges, func(x, y int32) int {
		px, py := w.prob[x], w.prob[y]
		switch {
		case px > py:
			return -1
		case px < py:
			return 1
		}
		return int(x - y)
	})
	return cl
}

// run clusters with the edges that take accepts (all when nil); strong
// says which pairs are strong for the guard.
func (cl *clusterer) run(take func(e int32) bool, strong func(a, b int32) bool) ([]int32, int, int) {
	w := cl.w
	n := len(w.src)
	uf := newUnionFind(n)
	for _, p := range cl.must {
		if ra, rb := uf.find(p.a), uf.find(p.b); ra != rb {
			uf.union(ra, rb)
		}
	}
	conflicts := 0
	for _, p := range cl.cannotPairs {
		if uf.find(p.a) == uf.find(p.b) {
			conflicts++
		}
	}
	refused := 0
	for _, e := range cl.edges {
		if take != nil && !take(e) {
			continue
		}
		p := w.pairs[e]
		ra, rb := uf.find(p.a), uf.find(p.b)
		if ra == rb {
			continue
		}
		small, other := ra, rb
		if len(uf.list(small)) > len(uf.list(other)) {
			small, other = other, small
		}
		ok := true
		if len(cl.cannotPairs) > 0 {
			ok = !uf.crosses(small, other, cl.cannot)
		}
		if ok && float64(w.prob[e]) < w.s.ChainThreshold {
			if cl.low == nil {
				cl.low = w.lowPairs()
			}
			ok = !uf.crosses(small, other, cl.low)
		}
		if ok {
			ok = cl.guard.allows(uf.list(small), uf.list(other), strong)
		}
		if !ok {
			refused++
			continue
		}
		uf.union(ra, rb)
	}
	return numberClusters(uf, n), refused, conflicts
}

// numberClusters numbers clusters 0.. in order of their first record.
func numberClusters(uf *unionFind, n int) []int32 {
	out := make([]int32, n)
	num := map[int32]int32{}
	for i := range out {
		r := uf.find(int32(i))
		c, seen := num[r]
		if !seen {
			c = int32(len(num))
			num[r] = c
		}
		out[i] = c
	}
	return out
}

// crosses reports whether some member of cluster small has, in adj, a
// partner in cluster other.
func (u *unionFind) crosses(small, other int32, adj *adjacency) bool {
	for _, x := range u.list(small) {
		for _, y := range adj.of(x) {
			if u.find(y) == other {
				return true
			}
		}
	}
	return false
}

// adjacency lists each record's partners in a set of pairs, in two flat
// arrays (offsets and partners) rather than a map of slices.
type adjacency struct {
	off []int32
	nb  []int32
}

func newAdjacency(n int, pairs []pairIdx) *adjacency {
	a := &adjacency{off: make([]int32, n+1), nb: make([]int32, 2*len(pairs))}
	for _, p := range pairs {
		a.off[p.a+1]++
		a.off[p.b+1]++
	}
	for i := 1; i <= n; i++ {
		a.off[i] += a.off[i-1]
	}
	fill := append([]int32(nil), a.off[:n]...)
	for _, p := range pairs {
		a.nb[fill[p.a]] = p.b
		fill[p.a]++
		a.nb[fill[p.b]] = p.a
		fill[p.b]++
	}
	return a
}

func (a *adjacency) of(x int32) []int32 { return a.nb[a.off[x]:a.off[x+1]] }

// lowPairs lists, per record, the partners of pairs scored below
// ConflictBelow, among records that some link could join.
func (w *work) lowPairs() *adjacency {
	linked := make([]bool, len(w.src))
	for i, pr := range w.prob {
		if float64(pr) >= w.s.Threshold {
			linked[w.pairs[i].a] = true
			linked[w.pairs[i].b] = true
		}
	}
	var low []pairIdx
	for i, pr := range w.prob {
		if p := w.pairs[i]; float64(pr) < w.s.ConflictBelow && linked[p.a] && linked[p.b] {
			low = append(low, p)
		}
	}
	return newAdjacency(len(w.src), low)
}
