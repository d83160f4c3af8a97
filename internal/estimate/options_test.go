package estimate

import (
	"math"
	"slices"
	"strings"
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
	// dga, whole and by sex, stored with its seed and search.
	for _, by := range []Strata{nil, {"sex"}} {
		out, err := Run(ctx, st, Options{Method: mse.MethodDGA, By: by, DGA: mse.DGAOptions{Seed: 11}, Save: true})
		if err != nil {
			t.Fatalf("dga by %q: %v", by, err)
		}
		r := out.Result
		if r.Observed != 123 || !(r.Lower <= r.Estimate && r.Estimate <= r.Upper) || r.Estimate < 123 || r.Seed != 11 {
			t.Errorf("dga by %q: %d observed, %.1f [%.1f, %.1f], seed %d", by, r.Observed, r.Estimate, r.Lower, r.Upper, r.Seed)
		}
		if by == nil {
			// The same table built by hand, independently of the store.
			want, _ := mse.NewTable([]string{"b", "c", "d"})
			for p, c := range koreaCounts {
				var bits uint32
				for j, on := range p {
					if on {
						bits |= 1 << j
					}
				}
				want.Add(bits, c)
			}
			w, err := mse.DGA(want, mse.DGAOptions{Seed: 11})
			if err != nil || math.Abs(r.Estimate-w.Estimate) > 1e-9 || r.Upper != w.Upper {
				t.Errorf("dga on Korea: %.1f [%.1f, %.1f], on the table by hand %.1f [%.1f, %.1f] (%v)", r.Estimate, r.Lower, r.Upper, w.Estimate, w.Lower, w.Upper, err)
			}
		}
	}
	saved, err := st.ListEstimates(ctx)
	if err != nil || len(saved) != 4 || saved[0].Method != "dga" || saved[0].Seed != 11 || !strings.Contains(saved[0].ParamsJSON, `"search":"all 8 decomposable`) {
		t.Errorf("stored dga: %v %+v", err, saved)
	}
	_, err = Run(ctx, st, Options{Method: "magic"})
	if _, perr := mse.ParseMethod("magic"); err == nil || err.Error() != perr.Error() {
		t.Errorf("unknown method: %v", err)
	}
	if _, err := Run(ctx, st, Options{Method: mse.MethodChao, By: Strata{"colour"}}); rollcall.ErrorCode(err) != rollcall.EINVALID {
		t.Errorf("unknown stratum: %v, want invalid", err)
	}
}
