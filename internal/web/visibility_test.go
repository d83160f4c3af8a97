package web

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall"
)

// TestConfidentialRowsHidden: a record marked confidential does not exist
// for viewers and analysts (get, list, search, source page) and does for
// editors and admins.
func TestConfidentialRowsHidden(t *testing.T) { eachFixture(t, testConfidentialRowsHidden) }

func testConfidentialRowsHidden(t *testing.T, f *fixture) {
	rec := &rollcall.Record{SourceID: f.ids["source"], Key: "c1", Name: "Jang Sung-taek", Sensitivity: rollcall.Confidential}
	if err := f.st.CreateRecord(sysCtx(), rec); err != nil {
		t.Fatal(err)
	}
	for role, see := range map[string]bool{"viewer": false, "analyst": false, "editor": true, "admin": true} {
		c := f.login(role)
		res, _ := c.do("GET", fmt.Sprintf("/api/v1/records/%d", rec.ID), nil)
		if (res.StatusCode == 200) != see || (!see && res.StatusCode != 404) {
			t.Errorf("%s: API get %d", role, res.StatusCode)
		}
		res, _ = c.do("GET", fmt.Sprintf("/records/%d", rec.ID), nil)
		if (res.StatusCode == 200) != see {
			t.Errorf("%s: page %d", role, res.StatusCode)
		}
		checks := map[string]string{
			"list":   "/api/v1/records?limit=500",
			"search": "/api/v1/search?q=" + url.QueryEscape("Jang Sung-taek"),
			"source": fmt.Sprintf("/sources/%d", f.ids["source"]),
		}
		for what, path := range checks {
			_, b := c.do("GET", path, nil)
			// The record's own name, not the echoed query.
			shown := strings.Contains(string(b), `"name":"Jang Sung-taek"`) || strings.Contains(string(b), ">Jang Sung-taek<")
			if shown != see {
				t.Errorf("%s: %s shows the confidential record: %v, want %v", role, what, shown, see)
			}
		}
	}
}
