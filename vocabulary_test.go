package rollcall

import (
	"slices"
	"testing"
)

func TestVocabulary(t *testing.T) {
	v := NewVocabulary([]Term{
		{Scheme: VocabFacilityType, Code: "kyohwaso", LabelEn: "reeducation camp", LabelKo: "교화소"},
		{Scheme: VocabFacilityType, Code: "kwanliso", LabelEn: "political prison camp", LabelKo: "관리소"},
		{Scheme: VocabChargeCat, Code: "political", LabelEn: "political or anti-state", LabelKo: "정치범 (반국가)"},
		// A label that is another term's code does not take the code over.
		{Scheme: VocabChargeCat, Code: "other", LabelEn: "political"},
	})
	tests := []struct {
		scheme, in, want string
		ok               bool
	}{
		{VocabFacilityType, "Kyohwaso", "kyohwaso", true},
		{VocabFacilityType, "교화소", "kyohwaso", true},
		{VocabFacilityType, "Reeducation Camp", "kyohwaso", true},
		{VocabFacilityType, "political-prison camp", "kwanliso", true},
		{VocabFacilityType, "prison", "", false},
		{VocabChargeCat, "Political", "political", true},
		{VocabChargeCat, "정치범(반국가)", "political", true},
		{VocabChargeCat, "kyohwaso", "", false}, // another scheme's code
		{VocabChargeCat, "", "", false},
	}
	for _, tt := range tests {
		got, ok := v.Code(tt.scheme, tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Code(%s, %q) = %q %v, want %q %v", tt.scheme, tt.in, got, ok, tt.want, tt.ok)
		}
	}
	if got := v.Codes(VocabFacilityType); !slices.Equal(got, []string{"kwanliso", "kyohwaso"}) {
		t.Errorf("Codes = %v", got)
	}
	w := v.With(VocabChargeCat, "espionage", "Political")
	if c, ok := w.Code(VocabChargeCat, "espionage"); !ok || c != "espionage" {
		t.Errorf("With: espionage = %q %v", c, ok)
	}
	if !slices.Equal(w.Codes(VocabChargeCat), []string{"espionage", "other", "political"}) {
		t.Errorf("With: codes %v", w.Codes(VocabChargeCat))
	}
	if _, ok := v.Code(VocabChargeCat, "espionage"); ok {
		t.Error("With changed the original vocabulary")
	}
}
