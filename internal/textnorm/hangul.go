package textnorm

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// System is a romanization system for Korean.
type System uint8

const (
	// RR is the Revised Romanization of Korean (South Korea, 2000), with
	// its sound-change rules between syllables (백마 → baengma).
	RR System = iota
	// MR is McCune–Reischauer with breves and apostrophes (Pak Chŏng-hŭi).
	MR
	// NK is North Korean practice in English-language media: MR without
	// diacritics, ㅈ as j, given-name syllables apart and initial ㄹ kept as
	// R (Ri Sol Ju, Choe Ryong Hae).
	NK
)

const (
	hangulBase = 0xAC00
	hangulLast = 0xD7A3
)

func isHangulSyllable(r rune) bool { return r >= hangulBase && r <= hangulLast }

// Jamo indexes of a Hangul syllable: initial (0–18), medial (0–20) and final
// (0–27, 0 meaning none).
type Jamo struct{ L, V, T int }

// Decompose splits a precomposed Hangul syllable into its jamo indexes; ok
// is false for any other rune.
func Decompose(r rune) (j Jamo, ok bool) {
	if !isHangulSyllable(r) {
		return Jamo{}, false
	}
	i := int(r - hangulBase)
	return Jamo{L: i / 588, V: (i % 588) / 28, T: i % 28}, true
}

// Compose is the inverse of Decompose.
func Compose(j Jamo) rune { return rune(hangulBase + j.L*588 + j.V*28 + j.T) }

// initial indexes used by the rules
const (
	lG, lGG, lN, lD, lDD, lR, lM, lB, lBB, lS, lSS, lO, lJ, lJJ, lCh, lK, lT, lP, lH = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18
)

// medial indexes used by the rules
const (
	vYA, vYAE, vYEO, vYE, vYO, vWI, vYU, vI = 2, 3, 6, 7, 12, 16, 17, 20
)

var rrInitial = [19]string{"g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h"}
var mrInitial = [19]string{"k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "", "ch", "tch", "ch'", "k'", "t'", "p'", "h"}
var mrVoiced = [19]string{"g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "tch", "ch'", "k'", "t'", "p'", "h"}

var rrMedial = [21]string{"a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu", "eu", "ui", "i"}
var mrMedial = [21]string{"a", "ae", "ya", "yae", "ŏ", "e", "yŏ", "ye", "o", "wa", "wae", "oe", "yo", "u", "wŏ", "we", "wi", "yu", "ŭ", "ŭi", "i"}

// coda classes: how a final sounds before a consonant or at the end.
const (
	cNone = iota
	cK
	cN
	cT
	cL
	cM
	cP
	cNG
)

var codaClass = [28]int{cNone, cK, cK, cK, cN, cN, cN, cT, cL, cK, cM, cL, cL, cL, cP, cL, cM, cP, cP, cT, cT, cNG, cT, cT, cK, cT, cP, cT}
var codaSound = [8]string{"", "k", "n", "t", "l", "m", "p", "ng"}

// liaison gives, for a final followed by ㅇ, what stays as coda and what
// becomes the next onset (in RR letters).
var liaison = [28][2]string{
	{"", ""}, {"", "g"}, {"", "kk"}, {"k", "s"}, {"", "n"}, {"n", "j"}, {"", "n"}, {"", "d"},
	{"", "r"}, {"l", "g"}, {"l", "m"}, {"l", "b"}, {"l", "s"}, {"l", "t"}, {"l", "p"}, {"", "r"},
	{"", "m"}, {"", "b"}, {"p", "s"}, {"", "s"}, {"", "ss"}, {"ng", ""}, {"", "j"}, {"", "ch"},
	{"", "k"}, {"", "t"}, {"", "p"}, {"", ""},
}

// finals ending in ㅎ aspirate a following ㄱ, ㄷ, ㅈ.
func hasH(t int) bool { return t == 27 || t == 6 || t == 15 }

// Romanize romanizes every run of Hangul syllables in s with system sys,
// applying sound changes between the syllables of a word (RR and MR) and
// leaving other text as it is. It does not capitalize.
func Romanize(s string, sys System) string {
	var b strings.Builder
	var word []Jamo
	flush := func() {
		if len(word) > 0 {
			b.WriteString(romanizeWord(word, sys, true, false))
			word = word[:0]
		}
	}
	for _, r := range s {
		if j, ok := Decompose(r); ok {
			word = append(word, j)
			continue
		}
		flush()
		b.WriteRune(r)
	}
	flush()
	return b.String()
}

// romanizeWord romanizes one word. soundChange applies assimilation between
// syllables (RR and MR for ordinary words; not for given names, which RR
// writes syllable by syllable). name marks a given name: NK and MR then
// separate syllables (space / hyphen).
func romanizeWord(w []Jamo, sys System, soundChange, name bool) string {
	var b strings.Builder
	for i, j := range w {
		onset := ""
		if i == 0 {
			onset = initialOf(j, sys, false)
		} else {
			prev := w[i-1]
			var coda string
			coda, onset = join(prev, j, sys, soundChange)
			b.WriteString(coda)
			if name {
				switch sys {
				case MR:
					b.WriteByte('-')
				case NK:
					b.WriteByte(' ')
				}
			}
		}
		b.WriteString(onset)
		if sys == RR {
			b.WriteString(rrMedial[j.V])
		} else {
			m := mrMedial[j.V]
			if sys == NK {
				m = stripBreves(m)
			}
			// MR writes ㅅ before ㅣ/ㅟ as sh.
			if (j.V == vI || j.V == vWI) && j.L == lS && strings.HasSuffix(onset, "s") && sys != NK {
				b.WriteString("h")
			}
			b.WriteString(m)
		}
		if i == len(w)-1 && j.T != 0 {
			b.WriteString(codaSound[codaClass[j.T]])
		}
	}
	return b.String()
}

var breves = strings.NewReplacer("ŏ", "o", "ŭ", "u")

func stripBreves(s string) string { return breves.Replace(s) }

// initialOf is the onset of a syllable with no sound change from before:
// word-initial, or voiced (between voiced sounds) for MR/NK.
func initialOf(j Jamo, sys System, voiced bool) string {
	switch sys {
	case RR:
		return rrInitial[j.L]
	case NK:
		s := mrInitial[j.L]
		if voiced {
			s = mrVoiced[j.L]
		}
		switch j.L {
		case lJ:
			s = "j"
		case lCh:
			s = "ch"
		case lK:
			s = "kh"
		case lT:
			s = "th"
		case lP:
			s = "ph"
		}
		return s
	default:
		if voiced {
			return mrVoiced[j.L]
		}
		return mrInitial[j.L]
	}
}

// join returns the coda of prev and the onset of next, with the sound
// changes of RR (and the same assimilations for MR/NK) when soundChange.
func join(prev, next Jamo, sys System, soundChange bool) (coda, onset string) {
	t := prev.T
	cls := codaClass[t]
	// Voicing (MR/NK): a plain stop after a vowel or a voiced final.
	voiced := cls == cNone || cls == cN || cls == cL || cls == cM || cls == cNG
	plain := func() (string, string) {
		on := initialOf(next, sys, voiced)
		if next.L == lR {
			switch {
			case cls == cNone:
				on = "r"
			case cls == cL:
				on = "l"
			}
		}
		return codaSound[cls], on
	}
	if !soundChange {
		// names: each syllable as written, no liaison or assimilation
		return plain()
	}
	mr := sys != RR
	conv := func(rrOnset string) string {
		if !mr {
			return rrOnset
		}
		return rrToMR(rrOnset, sys)
	}
	switch {
	case t == 0:
		return plain()
	case next.L == lO:
		c, o := liaison[t][0], liaison[t][1]
		if next.V == vI || next.V == vYA || next.V == vYEO || next.V == vYO || next.V == vYU || next.V == vYE || next.V == vYAE {
			// palatalization: 굳이 → guji, 같이 → gachi
			if next.V == vI {
				switch t {
				case 7:
					o = "j"
				case 25:
					o = "ch"
				}
			}
		}
		return c, conv(o)
	case hasH(t) && (next.L == lG || next.L == lD || next.L == lJ):
		c := ""
		if t == 6 {
			c = "n"
		} else if t == 15 {
			c = "l"
		}
		o := map[int]string{lG: "k", lD: "t", lJ: "ch"}[next.L]
		return c, conv(o)
	case next.L == lN || next.L == lM:
		switch cls {
		case cK:
			return "ng", initialOf(next, sys, true)
		case cT:
			return "n", initialOf(next, sys, true)
		case cP:
			return "m", initialOf(next, sys, true)
		case cL:
			if next.L == lN {
				return "l", "l"
			}
		}
		return plain()
	case next.L == lR:
		switch cls {
		case cN, cL:
			return "l", "l"
		case cK:
			return "ng", "n"
		case cP, cM:
			return "m", "n"
		case cNG:
			return "ng", "n"
		case cT:
			return "n", "n"
		}
	}
	return plain()
}

// rrToMR maps an RR onset produced by a sound-change rule to MR/NK letters.
func rrToMR(o string, sys System) string {
	switch o {
	case "g":
		return "g"
	case "d":
		return "d"
	case "b":
		return "b"
	case "j":
		return "j"
	case "ch":
		if sys == NK {
			return "ch"
		}
		return "ch'"
	case "k":
		if sys == NK {
			return "kh"
		}
		return "k'"
	case "t":
		if sys == NK {
			return "th"
		}
		return "t'"
	case "p":
		if sys == NK {
			return "ph"
		}
		return "p'"
	}
	return o
}

// RomanizeName romanizes a Korean personal name written in Hangul (surname
// first, e.g. 박정희) the way each system writes names: RR "Bak Jeonghui", MR
// "Pak Chŏng-hŭi", NK "Pak Jong Hui". Syllables of the given name are not
// assimilated. Non-Hangul input is returned folded.
func RomanizeName(s string, sys System) string {
	n := ParseName(s)
	if n.Surname == "" && n.Given == "" {
		return ""
	}
	if !HasHangul(s) {
		return strings.TrimSpace(n.Surname + " " + n.Given)
	}
	var parts []string
	if n.Surname != "" {
		parts = append(parts, capitalize(romanizeHangulPart(n.Surname, sys, false, true)))
	}
	if n.Given != "" {
		g := romanizeHangulPart(n.Given, sys, true, false)
		if sys == NK {
			fs := strings.Fields(g)
			for i := range fs {
				fs[i] = capitalize(fs[i])
			}
			g = strings.Join(fs, " ")
		} else {
			g = capitalize(g)
		}
		parts = append(parts, g)
	}
	return strings.Join(parts, " ")
}

// romanizeHangulPart romanizes the Hangul words of one name part.
func romanizeHangulPart(s string, sys System, given, surname bool) string {
	var out []string
	for _, f := range strings.Fields(s) {
		var w []Jamo
		var other strings.Builder
		for _, r := range f {
			if j, ok := Decompose(r); ok {
				w = append(w, j)
			} else {
				other.WriteRune(r)
			}
		}
		if len(w) == 0 {
			out = append(out, other.String())
			continue
		}
		out = append(out, romanizeWord(w, sys, false, given))
	}
	return strings.Join(out, " ")
}

func capitalize(s string) string {
	for i, r := range s {
		return string(unicode.ToUpper(r)) + s[i+len(string(r)):]
	}
	return s
}

// Dueum applies the South Korean initial sound law to the first syllable
// of a Hangul word: ㄹ becomes ㅇ before i/y vowels and ㄴ otherwise, and ㄴ
// becomes ㅇ before i/y vowels (리 → 이, 류 → 유, 로 → 노, 녀 → 여). North
// Korea does not apply it, so the two spellings of one name meet here.
func Dueum(s string) string {
	r, size := utf8.DecodeRuneInString(s)
	j, ok := Decompose(r)
	if !ok {
		return s
	}
	iy := j.V == vI || j.V == vYA || j.V == vYAE || j.V == vYEO || j.V == vYE || j.V == vYO || j.V == vYU
	switch {
	case j.L == lR && iy, j.L == lN && iy:
		j.L = lO
	case j.L == lR:
		j.L = lN
	default:
		return s
	}
	return string(Compose(j)) + s[size:]
}
