package refdata

import (
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall"
)

func TestVocabularyCheck(t *testing.T) {
	terms, err := Terms()
	if err != nil {
		t.Fatal(err)
	}
	v := rollcall.NewVocabulary(append(terms, rollcall.Term{Scheme: rollcall.VocabSourceKind, Code: "radio_intercept", LabelEn: "Radio intercept"}))
	for _, tc := range []struct {
		x     any
		field string // "" when it passes
		check func(any) bool
	}{
		{&rollcall.Source{Kind: "Testimony"}, "", func(x any) bool { return x.(*rollcall.Source).Kind == "testimony" }},
		{&rollcall.Source{Kind: "radio intercept"}, "", func(x any) bool { return x.(*rollcall.Source).Kind == "radio_intercept" }},
		{&rollcall.Source{Kind: "rumour"}, "kind", nil},
		{&rollcall.Source{Kind: "list", Informant: &rollcall.Informant{Consent: []string{"연구", "research", "UN"}}}, "",
			func(x any) bool { return strings.Join(x.(*rollcall.Source).Informant.Consent, ",") == "research,un" }},
		{&rollcall.Source{Kind: "list", Informant: &rollcall.Informant{Consent: []string{"sell it"}}}, "informant.consent", nil},
		{&rollcall.Record{Fate: "구금 중 사망", ChargeCat: ""}, "", func(x any) bool { return x.(*rollcall.Record).Fate == "died" }},
		{&rollcall.Record{Fate: "gone"}, "fate", nil},
		{&rollcall.Event{Type: "arrest", Victims: []rollcall.Victim{{Role: "boss"}}}, "victims", nil},
		{&rollcall.Facility{Type: "관리소"}, "", func(x any) bool { return x.(*rollcall.Facility).Type == "kwanliso" }},
		{&rollcall.Person{Name: "not checked"}, "", func(any) bool { return true }},
	} {
		err := CheckVocabulary(v, tc.x)
		if tc.field == "" {
			if err != nil || !tc.check(tc.x) {
				t.Errorf("%+v: %v", tc.x, err)
			}
			continue
		}
		e, ok := err.(*rollcall.Error)
		if !ok || e.Code != rollcall.EINVALID || e.Field != tc.field || !(strings.Contains(e.Message, "one of:") || strings.Contains(e.Message, "research, publication, un, legal")) {
			t.Errorf("%+v: %v, want an invalid %s naming the allowed values", tc.x, err, tc.field)
		}
	}
}
