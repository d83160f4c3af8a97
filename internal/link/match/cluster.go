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
// merge refused when it would join records under a cannot-link, or when
// its link is weaker than the chain threshold and the two groups hold a
// pair the model scored below ConflictBelow. It returns cluster numbers
// per record, the count of refused merges and the count of cannot-links
// contradicted by must-links (which win).
func (w *work) cluster(dec []decided) ([]int32, int, int) {
	n := len(w.src)
	uf := newUnionFind(n)
	var cannotPairs []pairIdx
	for _, d := range dec {
		p := w.pairs[d.pair]
		if d.same {
			ra, rb := uf.find(p.a), uf.find(p.b)
			if ra != rb {
				uf.union(ra, rb)
			}
		} else {
			cannotPairs = append(cannotPairs, p)
		}
	}
	conflicts := 0
	for _, p := range cannotPairs {
		if uf.find(p.a) == uf.find(p.b) {
			conflicts++
		}
	}
	cannot := newAdjacency(n, cannotPairs)
	var edges []int32
	for i, pr := range w.prob {
		if float64(pr) >= w.s.Threshold {
			edges = append(edges, int32(i))
		}
	}
	slices.SortStableFunc(edges, func(x, y int32) int {
		px, py := w.prob[x], w.prob[y]
		switch {
		case px > py:
			return -1
		case px < py:
			return 1
		}
		return int(x - y)
	})
	g := w.newGuard()
	// Low-scored pairs per record, built only if the chain guard needs them.
	var low *adjacency
	lowBuilt := false
	refused := 0
	for _, e := range edges {
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
		if len(cannotPairs) > 0 {
			ok = !uf.crosses(small, other, cannot)
		}
		if ok && float64(w.prob[e]) < w.s.ChainThreshold {
			if !lowBuilt {
				low = w.lowPairs()
				lowBuilt = true
			}
			ok = !uf.crosses(small, other, low)
		}
		if ok {
			ok = g.allows(uf.list(small), uf.list(other))
		}
		if !ok {
			refused++
			continue
		}
		uf.union(ra, rb)
	}
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
	return out, refused, conflicts
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
