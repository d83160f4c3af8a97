package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall"
)

// TestFormSourceInformant: the source form takes the informant, contact,
// consent and testimony; they are stored sealed (never in clear in the
// database), shown to editors and to no viewer.
func TestFormSourceInformant(t *testing.T) { eachFixture(t, testFormSourceInformant) }

func testFormSourceInformant(t *testing.T, f *fixture) {
	ed := f.login("editor")
	form := url.Values{"key": {"int-9"}, "kind": {"testimony"}, "title": {"면담 9"}, "sensitivity": {"internal"}, "fictional": {"on"},
		"informant_name": {"제보자 가명 K"}, "informant_contact": {"k-contact@example.org"},
		"informant_consent": {"research", "un"}, "informant_testimony": {"SEALED-TESTIMONY 박순옥은 1999년에 끌려갔다"}}
	res, b := ed.do("POST", "/sources", "form:"+form.Encode())
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("create: %d %.2000s", res.StatusCode, b)
	}
	var id int64
	fmt.Sscanf(res.Header.Get("Location"), "/sources/%d", &id)
	src, err := f.st.GetSource(sysCtx(), id)
	if err != nil {
		t.Fatal(err)
	}
	in := src.Informant
	if in == nil || in.Name != "제보자 가명 K" || in.Contact != "k-contact@example.org" || strings.Join(in.Consent, ",") != "research,un" ||
		!strings.HasPrefix(in.Testimony, "SEALED-TESTIMONY") {
		t.Fatalf("stored informant %+v", in)
	}
	// Sealed at rest: the column holds no plain text.
	var raw []byte
	if err := f.st.DB().QueryRow(`SELECT informant FROM sources WHERE id = $1`, id).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{"SEALED-TESTIMONY", "k-contact", "제보자 가명"} {
		if bytes.Contains(raw, []byte(secret)) {
			t.Errorf("%q is stored in clear", secret)
		}
	}
	// The editor's form shows it back; a viewer's page never does.
	_, b = ed.do("GET", fmt.Sprintf("/sources/%d/edit", id), nil)
	if !strings.Contains(string(b), "SEALED-TESTIMONY") || !strings.Contains(string(b), `value="un" checked`) {
		t.Errorf("the edit form lacks the informant's testimony or consent")
	}
	for _, role := range []string{"viewer", "analyst"} {
		_, b = f.login(role).do("GET", fmt.Sprintf("/sources/%d", id), nil)
		if strings.Contains(string(b), "SEALED-TESTIMONY") || strings.Contains(string(b), "k-contact") {
			t.Errorf("%s sees the informant", role)
		}
	}
	_, b = ed.do("GET", fmt.Sprintf("/sources/%d", id), nil)
	if !strings.Contains(string(b), "SEALED-TESTIMONY") {
		t.Errorf("the editor does not see the testimony on the source page")
	}
	// A bad consent value is refused next to its field.
	form.Set("key", "int-10")
	form["informant_consent"] = []string{"everything"}
	res, b = ed.do("POST", "/sources", "form:"+form.Encode())
	if res.StatusCode != http.StatusBadRequest || !fieldError(b, "informant_consent", "research, publication, un, legal") {
		t.Errorf("bad consent: %d", res.StatusCode)
	}
}

// fieldError reports whether page shows an error containing want next to
// the input named field.
func fieldError(page []byte, field, want string) bool {
	re := regexp.MustCompile(`(?s)<div class="field invalid[^"]*">\s*<label for="f-` + regexp.QuoteMeta(field) + `">.*?<p class="field-error" role="alert" id="e-` + regexp.QuoteMeta(field) + `">([^<]+)</p>`)
	m := re.FindSubmatch(page)
	return m != nil && strings.Contains(htmlUnescape(string(m[1])), want)
}

func htmlUnescape(s string) string {
	return strings.NewReplacer("&#34;", `"`, "&#39;", "'", "&quot;", `"`, "&amp;", "&", "&lt;", "<", "&gt;", ">").Replace(s)
}

// TestFormPickers: the facility of a record, and the sources and victims of
// an event, are picked by name (hangul or romanized), not id; a name that
// matches nothing or several is refused next to its field and nothing is
// saved; the testimony excerpt is taken and sealed.
func TestFormPickers(t *testing.T) { eachFixture(t, testFormPickers) }

func testFormPickers(t *testing.T, f *fixture) {
	ctx := sysCtx()
	ed := f.login("editor")
	ed.lang("ko")
	// A second facility so that "kwanliso" matches several.
	other := &rollcall.Facility{Key: "kwanliso-16", Number: "16", NameEn: "Hwasong", NameKo: "화성", Type: "kwanliso"}
	if err := f.st.CreateFacility(ctx, other); err != nil {
		t.Fatal(err)
	}
	// The picker's candidates, as htmx asks for them: hangul or romanized.
	for _, q := range []string{"요덕", "Yodok"} {
		res, b := ed.do("GET", "/pick/facility?field=facility_id&facility_id="+url.QueryEscape(q), nil)
		want := fmt.Sprintf(`data-pick-value="요덕 (#%d)"`, f.ids["facility"])
		if res.StatusCode != 200 || !strings.Contains(string(b), want) {
			t.Errorf("pick %q: %d %s", q, res.StatusCode, b)
		}
	}
	_, _, n0, err := countRecords(f)
	if err != nil {
		t.Fatal(err)
	}
	src := fmt.Sprintf("/sources/%d/records", f.ids["source"])
	for _, c := range []struct {
		facility string
		want     string // error next to facility_id; "" when saved
	}{
		{"Atlantis", "맞는 시설 없음"},
		{"kwanliso", "여러 개가 맞습니다"},
		{"#999999", "없음"},
	} {
		rec := url.Values{"key": {"p-" + c.facility}, "name": {"박순옥"}, "sex": {"f"}, "birth_date": {"1968년 3월"}, "sensitivity": {"internal"}, "facility_id": {c.facility}}
		res, b := ed.do("POST", src, "form:"+rec.Encode())
		if res.StatusCode != http.StatusBadRequest || !fieldError(b, "facility_id", c.want) {
			t.Errorf("facility %q: %d, want 400 with %q next to the field", c.facility, res.StatusCode, c.want)
		}
		if !strings.Contains(string(b), `value="`+c.facility+`"`) {
			t.Errorf("facility %q: the typed text is not kept", c.facility)
		}
	}
	if _, _, n, _ := countRecords(f); n != n0 {
		t.Fatalf("a refused form saved a record (%d → %d)", n0, n)
	}
	for i, name := range []string{"요덕", fmt.Sprintf("요덕 (#%d)", f.ids["facility"]), "Camp 15"} {
		rec := url.Values{"key": {fmt.Sprint("ok-", i)}, "name": {"Pak Sun-ok"}, "sex": {"f"}, "birth_date": {"1968-03"}, "sensitivity": {"internal"},
			"facility_id": {name}, "testimony": {"RECORD-EXCERPT 요덕에서 봤다"}}
		res, b := ed.do("POST", src, "form:"+rec.Encode())
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("facility %q: %d %.1500s", name, res.StatusCode, b)
		}
		var id int64
		fmt.Sscanf(res.Header.Get("Location"), "/records/%d", &id)
		r, err := f.st.GetRecord(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if r.FacilityID == nil || *r.FacilityID != f.ids["facility"] || r.Testimony != "RECORD-EXCERPT 요덕에서 봤다" {
			t.Errorf("facility %q: stored facility %v, testimony %q", name, r.FacilityID, r.Testimony)
		}
		// The edit form shows the pick by name, never a bare id.
		_, b = ed.do("GET", fmt.Sprintf("/records/%d/edit", id), nil)
		if !strings.Contains(string(b), fmt.Sprintf(`value="요덕 (#%d)"`, f.ids["facility"])) {
			t.Errorf("edit form does not show the facility by name")
		}
	}
	// An event: sources and victims by name, with a role.
	if err := f.st.UpsertTerm(ctx, rollcall.Term{Scheme: rollcall.VocabVictimRole, Code: "witness", LabelEn: "witness", LabelKo: "목격자"}); err != nil {
		t.Fatal(err)
	}
	ev := url.Values{"type": {"arrest"}, "date": {"1999"}, "sensitivity": {"internal"},
		"source_ids": {"Interview A"}, "victims": {"Kim Young-hee 목격자"}, "facility_id": {"Yodok"}}
	res, b := ed.do("POST", "/events", "form:"+ev.Encode())
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("event: %d %s", res.StatusCode, regexp.MustCompile(`field-error[^<]*<`).FindAll(b, -1))
	}
	var eid int64
	fmt.Sscanf(res.Header.Get("Location"), "/events/%d", &eid)
	e, err := f.st.GetEvent(ctx, eid)
	if err != nil {
		t.Fatal(err)
	}
	if len(e.SourceIDs) != 1 || e.SourceIDs[0] != f.ids["source"] || len(e.Victims) != 1 || e.Victims[0].PersonID == nil ||
		*e.Victims[0].PersonID != f.ids["person"] || e.Victims[0].Role != "witness" {
		t.Errorf("event sources %v victims %+v", e.SourceIDs, e.Victims)
	}
	ev.Set("victims", "Nobody Atall")
	if res, b := ed.do("POST", "/events", "form:"+ev.Encode()); res.StatusCode != http.StatusBadRequest || !fieldError(b, "victims", "인물") {
		t.Errorf("unknown victim: %d", res.StatusCode)
	}
}

func countRecords(f *fixture) ([]rollcall.Record, int, int, error) {
	recs, n, err := f.st.ListRecords(sysCtx(), rollcall.ListOptions{Limit: 1})
	return recs, 0, n, err
}

// TestListsPageBy20: lists and search results page past 20 with a visible
// count and "more".
func TestListsPageBy20(t *testing.T) { eachFixture(t, testListsPageBy20) }

func testListsPageBy20(t *testing.T, f *fixture) {
	ctx := sysCtx()
	for i := range 25 {
		s := &rollcall.Source{Key: fmt.Sprintf("page-%02d", i), Kind: "testimony", Title: fmt.Sprintf("Paging interview %02d", i),
			Sensitivity: rollcall.Internal, Fictional: true}
		if err := f.st.CreateSource(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	c := f.login("viewer")
	_, b := c.do("GET", "/sources", nil)
	if !strings.Contains(string(b), "1–20 of 26") || !strings.Contains(string(b), `class="more"`) {
		t.Errorf("source list: no count or more link")
	}
	_, b = c.do("GET", "/sources?offset=20", nil)
	if !strings.Contains(string(b), "21–26 of 26") || strings.Contains(string(b), `class="more"`) {
		t.Errorf("last page: wrong count or a more link")
	}
	_, b = c.do("GET", "/search?q=Paging", nil)
	if !strings.Contains(string(b), "(20+)") || !strings.Contains(string(b), "kind=sources&amp;offset=20") {
		t.Errorf("search: no 20+ count or more link: %.3000s", b)
	}
	_, b = c.do("GET", "/search?q=Paging&kind=sources&offset=20", nil)
	if !strings.Contains(string(b), "21–25 of 25") || !strings.Contains(string(b), "Paging interview 24") {
		t.Errorf("search page 2: %.3000s", b)
	}
	c.lang("ko")
	_, b = c.do("GET", "/sources", nil)
	if !strings.Contains(string(b), "전체 26건 중 1–20") || !strings.Contains(string(b), "더 보기") {
		t.Errorf("Korean list: no count or more link")
	}
}
