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
	}
	single := map[string]string{"published-estimates": "published-estimate", "amnesty-decrees": "amnesty-decree",
		"follow-ups": "follow-up", "facilities": "facility"}
	for i, e := range fuzzEntities {
		f.Add(uint8(i), false, []byte(seeds[e.path]))
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
		if update {
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
