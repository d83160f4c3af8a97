package textnorm

import (
	"strings"
	"unicode"
)

// Name is a personal name split into surname and given name, both folded
// (lower case, no diacritics, hyphens removed). Given keeps spaces between
// the words a source gave.
type Name struct {
	Surname string
	Given   string
}

// ParseName splits a personal name. A comma marks "SURNAME, Given"
// ("KIM, Ryong-man"); otherwise a token written all in capitals among mixed
// case ones is the surname; otherwise a common Korean surname spelling at
// the start (Korean order) or else at the end (Western order; also when the
// first is a rare surname and the last a very common one: "Ryong Man Kim");
// otherwise Hangul names are surname first (the first syllable, or two for
// 남궁, 황보, …) and Latin names surname last. A single Latin word is taken
// as a given name.
func ParseName(s string) Name {
	n, _, _ := parseName(s)
	return n
}

// parseName is ParseName that also returns the reading with the other name
// order when the order is a guess (no comma, capitals or Hangul to go by).
func parseName(s string) (n, alt Name, hasAlt bool) {
	s = strings.TrimSpace(mrVowels.Replace(s))
	if s == "" {
		return Name{}, Name{}, false
	}
	if i := strings.IndexAny(s, ",，"); i >= 0 {
		sur := Fold(s[:i])
		giv := Fold(s[i+1:])
		if sur != "" && HasHangul(sur) && !strings.Contains(sur, " ") && giv == "" {
			return splitHangul(sur), Name{}, false
		}
		return Name{Surname: strings.ReplaceAll(sur, " ", ""), Given: giv}, Name{}, false
	}
	raw := strings.Fields(s)
	if len(raw) == 1 {
		f := Fold(raw[0])
		if HasHangul(f) && !strings.Contains(f, " ") {
			return splitHangul(f), Name{}, false
		}
		return Name{Given: f}, Name{}, false
	}
	// all-caps surname among mixed case tokens ("Ryong-man KIM")
	caps := -1
	nCaps := 0
	for i, t := range raw {
		if isAllCaps(t) {
			nCaps++
			caps = i
		}
	}
	toks := make([]string, 0, len(raw))
	for _, t := range raw {
		if f := Fold(t); f != "" {
			toks = append(toks, strings.ReplaceAll(f, " ", ""))
		}
	}
	if len(toks) == 0 {
		return Name{}, Name{}, false
	}
	if len(toks) == 1 {
		return Name{Given: toks[0]}, Name{}, false
	}
	if nCaps == 1 && len(toks) == len(raw) {
		return Name{Surname: toks[caps], Given: joinExcept(toks, caps)}, Name{}, false
	}
	first, last := 0, len(toks)-1
	at := func(i int) Name { return Name{Surname: toks[i], Given: joinExcept(toks, i)} }
	if HasHangul(toks[first]) {
		return at(first), at(last), true
	}
	rf, okF := surnameRank(toks[first])
	rl, okL := surnameRank(toks[last])
	switch {
	case okF && !(okL && rf >= 50 && rl < 10):
		return at(first), at(last), true
	case okL:
		return at(last), at(first), true
	case len(toks) >= 3 && isRareSurname(toks[first]):
		// "Kiim Jeong Jin": a rare spelling of a surname before two syllables
		return at(first), at(last), true
	}
	return at(last), at(first), true
}

func joinExcept(toks []string, skip int) string {
	var b strings.Builder
	for i, t := range toks {
		if i == skip {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t)
	}
	return b.String()
}

func isAllCaps(t string) bool {
	letters := 0
	for _, r := range t {
		if unicode.IsLetter(r) {
			if !unicode.IsUpper(r) {
				return false
			}
			letters++
		}
	}
	return letters > 1
}

// splitHangul splits an unspaced Hangul name into surname and given name.
func splitHangul(f string) Name {
	rs := []rune(f)
	if len(rs) <= 1 {
		return Name{Surname: f}
	}
	n := 1
	if len(rs) >= 3 && mustSurnames().twoSyllable[string(rs[:2])] {
		n = 2
	}
	return Name{Surname: string(rs[:n]), Given: string(rs[n:])}
}

// Skeleton is a phonetic key of a name or name part, written for Korean
// romanization variants but usable for any Latin name: Hangul is
// romanized (RR), spaces are dropped, consonants fold into classes
// (g/k/c/q, d/t, b/p/f/v, j/ch/z, r/l, s/sh), doubled letters and a silent h
// after a vowel are dropped, and vowel groups fold into four classes
// (eo/o/u/oo/ou → o; ee/ui/i → i; ae/ai/e → e; a); "ng" stays apart from
// "n" (영 and 연 differ). So Young-hee, Yeong-hui, Yong Hui and 영희 all give
// "yoghi".
func Skeleton(s string) string {
	if HasHangul(s) {
		s = romanizeHangulPart(Fold(s), RR, false, false)
	}
	f := Fold(s)
	buf := make([]byte, 0, len(f))
	for i := 0; i < len(f); i++ {
		if c := f[i]; c != ' ' && c < 0x80 {
			buf = append(buf, c)
		}
	}
	return string(skeletonBytes(buf, nil))
}

func isVowel(c byte) bool { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' }

// skeletonBytes writes the skeleton of lower-case ASCII letters s to dst.
func skeletonBytes(s []byte, dst []byte) []byte {
	n := len(s)
	last := byte(0) // last consonant class written, 0 after a vowel
	at := func(i int) byte {
		if i < n {
			return s[i]
		}
		return 0
	}
	emitC := func(c byte) {
		if c == last {
			return
		}
		dst = append(dst, c)
		last = c
	}
	for i := 0; i < n; {
		c := s[i]
		switch {
		case isVowel(c) || (c == 'y' && i > 0 && isVowel(s[i-1])):
			j := i + 1
			for j < n && (isVowel(s[j]) || (s[j] == 'y' && (j+1 >= n || !isVowel(s[j+1])))) {
				j++
			}
			dst = append(dst, vowelClass(s[i:j]))
			last = 0
			i = j
			// a silent h after a vowel (Ahn, Oh, Sohn) unless a vowel follows
			if at(i) == 'h' && !isVowel(at(i+1)) {
				i++
			}
		case c == 'w' && at(i+1) == 'h' && isVowel(at(i+2)):
			// an older spelling: Whang, Whanghae for Hwang, Hwanghae
			emitC('h')
			dst = append(dst, 'w')
			last = 0
			i += 2
		case c == 'y' || c == 'w':
			if isVowel(at(i + 1)) {
				dst = append(dst, c)
				last = 0
			}
			i++
		case c >= 'a' && c <= 'z':
			cls, adv := consonantClass(s, i)
			if cls != 0 {
				emitC(cls)
			}
			i += adv
		default:
			i++
		}
	}
	return dst
}

// consonantClass returns the class of the consonant (or digraph) at s[i] and
// how many bytes it spans.
func consonantClass(s []byte, i int) (byte, int) {
	c := s[i]
	var d byte
	if i+1 < len(s) {
		d = s[i+1]
	}
	if d == 'h' {
		switch c {
		case 'c', 'j', 'z':
			return 'c', 2
		case 's':
			return 's', 2
		case 'p', 'f':
			return 'p', 2
		case 't', 'd':
			return 't', 2
		case 'k', 'g':
			return 'k', 2
		case 'r', 'l':
			return 'l', 2
		case 'w':
			return 0, 1
		}
	}
	if c == 't' && d == 'c' && i+2 < len(s) && s[i+2] == 'h' {
		return 'c', 3
	}
	if c == 'n' && d == 'g' {
		return 'g', 2 // ng, kept apart from n: 영 and 연 differ
	}
	switch c {
	case 'b', 'p', 'v', 'f':
		return 'p', 1
	case 'd', 't':
		return 't', 1
	case 'g', 'k', 'c', 'q':
		return 'k', 1
	case 'j', 'z':
		return 'c', 1
	case 's':
		return 's', 1
	case 'x':
		return 's', 1
	case 'l', 'r':
		return 'l', 1
	case 'm':
		return 'm', 1
	case 'n':
		return 'n', 1
	case 'h':
		return 'h', 1
	}
	return 0, 1
}

// vowelClass folds a vowel group.
func vowelClass(v []byte) byte {
	switch string(v) {
	case "a", "aa", "ah":
		return 'a'
	case "ae", "ai", "ay", "e", "ea", "ei", "ey", "aei", "eh", "oe", "oi", "oy", "oei", "oey", "oee", "we":
		return 'e'
	case "i", "ee", "ui", "ie", "ii", "eui", "yi", "iy", "eei":
		return 'i'
	case "o", "u", "eo", "eu", "oo", "ou", "uo", "ue", "eou", "oou", "uu":
		return 'o'
	}
	switch v[0] {
	case 'a':
		return 'a'
	case 'e':
		return 'e'
	case 'i':
		return 'i'
	}
	return 'o'
}

// NameKey is the comparison key of a full name: the surname class and the
// skeleton of the given name, surname first whatever the input order.
// 김영희, "Kim Young-hee", "Gim Yeong-hui", "KIM, Yong Hui" and "Young-hee
// KIM" share one key.
func NameKey(s string) string {
	n := ParseName(s)
	return joinKey(surnameKey(n.Surname), givenKey(n.Given))
}

// NameKeyAlt is the key of the name read in the other order when ParseName
// had to guess the order ("Jeong Suk Moon" may be 문정숙 or 정숙문), else "".
// Comparators should count either key as a match.
func NameKeyAlt(s string) string {
	_, alt, ok := parseName(s)
	if !ok {
		return ""
	}
	return joinKey(surnameKey(alt.Surname), givenKey(alt.Given))
}

func surnameKey(s string) string {
	if s == "" {
		return ""
	}
	k, _ := SurnameClass(s)
	return k
}

// givenKey skeletonizes a given name with its initial-sound law applied
// (North Korean 룡남/Ryong-nam meets South Korean 용남/Yong-nam).
func givenKey(s string) string {
	if s == "" {
		return ""
	}
	if HasHangul(s) {
		s = Dueum(strings.ReplaceAll(s, " ", ""))
	}
	k := Skeleton(s)
	// The same law in Latin letters: initial r/l is dropped before y/i
	// (Ryong → Yong) and read n before other vowels (Ran → Nan).
	if len(k) > 1 && k[0] == 'l' && !HasHangul(s) {
		switch k[1] {
		case 'y', 'i':
			k = k[1:]
		case 'a', 'e', 'o':
			k = "n" + k[1:]
		}
	}
	return k
}

func joinKey(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + " " + b
}

// SurnameKey is the key of a surname alone (see SurnameClass).
func SurnameKey(s string) string { return surnameKey(s) }

// GivenKey is the key of a given name alone.
func GivenKey(s string) string { return givenKey(Fold(s)) }

// NameKeys returns the search keys of a name: the full key (surname class
// and given-name skeleton), the surname key and the given-name key, without
// duplicates or empties, and the full key in the other name order when the
// order is a guess. A Hangul name and its romanizations share their keys,
// so indexing records by NameKeys and looking up the query's first key
// (or all its keys) finds either form from the other.
func NameKeys(s string) []string {
	n, alt, hasAlt := parseName(s)
	sk, gk := surnameKey(n.Surname), givenKey(n.Given)
	var out []string
	add := func(k string) {
		if k == "" {
			return
		}
		for _, o := range out {
			if o == k {
				return
			}
		}
		out = append(out, k)
	}
	add(joinKey(sk, gk))
	add(sk)
	add(gk)
	if hasAlt {
		add(joinKey(surnameKey(alt.Surname), givenKey(alt.Given)))
	}
	return out
}

// NormalizeName is the display-independent canonical form of a name used
// for exact comparison: romanized (RR) when written in Hangul, folded,
// surname first, given-name words joined.
func NormalizeName(s string) string { return normalizeParsed(ParseName(s)) }

func normalizeParsed(n Name) string {
	sur, giv := n.Surname, strings.ReplaceAll(n.Given, " ", "")
	if HasHangul(sur) {
		sur = romanizeHangulPart(sur, RR, false, true)
	}
	if HasHangul(giv) {
		giv = romanizeHangulPart(giv, RR, true, false)
	}
	return joinKey(sur, giv)
}

// NameInfo is everything the comparators need from one name, computed in
// one pass: see NormalizeName, NameKey, NameKeyAlt, SurnameKey, GivenKey.
type NameInfo struct {
	Norm       string // NormalizeName
	Key        string // NameKey
	AltKey     string // NameKeyAlt
	SurnameKey string // key of the surname part
	GivenKey   string // key of the given-name part
	// the parts in the other name order, when the order is a guess
	AltSurnameKey, AltGivenKey string
	// Surname and AltSurname are the surname as written (folded), in each
	// reading, for SurnamesCompatible; Given and AltGiven the given name
	// (words joined), for GivenNamesCompatible.
	Surname, AltSurname string
	Given, AltGiven     string
	// SoundKey is the surname key and the consonants of the given-name
	// key, a coarse key that survives vowel slips, doubled or dropped
	// vowels and most respellings ("Kim Gum-ok", "Kim Gum-ko"); AltSoundKey
	// the same in the other order.
	SoundKey, AltSoundKey string
	// FirstKey and LastKey are the surname key with the first and with the
	// last syllable of the given-name key: one survives a typo in the
	// other syllable ("Yehong-geun", "Yong-kun"). AltFirstKey and
	// AltLastKey in the other order.
	FirstKey, LastKey, AltFirstKey, AltLastKey string
}

// skeletonSyllables splits a skeleton into Korean-like syllables: an
// onset, a glide, a vowel, and a final consonant when a consonant or the
// end follows it (ng always closes a syllable).
func skeletonSyllables(sk string) []string {
	isV := func(c byte) bool { return c == 'a' || c == 'e' || c == 'i' || c == 'o' }
	var out []string
	start := 0
	for i := 0; i < len(sk); {
		// onset and glide
		for i < len(sk) && !isV(sk[i]) {
			i++
		}
		// vowel
		for i < len(sk) && isV(sk[i]) {
			i++
		}
		// final: a consonant not starting the next syllable
		if i < len(sk) && !isV(sk[i]) && sk[i] != 'y' && sk[i] != 'w' {
			next := byte(0)
			if i+1 < len(sk) {
				next = sk[i+1]
			}
			if sk[i] == 'g' || next == 0 || !isV(next) {
				i++
			}
		}
		out = append(out, sk[start:i])
		start = i
	}
	return out
}

// syllableKeys returns the surname key joined with the first and with the
// last syllable of the given-name key.
func syllableKeys(sur, given string) (first, last string) {
	if sur == "" || given == "" {
		return "", ""
	}
	syl := skeletonSyllables(given)
	if len(syl) < 2 {
		return "", ""
	}
	return sur + " " + syl[0], sur + " " + syl[len(syl)-1]
}

// consonants keeps the consonant classes of a skeleton.
func consonants(sk string) string {
	b := make([]byte, 0, len(sk))
	for i := 0; i < len(sk); i++ {
		switch c := sk[i]; c {
		case 'a', 'e', 'i', 'o', 'u', 'y', 'w', ' ':
		default:
			if len(b) == 0 || b[len(b)-1] != c {
				b = append(b, c)
			}
		}
	}
	return string(b)
}

func soundKey(sur, given string) string {
	if sur == "" || given == "" {
		return ""
	}
	return sur + " " + consonants(given)
}

// GivenNamesCompatible reports whether two given names (as AnalyzeName
// gives them) may be one: two Hangul given names must be the same up to
// the initial-sound law (룡철 = 용철, not 영철, which every romanization
// writes alike); in Latin letters the phonetic key decides.
func GivenNamesCompatible(a, b string) bool {
	if HasHangul(a) && HasHangul(b) {
		return Dueum(a) == Dueum(b)
	}
	return true
}

// mrVowels writes the McCune–Reischauer vowels with a breve as Revised
// Romanization does (Yŏng-hŭi → Yeong-hui): folding would make ŏ an o and
// 영 (Yŏng) the same as 용 (Yong). Precomposed and combining forms.
var mrVowels = strings.NewReplacer("ŭi", "ui", "ŏ", "eo", "Ŏ", "EO", "ŭ", "eu", "Ŭ", "EU",
	"u\u0306i", "ui", "o\u0306", "eo", "O\u0306", "EO", "u\u0306", "eu", "U\u0306", "EU")

// AnalyzeName returns the NameInfo of a full name.
func AnalyzeName(s string) NameInfo {
	n, alt, hasAlt := parseName(s)
	var in NameInfo
	in.Surname, in.Given = n.Surname, strings.ReplaceAll(n.Given, " ", "")
	in.SurnameKey, in.GivenKey = surnameKey(n.Surname), givenKey(n.Given)
	in.Key = joinKey(in.SurnameKey, in.GivenKey)
	in.SoundKey = soundKey(in.SurnameKey, in.GivenKey)
	in.FirstKey, in.LastKey = syllableKeys(in.SurnameKey, in.GivenKey)
	if hasAlt {
		in.AltSurnameKey, in.AltGivenKey = surnameKey(alt.Surname), givenKey(alt.Given)
		in.AltKey = joinKey(in.AltSurnameKey, in.AltGivenKey)
		in.AltSoundKey = soundKey(in.AltSurnameKey, in.AltGivenKey)
		in.AltFirstKey, in.AltLastKey = syllableKeys(in.AltSurnameKey, in.AltGivenKey)
		in.AltSurname, in.AltGiven = alt.Surname, strings.ReplaceAll(alt.Given, " ", "")
	}
	in.Norm = normalizeParsed(n)
	return in
}
