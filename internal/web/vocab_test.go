package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall/internal/ingest"
)

// TestVocabularyAPIEqualsImport: the API accepts exactly the vocabulary
// values an import accepts (codes, and English or Korean labels), stores
// the same code, and refuses the rest with the same message naming the
// allowed values (issue 12, finding 6: "the API accepts any source kind or
// consent string that import rejects"). Each case goes through both paths.
func TestVocabularyAPIEqualsImport(t *testing.T) { eachFixture(t, testVocabularyAPIEqualsImport) }

func testVocabularyAPIEqualsImport(t *testing.T, f *fixture) {
	ed := f.login("editor")
	dir := t.TempDir()
	type tc struct {
		entity, field, value string
		ok                   bool
		code                 string // stored code when ok
	}
	cases := []tc{
		{"sources", "kind", "testimony", true, "testimony"},
		{"sources", "kind", "NGO report", true, "ngo_report"},
		{"sources", "kind", "증언", true, "testimony"},
		{"sources", "kind", "rumour", false, ""},
		{"sources", "informant_consent", "research", true, "research"},
		{"sources", "informant_consent", "publish", true, "publication"},
		{"sources", "informant_consent", "anything goes", false, ""},
		{"records", "sex", "여", true, "f"},
		{"records", "sex", "female", true, "f"},
		{"records", "sex", "alien", false, ""},
		{"records", "charge_category", "political", true, "political"},
		{"records", "charge_category", "jaywalking", false, ""},
		{"records", "fate", "died", true, "died"},
		{"records", "fate", "vanished into thin air", false, ""},
		{"facilities", "type", "kwanliso", true, "kwanliso"},
		{"facilities", "type", "hotel", false, ""},
		{"events", "type", "arrest", true, "arrest"},
		{"events", "type", "picnic", false, ""},
		{"events", "charge_category", "religious", true, "religious"},
	}
	for i, c := range cases {
		t.Run(fmt.Sprintf("%s.%s=%s", c.entity, c.field, c.value), func(t *testing.T) {
			key := fmt.Sprintf("voc-%d", i)
			body, header, row := vocabBodies(c.entity, c.field, c.value, key, f.ids["source"])
			// The API.
			res, b := ed.do("POST", "/api/v1/"+c.entity, body)
			var apiMsg string
			switch {
			case c.ok && res.StatusCode != http.StatusCreated:
				t.Fatalf("API refused: %d %s", res.StatusCode, b)
			case !c.ok && res.StatusCode != http.StatusBadRequest:
				t.Fatalf("API: %d %s, want 400", res.StatusCode, b)
			case !c.ok:
				var e apiError
				json.Unmarshal(b, &e)
				apiMsg = e.Error.Message
			default:
				var got map[string]any
				json.Unmarshal(b, &got)
				stored := fmt.Sprint(got[c.field])
				if c.field == "informant_consent" {
					stored = fmt.Sprint(got["informant"].(map[string]any)["consent"])
					c.code = "[" + c.code + "]"
				}
				if stored != c.code {
					t.Errorf("API stored %s = %q, want %q", c.field, stored, c.code)
				}
			}
			// Import, of the same value.
			p := filepath.Join(dir, c.entity+key+".csv")
			os.WriteFile(p, []byte(header+"\n"+strings.ReplaceAll(row, "KEY", key+"-csv")+"\n"), 0o600)
			kind, _ := ingest.ParseKind(c.entity)
			_, err := ingest.Validate(sysCtx(), f.st, []string{p}, ingest.Options{Kind: kind})
			if c.ok {
				if err != nil {
					t.Fatalf("import refused what the API took: %v", err)
				}
				return
			}
			es, ok := ingest.AsErrors(err)
			if !ok || len(es) != 1 {
				t.Fatalf("import: %v, want one error", err)
			}
			if es[0].Reason != apiMsg {
				t.Errorf("messages differ:\n  API    %q\n  import %q", apiMsg, es[0].Reason)
			}
			if !strings.Contains(apiMsg, "one of") && !strings.Contains(apiMsg, "research, publication") && !strings.Contains(apiMsg, "m, f, male") {
				t.Errorf("message %q does not name the allowed values", apiMsg)
			}
		})
	}
}

// TestVocabularyForms: the forms check vocabulary values with the same
// function: a source posted with an unknown kind is not created.
func TestVocabularyForms(t *testing.T) {
	f := newFixture(t)
	ed := f.login("editor")
	res, b := ed.do("POST", "/sources", "form:"+url.Values{"_csrf": {ed.csrf}, "key": {"form-1"}, "kind": {"rumour"}, "title": {"t"}}.Encode())
	if res.StatusCode == http.StatusSeeOther || !strings.Contains(string(b), "is not a source_kind (one of:") {
		t.Fatalf("form with an unknown kind: %d", res.StatusCode)
	}
	if _, err := f.st.SourceByKey(sysCtx(), "form-1"); err == nil {
		t.Fatal("the source was created")
	}
	res, _ = ed.do("POST", "/sources", "form:"+url.Values{"_csrf": {ed.csrf}, "key": {"form-2"}, "kind": {"증언"}, "title": {"t"}}.Encode())
	if s, err := f.st.SourceByKey(sysCtx(), "form-2"); err != nil || s.Kind != "testimony" {
		t.Fatalf("form with a Korean label: %d, %+v %v", res.StatusCode, s, err)
	}
}

// vocabBodies returns an API body and a CSV header and row (with KEY for
// the key) of entity with field set to value.
func vocabBodies(entity, field, value, key string, sourceID int64) (map[string]any, string, string) {
	q := func(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
	switch entity {
	case "sources":
		body := map[string]any{"key": key, "kind": "testimony", "title": "t"}
		if field == "informant_consent" {
			body["informant"] = map[string]any{"name": "N", "consent": []string{value}}
			return body, "key,kind,title,informant_name,informant_consent", "KEY,testimony,t,N," + q(value)
		}
		body[field] = value
		return body, "key,kind,title", "KEY," + q(value) + ",t"
	case "records":
		return map[string]any{"source_id": sourceID, "key": key, "name": "n", field: value},
			"source,key,name," + field, "t-1,KEY,n," + q(value)
	case "facilities":
		return map[string]any{"key": key, "name_en": "n", "type": value}, "key,name_en,type", "KEY,n," + q(value)
	}
	body := map[string]any{"key": key, "type": "arrest", field: value}
	if field == "type" {
		return body, "key,type", "KEY," + q(value)
	}
	return body, "key,type," + field, "KEY,arrest," + q(value)
}
