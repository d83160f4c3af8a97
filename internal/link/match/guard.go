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
	src          []int32
	sameSrc      bool // the one-list rule applies (several sources)
}

func (w *work) newGuard() *guard {
	g := &guard{src: w.src, sameSrc: w.nsrc > 1}
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
	return g
}

// allows reports whether clusters xs and ys may merge; strong says which
// pairs are strong.
func (g *guard) allows(xs, ys []int32, strong func(a, b int32) bool) bool {
	if len(g.names) == 0 && len(g.dates) == 0 && !g.sameSrc {
		return true
	}
	for _, a := range xs {
		for _, b := range ys {
			if !g.pairAllowed(a, b, strong(a, b)) {
				return false
			}
		}
	}
	return true
}

func (g *guard) pairAllowed(a, b int32, strong bool) bool {
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
// form of each gives surnames that may be one (textnorm.SurnamesCompatible)
// in its first reading or, against the other's first, in its other
// reading; or one of them gives none. A surname column agrees at any level
// but "different" (which counts names swapped with the given-name column).
func (c *column) surnamesAgree(a, b int32) bool {
	if c.sur == nil {
		return c.level(a, b) != 1
	}
	seen := false
	for ja := 0; ja <= c.alts; ja++ {
		ra := a + int32(ja)*c.n
		for jb := 0; jb <= c.alts; jb++ {
			rb := b + int32(jb)*c.n
			// both in their other reading would compare given names
			for _, m := range [3][2]int32{{c.sur[ra], c.sur[rb]}, {c.sur2[ra], c.sur[rb]}, {c.sur[ra], c.sur2[rb]}} {
				if m[0] < 0 || m[1] < 0 {
					continue
				}
				seen = true
				if c.surnamesCompatible(m[0], m[1]) {
					return true
				}
			}
		}
	}
	return !seen
}
