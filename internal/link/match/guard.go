package match

// guard decides whether two clusters may merge beyond what the linking
// pair says. Every record of one and every record of the other must
// either form a strong pair (scored at StrongThreshold or above: the model
// weighed all their fields itself) or, joined only through others, agree
// on the guarded fields (surnames, birth dates) within the comparators'
// tolerance; and two records of one list must form a strong pair. A chain
// of links, each plausible, then cannot gather nine surnames and fifty
// birth years into one "person".
type guard struct {
	names, dates []*column
	strong       map[pairIdx]bool // pairs scored at StrongThreshold or above
	src          []int32
	sameSrc      bool // the one-list rule applies (several sources)
}

func (w *work) newGuard() *guard {
	g := &guard{src: w.src, sameSrc: w.nsrc > 1, strong: map[pairIdx]bool{}}
	for f, fl := range w.s.Fields {
		if !fl.Guard {
			continue
		}
		switch c := w.cols[f]; {
		case c.kind == Name && (c.sur != nil || fl.NamePart == "surname"):
			g.names = append(g.names, c)
		case c.kind == Date:
			g.dates = append(g.dates, c)
		}
	}
	for i, p := range w.pairs {
		if float64(w.prob[i]) >= w.s.StrongThreshold {
			g.strong[p] = true
		}
	}
	return g
}

// allows reports whether clusters xs and ys may merge.
func (g *guard) allows(xs, ys []int32) bool {
	for _, a := range xs {
		for _, b := range ys {
			if !g.pairAllowed(a, b) {
				return false
			}
		}
	}
	return true
}

func (g *guard) pairAllowed(a, b int32) bool {
	strong := g.strong[pairIdx{min(a, b), max(a, b)}]
	if g.sameSrc && g.src[a] == g.src[b] && !strong {
		return false
	}
	if strong {
		return true // the model weighed their disagreement itself
	}
	for _, c := range g.dates {
		if c.level(a, b) == dlDifferent {
			return false
		}
	}
	for _, c := range g.names {
		if !c.surnamesAgree(a, b) {
			return false
		}
	}
	return true
}

// surnamesAgree reports whether records a and b may share a surname: some
// form and reading of each gives surnames that may be one
// (textnorm.SurnamesCompatible), or one of them gives none. A surname
// column agrees at any level but "different" (which counts names swapped
// with the given-name column).
func (c *column) surnamesAgree(a, b int32) bool {
	if c.sur == nil {
		return c.level(a, b) != 1
	}
	seen := false
	for ja := 0; ja <= c.alts; ja++ {
		ra := a + int32(ja)*c.n
		for _, sa := range [2]int32{c.sur[ra], c.sur2[ra]} {
			if sa < 0 {
				continue
			}
			for jb := 0; jb <= c.alts; jb++ {
				rb := b + int32(jb)*c.n
				for _, sb := range [2]int32{c.sur[rb], c.sur2[rb]} {
					if sb < 0 {
						continue
					}
					seen = true
					if c.surnamesCompatible(sa, sb) {
						return true
					}
				}
			}
		}
	}
	return !seen
}
