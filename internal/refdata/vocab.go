package refdata

import (
	"fmt"
	"slices"
	"strings"

	"github.com/rollcall-project/rollcall"
)

// Lookup resolves what people write for a vocabulary term (its code, or
// its English or Korean label, in any case or punctuation) to the code,
// and lists a scheme's codes for messages: *rollcall.Vocabulary, as
// Vocabulary loads it.
type Lookup interface {
	Code(scheme, s string) (code string, ok bool)
	Codes(scheme string) []string
}

// CodeOf is the check of one vocabulary value, the same for import, the
// API and the forms: the code value names in scheme ("" for ""), or an
// EINVALID error naming the codes.
func CodeOf(voc Lookup, scheme, value string) (string, error) {
	if strings.TrimSpace(value) == "" {
		return "", nil
	}
	if code, ok := voc.Code(scheme, value); ok {
		return code, nil
	}
	return "", &rollcall.Error{Code: rollcall.EINVALID,
		Message: fmt.Sprintf("%q is not a %s (one of: %s)", truncate(value, 30), scheme, strings.Join(voc.Codes(scheme), ", "))}
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

// CheckVocabulary checks and normalises, in place, the vocabulary fields of
// an entity the API or a form is about to write, with CodeOf and
// ConsentUse, as import checks its cells: a source's kind and its
// informant's consent, a record's charge category and fate, a person's
// status (a fate), a facility's type, an event's type, charge category and
// victims' roles, a follow-up's kind; and a person's or a record's sex with
// rollcall.SexOf, import's rule (the store applies it too). Other types
// pass unchanged. The error names the field.
func CheckVocabulary(voc Lookup, x any) error {
	type field struct {
		name, scheme string
		val          *string
	}
	var fs []field
	var sex *string
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
		sex = &e.Sex
	case *rollcall.Person:
		fs = []field{{"status", rollcall.VocabFate, &e.Status}}
		sex = &e.Sex
	case *rollcall.FollowUp:
		fs = []field{{"kind", rollcall.VocabFollowUpKind, &e.Kind}}
	case *rollcall.Facility:
		fs = []field{{"type", rollcall.VocabFacilityType, &e.Type}}
	case *rollcall.Event:
		fs = []field{{"type", rollcall.VocabEventType, &e.Type}, {"charge_category", rollcall.VocabChargeCat, &e.ChargeCat}}
		for i := range e.Victims {
			fs = append(fs, field{"victims", rollcall.VocabVictimRole, &e.Victims[i].Role})
		}
	}
	if sex != nil {
		v, err := rollcall.SexOf(*sex)
		if err != nil {
			return err
		}
		*sex = v
	}
	for _, f := range fs {
		code, err := CodeOf(voc, f.scheme, *f.val)
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
