package web

import (
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall"
)

func formValues(t *testing.T, page []byte) url.Values {
	t.Helper()
	v := url.Values{}
	for _, m := range regexp.MustCompile(`<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"`).FindAllStringSubmatch(string(page), -1) {
		v.Set(m[1], html.UnescapeString(m[2]))
	}
	return v
}

func TestFormCreateSourceAndRecord(t *testing.T) { eachFixture(t, testFormCreateSourceAndRecord) }

func testFormCreateSourceAndRecord(t *testing.T, f *fixture) {
	c := f.login("editor")
	form := url.Values{"key": {"form-1"}, "kind": {"testimony"}, "title": {"Interview B"}, "date": {"1987년 3월"}, "sensitivity": {"internal"}, "fictional": {"on"}}
	res, b := c.do("POST", "/sources", "form:"+form.Encode())
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create source: %d %s", res.StatusCode, b)
	}
	loc := res.Header.Get("Location")
	_, b = c.do("GET", loc, nil)
	if !strings.Contains(string(b), "March 1987") || !strings.Contains(string(b), "fictional") {
		t.Fatalf("source page lacks the date at month precision or the fictional badge:\n%.2000s", b)
	}
	rec := url.Values{"key": {"r1"}, "name": {"리영철"}, "birth_date": {"c. 1950"}, "sensitivity": {"internal"}}
	res, b = c.do("POST", loc+"/records", "form:"+rec.Encode())
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create record: %d %s", res.StatusCode, b)
	}
	_, b = c.do("GET", res.Header.Get("Location"), nil)
	if !strings.Contains(string(b), "리영철") || !strings.Contains(string(b), "c. 1950") {
		t.Fatalf("record page: %.1500s", b)
	}
}

// TestFormValidation: a bad date and a missing title show messages next
// to their fields, and the user's input stays in the form.
func TestFormValidation(t *testing.T) { eachFixture(t, testFormValidation) }

func testFormValidation(t *testing.T, f *fixture) {
	c := f.login("editor")
	form := url.Values{"key": {"form-2"}, "kind": {"testimony"}, "title": {""}, "date": {"31/02/1987"}, "author": {"Kept Author"}}
	res, b := c.do("POST", "/sources", "form:"+form.Encode())
	if res.StatusCode != http.StatusBadRequest {
		t.Fatalf("status %d", res.StatusCode)
	}
	page := string(b)
	for _, field := range []string{"title", "date"} {
		re := regexp.MustCompile(`(?s)<div class="field invalid">\s*<label for="f-` + field + `">.*?<p class="field-error" role="alert"[^>]*>[^<]+</p>`)
		if !re.MatchString(page) {
			t.Errorf("no error message next to %s", field)
		}
	}
	if !strings.Contains(page, `value="Kept Author"`) || !strings.Contains(page, `value="31/02/1987"`) {
		t.Errorf("the user's input was not kept")
	}
}

// TestFormConflict: two editors edit the same source; the second save
// fails with the second editor's values kept and the first's shown.
func TestFormConflict(t *testing.T) { eachFixture(t, testFormConflict) }

func testFormConflict(t *testing.T, f *fixture) {
	a, b := f.login("editor"), f.login("admin")
	edit := fmt.Sprintf("/sources/%d/edit", f.ids["source"])
	_, pa := a.do("GET", edit, nil)
	_, pb := b.do("GET", edit, nil)
	va, vb := formValues(t, pa), formValues(t, pb)
	if va.Get("version") == "" {
		t.Fatal("the form has no version")
	}
	va.Set("_csrf", a.csrf)
	va.Set("kind", "testimony")
	va.Set("sensitivity", "internal")
	va.Set("title", "Title by A")
	if res, body := a.do("POST", fmt.Sprintf("/sources/%d", f.ids["source"]), "form:"+va.Encode()); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("first save: %d %.500s", res.StatusCode, body)
	}
	vb.Set("_csrf", b.csrf)
	vb.Set("kind", "testimony")
	vb.Set("sensitivity", "internal")
	vb.Set("title", "Title by B")
	res, body := b.do("POST", fmt.Sprintf("/sources/%d", f.ids["source"]), "form:"+vb.Encode())
	if res.StatusCode != http.StatusConflict {
		t.Fatalf("second save: %d, want 409", res.StatusCode)
	}
	page := string(body)
	if !strings.Contains(page, `id="conflict"`) || !strings.Contains(page, `value="Title by B"`) || !strings.Contains(page, "<q>Title by A</q>") {
		t.Fatalf("conflict page does not keep B's edit and show A's:\n%.3000s", page)
	}
	// Saving again from the conflict page overwrites knowingly.
	vb2 := formValues(t, body)
	vb2.Set("kind", "testimony")
	vb2.Set("sensitivity", "internal")
	if res, body := b.do("POST", fmt.Sprintf("/sources/%d", f.ids["source"]), "form:"+vb2.Encode()); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("resave: %d %.500s", res.StatusCode, body)
	}
	src, err := f.st.GetSource(sysCtx(), f.ids["source"])
	if err != nil || src.Title != "Title by B" {
		t.Fatalf("title %q, %v", src.Title, err)
	}
}

// TestSearchFindsAcrossScripts: romanized queries find hangul names and
// the other way round, through the store's name keys.
func TestSearchFindsAcrossScripts(t *testing.T) { eachFixture(t, testSearchFindsAcrossScripts) }

func testSearchFindsAcrossScripts(t *testing.T, f *fixture) {
	c := f.login("viewer")
	for _, q := range []string{"Kim Young-hee", "kim yonghui", "김영희"} {
		_, b := c.do("GET", "/search?q="+url.QueryEscape(q), nil)
		if !strings.Contains(string(b), fmt.Sprintf(`href="/records/%d"`, f.ids["record"])) {
			t.Errorf("search %q does not find record 김영희", q)
		}
	}
	_, b := c.do("GET", "/search?q="+url.QueryEscape("김영희"), nil)
	if !strings.Contains(string(b), fmt.Sprintf(`href="/records/%d"`, f.ids["record2"])) {
		t.Errorf("hangul search does not find the romanized record Kim Yong-hui")
	}
}

// TestReviewDecision: deciding a pair records it and takes it off the queue.
func TestReviewDecision(t *testing.T) { eachFixture(t, testReviewDecision) }

func testReviewDecision(t *testing.T, f *fixture) {
	c := f.login("analyst")
	_, b := c.do("GET", "/review", nil)
	if !strings.Contains(string(b), `data-key="s"`) || !strings.Contains(string(b), "Kim Yong-hui") {
		t.Fatalf("review page lacks the pair or the key bindings")
	}
	// 김영희 and Kim Yong-hui are one name in two scripts: no conflict
	// (the highlighting of real differences is TestCompareAcrossScripts').
	if strings.Contains(string(b), `class="differs"`) {
		t.Errorf("review page flags the same name in two scripts as a difference")
	}
	// The page says how many pairs remain and what deciding this one is
	// worth; so does the API.
	if !strings.Contains(string(b), `<p id="review-remaining">1 pairs remain to decide`) || !strings.Contains(string(b), `class="worth"`) {
		t.Errorf("review page does not say how many pairs remain or the worth")
	}
	_, jb := c.do("GET", "/api/v1/review-queue", nil)
	if !strings.Contains(string(jb), `"worth":`) || !strings.Contains(string(jb), `"total":1`) {
		t.Errorf("review queue API lacks worth or total: %s", jb)
	}
	c.do("POST", "/lang", "form:"+url.Values{"_csrf": {c.csrf}, "lang": {"ko"}, "next": {"/review"}}.Encode())
	if _, b = c.do("GET", "/review", nil); !strings.Contains(string(b), "결정할 쌍이 1개 남았습니다") {
		t.Errorf("Korean review page does not say how many pairs remain")
	}
	form := url.Values{"_csrf": {c.csrf}, "record_a": {fmt.Sprint(f.ids["record"])}, "record_b": {fmt.Sprint(f.ids["record2"])}, "offset": {"0"}, "decision": {"same"}}
	res, _ := c.do("POST", "/review", "form:"+form.Encode())
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("decision: %d", res.StatusCode)
	}
	ds, err := f.st.LinkDecisions(sysCtx())
	if err != nil || len(ds) != 1 || !ds[0].Same || ds[0].By != "analyst1" {
		t.Fatalf("decisions %+v %v", ds, err)
	}
	_, b = c.do("GET", "/review", nil)
	if !strings.Contains(string(b), `id="queue-empty"`) {
		t.Fatalf("the decided pair is still queued")
	}
}

func TestLanguageSwitch(t *testing.T) { eachFixture(t, testLanguageSwitch) }

func testLanguageSwitch(t *testing.T, f *fixture) {
	c := f.login("viewer")
	res, _ := c.do("POST", "/lang", "form:"+url.Values{"_csrf": {c.csrf}, "lang": {"ko"}, "next": {"/persons"}}.Encode())
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/persons" {
		t.Fatalf("switch: %d", res.StatusCode)
	}
	_, b := c.do("GET", "/persons", nil)
	if !strings.Contains(string(b), `<html lang="ko">`) || !strings.Contains(string(b), "인물") {
		t.Fatalf("not Korean after the switch")
	}
	u, err := f.st.UserByName(sysCtx(), "viewer1")
	if err != nil || u.Lang != "ko" {
		t.Fatalf("language not remembered for the user: %+v %v", u, err)
	}
	// Dates at their precision in Korean.
	_, b = c.do("GET", fmt.Sprintf("/records/%d", f.ids["record"]), nil)
	if !strings.Contains(string(b), rollcall.MustDate("1999-03").Human("ko")) || !strings.Contains(string(b), "1999년 3월") {
		t.Errorf("Korean month date missing")
	}
}
