package amnesty_test

import (
	"testing"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/amnesty"
	"github.com/rollcall-project/rollcall/internal/demo"
)

// TestSpellingsDecideAlike is issue 11's case: over 400 fictional persons,
// `sex == "F"` was silently false for every woman. Each rule as users
// spell it must decide every person as the rule in codes does.
func TestSpellingsDecideAlike(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the 400-person population in -short mode")
	}
	ctx, st := openStore(t)
	if err := demo.LoadTruth(ctx, st, 400, 7); err != nil {
		t.Fatal(err)
	}
	pairs := []struct{ code, spelled string }{
		{`detained && sex == "f"`, `detained && sex == "F"`},
		{`detained && sex == "f"`, `detained && "여" == sex`},
		{`detained && sex == "m"`, `detained && sex in ["Male"]`},
		{`facility_type in ["kyohwaso", "kwanliso"]`, `facility_type in ["Kyohwaso", "관리소"]`},
		{`"political" in charges || "crimes_against_state" in charges`, `"Political" in charges || charges.exists(c, c == "crimes against the country and people")`},
	}
	for i, p := range pairs {
		var evs [2]*amnesty.Evaluation
		for j, src := range []string{p.code, p.spelled} {
			d := rollcall.AmnestyDecree{Key: []string{"code", "spelled"}[j] + string(rune('a'+i)), Title: "spelling test",
				Effective: rollcall.MustDate("2015-08-01"), Rule: src}
			if _, err := amnesty.SaveDecree(ctx, st, &d, false); err != nil {
				t.Fatalf("%s: %v", src, err)
			}
			ev, err := amnesty.Evaluate(ctx, st, d.Key)
			if err != nil {
				t.Fatal(err)
			}
			evs[j] = ev
		}
		counts := map[string]int{}
		for k, want := range evs[0].Results {
			got := evs[1].Results[k]
			if got.PersonID != want.PersonID || got.Decision.Decision != want.Decision.Decision {
				t.Fatalf("%s: person %d is %s, but %s under %s", p.spelled, got.PersonID, got.Decision.Decision, want.Decision.Decision, p.code)
			}
			counts[want.Decision.Decision]++
		}
		// Both decisions occur, so agreeing means something.
		if counts[rollcall.Eligible] == 0 || counts[rollcall.NotEligible] == 0 {
			t.Errorf("%s: one-sided decisions %v", p.code, counts)
		}
	}
}
