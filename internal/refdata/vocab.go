package refdata

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/store"
)

// Vocabulary checks values of the controlled vocabularies: the built-in
// terms and those added in the database. It is the one check for every way
// in (import, the API, the forms), so all accept the same values, written
// as the code or its English or Korean label, and refuse the rest with the
// same message naming the allowed codes.
type Vocabulary struct {
	codes map[string]map[string]string // scheme → folded code or label → code
	list  map[string][]string          // scheme → its codes, sorted
}

// LoadVocabulary reads the built-in terms and the database's.
func LoadVocabulary(ctx context.Context, st *store.Store) (*Vocabulary, error) {
	builtin, err := Terms()
	if err != nil {
		return nil, err
	}
	db, err := st.Terms(ctx, "")
	if err != nil {
		return nil, fmt.Errorf("read vocabularies: %w", err)
	}
	return NewVocabulary(append(builtin, db...)), nil
}

// NewVocabulary indexes terms. A label shared by two codes names the first.
func NewVocabulary(terms []rollcall.Term) *Vocabulary {
	v := &Vocabulary{codes: map[string]map[string]string{}, list: map[string][]string{}}
	for _, t := range terms {
		m := v.codes[t.Scheme]
		if m == nil {
			m = map[string]string{}
			v.codes[t.Scheme] = m
		}
		m[fold(t.Code)] = t.Code
		for _, l := range []string{t.LabelEn, t.LabelKo} {
			if n := fold(l); n != "" {
				if _, taken := m[n]; !taken {
					m[n] = t.Code
				}
			}
		}
		if !slices.Contains(v.list[t.Scheme], t.Code) {
			v.list[t.Scheme] = append(v.list[t.Scheme], t.Code)
		}
	}
	for _, l := range v.list {
		slices.Sort(l)
	}
	return v
}

// fold compares codes and labels: lower case, without spaces, underscores,
// hyphens, dots and brackets ("Political prison camp" = "political_prison_camp").
func fold(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(s)) {
		if unicode.IsSpace(r) || strings.ContainsRune("_-./()[]:#*", r) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Code returns the code that value (a code or a label) names in scheme;
// "" for "". An unknown value is an EINVALID error naming the codes.
func (v *Vocabulary) Code(scheme, value string) (string, error) {
	if strings.TrimSpace(value) == "" {
		return "", nil
	}
	if code, ok := v.codes[scheme][fold(value)]; ok {
		return code, nil
	}
	return "", &rollcall.Error{Code: rollcall.EINVALID,
		Message: fmt.Sprintf("%q is not a %s (one of: %s)", truncate(value, 30), scheme, strings.Join(v.list[scheme], ", "))}
}

// ConsentUses are the uses an informant can consent to.
var ConsentUses = []string{"research", "publication", "un", "legal"}

// consentWords are those uses as people write them.
var consentWords = map[string]string{
	"research": "research", "연구": "research",
	"publication": "publication", "publish": "publication", "공개": "publication", "출판": "publication",
	"un": "un", "유엔": "un", "united nations": "un",
	"legal": "legal", "court": "legal", "법적": "legal", "소송": "legal",
}

// ConsentUse returns the use word names, or an EINVALID error naming the
// uses.
func ConsentUse(word string) (string, error) {
	w := strings.ToLower(strings.TrimSpace(word))
	if use, ok := consentWords[w]; ok {
		return use, nil
	}
	return "", &rollcall.Error{Code: rollcall.EINVALID,
		Message: fmt.Sprintf("%q is not a use an informant consents to (%s)", truncate(w, 30), strings.Join(ConsentUses, ", "))}
}

// Check checks and normalises, in place, the vocabulary fields of an
// entity the API or a form is about to write: a source's kind and its
// informant's consent, a record's charge category and fate, a facility's
// type, an event's type, charge category and victims' roles. Other types
// pass unchanged. The error names the field.
func (v *Vocabulary) Check(x any) error {
	type field struct {
		name, scheme string
		val          *string
	}
	var fs []field
	switch e := x.(type) {
	case *rollcall.Source:
		fs = []field{{"kind", rollcall.VocabSourceKind, &e.Kind}}
		if e.Informant != nil {
			var uses []string
			for _, w := range e.Informant.Consent {
				use, err := ConsentUse(w)
				if err != nil {
					return withField(err, "informant.consent")
				}
				if !slices.Contains(uses, use) {
					uses = append(uses, use)
				}
			}
			e.Informant.Consent = uses
		}
	case *rollcall.Record:
		fs = []field{{"charge_category", rollcall.VocabChargeCat, &e.ChargeCat}, {"fate", rollcall.VocabFate, &e.Fate}}
	case *rollcall.Facility:
		fs = []field{{"type", rollcall.VocabFacilityType, &e.Type}}
	case *rollcall.Event:
		fs = []field{{"type", rollcall.VocabEventType, &e.Type}, {"charge_category", rollcall.VocabChargeCat, &e.ChargeCat}}
		for i := range e.Victims {
			fs = append(fs, field{"victims", rollcall.VocabVictimRole, &e.Victims[i].Role})
		}
	}
	for _, f := range fs {
		code, err := v.Code(f.scheme, *f.val)
		if err != nil {
			return withField(err, f.name)
		}
		*f.val = code
	}
	return nil
}

func withField(err error, field string) error {
	if e, ok := err.(*rollcall.Error); ok {
		e.Field = field
	}
	return err
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}
