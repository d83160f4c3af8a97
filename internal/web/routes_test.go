package web

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/auth"
)

// wantRole is the least role each route must demand, written down here
// independently of the route table so that a loosened route fails the test
// and a new route must be added here on purpose.
var wantRole = map[string]string{
	"GET /healthz":                     "",
	"GET /metrics":                     "admin",
	"GET /api/v1/openapi.yaml":         "",
	"GET /static/":                     "",
	"GET /login":                       "",
	"POST /login":                      "",
	"POST /logout":                     "viewer",
	"POST /lang":                       "",
	"GET /{$}":                         "viewer",
	"GET /":                            "",
	"GET /search":                      "viewer",
	"GET /pick/{kind}":                 "viewer",
	"GET /persons":                     "viewer",
	"GET /persons/{id}/amnesty":        "viewer",
	"GET /persons/{id}":                "viewer",
	"GET /sources":                     "viewer",
	"GET /sources/{id}":                "viewer",
	"GET /records/{id}":                "viewer",
	"GET /facilities":                  "viewer",
	"GET /facilities/{id}":             "viewer",
	"GET /events":                      "viewer",
	"GET /map":                         "viewer",
	"GET /ledger":                      "viewer",
	"GET /estimates":                   "viewer",
	"GET /estimates/chart.svg":         "viewer",
	"GET /amnesty/chart.svg":           "viewer",
	"GET /amnesty":                     "viewer",
	"GET /review":                      "analyst",
	"POST /review":                     "analyst",
	"GET /sources/new":                 "editor",
	"POST /sources":                    "editor",
	"GET /sources/{id}/edit":           "editor",
	"POST /sources/{id}":               "editor",
	"GET /sources/{id}/records/new":    "editor",
	"POST /sources/{id}/records":       "editor",
	"GET /records/{id}/edit":           "editor",
	"POST /records/{id}":               "editor",
	"GET /facilities/new":              "editor",
	"POST /facilities":                 "editor",
	"GET /facilities/{id}/edit":        "editor",
	"POST /facilities/{id}":            "editor",
	"GET /events/new":                  "editor",
	"POST /events":                     "editor",
	"GET /events/{id}/edit":            "editor",
	"POST /events/{id}":                "editor",
	"GET /api/v1/me":                   "viewer",
	"GET /api/v1/search":               "viewer",
	"GET /api/v1/terms/{scheme}":       "viewer",
	"GET /api/v1/estimates":            "viewer",
	"GET /api/v1/persons/{id}/records": "viewer",
	"GET /api/v1/review-queue":         "analyst",
	"POST /api/v1/link-decisions":      "analyst",
	"GET /api/v1/users":                "admin",

	"POST /api/v1/estimates":           "analyst",
	"POST /api/v1/relinks":             "analyst",
	"POST /api/v1/amnesty-evaluations": "analyst",
	"GET /api/v1/jobs":                 "analyst",
	"GET /api/v1/jobs/{id}":            "analyst",
	"POST /api/v1/jobs/{id}/cancel":    "analyst",
	"POST /review/relink":              "analyst",
	"POST /estimates/run":              "analyst",
	"GET /jobs/{id}":                   "analyst",
	"GET /publications":                "admin",
	"POST /publications":               "admin",
	"GET /publications/{id}/{file}":    "admin",
	"POST /jobs/{id}/cancel":           "analyst",

	"GET /amnesty/{key}":                             "viewer",
	"GET /amnesty/{key}/rule":                        "analyst",
	"POST /amnesty/{key}/rule/check":                 "analyst",
	"POST /amnesty/{key}/rule":                       "analyst",
	"POST /amnesty/{key}/outcomes":                   "editor",
	"POST /amnesty/followups":                        "editor",
	"POST /amnesty/evaluate":                         "analyst",
	"GET /amnesty/source-options":                    "editor",
	"GET /api/v1/amnesty-decrees/{id}/persons":       "viewer",
	"GET /api/v1/amnesty-decrees/{id}/rule-versions": "viewer",
	"POST /api/v1/amnesty-decrees/{id}/rule-check":   "analyst",
	"PUT /api/v1/amnesty-decrees/{id}/rule":          "analyst",
	"POST /api/v1/amnesty-outcomes":                  "editor",
	"GET /api/v1/amnesty-overdue":                    "viewer",
}

func init() {
	for _, e := range []string{"sources", "records", "persons", "facilities", "events", "published-estimates", "amnesty-decrees", "follow-ups"} {
		wantRole["GET /api/v1/"+e] = "viewer"
		wantRole["GET /api/v1/"+e+"/{id}"] = "viewer"
		wantRole["POST /api/v1/"+e] = "editor"
		wantRole["PUT /api/v1/"+e+"/{id}"] = "editor"
	}
}

// concrete fills a route pattern with ids of the fixture's objects.
func (f *fixture) concrete(rt Route) string {
	p := strings.TrimSuffix(rt.Pattern, "{$}")
	entity := "source"
	switch {
	case strings.HasPrefix(p, "/api/v1/"):
		seg := strings.Split(strings.TrimPrefix(p, "/api/v1/"), "/")[0]
		entity = map[string]string{"sources": "source", "records": "record", "persons": "person", "facilities": "facility",
			"events": "event", "published-estimates": "published-estimate", "amnesty-decrees": "amnesty-decree", "follow-ups": "follow-up",
			"jobs": "job"}[seg]
	case strings.HasPrefix(p, "/jobs"):
		entity = "job"
	case strings.HasPrefix(p, "/persons"):
		entity = "person"
	case strings.HasPrefix(p, "/records"):
		entity = "record"
	case strings.HasPrefix(p, "/facilities"):
		entity = "facility"
	case strings.HasPrefix(p, "/events"):
		entity = "event"
	}
	p = strings.ReplaceAll(p, "{id}", fmt.Sprint(f.ids[entity]))
	p = strings.ReplaceAll(p, "{scheme}", "fate")
	p = strings.ReplaceAll(p, "{file}", "export.json")
	p = strings.ReplaceAll(p, "{key}", "kp-2015")
	if p == "/pick/{kind}" {
		p = "/pick/facility?field=facility_id&facility_id=yodok"
	}
	if rt.Pattern == "/" {
		p = "/no-such-page"
	}
	if p == "/static/" {
		p = "/static/app.css"
	}
	if p == "/api/v1/search" || p == "/search" {
		p += "?q=kim"
	}
	return p
}

// TestRouteRoles sends every route as every role and checks the answer:
// anonymous → 401 (or 303 to the login form for a page GET), a role below
// the route's → 403, otherwise neither (and no server error).
func TestRouteRoles(t *testing.T) {
	eachFixture(t, testRouteRoles)
}

func testRouteRoles(t *testing.T, f *fixture) {
	routes := f.srv.Routes()
	seen := map[string]bool{}
	for _, rt := range routes {
		key := rt.Method + " " + rt.Pattern
		seen[key] = true
		want, ok := wantRole[key]
		if !ok {
			t.Errorf("route %s is not in the test's table: add it with its least role", key)
			continue
		}
		for _, role := range append([]string{""}, auth.Roles...) {
			t.Run(key+" as "+orAnon(role), func(t *testing.T) {
				c := f.login(role)
				path := f.concrete(rt)
				var body any
				if rt.Method == http.MethodPost || rt.Method == http.MethodPut {
					if strings.HasPrefix(path, "/api/") {
						body = []byte(`{}`)
					} else {
						body = "form:x=1"
					}
				}
				if key == "POST /login" {
					// The login form carries its own pre-session token.
					c.loginCSRF = "tok"
					body = "form:_csrf=tok&name=viewer1&password=" + strings.ReplaceAll(testPassword, " ", "+")
				}
				res, b := c.do(rt.Method, path, body)
				got := res.StatusCode
				switch {
				case role == "" && want != "":
					if rt.Page && rt.Method == http.MethodGet {
						if got != http.StatusSeeOther || !strings.HasPrefix(res.Header.Get("Location"), "/login") {
							t.Fatalf("status %d location %q, want 303 to /login", got, res.Header.Get("Location"))
						}
					} else if got != http.StatusUnauthorized {
						t.Fatalf("status %d, want 401: %s", got, b)
					}
				case rollcall.RoleRank(role) < rollcall.RoleRank(want):
					if got != http.StatusForbidden {
						t.Fatalf("status %d, want 403: %.200s", got, b)
					}
				default:
					if got == http.StatusUnauthorized || got == http.StatusForbidden || got >= 500 {
						t.Fatalf("status %d, want access: %.300s", got, b)
					}
				}
			})
		}
	}
	for k := range wantRole {
		if !seen[k] {
			t.Errorf("the test expects route %s, which the server lacks", k)
		}
	}
}

func orAnon(r string) string {
	if r == "" {
		return "anonymous"
	}
	return r
}
