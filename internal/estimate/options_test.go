package estimate

import (
	"slices"
	"testing"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/estimate/mse"
	"github.com/rollcall-project/rollcall/internal/storetest"
)

func TestParseStrata(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Strata
	}{
		{"", nil},
		{"sex", Strata{"sex"}},
		{" facility_type , period,, region ", Strata{"facility_type", "decade", "province"}},
		{"decade,province", Strata{"decade", "province"}},
		{"colour", Strata{"colour"}}, // the store refuses it, naming the variables
	} {
		got := ParseStrata(tt.in)
		if !slices.Equal(got, tt.want) {
			t.Errorf("ParseStrata(%q) = %q, want %q", tt.in, got, tt.want)
		}
		if got.String() != tt.want.String() {
			t.Errorf("ParseStrata(%q).String() = %q", tt.in, got.String())
		}
	}
	if s := (Strata{"facility_type", "sex"}).String(); s != "facility_type,sex" {
		t.Errorf("String = %q", s)
	}
}

func TestParseLists(t *testing.T) {
	for in, want := range map[string]Lists{"": ListsAuto, "auto": ListsAuto, "source": ListsSource, "kind": ListsKind} {
		if got, err := ParseLists(in); err != nil || got != want {
			t.Errorf("ParseLists(%q) = %q, %v", in, got, err)
		}
	}
	for _, in := range []string{"sources", "groups", "Kind"} {
		if _, err := ParseLists(in); rollcall.ErrorCode(err) != rollcall.EINVALID {
			t.Errorf("ParseLists(%q): %v, want invalid", in, err)
		}
	}
}

// Run takes every method ParseMethod accepts, stratified or not, and
// refuses any other with ParseMethod's message.
func TestRunMethods(t *testing.T) { storetest.Run(t, testRunMethods) }

func testRunMethods(t *testing.T, db storetest.DB) {
	ctx, st := openStore(t, db)
	seed(t, ctx, st)
	for _, by := range []Strata{nil, {"sex"}} {
		out, err := Run(ctx, st, Options{Method: mse.MethodObserved, By: by})
		if err != nil {
			t.Fatalf("observed by %q: %v", by, err)
		}
		if out.Result.Observed != 123 || out.Result.Estimate != 123 {
			t.Errorf("observed by %q: %d observed, estimate %v; want 123", by, out.Result.Observed, out.Result.Estimate)
		}
	}
	_, err := Run(ctx, st, Options{Method: "magic"})
	if _, perr := mse.ParseMethod("magic"); err == nil || err.Error() != perr.Error() {
		t.Errorf("unknown method: %v", err)
	}
	if _, err := Run(ctx, st, Options{Method: mse.MethodChao, By: Strata{"colour"}}); rollcall.ErrorCode(err) != rollcall.EINVALID {
		t.Errorf("unknown stratum: %v, want invalid", err)
	}
}
