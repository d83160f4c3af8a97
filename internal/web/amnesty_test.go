package web

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/store"
)

// seedDecree adds the decree kp-test (effective 2015-08-01, rule: held and
// a woman) and, besides the fixture's woman held since 1999, a man held,
// a person of unknown sex held, and a confidential woman held; n more
// fictional women held make the list long. It returns the person ids by
// name.
func (f *fixture) seedDecree(n int) map[string]int64 {
	f.t.Helper()
	ctx := sysCtx()
	must := func(err error) {
		f.t.Helper()
		if err != nil {
			f.t.Fatal(err)
		}
	}
	must(f.st.CreateAmnestyDecree(ctx, &rollcall.AmnestyDecree{Key: "kp-test", Country: "KP", Title: "Test amnesty",
		Effective: rollcall.MustDate("2015-08-01"), Rule: `detained && sex == "f"`}))
	ids := map[string]int64{"woman": f.ids["person"]}
	add := func(name, sex string, sens rollcall.Sensitivity) {
		p := &rollcall.Person{Name: name, Sex: sex, Sensitivity: sens, Fictional: true}
		must(f.st.CreatePerson(ctx, p))
		ev := &rollcall.Event{Type: "arrest", Date: rollcall.MustDate("2010-05"), FacilityID: ptr(f.ids["facility"]), Sensitivity: rollcall.Internal,
			Victims: []rollcall.Victim{{PersonID: &p.ID, Role: "victim"}}, SourceIDs: []int64{f.ids["source"]}, Fictional: true}
		must(f.st.CreateEvent(ctx, ev))
		ids[name] = p.ID
	}
	add("man", "m", rollcall.Internal)
	add("nobody knows", "", rollcall.Internal)
	add("hidden woman", "f", rollcall.Confidential)
	for i := range n {
		add(fmt.Sprintf("woman %02d", i), "f", rollcall.Internal)
	}
	return ids
}

func decodePage(t *testing.T, b []byte) DecisionPage {
	t.Helper()
	var p DecisionPage
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return p
}

// TestAPIDecreePersons: the persons under a decree with decision, reasons,
// missing facts and outcome, filtered by decision, outcome and facility,
// paged with a total; confidential persons only for roles that may see
// them; the decree by key or id; bad filters refused.
func TestAPIDecreePersons(t *testing.T) { eachFixture(t, testAPIDecreePersons) }

func testAPIDecreePersons(t *testing.T, f *fixture) {
	ids := f.seedDecree(0)
	vw, ed := f.login("viewer"), f.login("editor")
	res, b := vw.do("GET", "/api/v1/amnesty-decrees/kp-test/persons", nil)
	p := decodePage(t, b)
	if res.StatusCode != 200 || p.Total != 3 || p.Counts != (DecisionCounts{Persons: 3, Eligible: 1, NotEligible: 1, Undetermined: 1}) || !p.HasRule {
		t.Fatalf("all, as a viewer: %d %+v", res.StatusCode, p)
	}
	for _, it := range p.Items {
		if it.PersonID == ids["hidden woman"] {
			t.Error("a viewer sees a confidential person")
		}
	}
	_, b = ed.do("GET", "/api/v1/amnesty-decrees/kp-test/persons?decision=eligible", nil)
	p = decodePage(t, b)
	if p.Total != 2 || p.Counts.Persons != 4 || len(p.Items) != 2 {
		t.Fatalf("eligible, as an editor: %+v", p)
	}
	it := p.Items[0]
	if it.PersonID != ids["woman"] || it.Decision != rollcall.Eligible || strings.Join(it.Reasons, "; ") != "sex: f; detained: true" ||
		len(it.Missing) != 0 || it.Held != "true" || it.Facility != "kwanliso-15" || it.Outcome != nil {
		t.Errorf("eligible woman: %+v", it)
	}
	_, b = vw.do("GET", "/api/v1/amnesty-decrees/kp-test/persons?decision=undetermined", nil)
	if p = decodePage(t, b); p.Total != 1 || p.Items[0].PersonID != ids["nobody knows"] || strings.Join(p.Items[0].Missing, ",") != "sex" {
		t.Errorf("undetermined: %+v", p)
	}

	// Outcomes: recorded through the API, then a filter.
	for _, c := range []struct {
		body  map[string]any
		field string
		want  string
	}{
		{map[string]any{"person_id": ids["woman"], "decree": "kp-test", "status": "freed", "date": "2015-08"}, "status", "release_verified, release_reported"},
		{map[string]any{"person_id": ids["woman"], "decree": "kp-test", "status": "release_verified", "date": "2015-08"}, "source", "needs a source"},
		{map[string]any{"person_id": ids["woman"], "decree": "kp-test", "status": "release_reported", "date": "31/13/2015"}, "date", "date"},
		{map[string]any{"person_id": 999999, "decree": "kp-test", "status": "unknown"}, "person_id", "no person 999999"},
	} {
		res, b := ed.do("POST", "/api/v1/amnesty-outcomes", c.body)
		checkAPIError(t, fmt.Sprint(c.body), res, b, c.field, c.want)
	}
	res, b = ed.do("POST", "/api/v1/amnesty-outcomes", map[string]any{"person_id": ids["woman"], "decree": "kp-test",
		"status": "release_verified", "date": "2015-08", "source": "t-1", "note": "seen at home"})
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("outcome: %d %s", res.StatusCode, b)
	}
	_, b = vw.do("GET", "/api/v1/amnesty-decrees/kp-test/persons?outcome=release_verified", nil)
	if p = decodePage(t, b); p.Total != 1 || p.Items[0].Outcome == nil || p.Items[0].Outcome.Status != "release_verified" || p.Items[0].Outcome.Date.String() != "2015-08" {
		t.Errorf("outcome filter: %+v", p)
	}
	_, b = vw.do("GET", "/api/v1/amnesty-decrees/kp-test/persons?outcome=none&facility=kwanliso-15", nil)
	if p = decodePage(t, b); p.Total != 2 {
		t.Errorf("no outcome at kwanliso-15: %+v", p)
	}
	// By numeric id, paged.
	d, err := f.st.DecreeByKey(sysCtx(), "kp-test")
	if err != nil {
		t.Fatal(err)
	}
	_, b = vw.do("GET", fmt.Sprintf("/api/v1/amnesty-decrees/%d/persons?limit=1&offset=1", d.ID), nil)
	if p = decodePage(t, b); p.Total != 3 || len(p.Items) != 1 || p.Offset != 1 || p.Items[0].PersonID != ids["man"] {
		t.Errorf("page 2 of 1: %+v", p)
	}
	for _, c := range []struct{ query, field, want string }{
		{"decision=maybe", "decision", "eligible, not_eligible, undetermined"},
		{"outcome=freed", "outcome", "release_verified"},
		{"colour=red", "colour", "filters: decision, outcome, facility"},
		{"limit=-1", "limit", "whole number"},
	} {
		res, b := vw.do("GET", "/api/v1/amnesty-decrees/kp-test/persons?"+c.query, nil)
		checkAPIError(t, c.query, res, b, c.field, c.want)
	}
	if res, _ := vw.do("GET", "/api/v1/amnesty-decrees/kp-none/persons", nil); res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown decree: %d", res.StatusCode)
	}

	// Overdue: released in 2015-08, last follow-up in 2016 (the fixture's),
	// twelve whole months after its latest day.
	f.srv.now = func() time.Time { return time.Date(2018, 1, 15, 0, 0, 0, 0, time.UTC) }
	_, b = vw.do("GET", "/api/v1/amnesty-overdue?months=12", nil)
	var od struct {
		Items []struct {
			PersonID    int64 `json:"person_id"`
			MonthsSince int   `json:"months_since"`
		}
	}
	if err := json.Unmarshal(b, &od); err != nil || len(od.Items) != 1 || od.Items[0].PersonID != ids["woman"] || od.Items[0].MonthsSince != 12 {
		t.Errorf("overdue: %s", b)
	}
	res, b = vw.do("GET", "/api/v1/amnesty-overdue?weeks=3", nil)
	checkAPIError(t, "overdue weeks", res, b, "weeks", "parameters: months")
}

// TestAPIRuleEditing: a rule is checked as typed (unknown facts and values
// outside a vocabulary with line:column), previewed, saved as a version
// with who saved it, and the versions are listed; a stale save is a
// conflict.
func TestAPIRuleEditing(t *testing.T) { eachFixture(t, testAPIRuleEditing) }

func testAPIRuleEditing(t *testing.T, f *fixture) {
	f.seedDecree(0)
	an := f.login("analyst")
	check := func(rule string) RuleCheck {
		t.Helper()
		res, b := an.do("POST", "/api/v1/amnesty-decrees/kp-test/rule-check", map[string]string{"rule": rule})
		var c RuleCheck
		if res.StatusCode != 200 || json.Unmarshal(b, &c) != nil {
			t.Fatalf("check %q: %d %s", rule, res.StatusCode, b)
		}
		return c
	}
	c := check("detained &&\n  shoe_size > 3")
	if c.OK || len(c.Problems) != 1 || c.Problems[0].Line != 2 || c.Problems[0].Column != 3 || !strings.Contains(c.Problems[0].Message, "shoe_size") {
		t.Errorf("unknown fact: %+v", c)
	}
	c = check(`sex == "x" && "espionage" in charges`)
	if c.OK || len(c.Problems) == 0 || c.Problems[0].Line != 1 || !strings.Contains(c.Problems[0].Message, "allowed: f, m") {
		t.Errorf("values outside the vocabulary: %+v", c)
	}
	c = check(`detained`)
	if !c.OK || c.Preview == nil || *c.Preview != (DecisionCounts{Persons: 3, Eligible: 3}) || c.Current == nil || c.Current.Eligible != 1 {
		t.Errorf("preview: %+v %+v %+v", c, c.Preview, c.Current)
	}
	if c = check(""); !c.OK || !c.Empty {
		t.Errorf("empty rule: %+v", c)
	}
	d, _ := f.st.DecreeByKey(sysCtx(), "kp-test")
	res, b := an.do("PUT", "/api/v1/amnesty-decrees/kp-test/rule", map[string]any{"rule": "detained"})
	checkAPIError(t, "no version", res, b, "version", "version")
	res, b = an.do("PUT", "/api/v1/amnesty-decrees/kp-test/rule", map[string]any{"rule": "detained && shoe_size", "version": d.Version})
	checkAPIError(t, "bad rule", res, b, "rule", "rule 1:13:")
	res, b = an.do("PUT", "/api/v1/amnesty-decrees/kp-test/rule", map[string]any{"rule": "detained", "version": d.Version, "note": "wider"})
	if res.StatusCode != 200 || !strings.Contains(string(b), `"rule":"detained"`) {
		t.Fatalf("save: %d %s", res.StatusCode, b)
	}
	res, _ = an.do("PUT", "/api/v1/amnesty-decrees/kp-test/rule", map[string]any{"rule": "true", "version": d.Version})
	if res.StatusCode != http.StatusConflict {
		t.Errorf("stale save: %d", res.StatusCode)
	}
	_, b = f.login("viewer").do("GET", "/api/v1/amnesty-decrees/kp-test/rule-versions", nil)
	var vs struct{ Items []store.RuleVersion }
	if err := json.Unmarshal(b, &vs); err != nil || len(vs.Items) != 2 || vs.Items[0].Rule != "detained" || vs.Items[0].SavedBy != "analyst1" ||
		vs.Items[0].Note != "wider" || !vs.Items[0].Current || vs.Items[1].Rule != `detained && sex == "f"` {
		t.Errorf("versions: %s", b)
	}
}

// TestTrackerPage: the tracker lists the persons under a decree with links,
// filters and a count, pages past 20 with "more"; an editor records an
// outcome and a follow-up from it (a bad date is shown at the form and
// nothing is saved); the overdue follow-ups are listed; a decree without a
// rule says so and shows the project's draft reading.
func TestTrackerPage(t *testing.T) {
	f := newFixture(t)
	ids := f.seedDecree(22)
	f.srv.now = func() time.Time { return time.Date(2017, 1, 10, 0, 0, 0, 0, time.UTC) }
	vw, ed := f.login("viewer"), f.login("editor")
	_, b := vw.do("GET", "/amnesty/kp-test", nil)
	page := string(b)
	for _, want := range []string{`id="persons"`, fmt.Sprintf(`href="/persons/%d"`, ids["woman"]), "23 eligible, 1 not eligible, 1 undetermined, of 25",
		"1–20 of 25", `id="persons-more"`, "offset=20", "sex: f; detained: true"} {
		if !strings.Contains(page, want) {
			t.Errorf("tracker lacks %q", want)
		}
	}
	if strings.Contains(page, "hidden woman") || strings.Contains(page, "outcome-form") {
		t.Error("a viewer sees a confidential person or the editor's forms")
	}
	_, b = vw.do("GET", "/amnesty/kp-test?decision=undetermined", nil)
	if !strings.Contains(string(b), "nobody knows") || strings.Contains(string(b), "woman 01") || !strings.Contains(string(b), "missing") {
		t.Errorf("undetermined filter:\n%s", b)
	}
	_, b = vw.do("GET", "/amnesty/kp-test?offset=20", nil)
	if !strings.Contains(string(b), "21–25 of 25") || strings.Contains(string(b), `id="persons-more"`) {
		t.Errorf("second page")
	}

	// An outcome with a bad date is refused at its form, with the values.
	form := url.Values{"person_id": {fmt.Sprint(ids["woman 03"])}, "status": {"release_reported"}, "date": {"the summer"},
		"source": {"t-1"}, "back": {"/amnesty/kp-test?offset=0"}}
	res, b := ed.do("POST", "/amnesty/kp-test/outcomes", "form:"+form.Encode())
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), `id="form-error"`) || !strings.Contains(string(b), `value="the summer"`) {
		t.Fatalf("bad date: %d\n%s", res.StatusCode, b)
	}
	if outs, _ := f.st.AmnestyOutcomes(sysCtx(), 0, ids["woman 03"]); len(outs) != 0 {
		t.Errorf("a refused outcome was saved: %+v", outs)
	}
	form.Set("date", "2015년 8월")
	res, _ = ed.do("POST", "/amnesty/kp-test/outcomes", "form:"+form.Encode())
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/amnesty/kp-test?offset=0&done=outcome") {
		t.Fatalf("outcome: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	outs, _ := f.st.AmnestyOutcomes(sysCtx(), 0, ids["woman 03"])
	if len(outs) != 1 || outs[0].Date.String() != "2015-08" || outs[0].CreatedBy != "editor1" || outs[0].SourceID == nil {
		t.Fatalf("stored outcome %+v", outs)
	}
	_, b = ed.do("GET", "/amnesty/kp-test?outcome=release_reported&done=outcome", nil)
	if !strings.Contains(string(b), `id="flash"`) || !strings.Contains(string(b), "woman 03") || !strings.Contains(string(b), "1–1 of 1") {
		t.Errorf("after the outcome:\n%s", b)
	}
	// Released in 2015-08 without a follow-up: overdue in January 2017.
	overdue := func(b []byte) string {
		_, after, ok := strings.Cut(string(b), `id="overdue"`)
		if !ok {
			t.Fatal("no overdue list")
		}
		return after
	}
	if !strings.Contains(overdue(b), fmt.Sprintf(`href="/persons/%d">woman 03`, ids["woman 03"])) {
		t.Errorf("overdue list lacks woman 03")
	}
	fu := url.Values{"person_id": {fmt.Sprint(ids["woman 03"])}, "decree": {"kp-test"}, "kind": {"work"}, "date": {"2016-12"},
		"observation": {"works on a cooperative farm"}, "reported_by": {"a neighbour"}, "back": {"/amnesty/kp-test"}}
	res, _ = ed.do("POST", "/amnesty/followups", "form:"+fu.Encode())
	if res.StatusCode != http.StatusSeeOther || !strings.Contains(res.Header.Get("Location"), "done=followup") {
		t.Fatalf("follow-up: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	if _, b = ed.do("GET", "/amnesty/kp-test", nil); strings.Contains(overdue(b), fmt.Sprintf(`href="/persons/%d">woman 03`, ids["woman 03"])) {
		t.Error("still overdue after a follow-up")
	}
	fu.Set("kind", "gossip")
	if res, b = ed.do("POST", "/amnesty/followups", "form:"+fu.Encode()); res.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), "is not a followup_kind (one of: health, housing") {
		t.Errorf("bad kind: %d", res.StatusCode)
	}
	// The source picker searches.
	_, b = ed.do("GET", "/amnesty/source-options?source=Interview", nil)
	if !strings.Contains(string(b), `<option value="t-1">Interview A</option>`) {
		t.Errorf("source options: %s", b)
	}

	// A decree without a rule, with a draft reading shipped for its key.
	if err := f.st.CreateAmnestyDecree(sysCtx(), &rollcall.AmnestyDecree{Key: "kp-amnesty-2018", Country: "KP", Title: "Amnesty 2018",
		Effective: rollcall.MustDate("2018-08-01")}); err != nil {
		t.Fatal(err)
	}
	_, b = f.login("analyst").do("GET", "/amnesty/kp-amnesty-2018", nil)
	for _, want := range []string{`id="no-rule"`, "no executable rule yet", `id="draft"`, "Project draft reading, not the decree&#39;s text", `href="/amnesty/kp-amnesty-2018/rule"`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("decree without a rule lacks %q", want)
		}
	}
	// In Korean.
	ed.do("POST", "/lang", "form:lang=ko&next=/")
	if _, b = ed.do("GET", "/amnesty/kp-test", nil); !strings.Contains(string(b), "이 법령의 인물") || !strings.Contains(string(b), "결과 저장") {
		t.Errorf("the tracker in Korean")
	}
}

// TestRuleEditorPage: the editor shows the draft reading and loads it; the
// rule is checked as typed (an htmx fragment with line:column) or by the
// Check button; saving keeps a version with who saved it.
func TestRuleEditorPage(t *testing.T) {
	f := newFixture(t)
	f.seedDecree(0)
	if err := f.st.CreateAmnestyDecree(sysCtx(), &rollcall.AmnestyDecree{Key: "kp-amnesty-2018", Country: "KP", Title: "Amnesty 2018",
		Effective: rollcall.MustDate("2018-08-01")}); err != nil {
		t.Fatal(err)
	}
	an := f.login("analyst")
	_, b := an.do("GET", "/amnesty/kp-amnesty-2018/rule", nil)
	if !strings.Contains(string(b), `id="use-draft"`) || !strings.Contains(string(b), `hx-post="/amnesty/kp-amnesty-2018/rule/check"`) || !strings.Contains(string(b), `id="rule-empty"`) {
		t.Fatalf("editor:\n%s", b)
	}
	_, b = an.do("GET", "/amnesty/kp-amnesty-2018/rule?draft=1", nil)
	if !strings.Contains(string(b), `crimes_against_state&#34; in charges</textarea>`) || !strings.Contains(string(b), `id="rule-preview"`) {
		t.Errorf("draft loaded:\n%s", b)
	}
	// As typed (htmx): the check alone.
	req, _ := http.NewRequest("POST", f.ts.URL+"/amnesty/kp-amnesty-2018/rule/check", strings.NewReader(url.Values{"rule": {"detained && shoe_size"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("HX-Request", "true")
	req.Header.Set(csrfHeader, an.csrf)
	req.AddCookie(&http.Cookie{Name: sessionCookie, Value: an.cookie})
	res, err := noRedirect.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	frag := readBody2(t, res)
	if strings.Contains(frag, "<html") || !strings.Contains(frag, `id="rule-problems"`) || !strings.Contains(frag, "<code>1:13</code>") {
		t.Errorf("check fragment:\n%s", frag)
	}
	// Without JavaScript: the Check button posts the form.
	res, b = an.do("POST", "/amnesty/kp-amnesty-2018/rule/check", "form:"+url.Values{"rule": {`sex == "F" && detained`}}.Encode())
	if res.StatusCode != 200 || !strings.Contains(string(b), `id="rule-ok"`) || !strings.Contains(string(b), "<html") {
		t.Errorf("check by the button: %d", res.StatusCode)
	}
	d, _ := f.st.DecreeByKey(sysCtx(), "kp-amnesty-2018")
	res, b = an.do("POST", "/amnesty/kp-amnesty-2018/rule", "form:"+url.Values{"rule": {"detained && shoe_size"}, "version": {fmt.Sprint(d.Version)}}.Encode())
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(string(b), `id="rule-error"`) {
		t.Errorf("saving a bad rule: %d", res.StatusCode)
	}
	res, _ = an.do("POST", "/amnesty/kp-amnesty-2018/rule", "form:"+url.Values{"rule": {`sex == "F" && detained`}, "note": {"test reading"},
		"version": {fmt.Sprint(d.Version)}}.Encode())
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/amnesty/kp-amnesty-2018/rule?saved=1" {
		t.Fatalf("save: %d %q", res.StatusCode, res.Header.Get("Location"))
	}
	_, b = an.do("GET", "/amnesty/kp-amnesty-2018/rule?saved=1", nil)
	if !strings.Contains(string(b), `id="rule-saved"`) || !strings.Contains(string(b), "analyst1") || !strings.Contains(string(b), "test reading") {
		t.Errorf("after saving:\n%s", b)
	}
	if d, _ := f.st.DecreeByKey(sysCtx(), "kp-amnesty-2018"); d.Rule != `sex == "F" && detained` {
		t.Errorf("stored rule %q", d.Rule)
	}
}

func readBody2(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestAmnestyAPIMatchesOpenAPI: the amnesty operations and their errors
// answer as api/openapi.yaml says.
func TestAmnestyAPIMatchesOpenAPI(t *testing.T) { eachFixture(t, testAmnestyAPIMatchesOpenAPI) }

func testAmnestyAPIMatchesOpenAPI(t *testing.T, f *fixture) {
	router := openAPIRouter(t)
	ids := f.seedDecree(0)
	vw, an, ed := f.login("viewer"), f.login("analyst"), f.login("editor")
	call := func(c *client, method, path string, body any, want int) {
		t.Helper()
		var raw []byte
		if body != nil {
			raw, _ = json.Marshal(body)
		}
		var body2 any
		if raw != nil {
			body2 = raw
		}
		res, b := c.do(method, path, body2)
		validate(t, router, method, f.ts.URL+path, raw, res, b)
		if res.StatusCode != want {
			t.Errorf("%s %s: %d, want %d: %s", method, path, res.StatusCode, want, b)
		}
	}
	call(ed, "POST", "/api/v1/amnesty-outcomes", map[string]any{"person_id": ids["woman"], "decree": "kp-test", "status": "release_verified",
		"date": "2015-08", "source": "t-1"}, 201)
	call(ed, "POST", "/api/v1/amnesty-outcomes", map[string]any{"person_id": ids["woman"], "decree": "kp-test", "status": "gone"}, 400)
	call(vw, "POST", "/api/v1/amnesty-outcomes", map[string]any{"person_id": ids["woman"], "decree": "kp-test", "status": "unknown"}, 403)
	call(vw, "GET", "/api/v1/amnesty-decrees/kp-test/persons?limit=2", nil, 200)
	call(vw, "GET", "/api/v1/amnesty-decrees/kp-test/persons?decision=eligible&outcome=release_verified", nil, 200)
	call(vw, "GET", "/api/v1/amnesty-decrees/kp-test/persons?decision=no", nil, 400)
	call(vw, "GET", "/api/v1/amnesty-decrees/kp-none/persons", nil, 404)
	call(an, "POST", "/api/v1/amnesty-decrees/kp-test/rule-check", map[string]string{"rule": "age > x"}, 200)
	call(an, "POST", "/api/v1/amnesty-decrees/kp-test/rule-check", map[string]string{"rule": "age > 60"}, 200)
	call(vw, "POST", "/api/v1/amnesty-decrees/kp-test/rule-check", map[string]string{"rule": "age > 60"}, 403)
	d, _ := f.st.DecreeByKey(sysCtx(), "kp-test")
	call(an, "PUT", "/api/v1/amnesty-decrees/kp-test/rule", map[string]any{"rule": "age > 60", "version": d.Version, "note": "n"}, 200)
	call(an, "PUT", "/api/v1/amnesty-decrees/kp-test/rule", map[string]any{"rule": "age > 70", "version": d.Version}, 409)
	call(an, "PUT", "/api/v1/amnesty-decrees/kp-test/rule", map[string]any{"rule": "age >", "version": d.Version + 1}, 400)
	call(vw, "GET", "/api/v1/amnesty-decrees/kp-test/rule-versions", nil, 200)
	call(vw, "GET", "/api/v1/amnesty-overdue", nil, 200)
	call(vw, "GET", "/api/v1/amnesty-overdue?months=x", nil, 400)
}
