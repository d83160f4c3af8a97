package web

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/store"
)

// TestListTotalsMatchVisibleRows: confidential rows are left out before
// paging for roles that may not see them, so a list's total counts only
// what the role may see and a page is full. The fixture holds 2 internal
// records and 1 internal person; this test adds 3 confidential records and
// 2 confidential persons.
func TestListTotalsMatchVisibleRows(t *testing.T) {
	eachFixture(t, testListTotals)
}

func testListTotals(t *testing.T, f *fixture) {
	ctx := sysCtx()
	for i := range 3 {
		r := &rollcall.Record{SourceID: f.ids["source"], Key: fmt.Sprintf("conf-%d", i), Name: "Hidden Name", Sensitivity: rollcall.Confidential}
		if err := f.st.CreateRecord(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if err := f.st.CreatePerson(ctx, &rollcall.Person{Name: "Hidden Person", Sensitivity: rollcall.Confidential}); err != nil {
			t.Fatal(err)
		}
	}
	type page struct {
		Items []struct {
			Sensitivity string `json:"sensitivity"`
		} `json:"items"`
		Total int `json:"total"`
	}
	for _, c := range []struct {
		role, path string
		total      int
		items      int
	}{
		{"viewer", "/api/v1/records?limit=1", 2, 1},
		{"analyst", "/api/v1/records?limit=1", 2, 1},
		{"editor", "/api/v1/records?limit=1", 5, 1},
		{"admin", "/api/v1/records?limit=500", 5, 5},
		// The first page holds the two visible rows, though the three
		// confidential ones come after them by id.
		{"viewer", "/api/v1/records?limit=2", 2, 2},
		{"viewer", "/api/v1/records?limit=2&offset=2", 2, 0},
		{"viewer", "/api/v1/persons", 1, 1},
		{"editor", "/api/v1/persons", 3, 3},
		// Asking for more does not widen what a viewer sees.
		{"viewer", "/api/v1/records?sensitivity_max=confidential", 2, 2},
		{"viewer", "/api/v1/records?sensitivity=confidential", 0, 0},
		{"editor", "/api/v1/records?sensitivity=confidential", 3, 3},
		// A stricter bound is kept.
		{"viewer", "/api/v1/records?sensitivity_max=public", 0, 0},
		{"editor", "/api/v1/records?sensitivity_max=internal", 2, 2},
	} {
		res, b := f.login(c.role).do("GET", c.path, nil)
		if res.StatusCode != 200 {
			t.Errorf("%s %s: %d %s", c.role, c.path, res.StatusCode, b)
			continue
		}
		var p page
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatal(err)
		}
		if p.Total != c.total || len(p.Items) != c.items {
			t.Errorf("%s %s: total %d with %d items, want %d with %d", c.role, c.path, p.Total, len(p.Items), c.total, c.items)
		}
		for _, it := range p.Items {
			if it.Sensitivity == "confidential" && (c.role == "viewer" || c.role == "analyst") {
				t.Errorf("%s %s: a confidential row is listed", c.role, c.path)
			}
		}
	}
	// Text PostgreSQL cannot hold (invalid UTF-8, NUL) is bad input, never
	// a server error.
	for _, q := range []string{"%ff%fe", "a%00b"} {
		if res, b := f.login("viewer").do("GET", "/api/v1/records?q="+q, nil); res.StatusCode != 200 && res.StatusCode != 400 {
			t.Errorf("q=%s: %d %s", q, res.StatusCode, b)
		}
	}
	// The store filter itself: the database does the ranking.
	for max, want := range map[string]int{"public": 0, "internal": 2, "confidential": 5} {
		_, n, err := f.st.ListRecords(ctx, rollcall.ListOptions{Filters: map[string]string{"sensitivity_max": max}})
		if err != nil || n != want {
			t.Errorf("store sensitivity_max=%s: %d, %v; want %d", max, n, err, want)
		}
	}
	// A value that is no level is refused, not read as "nothing".
	if _, _, err := f.st.ListRecords(ctx, rollcall.ListOptions{Filters: map[string]string{"sensitivity_max": "bogus"}}); rollcall.ErrorCode(err) != rollcall.EINVALID {
		t.Errorf("store sensitivity_max=bogus: %v, want invalid", err)
	}
}

// TestReviewQueueTotalsMatchVisiblePairs: a pair with a confidential record
// is not on an analyst's review queue at all (not counted, not taking the
// place of a pair they may review), and is on an editor's.
func TestReviewQueueTotalsMatchVisiblePairs(t *testing.T) {
	eachFixture(t, testReviewQueueTotals)
}

func testReviewQueueTotals(t *testing.T, f *fixture) {
	ctx := sysCtx()
	conf := &rollcall.Record{SourceID: f.ids["source"], Key: "conf", Name: "Kim Young-hee", Sensitivity: rollcall.Confidential}
	if err := f.st.CreateRecord(ctx, conf); err != nil {
		t.Fatal(err)
	}
	// The confidential pair is the most doubtful, so it comes first.
	if err := f.st.ReplaceReviewQueue(ctx, []store.ReviewPair{
		{RecordA: f.ids["record"], RecordB: f.ids["record2"], Probability: 0.7},
		{RecordA: f.ids["record"], RecordB: conf.ID, Probability: 0.5},
	}); err != nil {
		t.Fatal(err)
	}
	for role, want := range map[string]struct {
		total int
		first int64
	}{"analyst": {1, f.ids["record2"]}, "editor": {2, conf.ID}, "admin": {2, conf.ID}} {
		res, b := f.login(role).do("GET", "/api/v1/review-queue?limit=1", nil)
		if res.StatusCode != 200 {
			t.Fatalf("%s: %d %s", role, res.StatusCode, b)
		}
		var p struct {
			Items []struct {
				RecordB int64 `json:"record_b"`
			} `json:"items"`
			Total int `json:"total"`
		}
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatal(err)
		}
		if p.Total != want.total || len(p.Items) != 1 || p.Items[0].RecordB != want.first {
			t.Errorf("%s: total %d, items %+v; want total %d and first pair with record %d", role, p.Total, p.Items, want.total, want.first)
		}
	}
}
