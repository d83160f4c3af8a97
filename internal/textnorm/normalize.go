// Package textnorm normalizes names and short texts for record linkage and
// search: Unicode normalization, case and diacritic folding, Hangul
// decomposition and romanization (Revised Romanization with its sound
// changes, McCune–Reischauer, and North Korean practice), Korean surname
// variant classes, phonetic name keys, rune-aware string comparators
// (Jaro–Winkler, edit distance) and vocabulary keys for provinces and
// detention facilities.
//
// Everything here is pure and safe for concurrent use; the embedded tables
// (surnames, facilities) are parsed once on first use.
package textnorm

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Fold returns s in NFKC, lower-cased, without diacritics (ŏ→o, ŭ→u, é→e),
// with apostrophes, hyphens and dots inside words removed (Ch'oe→choe,
// Young-hee→younghee), every other non-letter non-digit run turned into a
// single space, and no leading or trailing space. Hangul is kept as
// precomposed syllables.
func Fold(s string) string {
	if isPlainLower(s) {
		return s
	}
	if IsASCII(s) {
		return foldASCII(s)
	}
	return foldUnicode(s)
}

func foldUnicode(s string) string {
	s = norm.NFKC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			// combining mark: a diacritic, or a Hangul jamo tail that NFC recomposes below
			if isJamo(r) {
				b.WriteRune(r)
			}
			continue
		case isJoiner(r):
			continue
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = false
			b.WriteRune(foldSpecial(unicode.ToLower(r)))
		default:
			space = true
		}
	}
	// NFD split Hangul syllables into jamo; put them back together.
	return norm.NFC.String(b.String())
}

// foldASCII is Fold for ASCII input, without Unicode tables.
func foldASCII(s string) string {
	b := make([]byte, 0, len(s))
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z':
			c += 'a' - 'A'
			fallthrough
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			if space && len(b) > 0 {
				b = append(b, ' ')
			}
			space = false
			b = append(b, c)
		case c == '\'', c == '-', c == '.', c == '`':
			// joiners: removed without a space
		default:
			space = true
		}
	}
	return string(b)
}

// isPlainLower reports whether s is already folded: ASCII lower-case letters
// and digits separated by single spaces.
func isPlainLower(s string) bool {
	if s == "" {
		return true
	}
	if s[0] == ' ' || s[len(s)-1] == ' ' {
		return false
	}
	prevSpace := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
			prevSpace = false
		case c == ' ':
			if prevSpace {
				return false
			}
			prevSpace = true
		default:
			return false
		}
	}
	return true
}

func isJamo(r rune) bool { return r >= 0x1100 && r <= 0x11FF }

// isJoiner reports runes removed without leaving a space: apostrophes (MR
// aspiration marks), hyphens and dots inside names, zero-width characters.
func isJoiner(r rune) bool {
	switch r {
	case '\'', '’', '‘', 'ʼ', '`', '´', '-', '‐', '‑', '.', '·', '\u200b', '\u200c', '\u200d', '\ufeff':
		return true
	}
	return false
}

// foldSpecial maps letters that NFD does not decompose.
func foldSpecial(r rune) rune {
	switch r {
	case 'ø', 'Ø':
		return 'o'
	case 'ł', 'Ł':
		return 'l'
	case 'đ', 'Đ':
		return 'd'
	case 'ı':
		return 'i'
	case 'ß':
		return 's'
	}
	return r
}

// Tokens splits a folded string on spaces.
func Tokens(s string) []string { return strings.Fields(Fold(s)) }

// HasHangul reports whether s contains a Hangul syllable or jamo.
func HasHangul(s string) bool {
	for _, r := range s {
		if isHangulSyllable(r) || (r >= 0x1100 && r <= 0x11FF) || (r >= 0x3130 && r <= 0x318F) {
			return true
		}
	}
	return false
}

// IsASCII reports whether s has only ASCII bytes.
func IsASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
