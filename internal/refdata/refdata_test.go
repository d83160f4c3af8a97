package refdata

import (
	"encoding/csv"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall"
)

// csvRows counts the data rows of an embedded file independently of the
// loaders (the file's own line structure, read by encoding/csv).
func csvRows(t *testing.T, name string) [][]string {
	t.Helper()
	path := "data/" + name
	if name == "facilities.csv" {
		path = "gazetteer/data/" + name
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows[1:]
}

func TestFacilities(t *testing.T) {
	facs, err := Facilities()
	if err != nil {
		t.Fatal(err)
	}
	if want := len(csvRows(t, "facilities.csv")); len(facs) != want {
		t.Fatalf("got %d facilities, want %d", len(facs), want)
	}
	keys := map[string]bool{}
	for _, f := range facs {
		if keys[f.Key] {
			t.Errorf("duplicate key %s", f.Key)
		}
		keys[f.Key] = true
		if f.Source == "" {
			t.Errorf("%s has no source", f.Key)
		}
		if (f.Lat == nil) != (f.Lon == nil) {
			t.Errorf("%s has only one coordinate", f.Key)
		}
		// North Korea lies within about 37.6–43.0 N, 124.2–130.7 E.
		if f.Lat != nil && (*f.Lat < 37.5 || *f.Lat > 43.1 || *f.Lon < 124 || *f.Lon > 131) {
			t.Errorf("%s at %v,%v is outside North Korea", f.Key, *f.Lat, *f.Lon)
		}
	}
	yodok := facs[slices.IndexFunc(facs, func(f rollcall.Facility) bool { return f.Key == "kwanliso-15" })]
	for _, a := range []string{"Camp 15", "Kwan-li-so No. 15", "Yodok", "요덕 관리소"} {
		if !slices.Contains(yodok.Aliases, a) {
			t.Errorf("Yodok aliases %q lack %q", yodok.Aliases, a)
		}
	}
	if yodok.Closed.String() != "2014" || yodok.Type != "kwanliso" || yodok.PopulationEst == nil || *yodok.PopulationEst != 50000 {
		t.Errorf("Yodok = %+v", yodok)
	}
	// A population given as a range is kept in words, not as a number.
	chungsan := facs[slices.IndexFunc(facs, func(f rollcall.Facility) bool { return f.Key == "kyohwaso-11" })]
	if chungsan.PopulationEst != nil || !strings.Contains(chungsan.Source, "3300-5000") {
		t.Errorf("Chungsan population = %v, source %q", chungsan.PopulationEst, chungsan.Source)
	}
}

func TestTerms(t *testing.T) {
	terms, err := Terms()
	if err != nil {
		t.Fatal(err)
	}
	byScheme := map[string][]string{}
	seen := map[string]bool{}
	for _, tm := range terms {
		k := tm.Scheme + "/" + tm.Code
		if seen[k] {
			t.Errorf("duplicate term %s", k)
		}
		seen[k] = true
		byScheme[tm.Scheme] = append(byScheme[tm.Scheme], tm.Code)
		if tm.LabelEn == "" {
			t.Errorf("%s has no English label", k)
		}
	}
	// The vocabularies the brief names, each complete.
	want := map[string][]string{
		rollcall.VocabFacilityType: {"kwanliso", "kyohwaso", "kyoyangso", "jipkyulso", "rodong_danryeondae", "kuryujang", "kamok", "other"},
		rollcall.VocabEventType: {"arrest", "interrogation", "detention", "transfer", "sentence", "forced_labour", "torture",
			"sexual_violence", "execution", "death_in_custody", "disappearance", "release", "amnesty_release", "pardon",
			"escape", "re_arrest", "forced_return"},
		rollcall.VocabSourceKind: {"testimony", "ngo_report", "un_report", "state_media", "news_report", "satellite_imagery",
			"court_document", "leaked_document", "list"},
		rollcall.VocabFollowUpKind: {"housing", "work", "health", "surveillance", "re_detention", "left_country"},
	}
	for scheme, codes := range want {
		if !slices.Equal(byScheme[scheme], codes) {
			t.Errorf("%s = %v, want %v", scheme, byScheme[scheme], codes)
		}
	}
	for _, s := range []string{rollcall.VocabChargeCat, rollcall.VocabFate, rollcall.VocabVictimRole, "facility_zone", "coi_crimes_against_humanity"} {
		if len(byScheme[s]) == 0 {
			t.Errorf("no %s terms", s)
		}
	}
	if !slices.Contains(byScheme[rollcall.VocabChargeCat], "crimes_against_state") {
		t.Error("the 2015 rule's charge code is not in the vocabulary")
	}
	for _, tm := range terms {
		if tm.Scheme == rollcall.VocabFacilityType && tm.Code == "kwanliso" && !strings.Contains(tm.Source, "state.gov") {
			t.Errorf("kwanliso term lost its source: %q", tm.Source)
		}
		if (tm.Scheme == rollcall.VocabFacilityType || tm.Scheme == rollcall.VocabChargeCat) && tm.LabelKo == "" {
			t.Errorf("%s/%s has no Korean label", tm.Scheme, tm.Code)
		}
	}
}

func TestPublishedEstimates(t *testing.T) {
	ests, err := PublishedEstimates()
	if err != nil {
		t.Fatal(err)
	}
	if want := len(csvRows(t, "estimates.csv")); len(ests) != want {
		t.Fatalf("got %d estimates, want %d", len(ests), want)
	}
	for _, e := range ests {
		if e.Source == "" || (e.Low == nil && e.High == nil && e.Point == nil) {
			t.Errorf("estimate %+v lacks a source or a figure", e)
		}
	}
	// The UN COI figure, checked against the file by eye: 80,000–120,000.
	i := slices.IndexFunc(ests, func(e rollcall.PublishedEstimate) bool { return strings.Contains(e.Source, "Commission of Inquiry") })
	if i < 0 || *ests[i].Low != 80000 || *ests[i].High != 120000 || ests[i].Point != nil {
		t.Errorf("COI estimate not found or wrong")
	}
}

func TestAmnestyDecrees(t *testing.T) {
	ds, err := AmnestyDecrees()
	if err != nil {
		t.Fatal(err)
	}
	if want := len(csvRows(t, "amnesties.csv")); len(ds) != want {
		t.Fatalf("got %d decrees, want %d", len(ds), want)
	}
	var d2015 *rollcall.AmnestyDecree
	for i, d := range ds {
		if d.Sources == "" || d.Key == "" {
			t.Errorf("decree %d lacks key or sources", i)
		}
		if d.Key == "kp-amnesty-2015" {
			d2015 = &ds[i]
		} else if d.Rule != "" {
			t.Errorf("%s has a rule; only 2015 should", d.Key)
		}
	}
	if d2015 == nil {
		t.Fatal("no 2015 decree")
	}
	if d2015.Decreed.String() != "2015-07-09" || d2015.Announced.String() != "2015-07-14" || d2015.Effective.String() != "2015-08-01" {
		t.Errorf("2015 dates = %s %s %s", d2015.Decreed, d2015.Announced, d2015.Effective)
	}
	if d2015.Rule != `detained && "crimes_against_state" in charges` || d2015.Notes == "" {
		t.Errorf("2015 rule = %q, notes %q", d2015.Rule, d2015.Notes)
	}
	if !strings.Contains(d2015.WordingTranslation, "crimes against the country and people") {
		t.Errorf("2015 wording = %q", d2015.WordingTranslation)
	}
}

// TestKoreanComplete: every reference text the interface shows has a Korean
// form (Korean mode shows the Korean), and every vocabulary term a Korean
// label.
func TestKoreanComplete(t *testing.T) {
	ko, err := Korean()
	if err != nil {
		t.Fatal(err)
	}
	need := func(what, en string) {
		t.Helper()
		if strings.TrimSpace(en) == "" {
			return
		}
		k, ok := ko[en]
		if !ok {
			t.Errorf("%s %q has no Korean form", what, en)
			return
		}
		if !hasHangul(k) {
			t.Errorf("%s %q: Korean form %q has no hangul", what, en, k)
		}
	}
	ds, err := AmnestyDecrees()
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds {
		need("decree title", d.Title)
		need("decree occasion", d.Occasion)
		need("decree issuing body", d.IssuingBody)
		need("decree wording", d.WordingTranslation)
		need("decree announced figure", d.AnnouncedNumber)
		need("decree reading", d.Notes)
	}
	es, err := PublishedEstimates()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		need("estimate subject", e.Subject)
		need("estimate unit", e.Unit)
		need("estimate source", e.Source)
		if !isYear(e.Period) {
			need("estimate period", e.Period)
		}
	}
	fs, err := Facilities()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		need("facility status", f.Status)
		if !hasHangul(f.NameKo) {
			t.Errorf("facility %s has no Korean name", f.Key)
		}
	}
	terms, err := Terms()
	if err != nil {
		t.Fatal(err)
	}
	for _, tm := range terms {
		if !hasHangul(tm.LabelKo) {
			t.Errorf("term %s/%s has no Korean label", tm.Scheme, tm.Code)
		}
	}
	// The Korean title is built as the English one is.
	if got := ko["Amnesty announced 14 July 2015: 70th anniversary of Korea's liberation and of the founding of the Workers' Party of Korea"]; got != "2015년 7월 14일 발표 사면: 조국 해방 70주년과 조선로동당 창건 70주년" {
		t.Errorf("2015 title in Korean: %q", got)
	}
}

func hasHangul(s string) bool {
	for _, r := range s {
		if r >= 0xAC00 && r <= 0xD7A3 {
			return true
		}
	}
	return false
}

func isYear(s string) bool {
	if len(s) != 4 {
		return s == ""
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}
