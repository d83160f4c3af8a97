package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/amnesty"
	"github.com/rollcall-project/rollcall/internal/refdata"
)

// TestAPIVocabularyEveryField (issue 12, finding 6: "the API accepts any
// source kind or consent string that import rejects"): every vocabulary
// field the API writes — source kind and informant consent, record sex,
// charge category and fate, person sex and status, facility type, event
// type, charge category and victim role, follow-up kind — takes a value as
// people write it (a Korean label) and stores its code, and refuses a value
// outside the vocabulary on create and on update with 400, the field's
// name and the message of the one rule import applies (refdata.CodeOf,
// refdata.ConsentUse, rollcall.SexOf), leaving the stored object as it was.
// A real server over a real database.
func TestAPIVocabularyEveryField(t *testing.T) { eachFixture(t, testAPIVocabularyEveryField) }

func testAPIVocabularyEveryField(t *testing.T, f *fixture) {
	ctx := sysCtx()
	voc, err := refdata.Vocabulary(ctx, f.st)
	if err != nil {
		t.Fatal(err)
	}
	// ruleSays is the message the rule gives for a value: import's.
	ruleSays := func(scheme, v string) string {
		var err error
		switch scheme {
		case "sex":
			_, err = rollcall.SexOf(v)
		case "consent":
			_, err = refdata.ConsentUse(v)
		default:
			_, err = refdata.CodeOf(voc, scheme, v)
		}
		if err == nil {
			t.Fatalf("the rule for %s takes %q", scheme, v)
		}
		return rollcall.ErrorMessage(err)
	}
	pid, sid := f.ids["person"], f.ids["source"]
	type tc struct {
		entity, field, scheme string // field as the error names it
		body                  func(key, v string) map[string]any
		stored                func(map[string]any) any
		good, code, bad       string
	}
	top := func(name string) func(map[string]any) any {
		return func(m map[string]any) any { return m[name] }
	}
	source := func(field string) func(key, v string) map[string]any {
		return func(key, v string) map[string]any {
			return map[string]any{"key": key, "kind": "testimony", "title": "t", field: v}
		}
	}
	record := func(field string) func(key, v string) map[string]any {
		return func(key, v string) map[string]any {
			return map[string]any{"source_id": sid, "key": key, "name": "n", field: v}
		}
	}
	person := func(field string) func(key, v string) map[string]any {
		return func(key, v string) map[string]any { return map[string]any{"name": "n " + key, field: v} }
	}
	event := func(field string) func(key, v string) map[string]any {
		return func(key, v string) map[string]any { return map[string]any{"key": key, "type": "arrest", field: v} }
	}
	cases := []tc{
		{"sources", "kind", rollcall.VocabSourceKind, source("kind"), top("kind"), "증언", "testimony", "rumour"},
		{"sources", "informant.consent", "consent",
			func(key, v string) map[string]any {
				return map[string]any{"key": key, "kind": "testimony", "title": "t",
					"informant": map[string]any{"name": "N", "consent": []string{v}}}
			},
			func(m map[string]any) any { return fmt.Sprint(m["informant"].(map[string]any)["consent"]) },
			"유엔", "[un]", "gossip columns"},
		{"records", "sex", "sex", record("sex"), top("sex"), "여", "f", "alien"},
		{"records", "charge_category", rollcall.VocabChargeCat, record("charge_category"), top("charge_category"), "political", "political", "jaywalking"},
		{"records", "fate", rollcall.VocabFate, record("fate"), top("fate"), "처형", "executed", "on holiday"},
		{"persons", "sex", "sex", person("sex"), top("sex"), "남", "m", "alien"},
		{"persons", "status", rollcall.VocabFate, person("status"), top("status"), "사면 석방", "amnesty_released", "on holiday"},
		{"facilities", "type", rollcall.VocabFacilityType,
			func(key, v string) map[string]any { return map[string]any{"key": key, "name_en": "n", "type": v} },
			top("type"), "관리소", "kwanliso", "hotel"},
		{"events", "type", rollcall.VocabEventType, event("type"), top("type"), "체포", "arrest", "picnic"},
		{"events", "charge_category", rollcall.VocabChargeCat, event("charge_category"), top("charge_category"), "political", "political", "jaywalking"},
		{"events", "victims", rollcall.VocabVictimRole,
			func(key, v string) map[string]any {
				return map[string]any{"key": key, "type": "arrest", "victims": []map[string]any{{"person_id": pid, "role": v}}}
			},
			func(m map[string]any) any { return m["victims"].([]any)[0].(map[string]any)["role"] },
			"목격자", "witness", "bystander-ish"},
		{"follow-ups", "kind", rollcall.VocabFollowUpKind,
			func(key, v string) map[string]any {
				return map[string]any{"person_id": pid, "date": "2016", "kind": v, "observation": "o " + key}
			},
			top("kind"), "재구금", "re_detention", "gossip"},
	}
	ed := f.login("editor")
	for i, c := range cases {
		t.Run(c.entity+"."+c.field, func(t *testing.T) {
			key := fmt.Sprintf("every-%d", i)
			// A label is stored as its code.
			res, b := ed.do("POST", "/api/v1/"+c.entity, c.body(key, c.good))
			if res.StatusCode != http.StatusCreated {
				t.Fatalf("%q refused: %d %s", c.good, res.StatusCode, b)
			}
			var got map[string]any
			json.Unmarshal(b, &got)
			if s := fmt.Sprint(c.stored(got)); s != c.code {
				t.Errorf("%q stored as %q, want %q", c.good, s, c.code)
			}
			want := ruleSays(c.scheme, c.bad)
			refused := func(method, path string, body map[string]any) {
				t.Helper()
				res, b := ed.do(method, path, body)
				var e apiError
				json.Unmarshal(b, &e)
				if res.StatusCode != http.StatusBadRequest || e.Error.Field != c.field || e.Error.Message != want {
					t.Errorf("%s %s with %q: %d %s\nwant 400 on %s: %q", method, path, c.bad, res.StatusCode, b, c.field, want)
				}
			}
			// Refused on create: nothing is made.
			refused("POST", "/api/v1/"+c.entity, c.body(key+"-bad", c.bad))
			// Refused on update: the object stays as it was.
			id := int64(got["id"].(float64))
			path := fmt.Sprintf("/api/v1/%s/%d", c.entity, id)
			upd := c.body(key, c.bad)
			upd["version"] = got["version"]
			refused("PUT", path, upd)
			_, b = ed.do("GET", path, nil)
			var after map[string]any
			json.Unmarshal(b, &after)
			if after["version"] != got["version"] || fmt.Sprint(c.stored(after)) != c.code {
				t.Errorf("a refused update changed the object: %s", b)
			}
		})
	}
	// The tracker's follow-up form and `rollcall amnesty followup` go
	// through amnesty.AddFollowUp: the same rule, the same words.
	_, err = amnesty.AddFollowUp(ctx, f.st, amnesty.FollowUpInput{PersonID: pid, Kind: "gossip", Date: "2016", Observation: "o", ReportedBy: "r"})
	if rollcall.ErrorMessage(err) != ruleSays(rollcall.VocabFollowUpKind, "gossip") {
		t.Errorf("AddFollowUp: %v", err)
	}
	fu, err := amnesty.AddFollowUp(ctx, f.st, amnesty.FollowUpInput{PersonID: pid, Kind: "재구금", Date: "2016", Observation: "o", ReportedBy: "r"})
	if err != nil || fu.Kind != "re_detention" {
		t.Errorf("AddFollowUp with a Korean label: %+v %v", fu, err)
	}
}

// TestFollowUpKindsAreTheVocabulary: the kinds the tracker's form offers
// are the codes of the followup_kind vocabulary the rule checks against.
func TestFollowUpKindsAreTheVocabulary(t *testing.T) {
	voc, err := refdata.Vocabulary(sysCtx(), nil)
	if err != nil {
		t.Fatal(err)
	}
	codes := voc.Codes(rollcall.VocabFollowUpKind)
	if len(codes) != len(amnesty.FollowUpKinds) {
		t.Fatalf("form offers %v, vocabulary has %v", amnesty.FollowUpKinds, codes)
	}
	for _, k := range amnesty.FollowUpKinds {
		if _, ok := voc.Code(rollcall.VocabFollowUpKind, k); !ok {
			t.Errorf("the form offers %q, which the vocabulary lacks", k)
		}
	}
}
