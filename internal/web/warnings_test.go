package web

import (
	"context"
	"testing"

	"github.com/rollcall-project/rollcall/internal/estimate/mse"
)

// TestWarningsInKorean: every warning the estimators write on a range of
// tables (thin, sparse, three lists, disagreeing methods, linkage draws,
// strata) has a Korean form; an untranslated one would show English in
// Korean mode.
func TestWarningsInKorean(t *testing.T) {
	ctx := context.Background()
	tables := map[string]map[uint32]int{
		"3 lists":     {0b001: 40, 0b010: 35, 0b100: 30, 0b011: 8, 0b101: 6, 0b110: 5, 0b111: 2},
		"thin":        {0b0001: 3, 0b0010: 2, 0b0100: 1, 0b1000: 1, 0b0011: 1},
		"no overlap":  {0b0001: 30, 0b0010: 25, 0b0100: 20, 0b1000: 10},
		"4 lists":     {0b0001: 300, 0b0010: 250, 0b0100: 200, 0b1000: 150, 0b0011: 40, 0b0101: 30, 0b1001: 20, 0b0110: 25, 0b1010: 15, 0b1100: 10, 0b0111: 5, 0b1111: 2},
		"one overlap": {0b0001: 500, 0b0010: 400, 0b0100: 300, 0b0011: 1},
	}
	seen := map[string]bool{}
	check := func(name string, r mse.Result) {
		for _, w := range r.Flags {
			if seen[w.Text] {
				continue
			}
			seen[w.Text] = true
			if koWarning(w.Text) == w.Text {
				t.Errorf("%s: warning %s has no Korean form: %q", name, w.Code, w.Text)
			}
		}
	}
	for name, cells := range tables {
		k := 3
		if name != "3 lists" {
			k = 4
		}
		lists := []string{"a", "b", "c", "d"}[:k]
		tb, err := mse.NewTable(lists)
		if err != nil {
			t.Fatal(err)
		}
		for p, n := range cells {
			if err := tb.Add(p, n); err != nil {
				t.Fatal(err)
			}
		}
		opts := mse.Options{LCMCR: mse.LCMCROptions{Seed: 1, Burnin: 200, Iterations: 2000, Thin: 2}}
		var rs []mse.Result
		for _, m := range []mse.Method{mse.MethodLogLinear, mse.MethodLCMCR, mse.MethodDGA, mse.MethodChao} {
			r, err := mse.Estimate(ctx, tb, m, opts)
			if err != nil {
				continue // a method may refuse a table; its refusal is an error, not a warning
			}
			rs = append(rs, r)
		}
		mse.AddCrossCheck(rs)
		for _, r := range rs {
			check(name+"/"+string(r.Method), r)
		}
		if len(rs) > 1 {
			if pooled, err := mse.PoolLinkage([]mse.Result{rs[len(rs)-1], rs[len(rs)-1]}); err == nil {
				check(name+"/pooled", pooled)
			}
		}
	}
	t.Logf("%d distinct warnings, all with a Korean form", len(seen))
	if len(seen) < 8 {
		t.Fatalf("only %d distinct warnings came out; the tables no longer exercise the estimators", len(seen))
	}
}
