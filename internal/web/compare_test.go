package web

import (
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/store"
)

func TestCompareRecords(t *testing.T) { eachFixture(t, testCompareRecords) }

func testCompareRecords(t *testing.T, f *fixture) {
	a := &rollcall.Record{Name: "Kim Hakgil", ArrestDate: rollcall.MustDate("2003-04"), BirthDate: rollcall.MustDate("1967"), Fate: "detained", Sex: "m"}
	b := &rollcall.Record{Name: "KIM Hak-kil", ArrestDate: rollcall.MustDate("2003-04-08"), BirthDate: rollcall.MustDate("1969"), Fate: "detained"}
	rows := f.srv.compare([]*rollcall.Record{a, b}, "en")
	want := map[string]bool{"field.name": true, "field.arrest_date": false, "field.birth_date": true, "field.fate": false, "field.sex": false}
	for _, r := range rows {
		if w, ok := want[r.Label]; ok && r.Differs != w {
			t.Errorf("%s: differs = %v, want %v (%q)", r.Label, r.Differs, w, r.Values)
		}
		switch r.Label {
		case "field.arrest_date":
			if r.Values[0] != "April 2003" || r.Values[1] != "8 April 2003" {
				t.Errorf("dates %q", r.Values)
			}
		case "field.fate":
			if r.Values[0] != "Detained" {
				t.Errorf("fate not labelled: %q", r.Values)
			}
		case "field.sex":
			if r.Values[0] != "male" || r.Values[1] != "" {
				t.Errorf("sex %q", r.Values)
			}
		}
	}
}

// TestCompareAcrossScripts: records that state the same thing in two
// scripts are no conflict on the person page; a real difference still is.
func TestCompareAcrossScripts(t *testing.T) { eachFixture(t, testCompareAcrossScripts) }

func testCompareAcrossScripts(t *testing.T, f *fixture) {
	a := &rollcall.Record{Name: "박순옥", Province: "황해남도", BirthPlace: "해주", FacilityText: "요덕 관리소", Sex: "f", BirthDate: rollcall.MustDate("1968년 3월")}
	b := &rollcall.Record{Name: "Pak Sun-ok", Province: "South Hwanghae", BirthPlace: "Haeju", FacilityText: "Camp 15", Sex: "f", BirthDate: rollcall.MustDate("1968-03")}
	c := &rollcall.Record{Name: "Pak Sun-hui", Province: "North Hwanghae", BirthPlace: "Sariwon", FacilityText: "Camp 16"}
	for _, lang := range []string{"en", "ko"} {
		for _, r := range f.srv.compare([]*rollcall.Record{a, b}, lang) {
			if r.Differs {
				t.Errorf("%s: %s differs across scripts: %q", lang, r.Label, r.Values)
			}
		}
		differs := map[string]bool{}
		for _, r := range f.srv.compare([]*rollcall.Record{a, b, c}, lang) {
			differs[r.Label] = r.Differs
		}
		for _, l := range []string{"field.name", "field.province", "field.birth_place", "field.facility"} {
			if !differs[l] {
				t.Errorf("%s: %s does not differ though the third record says otherwise", lang, l)
			}
		}
	}
}

// TestEstimatesExplained: the estimates page says for each run what was
// counted, the lists, method and model, diagnostics, when and on how many
// documented persons, with the caveat; older runs of the same question are
// dated under the newest; fictional results carry the mark, real ones not.
func TestEstimatesExplained(t *testing.T) { eachFixture(t, testEstimatesExplained) }

func testEstimatesExplained(t *testing.T, f *fixture) {
	ctx := sysCtx()
	save := func(e store.EstimateRow) {
		t.Helper()
		if err := f.st.SaveEstimate(ctx, &e); err != nil {
			t.Fatal(err)
		}
	}
	lc := `{"method":"lcmcr","lists":["ngo-a","un-b","testimony-c"],"grouping":"source","by":"","rhat":1.0042,"ess":1873,"fate":"detained","warnings":["one chain: R-hat cannot be computed"]}`
	save(store.EstimateRow{Stratum: "all", Method: "lcmcr", Observed: 111, Estimate: 150, Lower: ptr(120.0), Upper: ptr(200.0), Level: 0.95, ParamsJSON: lc, Seed: 1, InputHash: "h1", Fictional: true})
	save(store.EstimateRow{Stratum: "all", Method: "lcmcr", Observed: 123, Estimate: 170, Lower: ptr(140.0), Upper: ptr(230.0), Level: 0.95, ParamsJSON: lc, Seed: 2, InputHash: "h2", Fictional: true})
	ll := `{"method":"loglinear","lists":["a","b","c"],"grouping":"source","by":"","criterion":"BIC"}`
	save(store.EstimateRow{Stratum: "all", Method: "loglinear", Observed: 123, Estimate: 157.2, Lower: ptr(130.0), Upper: ptr(349.0), Level: 0.95, Model: "[12][23]", ParamsJSON: ll, InputHash: "h2"})
	// A stratified run: its overall row says "stratified", its strata the
	// method; one result of three rows.
	st := `{"method":"lcmcr","lists":["a","b","c"],"grouping":"source","by":"sex","rhat":1.01,"ess":900}`
	save(store.EstimateRow{Stratum: "all (by sex)", Method: "stratified", Observed: 123, Estimate: 160, ParamsJSON: st, InputHash: "h2"})
	save(store.EstimateRow{Stratum: "sex=f", Method: "lcmcr", Observed: 80, Estimate: 100, ParamsJSON: st, InputHash: "h2"})
	save(store.EstimateRow{Stratum: "sex=m", Method: "lcmcr", Observed: 43, Estimate: 60, ParamsJSON: st, InputHash: "h2"})
	if gs := estimateGroups(mustEstimates(t, f)); len(gs) != 3 || len(gs[0].Newest.Rows) != 3 || gs[0].Newest.Method != "lcmcr" {
		t.Fatalf("groups: %d, first %+v", len(gs), gs[0].Newest)
	}
	for _, lang := range []string{"en", "ko"} {
		c := f.login("viewer")
		c.lang(lang)
		_, b := c.do("GET", "/estimates", nil)
		page := string(b)
		want := map[string][]string{
			"en": {"heterogeneous capture", "ngo-a, un-b, testimony-c", "[12][23]", "R̂ 1.004", "1873", "fate: Detained", "123", "earlier results", "R-hat cannot be computed", "latent-class model (LCMCR)"},
			"ko": {"이질적 포획", "ngo-a, un-b, testimony-c", "[12][23]", "R̂ 1.004", "1873", "결과: 구금 중", "이전 결과 1건", "R̂을 계산할 수 없습니다", "베이지안 잠재계층 모형", "기록된 인원"},
		}[lang]
		for _, w := range want {
			if !strings.Contains(page, w) {
				t.Errorf("%s: estimates page lacks %q", lang, w)
			}
		}
		// The LCMCR runs are fictional, the log-linear one is not.
		lcm := page[strings.Index(page, `<article class="card estresult"`):]
		arts := strings.Split(lcm, `<article class="card estresult"`)
		marks := map[bool]int{}
		for _, a := range arts[1:] {
			marks[strings.Contains(a, `class="badge fictional"`)]++
		}
		if marks[true] != 1 || marks[false] != 2 {
			t.Errorf("%s: %d results marked fictional, %d not; want 1 and 2", lang, marks[true], marks[false])
		}
	}
	// The chart says so itself when it draws a fictional result.
	if _, b := f.login("viewer").do("GET", "/estimates/chart.svg", nil); !strings.Contains(string(b), "가상 자료") { // the viewer chose Korean above
		t.Errorf("the estimates chart does not mark its fictional result")
	}
	// The API carries the mark too (and stays within openapi.yaml).
	router := openAPIRouter(t)
	res, b := f.login("viewer").do("GET", "/api/v1/estimates", nil)
	validate(t, router, "GET", f.ts.URL+"/api/v1/estimates", nil, res, b)
	if !strings.Contains(string(b), `"fictional":true`) || !strings.Contains(string(b), `"fictional":false`) {
		t.Errorf("API estimates lack the fictional flag: %.300s", b)
	}
}

func TestKoWarning(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`stratum "jipkyulso" is too sparse (8 people observed, fewer than 20): its estimate is unreliable`, `층 "jipkyulso"은 너무 성깁니다 (기록 8명, 20명 미만): 이 층의 추정치는 믿기 어렵습니다`},
		{`stratum "unknown": list "syn-un" is empty`, `층 "unknown": 목록 "syn-un"이 비어 있습니다`},
		{`stratum "kwanliso": sparse table: 9 of 31 capture patterns are empty`, `층 "kwanliso": 성긴 표: 포획 유형 31개 중 9개가 비어 있습니다`},
		{`effective sample size 312 < 400: the interval limits are imprecise; run longer`, `유효 표본 크기 312 < 400: 구간의 끝이 부정확합니다. 더 길게 돌리십시오`},
		{`something new`, `something new`},
	} {
		if got := koWarning(c.in); got != c.want {
			t.Errorf("koWarning(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func mustEstimates(t *testing.T, f *fixture) []store.EstimateRow {
	t.Helper()
	es, err := f.st.ListEstimates(sysCtx())
	if err != nil {
		t.Fatal(err)
	}
	return es
}
