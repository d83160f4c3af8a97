package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"testing"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/auth"
)

// rowLevels is what each role sees, written down here independently of
// rollcall.Visible so that a loosened rule fails the test.
var rowLevels = map[string][]string{
	rollcall.RoleViewer:  {"public", "internal"},
	rollcall.RoleAnalyst: {"public", "internal"},
	rollcall.RoleEditor:  {"public", "internal", "confidential"},
	rollcall.RoleAdmin:   {"public", "internal", "confidential"},
}

// TestRouteRowsByRole extends the route × role test to the rows a route
// returns: every API list as every role holds exactly the rows of the
// levels the role may see (total included), and a row above the role's
// ceiling is "not found" through the API and the page alike (issue 12,
// finding 7).
func TestRouteRowsByRole(t *testing.T) { eachFixture(t, testRouteRowsByRole) }

func testRouteRowsByRole(t *testing.T, f *fixture) {
	ctx := sysCtx()
	// The fixture's rows are internal; add a public and a confidential one
	// of each type that carries a level.
	conf := map[string]int64{}
	for _, lv := range []rollcall.Sensitivity{rollcall.Public, rollcall.Confidential} {
		src := &rollcall.Source{Key: "rr-" + string(lv), Kind: "testimony", Title: "T", Sensitivity: lv}
		rec := &rollcall.Record{Key: "rr", Name: "N", Sensitivity: lv}
		per := &rollcall.Person{Name: "P", Sensitivity: lv}
		ev := &rollcall.Event{Type: "arrest", Date: rollcall.MustDate("2001"), Sensitivity: lv}
		for _, err := range []error{f.st.CreateSource(ctx, src), func() error { rec.SourceID = src.ID; return f.st.CreateRecord(ctx, rec) }(),
			f.st.CreatePerson(ctx, per), f.st.CreateEvent(ctx, ev)} {
			if err != nil {
				t.Fatal(err)
			}
		}
		fu := &rollcall.FollowUp{PersonID: per.ID, Date: rollcall.MustDate("2016"), Kind: "housing", Observation: "o", Sensitivity: lv}
		if err := f.st.CreateFollowUp(ctx, fu); err != nil {
			t.Fatal(err)
		}
		if lv == rollcall.Confidential {
			conf = map[string]int64{"sources": src.ID, "records": rec.ID, "persons": per.ID, "events": ev.ID, "follow-ups": fu.ID}
		}
	}
	type page struct {
		Items []map[string]any `json:"items"`
		Total int              `json:"total"`
	}
	get := func(role, path string) (int, page) {
		t.Helper()
		res, b := f.login(role).do("GET", path, nil)
		var p page
		if res.StatusCode == http.StatusOK && json.Unmarshal(b, &p) != nil {
			t.Fatalf("%s %s: %s", role, path, b)
		}
		return res.StatusCode, p
	}
	lists := []string{"sources", "records", "persons", "events", "follow-ups", "facilities", "published-estimates", "amnesty-decrees", "jobs"}
	for _, l := range lists {
		path := "/api/v1/" + l + "?limit=500"
		// The admin sees every row: count them by level.
		code, all := get(rollcall.RoleAdmin, path)
		if code != http.StatusOK || all.Total != len(all.Items) || all.Total == 0 {
			t.Fatalf("admin %s: %d, total %d with %d items", path, code, all.Total, len(all.Items))
		}
		for _, role := range auth.Roles {
			if !auth.Allows(role, wantRole["GET /api/v1/"+l]) {
				continue
			}
			want := 0
			for _, it := range all.Items {
				if lv, ok := it["sensitivity"].(string); !ok || slices.Contains(rowLevels[role], lv) {
					want++
				}
			}
			code, p := get(role, path)
			if code != http.StatusOK {
				t.Errorf("%s %s: %d", role, path, code)
				continue
			}
			if p.Total != want || len(p.Items) != want {
				t.Errorf("%s %s: total %d with %d items, want %d", role, path, p.Total, len(p.Items), want)
			}
			for _, it := range p.Items {
				if lv, ok := it["sensitivity"].(string); ok && !slices.Contains(rowLevels[role], lv) {
					t.Errorf("%s %s: a %s row is listed", role, path, lv)
				}
			}
		}
	}
	pages := map[string]string{"sources": "/sources/%d", "records": "/records/%d", "persons": "/persons/%d"}
	for l, id := range conf {
		for _, role := range auth.Roles {
			want := http.StatusNotFound
			if slices.Contains(rowLevels[role], "confidential") {
				want = http.StatusOK
			}
			paths := []string{fmt.Sprintf("/api/v1/%s/%d", l, id)}
			if p, ok := pages[l]; ok {
				paths = append(paths, fmt.Sprintf(p, id))
			}
			for _, path := range paths {
				if res, b := f.login(role).do("GET", path, nil); res.StatusCode != want {
					t.Errorf("%s %s (confidential): %d, want %d: %.200s", role, path, res.StatusCode, want, b)
				}
			}
		}
	}
}
