package rollcall

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
)

// Vocabulary resolves what people write for a term of a controlled
// vocabulary — its code, or its English or Korean label, in any case, with
// or without spaces and punctuation — to the term's code. It is the one
// spelling rule for vocabulary values: the importer reads cells with it and
// amnesty rules read their literals with it. A Vocabulary is immutable.
type Vocabulary struct {
	spell map[string]map[string]string // scheme → FoldTerm(spelling) → code
	codes map[string][]string          // scheme → codes, sorted
}

// NewVocabulary indexes terms. A code always means itself; a label that
// two terms share means the first of them.
func NewVocabulary(terms []Term) *Vocabulary {
	v := &Vocabulary{spell: map[string]map[string]string{}, codes: map[string][]string{}}
	for _, t := range terms {
		v.add(t.Scheme, t.Code)
	}
	for _, t := range terms {
		m := v.spell[t.Scheme]
		for _, l := range []string{t.LabelEn, t.LabelKo} {
			if k := FoldTerm(l); k != "" {
				if _, taken := m[k]; !taken {
					m[k] = t.Code
				}
			}
		}
	}
	return v
}

func (v *Vocabulary) add(scheme, code string) {
	m := v.spell[scheme]
	if m == nil {
		m = map[string]string{}
		v.spell[scheme] = m
	}
	m[FoldTerm(code)] = code
	if i, found := slices.BinarySearch(v.codes[scheme], code); !found {
		v.codes[scheme] = slices.Insert(v.codes[scheme], i, code)
	}
}

// Code is the code s names in scheme; ok is false when s names none.
func (v *Vocabulary) Code(scheme, s string) (code string, ok bool) {
	if v == nil {
		return "", false
	}
	code, ok = v.spell[scheme][FoldTerm(s)]
	return code, ok
}

// Codes lists the codes of scheme, sorted: what an error message offers.
func (v *Vocabulary) Codes(scheme string) []string {
	if v == nil {
		return nil
	}
	return slices.Clone(v.codes[scheme])
}

// With returns a copy of v that also holds codes in scheme (values a data
// set uses outside the vocabulary, which then mean themselves).
func (v *Vocabulary) With(scheme string, codes ...string) *Vocabulary {
	out := &Vocabulary{spell: map[string]map[string]string{}, codes: map[string][]string{}}
	if v != nil {
		for s, m := range v.spell {
			out.spell[s] = make(map[string]string, len(m))
			for k, c := range m {
				out.spell[s][k] = c
			}
		}
		for s, cs := range v.codes {
			out.codes[s] = slices.Clone(cs)
		}
	}
	for _, c := range codes {
		if FoldTerm(c) == "" {
			continue
		}
		if _, known := out.spell[scheme][FoldTerm(c)]; !known {
			out.add(scheme, c)
		}
	}
	return out
}

// FoldTerm is a spelling without case, spaces or the punctuation people
// put in codes and labels ("_-./()[]:#*"), so "Crimes_against state" and
// "crimes against state" meet.
func FoldTerm(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		if unicode.IsSpace(r) || strings.ContainsRune("_-./()[]:#*", r) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// SexOf is the one rule for a sex as people write it, the same for import,
// the API, the forms and the store: "f", "m", or "" for unknown, from the
// codes, the English and Korean words, or the marks of an unknown value.
// Anything else is an EINVALID error for the field "sex".
func SexOf(s string) (string, error) {
	switch v := strings.ToLower(strings.TrimSpace(s)); v {
	case "", "unknown", "?", "u", "x", "미상", "모름", "불명":
		return "", nil
	case "m", "male", "man", "boy", "남", "남자", "남성":
		return "m", nil
	case "f", "female", "woman", "girl", "여", "여자", "여성":
		return "f", nil
	}
	r := []rune(s)
	if len(r) > 30 {
		s = string(r[:30]) + "…"
	}
	return "", &Error{Code: EINVALID, Field: "sex", Message: fmt.Sprintf("%q is not a sex (m, f, male, female, 남, 여 or empty)", s)}
}
