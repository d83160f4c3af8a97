package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/rollcall-project/rollcall/api"
)

func openAPIRouter(t *testing.T) routers.Router {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.yaml is invalid: %v", err)
	}
	doc.Servers = nil // match by path alone, whatever the test server's address
	r, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// validate checks a request and its response against the OpenAPI document.
func validate(t *testing.T, router routers.Router, method, url string, reqBody []byte, res *http.Response, body []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, bytes.NewReader(reqBody))
	if reqBody != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	route, params, err := router.FindRoute(req)
	if err != nil {
		t.Fatalf("%s %s: not in openapi.yaml: %v", method, url, err)
	}
	opts := &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, IncludeResponseStatus: true}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	if res.StatusCode < 400 {
		if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
			t.Errorf("%s %s: request does not match openapi.yaml: %v", method, url, err)
		}
	}
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: res.StatusCode,
		Header: res.Header, Body: io.NopCloser(bytes.NewReader(body)), Options: opts}
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		t.Errorf("%s %s → %d: response does not match openapi.yaml: %v\n%.500s", method, url, res.StatusCode, err, body)
	}
}

// TestAPIMatchesOpenAPI calls every API operation (and typical errors)
// and validates each response against api/openapi.yaml.
func TestAPIMatchesOpenAPI(t *testing.T) {
	eachFixture(t, testAPIMatchesOpenAPI)
}

func testAPIMatchesOpenAPI(t *testing.T, f *fixture) {
	router := openAPIRouter(t)
	ed := f.login("editor")
	an := f.login("analyst")
	vw := f.login("viewer")
	ad := f.login("admin")
	call := func(t *testing.T, c *client, method, path string, body any) (*http.Response, []byte) {
		t.Helper()
		var raw []byte
		if body != nil {
			raw, _ = json.Marshal(body)
		}
		var res *http.Response
		var b []byte
		if raw != nil {
			res, b = c.do(method, path, raw)
		} else {
			res, b = c.do(method, path, nil)
		}
		validate(t, router, method, f.ts.URL+path, raw, res, b)
		return res, b
	}
	type ent struct {
		path string
		new  map[string]any
	}
	ents := []ent{
		{"sources", map[string]any{"key": "api-1", "kind": "testimony", "title": "API source", "date": "c. 2001", "sensitivity": "public"}},
		{"records", map[string]any{"source_id": f.ids["source"], "key": "api-r1", "name": "박철수", "birth_date": "1970-05", "sensitivity": "internal"}},
		{"persons", map[string]any{"name": "Pak Chol-su", "sensitivity": "internal"}},
		{"facilities", map[string]any{"key": "kyohwaso-99", "name_en": "Test camp", "type": "kwanliso", "lat": 40.1, "lon": 127.2}},
		{"events", map[string]any{"type": "arrest", "date": "2001", "sensitivity": "internal"}},
		{"published-estimates", map[string]any{"subject": "all", "period": "2020", "point": 100000.0, "source": "X"}},
		{"amnesty-decrees", map[string]any{"key": "kp-2012", "country": "KP", "title": "Amnesty 2012", "decreed": "2012-10", "rule": "true"}},
		{"follow-ups", map[string]any{"person_id": f.ids["person"], "kind": "work", "observation": "works at a farm", "sensitivity": "internal"}},
	}
	for _, e := range ents {
		t.Run(e.path, func(t *testing.T) {
			res, b := call(t, vw, "GET", "/api/v1/"+e.path+"?limit=5", nil)
			if res.StatusCode != 200 {
				t.Fatalf("list: %d %s", res.StatusCode, b)
			}
			res, b = call(t, ed, "POST", "/api/v1/"+e.path, e.new)
			if res.StatusCode != http.StatusCreated {
				t.Fatalf("create: %d %s", res.StatusCode, b)
			}
			var created map[string]any
			if err := json.Unmarshal(b, &created); err != nil {
				t.Fatal(err)
			}
			id := int64(created["id"].(float64))
			if loc := res.Header.Get("Location"); loc != fmt.Sprintf("/api/v1/%s/%d", e.path, id) {
				t.Errorf("Location %q", loc)
			}
			res, b = call(t, vw, "GET", fmt.Sprintf("/api/v1/%s/%d", e.path, id), nil)
			if res.StatusCode != 200 {
				t.Fatalf("get: %d %s", res.StatusCode, b)
			}
			var got map[string]any
			_ = json.Unmarshal(b, &got)
			// Update with the version read: 200 and a new version.
			delete(got, "created_at")
			delete(got, "updated_at")
			res, b = call(t, ed, "PUT", fmt.Sprintf("/api/v1/%s/%d", e.path, id), got)
			if res.StatusCode != 200 {
				t.Fatalf("update: %d %s", res.StatusCode, b)
			}
			var upd map[string]any
			_ = json.Unmarshal(b, &upd)
			if upd["version"].(float64) != got["version"].(float64)+1 {
				t.Errorf("version after update %v, want %v", upd["version"], got["version"].(float64)+1)
			}
			// The same stale version again: 409 conflict.
			res, b = call(t, ed, "PUT", fmt.Sprintf("/api/v1/%s/%d", e.path, id), got)
			if res.StatusCode != http.StatusConflict || !strings.Contains(string(b), `"code":"conflict"`) {
				t.Fatalf("stale update: %d %s", res.StatusCode, b)
			}
			// Missing object: 404.
			res, b = call(t, vw, "GET", "/api/v1/"+e.path+"/999999", nil)
			if res.StatusCode != http.StatusNotFound {
				t.Fatalf("missing: %d %s", res.StatusCode, b)
			}
		})
	}
	for _, c := range []struct {
		who          *client
		method, path string
		body         any
		want         int
	}{
		{vw, "GET", "/api/v1/me", nil, 200},
		{vw, "GET", "/api/v1/search?q=kim", nil, 200},
		{vw, "GET", "/api/v1/terms/fate", nil, 200},
		{vw, "GET", "/api/v1/estimates", nil, 200},
		{vw, "GET", fmt.Sprintf("/api/v1/persons/%d/records", f.ids["person"]), nil, 200},
		{an, "GET", "/api/v1/review-queue", nil, 200},
		{an, "POST", "/api/v1/link-decisions", map[string]any{"record_a": f.ids["record"], "record_b": f.ids["record2"], "same": true}, 201},
		{an, "POST", "/api/v1/link-decisions", map[string]any{"record_a": 1, "record_b": 1, "same": true}, 400},
		{ad, "GET", "/api/v1/users", nil, 200},
		{vw, "GET", "/api/v1/users", nil, 403},
		{&client{f: f}, "GET", "/api/v1/sources", nil, 401},
		{vw, "POST", "/api/v1/sources", map[string]any{"key": "x"}, 403},
		{ed, "GET", "/api/v1/sources?limit=x", nil, 400},
		{ed, "GET", "/api/v1/sources?nosuchfilter=1", nil, 400},
		{vw, "GET", "/api/v1/sources?limit=500", nil, 200},
		{vw, "GET", "/api/v1/sources?limit=1", nil, 200},
		{&client{f: f}, "GET", "/healthz", nil, 200},
	} {
		res, b := call(t, c.who, c.method, c.path, c.body)
		if res.StatusCode != c.want {
			t.Errorf("%s %s: %d, want %d: %s", c.method, c.path, res.StatusCode, c.want, b)
		}
	}
}

// TestAPIRejectsBadJSON checks decoding: unknown fields, trailing data,
// wrong types and bad dates are 400 with a safe message (oversized bodies
// are 413: TestOversizeBody).
func TestAPIRejectsBadJSON(t *testing.T) { eachFixture(t, testAPIRejectsBadJSON) }

func testAPIRejectsBadJSON(t *testing.T, f *fixture) {
	ed := f.login("editor")
	for _, c := range []struct{ name, body, want string }{
		{"unknown field", `{"key":"k","kind":"testimony","title":"t","bogus":1}`, "bogus"},
		{"trailing data", `{"key":"k","kind":"testimony","title":"t"} {}`, "after the JSON"},
		{"wrong type", `{"key":5}`, "wrong type"},
		{"bad date", `{"key":"k","kind":"testimony","title":"t","date":"31/02/2001"}`, "date"},
		{"empty", ``, "empty"},
		{"id on create", `{"id":3,"key":"k","kind":"testimony","title":"t"}`, "no id"},
	} {
		res, b := ed.do("POST", "/api/v1/sources", []byte(c.body))
		if res.StatusCode != http.StatusBadRequest {
			t.Errorf("%s: status %d, want 400: %.200s", c.name, res.StatusCode, b)
			continue
		}
		var e apiError
		if err := json.Unmarshal(b, &e); err != nil || e.Error.Code != "invalid" || !strings.Contains(e.Error.Message, c.want) {
			t.Errorf("%s: error %+v (%v), want code invalid and a message with %q", c.name, e, err, c.want)
		}
	}
}

// TestAPIRedactsConfidential: an editor reads the informant and testimony,
// a viewer and an analyst do not.
func TestAPIRedactsConfidential(t *testing.T) { eachFixture(t, testAPIRedactsConfidential) }

func testAPIRedactsConfidential(t *testing.T, f *fixture) {
	for role, see := range map[string]bool{"viewer": false, "analyst": false, "editor": true, "admin": true} {
		c := f.login(role)
		_, sb := c.do("GET", fmt.Sprintf("/api/v1/sources/%d", f.ids["source"]), nil)
		_, rb := c.do("GET", fmt.Sprintf("/api/v1/records/%d", f.ids["record"]), nil)
		_, pb := c.do("GET", fmt.Sprintf("/records/%d", f.ids["record"]), nil)
		for what, b := range map[string][]byte{"source": sb, "record": rb, "record page": pb} {
			leaked := strings.Contains(string(b), "Secret Informant") || strings.Contains(string(b), "confidential words")
			if what == "source" && see && !strings.Contains(string(b), "Secret Informant") {
				t.Errorf("%s cannot see the informant: %s", role, b)
			}
			if what != "source" && see && !strings.Contains(string(b), "confidential words") {
				t.Errorf("%s cannot see the testimony in %s", role, what)
			}
			if !see && leaked {
				t.Errorf("%s sees confidential data in the %s: %.300s", role, what, b)
			}
		}
	}
}

// TestAPIToken: a bearer token acts as its user, with the user's role;
// a wrong token is 401.
func TestAPIToken(t *testing.T) { eachFixture(t, testAPIToken) }

func testAPIToken(t *testing.T, f *fixture) {
	secret, _, err := f.svc.NewToken(context.Background(), "analyst1", "script", 0)
	if err != nil {
		t.Fatal(err)
	}
	c := &client{f: f, token: secret}
	if res, b := c.do("GET", "/api/v1/me", nil); res.StatusCode != 200 || !strings.Contains(string(b), `"analyst1"`) {
		t.Fatalf("me: %d %s", res.StatusCode, b)
	}
	// No CSRF token needed: a bearer token is no ambient credential.
	if res, b := c.do("POST", "/api/v1/link-decisions", map[string]any{"record_a": f.ids["record"], "record_b": f.ids["record2"], "same": false}); res.StatusCode != 201 {
		t.Fatalf("decision: %d %s", res.StatusCode, b)
	}
	if res, _ := c.do("POST", "/api/v1/sources", map[string]any{"key": "x"}); res.StatusCode != 403 {
		t.Fatalf("analyst token created a source: %d", res.StatusCode)
	}
	bad := &client{f: f, token: secret + "x"}
	if res, _ := bad.do("GET", "/api/v1/me", nil); res.StatusCode != 401 {
		t.Fatalf("bad token: %d", res.StatusCode)
	}
}

// TestAPIRefusesOutOfRange: list parameters mean what they say or are
// refused with 400 naming what is allowed, never clamped or ignored.
func TestAPIRefusesOutOfRange(t *testing.T) { eachFixture(t, testAPIRefusesOutOfRange) }

func testAPIRefusesOutOfRange(t *testing.T, f *fixture) {
	router := openAPIRouter(t)
	for _, who := range []string{"viewer", "editor"} {
		c := f.login(who)
		for _, tc := range []struct{ path, field, want string }{
			{"/api/v1/records?limit=0", "limit", "1 to 500"},
			{"/api/v1/records?limit=501", "limit", "1 to 500"},
			{"/api/v1/records?limit=100000", "limit", "1 to 500"},
			{"/api/v1/records?offset=-1", "offset", "≥ 0"},
			{"/api/v1/records?sensitivity_max=bogus", "sensitivity_max", "public, internal or confidential"},
			{"/api/v1/persons?sensitivity=secret", "sensitivity", "public, internal or confidential"},
			{"/api/v1/records?source_id=abc", "source_id", "whole number"},
			{"/api/v1/records?person_id=1.5", "person_id", `"none"`},
			{"/api/v1/events?person_id=p1", "person_id", "whole number"},
			{"/api/v1/sources?fictional=maybe", "fictional", "true or false"},
			{"/api/v1/review-queue?limit=0", "limit", "1 to 500"},
		} {
			if who == "viewer" && strings.Contains(tc.path, "review-queue") {
				continue
			}
			res, b := c.do("GET", tc.path, nil)
			var e apiError
			_ = json.Unmarshal(b, &e)
			if res.StatusCode != http.StatusBadRequest || e.Error.Field != tc.field || !strings.Contains(e.Error.Message, tc.want) {
				t.Errorf("%s %s: %d %s; want 400 on %s naming %q", who, tc.path, res.StatusCode, b, tc.field, tc.want)
			}
			validate(t, router, "GET", f.ts.URL+tc.path, nil, res, b)
		}
	}
	// The bounds themselves are honoured: limit=1 gives one row.
	res, b := f.login("editor").do("GET", "/api/v1/records?limit=1", nil)
	var pg Page[map[string]any]
	if err := json.Unmarshal(b, &pg); err != nil || res.StatusCode != 200 || len(pg.Items) != 1 || pg.Limit != 1 {
		t.Errorf("limit=1: %d %+v %v", res.StatusCode, pg, err)
	}
}

// TestOpenAPIOperationsDocumented: every operation has an operationId (unique),
// tags, a description and its error responses by status, as client
// generators need; every API route is in the document and the other way round.
func TestOpenAPIOperationsDocumented(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(api.OpenAPI)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	documented := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			where := method + " " + path
			documented[where] = true
			if op.OperationID == "" {
				t.Errorf("%s: no operationId", where)
			} else if other, dup := ids[op.OperationID]; dup {
				t.Errorf("%s: operationId %q is also %s", where, op.OperationID, other)
			}
			ids[op.OperationID] = where
			if len(op.Tags) == 0 {
				t.Errorf("%s: no tags", where)
			}
			if strings.TrimSpace(op.Description) == "" {
				t.Errorf("%s: no description", where)
			}
			needs := []int{}
			if op.Security == nil || len(*op.Security) > 0 {
				needs = append(needs, 401, 500) // every authenticated operation
			}
			if op.RequestBody != nil {
				needs = append(needs, 400, 403, 413)
			}
			if method == "PUT" {
				needs = append(needs, 404, 409)
			}
			if strings.Contains(path, "{id}") {
				needs = append(needs, 404)
			}
			for _, p := range op.Parameters {
				if p.Value != nil && p.Value.In == "query" && p.Value.Name == "limit" {
					needs = append(needs, 400)
				}
			}
			for _, st := range needs {
				if op.Responses.Status(st) == nil {
					t.Errorf("%s: no %d response", where, st)
				}
			}
		}
	}
	f := newFixture(t)
	for _, rt := range f.srv.Routes() {
		if !strings.HasPrefix(rt.Pattern, "/api/") && rt.Pattern != "/healthz" {
			continue
		}
		if !documented[rt.Method+" "+rt.Pattern] {
			t.Errorf("route %s %s is not in openapi.yaml", rt.Method, rt.Pattern)
		}
	}
}
