package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall"
)

// fuzzEntities are the entities of the generic API, in a fixed order (the
// fuzz input picks one by index), with the Go type of their JSON body.
var fuzzEntities = []struct {
	path string
	typ  reflect.Type
}{
	{"sources", reflect.TypeFor[rollcall.Source]()},
	{"records", reflect.TypeFor[rollcall.Record]()},
	{"persons", reflect.TypeFor[rollcall.Person]()},
	{"facilities", reflect.TypeFor[rollcall.Facility]()},
	{"events", reflect.TypeFor[rollcall.Event]()},
	{"published-estimates", reflect.TypeFor[rollcall.PublishedEstimate]()},
	{"amnesty-decrees", reflect.TypeFor[rollcall.AmnestyDecree]()},
	{"follow-ups", reflect.TypeFor[rollcall.FollowUp]()},
	// Not generic, but also a JSON body: POST only.
	{"link-decisions", reflect.TypeFor[LinkDecisionInput]()},
}

// jsonFields returns the top-level JSON names a struct type accepts
// (fields of embedded structs included).
func jsonFields(t reflect.Type) []string {
	var out []string
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if sf.Anonymous && name == "" && sf.Type.Kind() == reflect.Struct {
			out = append(out, jsonFields(sf.Type)...)
			continue
		}
		if name == "" {
			name = sf.Name
		}
		out = append(out, name)
	}
	return out
}

// unknownKey returns a top-level key of the JSON object body that the type
// does not accept, or "". encoding/json matches names case-insensitively.
func unknownKey(body []byte, known []string) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil {
		return ""
	}
	for k := range m {
		ok := false
		for _, n := range known {
			if strings.EqualFold(k, n) {
				ok = true
				break
			}
		}
		if !ok {
			return k
		}
	}
	return ""
}

// FuzzAPIJSONBodies posts arbitrary bodies to every entity's create and
// update endpoint, through the real middleware and handlers, as a logged-in
// editor with a valid CSRF token, over a real SQLite store. Whatever the
// body, the server must not panic or answer 500; an error is a JSON error
// body with a 4xx status; a body with a field the type lacks is refused
// (a typo must not silently lose data).
func FuzzAPIJSONBodies(f *testing.F) {
	fx := newFixture(f)
	ed := fx.login("editor")
	seeds := map[string]string{
		"sources":             `{"key":"api-1","kind":"testimony","title":"API source","date":"c. 2001","sensitivity":"public"}`,
		"records":             fmt.Sprintf(`{"source_id":%d,"key":"api-r1","name":"박철수","birth_date":"1970-05","sensitivity":"internal"}`, fx.ids["source"]),
		"persons":             `{"name":"Pak Chol-su","sensitivity":"internal"}`,
		"facilities":          `{"key":"kyohwaso-99","name_en":"Test camp","type":"kwanliso","lat":40.1,"lon":127.2}`,
		"events":              fmt.Sprintf(`{"type":"arrest","date":"2001","sensitivity":"internal","victims":[{"person_id":%d,"role":"victim"}]}`, fx.ids["person"]),
		"published-estimates": `{"subject":"all","period":"2020","point":100000,"source":"X"}`,
		"amnesty-decrees":     `{"key":"kp-2012","country":"KP","title":"Amnesty 2012","decreed":"2012-10","rule":"age >= 60 && sex == 'f'"}`,
		"follow-ups":          fmt.Sprintf(`{"person_id":%d,"kind":"work","observation":"works at a farm","sensitivity":"internal"}`, fx.ids["person"]),
		"link-decisions":      fmt.Sprintf(`{"record_a":%d,"record_b":%d,"same":false,"note":"different mothers"}`, fx.ids["record"], fx.ids["record2"]),
	}
	single := map[string]string{"published-estimates": "published-estimate", "amnesty-decrees": "amnesty-decree",
		"follow-ups": "follow-up", "facilities": "facility"}
	for i, e := range fuzzEntities {
		f.Add(uint8(i), false, []byte(seeds[e.path]))
		if e.path == "link-decisions" {
			continue
		}
		// The stored object as the API returns it: a valid update body.
		id := fx.ids[strings.TrimSuffix(e.path, "s")]
		if s, ok := single[e.path]; ok {
			id = fx.ids[s]
		}
		_, b := ed.do("GET", fmt.Sprintf("/api/v1/%s/%d", e.path, id), nil)
		f.Add(uint8(i), true, b)
	}
	f.Add(uint8(0), false, []byte(`{"key":"k","kind":"testimony","title":"t","bogus":1}`))
	f.Add(uint8(1), false, []byte(`{"birth_date":"31/02/2001"}`))
	f.Add(uint8(4), true, []byte(`{"version":1,"victims":[{"person_id":-1}]}`))
	f.Add(uint8(3), false, []byte(`{"key":"x","lat":1e400}`))
	f.Add(uint8(6), false, []byte(`{"key":"kp","country":"KP","title":"t","decreed":"2015","rule":"("}`))
	f.Add(uint8(2), false, []byte(`[]`))
	f.Add(uint8(2), false, []byte(`null`))

	known := make([][]string, len(fuzzEntities))
	ids := make([]int64, len(fuzzEntities))
	for i, e := range fuzzEntities {
		known[i] = jsonFields(e.typ)
		id := fx.ids[strings.TrimSuffix(e.path, "s")]
		if s, ok := single[e.path]; ok {
			id = fx.ids[s]
		}
		ids[i] = id
	}
	f.Fuzz(func(t *testing.T, which uint8, update bool, body []byte) {
		i := int(which) % len(fuzzEntities)
		e := fuzzEntities[i]
		method, path := http.MethodPost, "/api/v1/"+e.path
		if update && e.path != "link-decisions" {
			method, path = http.MethodPut, fmt.Sprintf("/api/v1/%s/%d", e.path, ids[i])
		}
		req := httptest.NewRequest(method, path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: ed.cookie})
		req.Header.Set(csrfHeader, ed.csrf)
		rec := httptest.NewRecorder()
		fx.srv.ServeHTTP(rec, req)
		res := rec.Result()
		out := rec.Body.Bytes()
		if res.StatusCode >= 500 {
			t.Fatalf("%s %s %q: status %d: %s", method, path, body, res.StatusCode, out)
		}
		if !json.Valid(out) {
			t.Fatalf("%s %s %q: status %d with a body that is not JSON: %q", method, path, body, res.StatusCode, out)
		}
		if res.StatusCode >= 300 {
			var ae apiError
			if err := json.Unmarshal(out, &ae); err != nil || ae.Error.Code == "" || ae.Error.Message == "" {
				t.Fatalf("%s %s %q: status %d with no JSON error: %s", method, path, body, res.StatusCode, out)
			}
			if res.StatusCode < 400 {
				t.Fatalf("%s %s %q: status %d", method, path, body, res.StatusCode)
			}
			return
		}
		if k := unknownKey(body, known[i]); k != "" {
			t.Fatalf("%s %s %q: accepted with the unknown field %q: %d %s", method, path, body, k, res.StatusCode, out)
		}
	})
}

// FuzzAPIListQuery lists every entity with an arbitrary query string, as a
// viewer: never a 500, errors are JSON 4xx, and a listed page never holds a
// confidential row or more rows than its total.
func FuzzAPIListQuery(f *testing.F) {
	fx := newFixture(f)
	vw := fx.login("viewer")
	// Confidential rows of each kind that has a sensitivity, to be hidden.
	ctx := sysCtx()
	conf := rollcall.Confidential
	per := &rollcall.Person{Name: "Kim Hidden", Sensitivity: conf}
	for _, err := range []error{
		fx.st.CreateSource(ctx, &rollcall.Source{Key: "c-1", Kind: "testimony", Title: "Kim hidden", Sensitivity: conf}),
		fx.st.CreateRecord(ctx, &rollcall.Record{SourceID: fx.ids["source"], Key: "c-1", Name: "Kim Hidden", Sensitivity: conf}),
		fx.st.CreatePerson(ctx, per),
		fx.st.CreateEvent(ctx, &rollcall.Event{Type: "arrest", Description: "Kim hidden", Sensitivity: conf}),
		fx.st.CreateFollowUp(ctx, &rollcall.FollowUp{PersonID: fx.ids["person"], Kind: "work", Observation: "Kim hidden", Sensitivity: conf}),
	} {
		if err != nil {
			f.Fatal(err)
		}
	}
	for _, q := range []string{"", "q=kim", "limit=1&offset=1", "limit=x", "nosuch=1", "sensitivity=confidential",
		"sensitivity_max=confidential", "source_id=1;DROP TABLE records", "q=%25_%5C", "person_id=none&fictional=true",
		"q=%ff%fe", "limit=99999999999999999999", "offset=9223372036854775807", "q=' OR 1=1 --"} {
		for i := range fuzzEntities[:len(fuzzEntities)-1] {
			f.Add(uint8(i), q)
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, rawQuery string) {
		e := fuzzEntities[int(which)%(len(fuzzEntities)-1)]
		req := httptest.NewRequest(http.MethodGet, "/api/v1/"+e.path, nil)
		req.URL.RawQuery = rawQuery
		req.AddCookie(&http.Cookie{Name: sessionCookie, Value: vw.cookie})
		rec := httptest.NewRecorder()
		fx.srv.ServeHTTP(rec, req)
		out := rec.Body.Bytes()
		if rec.Code >= 500 || !json.Valid(out) {
			t.Fatalf("GET %s?%s: %d %s", e.path, rawQuery, rec.Code, out)
		}
		if rec.Code != http.StatusOK {
			var ae apiError
			if err := json.Unmarshal(out, &ae); err != nil || ae.Error.Code == "" || rec.Code < 400 {
				t.Fatalf("GET %s?%s: %d with no JSON error: %s", e.path, rawQuery, rec.Code, out)
			}
			return
		}
		var p struct {
			Items []map[string]any `json:"items"`
			Total int              `json:"total"`
		}
		if err := json.Unmarshal(out, &p); err != nil {
			t.Fatalf("GET %s?%s: %v: %s", e.path, rawQuery, err, out)
		}
		if len(p.Items) > p.Total {
			t.Fatalf("GET %s?%s: %d items of %d", e.path, rawQuery, len(p.Items), p.Total)
		}
		for _, it := range p.Items {
			if it["sensitivity"] == "confidential" {
				t.Fatalf("GET %s?%s: a viewer sees a confidential row", e.path, rawQuery)
			}
		}
	})
}
