package textnorm

// Comparators work on runes, never bytes, so that 김 counts as one letter.

import "math"

// JaroWinkler returns the Jaro–Winkler similarity of a and b in [0, 1]
// (prefix scale 0.1, up to 4 runes). Two empty strings are 1.
func JaroWinkler(a, b []rune) float64 {
	j := Jaro(a, b)
	if j <= 0.7 {
		return j
	}
	l := 0
	for l < len(a) && l < len(b) && l < 4 && a[l] == b[l] {
		l++
	}
	return j + float64(l)*0.1*(1-j)
}

// JaroWinklerString is JaroWinkler on strings.
func JaroWinklerString(a, b string) float64 { return JaroWinkler([]rune(a), []rune(b)) }

// Jaro returns the Jaro similarity of a and b.
func Jaro(a, b []rune) float64 {
	la, lb := len(a), len(b)
	if la == 0 && lb == 0 {
		return 1
	}
	if la == 0 || lb == 0 {
		return 0
	}
	if la > lb {
		a, b, la, lb = b, a, lb, la
	}
	win := lb/2 - 1
	if win < 0 {
		win = 0
	}
	// Flags live on the stack for names and short texts; only texts of
	// over 256 letters allocate.
	var fa, fb [64]bool
	var ga, gb [256]bool
	var ma, mb []bool
	switch {
	case la <= 64 && lb <= 64:
		ma, mb = fa[:la], fb[:lb]
	case la <= 256 && lb <= 256:
		ma, mb = ga[:la], gb[:lb]
	default:
		ma, mb = make([]bool, la), make([]bool, lb)
	}
	m := 0
	for i := 0; i < la; i++ {
		lo, hi := i-win, i+win+1
		if lo < 0 {
			lo = 0
		}
		if hi > lb {
			hi = lb
		}
		for k := lo; k < hi; k++ {
			if !mb[k] && a[i] == b[k] {
				ma[i], mb[k] = true, true
				m++
				break
			}
		}
	}
	if m == 0 {
		return 0
	}
	t, k := 0, 0
	for i := 0; i < la; i++ {
		if !ma[i] {
			continue
		}
		for !mb[k] {
			k++
		}
		if a[i] != b[k] {
			t++
		}
		k++
	}
	fm := float64(m)
	return (fm/float64(la) + fm/float64(lb) + (fm-float64(t/2))/fm) / 3
}

// WithinOneEdit reports whether a and b differ by at most one substitution,
// insertion, deletion or swap of neighbours (restricted Damerau distance ≤ 1).
func WithinOneEdit(a, b []rune) bool {
	la, lb := len(a), len(b)
	if la > lb {
		a, b, la, lb = b, a, lb, la
	}
	if lb-la > 1 {
		return false
	}
	i := 0
	for i < la && a[i] == b[i] {
		i++
	}
	if i == la {
		return true // equal, or b has one more at the end
	}
	if la == lb {
		// substitution, or swap of i and i+1
		if equalRunes(a[i+1:], b[i+1:]) {
			return true
		}
		return i+1 < la && a[i] == b[i+1] && a[i+1] == b[i] && equalRunes(a[i+2:], b[i+2:])
	}
	return equalRunes(a[i:], b[i+1:])
}

func equalRunes(a, b []rune) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// EditDistance is the restricted Damerau–Levenshtein (optimal string
// alignment) distance between a and b, counted in runes.
func EditDistance(a, b []rune) int {
	la, lb := len(a), len(b)
	if la == 0 {
		return lb
	}
	if lb == 0 {
		return la
	}
	prev2 := make([]int, lb+1)
	prev := make([]int, lb+1)
	cur := make([]int, lb+1)
	for j := 0; j <= lb; j++ {
		prev[j] = j
	}
	for i := 1; i <= la; i++ {
		cur[0] = i
		for j := 1; j <= lb; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[lb]
}

// JaroWinklerFloor is JaroWinkler when the similarity is at least floor;
// below floor it may return any value under floor. It first bounds the
// similarity by the letters the two strings share, which settles most
// pairs of unlike names without the full comparison.
func JaroWinklerFloor(a, b []rune, floor float64) float64 {
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 || la > 64 || lb > 64 {
		return JaroWinkler(a, b)
	}
	l := 0
	for l < la && l < lb && l < 4 && a[l] == b[l] {
		l++
	}
	p := 0.1 * float64(l)
	need := (floor - p) / (1 - p) // the Jaro similarity floor asks for
	var cnt [128]int8
	for _, r := range a {
		if r >= 128 {
			return JaroWinkler(a, b)
		}
		cnt[r]++
	}
	common := 0
	for _, r := range b {
		if r >= 128 {
			return JaroWinkler(a, b)
		}
		if cnt[r] > 0 {
			cnt[r]--
			common++
		}
	}
	c := float64(common)
	// (a margin keeps rounding from deciding a tie)
	if bound := (c/float64(la) + c/float64(lb) + 1) / 3; bound < need-1e-9 {
		return math.Min(bound+p*(1-bound), math.Nextafter(floor, 0)) // under floor
	}
	return JaroWinkler(a, b)
}
