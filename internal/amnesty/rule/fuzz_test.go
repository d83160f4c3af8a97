package rule

import (
	"math"
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall"
)

// fuzzFacts are fact sets that exercise unknowns, ranges and alternatives.
func fuzzFacts() []Facts {
	yes, no := true, false
	return []Facts{
		{},
		{Age: Exact(70), Sex: []string{"f"}, Facility: []string{"kyohwaso-12"}, FacilityType: []string{"kyohwaso"},
			ChargesKnown: true, Charges: []string{"economic"}, SentenceYears: Exact(10), ServedYears: Between(4.5, 5.5),
			Detained: &yes, PriorAmnesties: AtLeast(0)},
		{Age: Between(0, 120), Sex: []string{"f", "m"}, ChargesKnown: true, Charges: []string{},
			SentenceYears: Exact(math.Inf(1)), ServedYears: Between(0, math.Inf(1)), Detained: &no, PriorAmnesties: Exact(2)},
	}
}

func FuzzCompile(f *testing.F) {
	for _, s := range []string{
		`age >= 65`, `detained && "crimes_against_state" in charges`,
		`charges.exists(c, c == "economic") || charges.all(c, c in ["a", "b"])`,
		`!(sex == "f") && served_years >= sentence_years / 2.0`, `age >=`, `"x"`, `size(charges) > 1000000`,
		`facility.matches("^kyo.*$")`, `[1,2,3].map(x, [x, x]).size() > 0`, `prior_amnesties == 0 ? age > 1 : false`,
		strings.Repeat("(", 300) + "true" + strings.Repeat(")", 300),
	} {
		f.Add(s)
	}
	facts := fuzzFacts()
	voc := testVocabulary(f)
	f.Fuzz(func(t *testing.T, src string) {
		r, err := Compile(src, voc)
		if err != nil {
			if rollcall.ErrorCode(err) != rollcall.EINVALID {
				t.Fatalf("compile error with code %q: %v", rollcall.ErrorCode(err), err)
			}
			return
		}
		for _, fs := range facts {
			d := r.Decide(fs)
			switch d.Decision {
			case rollcall.Eligible, rollcall.NotEligible:
				if len(d.Missing) != 0 {
					t.Fatalf("%s with missing facts %v", d.Decision, d.Missing)
				}
			case rollcall.Undetermined:
			default:
				t.Fatalf("decision %q", d.Decision)
			}
		}
	})
}

func FuzzParsePersons(f *testing.F) {
	f.Add("id,sex,birth_date,charges\np1,f,1950,economic;theft\n")
	f.Add("id,birth_date,detained_from,released_on,sentence_years,sentence_start,prior_amnesties\np,c. 1950,2010/2012,>2015,life,2011-03,2\n")
	f.Add("\ufeffid\n\"a\nb\"\n")
	f.Add("id,facility,facility_type\nx,\"No. 12\",KYOHWASO\n")
	rule, err := Compile(`detained && (age >= 60 || served_years >= sentence_years / 2.0) && !("political" in charges) && prior_amnesties == 0`, testVocabulary(f))
	if err != nil {
		f.Fatal(err)
	}
	on := rollcall.MustDate("2015-08-01")
	voc := testVocabulary(f)
	f.Fuzz(func(t *testing.T, data string) {
		ps, err := ParsePersons(strings.NewReader(data), "p.csv", voc)
		if err != nil {
			if rollcall.ErrorCode(err) != rollcall.EINVALID {
				t.Fatalf("parse error with code %q: %v", rollcall.ErrorCode(err), err)
			}
			return
		}
		if _, err := DecideAll(rule, on, ps); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzParseDecree(f *testing.F) {
	f.Add("id: x\neffective: 2015-08-01\nrule: age >= 65\n")
	f.Add("id: x\nannounced: c. 2002\nrule: |\n  detained &&\n  charges.all(c, c != \"political\")\n")
	f.Add("id: [\n")
	f.Add("id: x\neffective: after 2015\nrule: true\n")
	voc := testVocabulary(f)
	f.Fuzz(func(t *testing.T, data string) {
		d, rule, err := ParseDecree(strings.NewReader(data), "d.yaml", voc)
		if err != nil {
			if rollcall.ErrorCode(err) != rollcall.EINVALID {
				t.Fatalf("error with code %q: %v", rollcall.ErrorCode(err), err)
			}
			return
		}
		if rule == nil {
			return
		}
		if _, err := Check(d, rule, []Detainee{{ID: "a"}, {ID: "b", BirthDate: rollcall.MustDate("1950")}}); err != nil {
			t.Fatalf("a parsed decree does not check: %v", err)
		}
	})
}
