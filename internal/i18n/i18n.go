// Package i18n holds the web interface's message catalogs (English and
// Korean, as JSON files embedded in the binary: catalog/<lang>/*.json, one
// file per area of the interface, merged; a key defined twice is an error), picks a language from a
// request, and sorts strings in a language's collation order.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"slices"
	"strings"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"
)

//go:embed catalog/*/*.json
var catalogFS embed.FS

// Langs are the supported UI languages; the first is the default.
var Langs = []string{"en", "ko"}

var tags = []language.Tag{language.English, language.Korean}

// Catalogs maps a language to its messages.
type Catalogs struct {
	msgs    map[string]map[string]string
	matcher language.Matcher
}

// Load reads the embedded catalogs.
func Load() (*Catalogs, error) {
	c := &Catalogs{msgs: map[string]map[string]string{}, matcher: language.NewMatcher(tags)}
	for _, l := range Langs {
		files, err := fs.Glob(catalogFS, "catalog/"+l+"/*.json")
		if err != nil || len(files) == 0 {
			return nil, fmt.Errorf("catalog %s: no message files", l)
		}
		m := map[string]string{}
		for _, f := range files {
			if err := mergeFile(m, f); err != nil {
				return nil, err
			}
		}
		c.msgs[l] = m
	}
	return c, nil
}

// mergeFile adds the messages of one catalog file to m; a key that another
// file of the same language already defines is an error, so that two areas
// cannot silently overwrite each other's words.
func mergeFile(m map[string]string, name string) error {
	b, err := catalogFS.ReadFile(name)
	if err != nil {
		return fmt.Errorf("catalog %s: %w", name, err)
	}
	part := map[string]string{}
	if err := json.Unmarshal(b, &part); err != nil {
		return fmt.Errorf("catalog %s: %w", name, err)
	}
	for k, v := range part {
		if _, dup := m[k]; dup {
			return fmt.Errorf("catalog %s: key %q is defined twice", name, k)
		}
		m[k] = v
	}
	return nil
}

// Keys returns the message keys of lang, sorted.
func (c *Catalogs) Keys(lang string) []string {
	var ks []string
	for k := range c.msgs[lang] {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

// T translates key into lang, formatting args with fmt verbs in the message.
// A key missing in lang falls back to English, then to the key itself, so a
// gap shows up on the page rather than as an error.
func (c *Catalogs) T(lang, key string, args ...any) string {
	msg, ok := c.msgs[lang][key]
	if !ok {
		if msg, ok = c.msgs["en"][key]; !ok {
			msg = key
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

// Has reports whether lang (or English, its fallback) defines key.
func (c *Catalogs) Has(lang, key string) bool {
	if _, ok := c.msgs[lang][key]; ok {
		return true
	}
	_, ok := c.msgs["en"][key]
	return ok
}

// Supported reports whether lang is a UI language.
func Supported(lang string) bool { return slices.Contains(Langs, lang) }

// FromRequest picks the language from the Accept-Language header.
func (c *Catalogs) FromRequest(r *http.Request) string {
	tags, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	if len(tags) == 0 {
		return Langs[0]
	}
	_, i, conf := c.matcher.Match(tags...)
	if conf == language.No {
		return Langs[0]
	}
	return Langs[i]
}

// Collator returns a new collator for lang (collators are not safe for
// concurrent use, so each caller takes its own).
func Collator(lang string) *collate.Collator {
	tag := language.English
	if lang == "ko" {
		tag = language.Korean
	}
	return collate.New(tag, collate.IgnoreCase)
}

// SortFunc sorts s by key(s[i]) in lang's collation order.
func SortFunc[T any](lang string, s []T, key func(T) string) {
	col := Collator(lang)
	slices.SortStableFunc(s, func(a, b T) int {
		return col.CompareString(strings.TrimSpace(key(a)), strings.TrimSpace(key(b)))
	})
}
