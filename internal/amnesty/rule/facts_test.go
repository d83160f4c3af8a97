package rule

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/rollcall-project/rollcall"
)

func TestAgeRange(t *testing.T) {
	// Expected ranges worked out by hand from the birthday rule: on
	// 2015-08-01 someone born on or before 1950-08-01 is 65.
	tests := []struct {
		birth, on string
		lo, hi    float64
	}{
		{"1950", "2015-08-01", 64, 65},
		{"1950-08-01", "2015-08-01", 65, 65},
		{"1950-08-02", "2015-08-01", 64, 64},
		{"1950-02", "2015", 64, 65}, // a partial decree date widens too
		{"before 1900", "2015-08-01", 115, 120},
		{"after 2010", "2015-08-01", 0, 4},
		{"2016", "2015-08-01", 0, 0}, // born after the date: clamped, not negative
	}
	for _, tt := range tests {
		f, err := Detainee{BirthDate: rollcall.MustDate(tt.birth)}.FactsAt(rollcall.MustDate(tt.on))
		if err != nil {
			t.Fatal(err)
		}
		if !f.Age.Known || f.Age.Lo != tt.lo || f.Age.Hi != tt.hi {
			t.Errorf("born %s on %s: age %v, want %v–%v", tt.birth, tt.on, f.Age, tt.lo, tt.hi)
		}
	}
}

func TestYearsBetween(t *testing.T) {
	tests := []struct {
		a, b [3]int
		want float64
	}{
		{[3]int{2010, 8, 1}, [3]int{2015, 8, 1}, 5},           // leap day in between changes nothing
		{[3]int{2012, 2, 29}, [3]int{2013, 3, 1}, 1},          // Feb 29 anniversary falls on Mar 1
		{[3]int{2014, 8, 1}, [3]int{2015, 2, 1}, 184.0 / 365}, // 184 days of a 365-day year
	}
	for _, tt := range tests {
		if got := yearsBetween(tt.a, tt.b); math.Abs(got-tt.want) > 1e-12 {
			t.Errorf("yearsBetween(%v, %v) = %v, want %v", tt.a, tt.b, got, tt.want)
		}
	}
}

func TestDecideRanges(t *testing.T) {
	// The combination logic on hand-built facts: each case says why.
	yes := true
	tests := []struct {
		name, rule string
		f          Facts
		want       string
		missing    []string
	}{
		{"alternatives agree", `facility_type in ["kyohwaso", "kamok"]`, Facts{FacilityType: []string{"kyohwaso", "kamok"}}, rollcall.Eligible, nil},
		{"alternatives differ", `facility_type == "kyohwaso"`, Facts{FacilityType: []string{"kyohwaso", "kwanliso"}}, rollcall.Undetermined, []string{"facility_type"}},
		{"open range beyond threshold", `prior_amnesties >= 1`, Facts{PriorAmnesties: AtLeast(1)}, rollcall.Eligible, nil},
		{"lower bound is not a value", `prior_amnesties == 0`, Facts{PriorAmnesties: AtLeast(0)}, rollcall.Undetermined, []string{"prior_amnesties"}},
		{"wide int range sampled at threshold", `age > 40`, Facts{Age: Between(20, 90)}, rollcall.Undetermined, []string{"age"}},
		{"wide int range wholly above", `age > 10`, Facts{Age: Between(20, 90)}, rollcall.Eligible, nil},
		{"only the deciding fact is named", `age >= 65 && detained`, Facts{Age: Between(64, 65), Detained: &yes}, rollcall.Undetermined, []string{"age"}},
		{"uncertain and unknown both named", `age >= 65 && sex == "m"`, Facts{Age: Between(64, 65)}, rollcall.Undetermined, []string{"age", "sex"}},
		{"false beats unknown across combinations", `age >= 70 && sex == "m"`, Facts{Age: Between(64, 65)}, rollcall.NotEligible, nil},
		{"linked placements exclude impossible mixes", `facility == "A" && facility_type == "kwanliso"`, twoPlaces(true), rollcall.NotEligible, nil},
		{"unlinked alternatives allow every mix", `facility == "A" && facility_type == "kwanliso"`, twoPlaces(false), rollcall.Undetermined, []string{"facility", "facility_type"}},
		{"linked placements: every pair qualifies", `facility == "A" || facility_type == "kwanliso"`, twoPlaces(true), rollcall.Eligible, nil},
		{"linked placements name both facts", `facility == "A" && facility_type == "kyohwaso"`, twoPlaces(true), rollcall.Undetermined, []string{"facility", "facility_type"}},
		{"runtime error is undetermined", `charges[3] == "x"`, Facts{ChargesKnown: true, Charges: []string{"a"}}, rollcall.Undetermined, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Compile(tt.rule, testVocabulary(t))
			if err != nil {
				t.Fatal(err)
			}
			d := r.Decide(tt.f)
			if d.Decision != tt.want || !slices.Equal(d.Missing, tt.missing) {
				t.Fatalf("got %s missing %v (err %q), want %s missing %v", d.Decision, d.Missing, d.Error, tt.want, tt.missing)
			}
		})
	}
}

// twoPlaces is a person moved from A (a kyohwaso) to B (a kwanliso) on a
// date that may be before or after the decree date.
func twoPlaces(linked bool) Facts {
	f := Facts{Facility: []string{"A", "B"}, FacilityType: []string{"kyohwaso", "kwanliso"}}
	if linked {
		f.Placements = [][2]string{{"A", "kyohwaso"}, {"B", "kwanliso"}}
	}
	return f
}

func TestCompileErrors(t *testing.T) {
	tests := []struct{ rule, want string }{
		{"", "the rule is empty"},
		{"age + 1", "rule 1:1: the rule must give true or false, not int"},
		{"age >= 65 &&\n  height > 2", "rule 2:3: undeclared reference to 'height'"},
	}
	for _, tt := range tests {
		_, err := Compile(tt.rule, testVocabulary(t))
		if err == nil || rollcall.ErrorCode(err) != rollcall.EINVALID || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Compile(%q) = %v, want EINVALID containing %q", tt.rule, err, tt.want)
		}
	}
}

func TestCostLimit(t *testing.T) {
	// A rule that builds a huge list hits the cost limit and is reported
	// as an error, not left running.
	r, err := Compile(`[1,2,3,4,5,6,7,8,9,10].map(a, [1,2,3,4,5,6,7,8,9,10].map(b, [1,2,3,4,5,6,7,8,9,10].map(c, [1,2,3,4,5,6,7,8,9,10].map(d, [1,2,3,4,5,6,7,8,9,10].map(e, a+b+c+d+e))))).size() > 0`, testVocabulary(t))
	if err != nil {
		t.Fatal(err)
	}
	d := r.Decide(Facts{})
	if d.Decision != rollcall.Undetermined || !strings.Contains(d.Error, "cost limit") {
		t.Fatalf("got %+v, want undetermined with a cost limit error", d)
	}
}

// TestDecideAllMatchesDecide checks that the parallel, memoised DecideAll
// gives each person exactly what Decide gives on its own.
func TestDecideAllMatchesDecide(t *testing.T) {
	persons := benchPopulation(6000)
	for _, rule := range []string{
		`detained && "crimes_against_state" in charges`,
		`detained && (age >= 60 || sex == "f" || served_years >= sentence_years / 2.0) && facility_type in ["kyohwaso", "rodong_danryeondae"]`,
	} {
		r, err := Compile(rule, testVocabulary(t))
		if err != nil {
			t.Fatal(err)
		}
		on := rollcall.MustDate("2015-08-01")
		got, err := DecideAll(r, on, persons)
		if err != nil {
			t.Fatal(err)
		}
		counts := map[string]int{}
		for i, p := range persons {
			f, err := p.FactsAt(on)
			if err != nil {
				t.Fatal(err)
			}
			want := r.Decide(f)
			if got[i].Decision != want.Decision || !slices.Equal(got[i].Missing, want.Missing) {
				t.Fatalf("person %s: DecideAll %+v, Decide %+v", p.ID, got[i], want)
			}
			counts[want.Decision]++
		}
		// The population mixes all three outcomes, so the comparison means something.
		if counts[rollcall.Eligible] == 0 || counts[rollcall.NotEligible] == 0 || counts[rollcall.Undetermined] == 0 {
			t.Fatalf("rule %q: one-sided population %v", rule, counts)
		}
	}
}

// TestSamplingMatchesBruteForce checks the candidate sampling against
// evaluating every value of a range: for rules comparing a fact with
// constants, sampling must give the same decision as brute force.
func TestSamplingMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for n := range 300 {
		a, b, c := rng.IntN(100), rng.IntN(100), rng.IntN(100)
		rule := fmt.Sprintf("(age >= %d && age < %d) || age == %d", a, b, c)
		r, err := Compile(rule, testVocabulary(t))
		if err != nil {
			t.Fatal(err)
		}
		lo := rng.IntN(100)
		hi := lo + rng.IntN(40)
		all := map[bool]bool{}
		for v := lo; v <= hi; v++ {
			all[r.Decide(Facts{Age: Exact(float64(v))}).Decision == rollcall.Eligible] = true
		}
		want := rollcall.Undetermined
		if len(all) == 1 {
			want = rollcall.NotEligible
			if all[true] {
				want = rollcall.Eligible
			}
		}
		if got := r.Decide(Facts{Age: Between(float64(lo), float64(hi))}).Decision; got != want {
			t.Fatalf("case %d: %s with age %d–%d: %s, brute force %s", n, rule, lo, hi, got, want)
		}
	}
	for n := range 200 {
		x, y := float64(rng.IntN(30))/2, float64(rng.IntN(30))/2
		rule := fmt.Sprintf("served_years >= %.1f && served_years < %.1f || served_years == %.1f", x, y, y+1)
		r, err := Compile(rule, testVocabulary(t))
		if err != nil {
			t.Fatal(err)
		}
		lo := rng.IntN(15000)
		hi := lo + rng.IntN(6000)
		all := map[bool]bool{}
		for k := lo; k <= hi; k++ {
			all[r.Decide(Facts{ServedYears: Exact(float64(k) / 1000)}).Decision == rollcall.Eligible] = true
		}
		want := rollcall.Undetermined
		if len(all) == 1 {
			want = rollcall.NotEligible
			if all[true] {
				want = rollcall.Eligible
			}
		}
		if got := r.Decide(Facts{ServedYears: Between(float64(lo)/1000, float64(hi)/1000)}).Decision; got != want {
			t.Fatalf("case %d: %s with served %g–%g: %s, brute force %s", n, rule, float64(lo)/1000, float64(hi)/1000, got, want)
		}
	}
}
