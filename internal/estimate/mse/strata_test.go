package mse

import (
	"context"
	"math"
	"strings"
	"testing"
)

func TestStratified(t *testing.T) {
	ctx := context.Background()
	kos := readTestTable(t, "kosovo_4lists")
	hiv := readTestTable(t, "rcapture_hiv_4lists")
	tiny, _ := NewTable(kos.Lists)
	tiny.Add(1, 5)
	tiny.Add(2, 4)
	tiny.Add(3, 2)
	tiny.Add(4, 3)
	tiny.Add(5, 1)
	strata := []Stratum{{"kosovo", kos}, {"hiv", hiv}}

	ll, err := Stratified(ctx, strata, StratifiedOptions{Method: MethodLogLinear})
	if err != nil {
		t.Fatal(err)
	}
	// The strata's Rcapture BIC estimates (see rcaptureLL) add up.
	if want := 10356.5 + 11124.6; !within(ll.Estimate, want, 0.001) {
		t.Errorf("log-linear total %.1f, want %.1f", ll.Estimate, want)
	}
	if ll.Observed != 4400+1896 || !(ll.Lower < ll.Estimate && ll.Estimate < ll.Upper) || len(ll.Strata) != 2 {
		t.Errorf("total %+v", ll)
	}
	// The normal-approximation half-width is z·sqrt(se1² + se2²).
	se1, se2 := ll.Strata[0].Result.Parameters["se"], ll.Strata[1].Result.Parameters["se"]
	if hw := (ll.Upper - ll.Lower) / 2; !within(hw, 1.959964*math.Hypot(se1, se2), 1e-6) {
		t.Errorf("half-width %v", hw)
	}

	lc, err := Stratified(ctx, strata, StratifiedOptions{Method: MethodLCMCR,
		LCMCR: LCMCROptions{Seed: 11, Burnin: 2000, Iterations: 20000, Thin: 10}})
	if err != nil {
		t.Fatal(err)
	}
	m1, m2 := lc.Strata[0].Result.Estimate, lc.Strata[1].Result.Estimate
	// The median of a sum of independent right-skewed variables lies
	// between the sum of medians and the sum of means.
	mean := lc.Strata[0].Result.Parameters["mean"] + lc.Strata[1].Result.Parameters["mean"]
	if lc.Estimate < 0.99*(m1+m2) || lc.Estimate > 1.01*mean {
		t.Errorf("LCMCR total median %.0f; medians %.0f + %.0f, means sum %.0f", lc.Estimate, m1, m2, mean)
	}
	if lc.Strata[1].Result.Seed != 12 {
		t.Errorf("stratum seeds not derived: %d", lc.Strata[1].Result.Seed)
	}

	dg, err := Stratified(ctx, strata, StratifiedOptions{Method: MethodDGA, DGA: DGAOptions{Seed: 5}})
	if err != nil {
		t.Fatal(err)
	}
	d1, d2 := dg.Strata[0].Result, dg.Strata[1].Result
	if dmean := d1.Parameters["mean"] + d2.Parameters["mean"]; dg.Estimate < 0.99*(d1.Estimate+d2.Estimate) || dg.Estimate > 1.01*dmean || !(dg.Lower < dg.Estimate && dg.Estimate < dg.Upper) {
		t.Errorf("DGA total %.0f [%.0f, %.0f]; medians %.0f + %.0f, means sum %.0f", dg.Estimate, dg.Lower, dg.Upper, d1.Estimate, d2.Estimate, dmean)
	}
	// Independent strata: the total's interval is narrower than the sum of
	// the strata's limits.
	if dg.Upper-dg.Lower >= (d1.Upper-d1.Lower)+(d2.Upper-d2.Lower) {
		t.Errorf("DGA total interval [%.0f, %.0f] as wide as the strata's added", dg.Lower, dg.Upper)
	}

	sp, err := Stratified(ctx, append(strata, Stratum{"tiny", tiny}), StratifiedOptions{Method: MethodChao})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, w := range sp.Warnings {
		found = found || strings.Contains(w, `stratum "tiny" is too sparse`)
	}
	if !found {
		t.Errorf("no sparse-stratum warning in %q", sp.Warnings)
	}
}
