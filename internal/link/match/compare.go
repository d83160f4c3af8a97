package match

import (
	"context"
	"math"
	"slices"
	"sync"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/textnorm"
)

// level compares records a and b on this column and returns the level
// index (0 missing, 1 different, higher is closer): the closest level
// between any of their forms when the field has alternative columns.
func (c *column) level(a, b int32) uint8 {
	if c.alts == 0 {
		return c.levelRow(a, b)
	}
	best := uint8(0)
	for ja := 0; ja <= c.alts; ja++ {
		ra := a + int32(ja)*c.n
		if c.vid[ra] < 0 {
			continue
		}
		for jb := 0; jb <= c.alts; jb++ {
			rb := b + int32(jb)*c.n
			if c.vid[rb] < 0 {
				continue
			}
			if l := c.levelRow(ra, rb); l > best {
				best = l
			}
		}
	}
	return best
}

// levelRow compares two rows (a record's value or one of its alternatives).
func (c *column) levelRow(a, b int32) uint8 {
	va, vb := c.vid[a], c.vid[b]
	if va < 0 || vb < 0 {
		return 0
	}
	switch c.kind {
	case Name:
		if va == vb {
			return nlExact
		}
		sim := -1.0
		if ka, kb := c.key[a], c.key[b]; ka >= 0 && kb >= 0 {
			if v, ok := c.variant(a, b); ok {
				return v
			}
			// Spelling variants and typos together ("Parrk Myeong-seong",
			// "PAK Myong-song") are closest in key space.
			sim = textnorm.JaroWinklerFloor(c.keyStr[ka], c.keyStr[kb], 0.80)
		}
		if sim < 0.92 { // the (shorter) keys first: often enough alone
			sim = max(sim, textnorm.JaroWinklerFloor(c.str[va], c.str[vb], 0.80))
		}
		if sim >= 0.92 {
			return nlJW92
		}
		// the same given name under a misspelt or unknown surname
		// ("Paa Hwa-suk", "Bae Hwa-suk")
		if c.gkey != nil && c.sameGiven(a, b) {
			return nlSameGiven
		}
		// given name and surname written in each other's columns
		if p := c.partner; p != nil && a < c.n && b < c.n {
			if pa, pb := p.vid[a], p.vid[b]; pa >= 0 && pb >= 0 &&
				slices.Equal(c.str[va], p.str[pb]) && slices.Equal(p.str[pa], c.str[vb]) {
				return nlSwapped
			}
		}
		if sim >= 0.80 {
			return nlJW80
		}
		return 1
	case Text:
		if va == vb {
			return 5
		}
		sim := textnorm.JaroWinklerFloor(c.str[va], c.str[vb], 0.80)
		switch {
		case sim >= 0.92:
			return 4
		case jaccard(c.words[va], c.words[vb]) >= 0.6:
			return 3
		case sim >= 0.80:
			return 2
		}
		return 1
	case Category:
		if va == vb {
			return 3
		}
		// a facility type and a facility of that type; a town's set of
		// facilities and one of them
		for _, x := range c.elems[va] {
			for _, y := range c.elems[vb] {
				if x == y || isRefinement(x, y) || isRefinement(y, x) {
					return 2
				}
			}
		}
		return 1
	case Exact:
		if va == vb {
			return 3
		}
		// One edit in a short code (a day, a month) is no evidence.
		if max(len(c.str[va]), len(c.str[vb])) >= 4 && textnorm.WithinOneEdit(c.str[va], c.str[vb]) {
			return 2
		}
		return 1
	case Number:
		if va == vb {
			return 3
		}
		x, y := c.num[va], c.num[vb]
		tol := c.tol
		if tol == 0 {
			// whole numbers (years, ages, counts) within one; others 5%
			if x == math.Trunc(x) && y == math.Trunc(y) {
				tol = 1
			} else {
				tol = 0.05 * math.Max(math.Abs(x), math.Abs(y))
			}
		}
		if math.Abs(x-y) <= tol {
			return 2
		}
		return 1
	case Date:
		return c.dateLevel(va, vb)
	case Facility:
		return c.facilityLevel(va, vb)
	case Place:
		return c.placeLevel(va, vb)
	}
	return 1
}

// unresolvedLevel compares values of which one or both are texts the
// gazetteer does not know ("?" and the folded text): two such texts agree
// exactly or nearly (top, top-1), else differ; against a known value the
// level is "unresolved".
func (c *column) unresolvedLevel(va, vb int32, top uint8) uint8 {
	if (c.str[va][0] == '?') != (c.str[vb][0] == '?') {
		return lvUnresolved
	}
	if textnorm.JaroWinklerFloor(c.str[va], c.str[vb], 0.92) >= 0.92 {
		return top - 1
	}
	return 1
}

// variant compares names whose keys agree in some reading: variant when
// the surnames of that reading may be one surname, same_given when they
// cannot (조 and 추 share a key, as Cho and Chu do). Two Hangul given names
// that differ are not a variant however alike their keys (영철, 용철). ok
// is false when no reading's keys agree.
func (c *column) variant(a, b int32) (uint8, bool) {
	ka, kb := c.key[a], c.key[b]
	if c.key2 == nil {
		if ka == kb {
			return nlVariant, true
		}
		return 0, false
	}
	a2, b2 := c.key2[a], c.key2[b]
	matched := false
	for _, m := range [4]struct {
		x, y           int32
		sa, sb, ga, gb []int32
	}{{ka, kb, c.sur, c.sur, c.giv, c.giv}, {a2, kb, c.sur2, c.sur, c.giv2, c.giv},
		{a2, b2, c.sur2, c.sur2, c.giv2, c.giv2}, {ka, b2, c.sur, c.sur2, c.giv, c.giv2}} {
		if m.x < 0 || m.x != m.y {
			continue
		}
		if !c.givenCompatible(m.ga[a], m.gb[b]) {
			continue // 김영철 and 김용철: one key, two names
		}
		matched = true
		if c.surnamesCompatible(m.sa[a], m.sb[b]) {
			return nlVariant, true
		}
	}
	if matched {
		return nlSameGiven, true
	}
	return 0, false
}

// surnamesCompatible compares two surnames as written (ids), unknown ones
// compatible with anything.
func (c *column) surnamesCompatible(x, y int32) bool {
	return x < 0 || y < 0 || x == y || textnorm.SurnamesCompatible(c.surStr[x], c.surStr[y])
}

// givenCompatible compares two given names as written (ids).
func (c *column) givenCompatible(x, y int32) bool {
	return x < 0 || y < 0 || x == y || textnorm.GivenNamesCompatible(c.givStr[x], c.givStr[y])
}

// sameGiven reports full names whose given names agree in some reading
// (surname first or last when the order is a guess), one of them the
// first: both in their other reading would compare surnames.
func (c *column) sameGiven(a, b int32) bool {
	ga, gb, ga2, gb2 := c.gkey[a], c.gkey[b], c.gkey2[a], c.gkey2[b]
	return ga >= 0 && (ga == gb || ga == gb2) || ga2 >= 0 && ga2 == gb
}

// lvUnresolved is the facility and place level of a known value against
// a text the gazetteer does not know.
const lvUnresolved = 2

// facility levels
const (
	flCompatible = 3
	flExact      = 4
)

// facilityLevel: the same facility; or compatible (one of the facilities
// a text may mean, or a type and a facility of it); or different.
func (c *column) facilityLevel(va, vb int32) uint8 {
	if va == vb {
		return flExact
	}
	if c.str[va][0] == '?' || c.str[vb][0] == '?' {
		return c.unresolvedLevel(va, vb, flExact)
	}
	for _, x := range c.elems[va] {
		for _, y := range c.elems[vb] {
			if x == y || isRefinement(x, y) || isRefinement(y, x) {
				return flCompatible
			}
		}
	}
	return 1
}

// place levels
const (
	plSameProvince = 3
	plWithin       = 4
	plExact        = 5
)

// placeLevel: the same place; one within the other (a city and its
// province); two places of one province; or different.
func (c *column) placeLevel(va, vb int32) uint8 {
	if va == vb {
		return plExact
	}
	if c.str[va][0] == '?' || c.str[vb][0] == '?' {
		return c.unresolvedLevel(va, vb, plWithin+1)
	}
	ea, eb := c.elems[va], c.elems[vb]
	if slices.Contains(ea, eb[0]) || slices.Contains(eb, ea[0]) {
		return plWithin
	}
	for _, x := range ea {
		if slices.Contains(eb, x) {
			return plSameProvince
		}
	}
	return 1
}

// name levels
const (
	nlJW80      = 2
	nlSameGiven = 3
	nlJW92      = 4
	nlSwapped   = 5
	nlVariant   = 6
	nlExact     = 7
)

const (
	dlDifferent = 1
	dlWithinYr  = 2
	dlOneEdit   = 3
	dlSameYear  = 4
	dlSameMonth = 5
	dlExact     = 6
)

// dateLevel compares two dates by what both allow: two full dates that are
// the same day are exact; dates whose spans overlap agree at the coarser
// precision (1987 and 1987-03-04 agree at year level; c. 1987 spans
// 1986–1988); full dates a typo apart are one_edit; dates within a year
// are within_a_year.
func (c *column) dateLevel(va, vb int32) uint8 {
	if va == vb {
		if c.dprec[va] == uint8(rollcall.PrecDay) || c.dprec[va] == 0 {
			return dlExact
		}
		if c.dprec[va] == uint8(rollcall.PrecMonth) {
			return dlSameMonth
		}
		return dlSameYear
	}
	pa, pb := c.dprec[va], c.dprec[vb]
	if pa != 0 && pb != 0 {
		if c.dlo[va] <= c.dhi[vb] && c.dlo[vb] <= c.dhi[va] {
			p := min(pa, pb)
			switch p {
			case uint8(rollcall.PrecDay):
				return dlExact
			case uint8(rollcall.PrecMonth):
				return dlSameMonth
			}
			return dlSameYear
		}
	}
	if textnorm.WithinOneEdit(c.ddig[va], c.ddig[vb]) && len(c.ddig[va]) >= 6 {
		return dlOneEdit
	}
	if pa == uint8(rollcall.PrecDay) && pb == uint8(rollcall.PrecDay) && swappedDayMonth(c.ddig[va], c.ddig[vb]) {
		return dlOneEdit
	}
	if pa != 0 && pb != 0 {
		gap := c.dlo[vb] - c.dhi[va]
		if g2 := c.dlo[va] - c.dhi[vb]; g2 > gap {
			gap = g2
		}
		if gap <= 366 {
			return dlWithinYr
		}
	}
	return dlDifferent
}

// swappedDayMonth reports YYYYMMDD digit strings with day and month swapped.
func swappedDayMonth(a, b []rune) bool {
	if len(a) != 8 || len(b) != 8 {
		return false
	}
	for i := 0; i < 4; i++ {
		if a[i] != b[i] {
			return false
		}
	}
	return a[4] == b[6] && a[5] == b[7] && a[6] == b[4] && a[7] == b[5]
}

// compareAll fills w.gamma for every candidate pair, in parallel.
func (w *work) compareAll(ctx context.Context) error {
	nf := len(w.cols)
	w.gamma = make([]uint8, len(w.pairs)*nf)
	return w.parallel(ctx, "comparing", len(w.pairs), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			p := w.pairs[i]
			g := w.gamma[i*nf : (i+1)*nf]
			for f, c := range w.cols {
				g[f] = c.level(p.a, p.b)
			}
		}
	})
}

// parallel runs fn over [0,n) in chunks on w.opt.Workers goroutines,
// reporting progress and stopping early when ctx is done.
func (w *work) parallel(ctx context.Context, stage string, n int, fn func(lo, hi int)) error {
	const chunk = 1 << 14
	var mu sync.Mutex
	next, done := 0, 0
	var wg sync.WaitGroup
	for k := 0; k < w.opt.Workers; k++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				if ctx.Err() != nil {
					return
				}
				mu.Lock()
				lo := next
				next += chunk
				mu.Unlock()
				if lo >= n {
					return
				}
				hi := min(lo+chunk, n)
				fn(lo, hi)
				mu.Lock()
				done += hi - lo
				w.opt.Progress(stage, int64(done), int64(n))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return ctx.Err()
}

// isRefinement reports whether key b refines key a ("kyohwaso-4" of
// "kyohwaso").
func isRefinement(a, b string) bool {
	return len(b) > len(a)+1 && b[len(a)] == '-' && b[:len(a)] == a
}

// jaccard is |a ∩ b| / |a ∪ b| of two sorted sets of ids.
func jaccard(a, b []int32) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	i, j, both := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			both++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return float64(both) / float64(len(a)+len(b)-both)
}
