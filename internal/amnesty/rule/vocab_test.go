package rule

import (
	"encoding/csv"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/rollcall-project/rollcall"
)

// readTestVocabulary reads testdata/vocabulary.csv (see testdata/SOURCES.md).
var readTestVocabulary = sync.OnceValues(func() ([]rollcall.Term, error) {
	f, err := os.Open("testdata/vocabulary.csv")
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		return nil, err
	}
	var terms []rollcall.Term
	for _, r := range rows[1:] {
		terms = append(terms, rollcall.Term{Scheme: r[0], Code: r[1], LabelEn: r[2], LabelKo: r[3]})
	}
	return terms, nil
})

// testVocabulary is the facility types and charge categories rollcall
// ships with.
func testVocabulary(tb testing.TB) *rollcall.Vocabulary {
	tb.Helper()
	terms, err := readTestVocabulary()
	if err != nil {
		tb.Fatal(err)
	}
	return rollcall.NewVocabulary(terms)
}

// TestRuleVocabulary: a literal compared with a vocabulary-valued fact is
// read as the code it names, whatever spelling users write, or the rule is
// rejected naming the allowed values; it is never silently false.
func TestRuleVocabulary(t *testing.T) {
	voc := testVocabulary(t)
	woman := Facts{Sex: []string{"f"}, FacilityType: []string{"kyohwaso"}, ChargesKnown: true, Charges: []string{"political"}}
	man := Facts{Sex: []string{"m"}, FacilityType: []string{"kwanliso"}, ChargesKnown: true, Charges: []string{"economic"}}
	tests := []struct {
		rule string
		// the decisions for woman and man, or the error
		woman, man, err string
	}{
		{rule: `sex == "f"`, woman: rollcall.Eligible, man: rollcall.NotEligible},
		{rule: `sex == "F"`, woman: rollcall.Eligible, man: rollcall.NotEligible},
		{rule: `sex == "female"`, woman: rollcall.Eligible, man: rollcall.NotEligible},
		{rule: `sex == "Female"`, woman: rollcall.Eligible, man: rollcall.NotEligible},
		{rule: `sex == "여"`, woman: rollcall.Eligible, man: rollcall.NotEligible},
		{rule: `"여" == sex`, woman: rollcall.Eligible, man: rollcall.NotEligible},
		{rule: `"여성" == sex`, woman: rollcall.Eligible, man: rollcall.NotEligible},
		{rule: `sex != "M"`, woman: rollcall.Eligible, man: rollcall.NotEligible},
		{rule: `sex in ["Male", "남"]`, woman: rollcall.NotEligible, man: rollcall.Eligible},
		{rule: `facility_type == "Kyohwaso"`, woman: rollcall.Eligible, man: rollcall.NotEligible},
		{rule: `facility_type in ["Kyohwaso", "교화소"]`, woman: rollcall.Eligible, man: rollcall.NotEligible},
		{rule: `facility_type == "reeducation camp"`, woman: rollcall.Eligible, man: rollcall.NotEligible},
		{rule: `facility_type == "관리소"`, woman: rollcall.NotEligible, man: rollcall.Eligible},
		{rule: `"political" in charges`, woman: rollcall.Eligible, man: rollcall.NotEligible},
		{rule: `"Political" in charges`, woman: rollcall.Eligible, man: rollcall.NotEligible},
		{rule: `"경제 범죄" in charges`, woman: rollcall.NotEligible, man: rollcall.Eligible},
		{rule: `charges.exists(c, c == "Economic")`, woman: rollcall.NotEligible, man: rollcall.Eligible},
		{rule: `charges.all(c, c in ["political", "Crimes against the country and people"])`, woman: rollcall.Eligible, man: rollcall.NotEligible},
		{rule: `charges == ["Political"]`, woman: rollcall.Eligible, man: rollcall.NotEligible},
		// A comprehension variable that is not a charge is not read as one.
		{rule: `["x", "y"].exists(c, c == "x") && sex == "f"`, woman: rollcall.Eligible, man: rollcall.NotEligible},
		{rule: `charges.exists(sex, sex == "political")`, woman: rollcall.Eligible, man: rollcall.NotEligible},

		{rule: `sex == "x"`, err: `rule 1:8: "x" is not a sex (allowed: f, m)`},
		{rule: `sex == ""`, err: `rule 1:8: "" is not a sex (allowed: f, m)`},
		{rule: `detained &&
  facility_type == "prison"`, err: `rule 2:20: "prison" is not a facility type (allowed: jipkyulso, kamok, kuryujang, kwanliso, kyohwaso, kyoyangso, other, rodong_danryeondae)`},
		{rule: `"politcal" in charges`, err: `rule 1:1: "politcal" is not a charge category (allowed: crimes_against_state, economic, guilt_by_association, illegal_border_crossing, ordinary_criminal, other, political, religious, unauthorised_media)`},
		{rule: `charges.exists(c, c == "espionage")`, err: `"espionage" is not a charge category`},
		{rule: `sex == "w" || facility_type == "camp"`, err: `rule 1:8: "w" is not a sex (allowed: f, m); rule 1:32: "camp" is not a facility type`},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			r, err := Compile(tt.rule, voc)
			if tt.err != "" {
				if err == nil || rollcall.ErrorCode(err) != rollcall.EINVALID || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Compile = %v, want EINVALID containing %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := r.Decide(woman); d.Decision != tt.woman {
				t.Errorf("woman: %+v, want %s", d, tt.woman)
			}
			if d := r.Decide(man); d.Decision != tt.man {
				t.Errorf("man: %+v, want %s", d, tt.man)
			}
		})
	}
}

// TestPersonsFileVocabulary: facility types and charges in PERSONS.csv are
// read as codes when the vocabulary knows them; a category of the file's
// own may be named by the rule, any other unknown literal may not.
func TestPersonsFileVocabulary(t *testing.T) {
	voc := testVocabulary(t)
	ps, err := ParsePersons(strings.NewReader("id,sex,facility_type,charges\na,Female,교화소,Political;espionage\nb,M,KWANLISO,\n"), "p.csv", voc)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(ps[0].FacilityType, ",") != "kyohwaso" || strings.Join(ps[0].Charges, ",") != "political,espionage" ||
		ps[0].Sex != "f" || ps[1].FacilityType[0] != "kwanliso" {
		t.Fatalf("persons %+v", ps)
	}
	doc := Documented(voc, ps)
	if _, err := Compile(`"espionage" in charges`, doc); err != nil {
		t.Errorf("a charge the file uses: %v", err)
	}
	if _, err := Compile(`"espionage" in charges`, voc); err == nil {
		t.Error("without the file, espionage is no charge category, yet the rule compiled")
	}
	if _, err := Compile(`"theft" in charges`, doc); err == nil || !strings.Contains(err.Error(), "espionage") {
		t.Errorf("a charge neither in the vocabulary nor the file: %v (want the file's espionage among the allowed)", err)
	}
}
