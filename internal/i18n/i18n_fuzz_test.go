package i18n

import (
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// FuzzFromRequest feeds arbitrary Accept-Language headers (and language
// codes) to the language choice, translation and collation: no panic, and
// the choice is always a supported language.
func FuzzFromRequest(f *testing.F) {
	c, err := Load()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"", "ko", "ko-KR,ko;q=0.9,en;q=0.8", "en-US", "fr-CH, fr;q=0.9, en;q=0.8, de;q=0.7, *;q=0.5",
		"*", "ko;q=0", "en;q=abc", "x-klingon", ";;;,,,", "zh-Hant-TW;q=1.0000", strings.Repeat("a-", 200), "ko-KP", "i-default"} {
		f.Add(s, "nav.persons")
	}
	keys := c.Keys("en")
	f.Fuzz(func(t *testing.T, header, key string) {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Language", header)
		lang := c.FromRequest(r)
		if !Supported(lang) {
			t.Fatalf("Accept-Language %q gives %q, not a supported language", header, lang)
		}
		// Header values arrive one per line; a repeated header too.
		r.Header.Add("Accept-Language", key)
		if l := c.FromRequest(r); !Supported(l) {
			t.Fatalf("Accept-Language %q, %q gives %q", header, key, l)
		}
		// Whatever the language asked for, a known key translates to
		// something other than the key itself.
		if len(keys) > 0 {
			k := keys[len(header)%len(keys)]
			if got := c.T(lang, k); got == "" {
				t.Fatalf("T(%q, %q) is empty", lang, k)
			}
		}
		_ = c.T(header, key) // unknown languages and keys fall back without a panic
		s := []string{header, key, "Kim", "김"}
		SortFunc(lang, s, func(x string) string { return x })
		if !slices.Contains(s, header) || !slices.Contains(s, key) || len(s) != 4 {
			t.Fatalf("sorting lost an element: %q", s)
		}
	})
}
