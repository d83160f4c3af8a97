package i18n

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

func TestCatalogsHaveTheSameKeys(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	en, ko := c.Keys("en"), c.Keys("ko")
	if len(en) < 50 {
		t.Fatalf("only %d English messages", len(en))
	}
	if !slices.Equal(en, ko) {
		for _, k := range en {
			if !slices.Contains(ko, k) {
				t.Errorf("ko lacks %q", k)
			}
		}
		for _, k := range ko {
			if !slices.Contains(en, k) {
				t.Errorf("en lacks %q", k)
			}
		}
	}
	for _, k := range en {
		if c.T("ko", k) == "" || c.T("en", k) == "" {
			t.Errorf("empty message %q", k)
		}
	}
}

func TestT(t *testing.T) {
	c, _ := Load()
	if c.T("ko", "nav.search") != "검색" || c.T("en", "nav.search") != "Search" {
		t.Error("translations")
	}
	if c.T("xx", "nav.search") != "Search" || c.T("en", "no.such.key") != "no.such.key" {
		t.Error("fallbacks")
	}
}

func TestFromRequest(t *testing.T) {
	c, _ := Load()
	for h, want := range map[string]string{"": "en", "ko-KR,ko;q=0.9,en;q=0.8": "ko", "en-US": "en", "fr-FR": "en", "fr, ko;q=0.5": "ko"} {
		r, _ := http.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Language", h)
		if got := c.FromRequest(r); got != want {
			t.Errorf("Accept-Language %q → %q, want %q", h, got, want)
		}
	}
}

// TestKoreanCollation: hangul sorts in dictionary (가나다) order, which
// for precomposed syllables is also code point order, and Latin names sort
// case-insensitively.
func TestKoreanCollation(t *testing.T) {
	in := []string{"하정우", "김영희", "박철수", "이민호", "강동원", "Kim", "ahn"}
	SortFunc("ko", in, func(s string) string { return s })
	got := strings.Join(in, " ")
	want := "ahn Kim 강동원 김영희 박철수 이민호 하정우"
	if got != want {
		t.Errorf("sorted %q, want %q", got, want)
	}
}
