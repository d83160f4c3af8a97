package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall"
)

// TestAPIDecreeRuleValidated: the API refuses a decree whose rule does not
// compile or that has no date, on create and on update, with a 400 that
// names the rule field and the position of the error; the stored decree is
// left as it was.
func TestAPIDecreeRuleValidated(t *testing.T) { eachFixture(t, testAPIDecreeRuleValidated) }

func testAPIDecreeRuleValidated(t *testing.T, f *fixture) {
	ed := f.login("editor")
	for _, c := range []struct {
		name  string
		body  map[string]any
		field string
		want  string // in the message
	}{
		{"syntax error", map[string]any{"key": "kp-x", "title": "X", "decreed": "2015-07", "rule": "age >"}, "rule", "rule 1:"},
		{"unknown fact", map[string]any{"key": "kp-x", "title": "X", "decreed": "2015-07", "rule": "age > 3 && shoe_size == 4"}, "rule", "rule 1:12:"},
		{"not a boolean", map[string]any{"key": "kp-x", "title": "X", "decreed": "2015-07", "rule": "age + 1"}, "rule", "true or false"},
		{"no date", map[string]any{"key": "kp-x", "title": "X", "rule": "age >= 60"}, "effective", "date"},
	} {
		res, b := ed.do("POST", "/api/v1/amnesty-decrees", c.body)
		checkAPIError(t, "create "+c.name, res, b, c.field, c.want)
	}
	// A valid decree is still accepted.
	if res, b := ed.do("POST", "/api/v1/amnesty-decrees", map[string]any{"key": "kp-ok", "country": "KP", "title": "OK", "decreed": "2015-07", "rule": "age >= 60 || sex == 'f'"}); res.StatusCode != http.StatusCreated {
		t.Fatalf("valid decree: %d %s", res.StatusCode, b)
	}

	path := fmt.Sprintf("/api/v1/amnesty-decrees/%d", f.ids["amnesty-decree"])
	_, b := ed.do("GET", path, nil)
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	delete(got, "created_at")
	delete(got, "updated_at")
	got["rule"] = "age >= "
	res, b := ed.do("PUT", path, got)
	checkAPIError(t, "update", res, b, "rule", "rule 1:")
	if d, err := f.st.GetAmnestyDecree(sysCtx(), f.ids["amnesty-decree"]); err != nil || d.Rule != "true" {
		t.Errorf("after the refused update the decree is %+v, %v; want the rule unchanged", d, err)
	}
}

func checkAPIError(t *testing.T, what string, res *http.Response, b []byte, field, want string) {
	t.Helper()
	if res.StatusCode != http.StatusBadRequest {
		t.Errorf("%s: status %d, want 400: %s", what, res.StatusCode, b)
		return
	}
	var e apiError
	if err := json.Unmarshal(b, &e); err != nil || e.Error.Code != "invalid" || e.Error.Field != field || !strings.Contains(e.Error.Message, want) {
		t.Errorf("%s: error %+v (%v), want code invalid, field %q and a message with %q", what, e, err, field, want)
	}
}

// TestAPIDecreeVocabulary: a rule value spelled as people write it is read
// as its code; one that names no value is refused with the allowed ones.
func TestAPIDecreeVocabulary(t *testing.T) {
	f := newFixture(t)
	ed := f.login("editor")
	res, b := ed.do("POST", "/api/v1/amnesty-decrees", map[string]any{"key": "kp-x", "title": "X", "decreed": "2015-07",
		"rule": `detained && sex == "x"`})
	checkAPIError(t, "a sex that is neither", res, b, "rule", `rule 1:20: "x" is not a sex (allowed: f, m)`)
	res, b = ed.do("POST", "/api/v1/amnesty-decrees", map[string]any{"key": "kp-y", "title": "Y", "decreed": "2015-07",
		"rule": `"espionage" in charges`})
	checkAPIError(t, "no charge category", res, b, "rule", `"espionage" is not a charge category (allowed: crimes_against_state,`)
	res, b = ed.do("POST", "/api/v1/amnesty-decrees", map[string]any{"key": "kp-z", "country": "KP", "title": "Z", "decreed": "2015-07",
		"rule": `sex == "Female" && facility_type in ["관리소", "Political prison camp"]`})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("a rule in labels: %d %s", res.StatusCode, b)
	}
}

// TestAPIEventsOfPerson: events?person_id= lists the events of the person,
// also those whose victims name one of the person's records.
func TestAPIEventsOfPerson(t *testing.T) {
	f := newFixture(t)
	rid := f.ids["record"]
	ev := &rollcall.Event{Type: "arrest", Date: rollcall.MustDate("2001"), Sensitivity: rollcall.Internal, Fictional: true,
		Victims: []rollcall.Victim{{RecordID: &rid, Role: "victim"}}, SourceIDs: []int64{f.ids["source"]}}
	if err := f.st.CreateEvent(sysCtx(), ev); err != nil {
		t.Fatal(err)
	}
	res, b := f.login("viewer").do("GET", fmt.Sprintf("/api/v1/events?person_id=%d", f.ids["person"]), nil)
	var page struct {
		Items []rollcall.Event `json:"items"`
		Total int              `json:"total"`
	}
	if res.StatusCode != http.StatusOK || json.Unmarshal(b, &page) != nil {
		t.Fatalf("%d %s", res.StatusCode, b)
	}
	if page.Total != 2 || len(page.Items) != 2 || page.Items[0].ID != f.ids["event"] || page.Items[1].ID != ev.ID {
		t.Errorf("events of the person: %s", b)
	}
}
