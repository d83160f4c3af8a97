package mse

import (
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// Two log-linear draws with symmetric intervals are two normals: the
// mixture of N(100, σ²) and N(200, σ²), σ = 20/1.96, has its median at 150
// and its 2.5% point where the first normal has 5%: 100 − 1.645σ.
func TestPoolLinkageMixture(t *testing.T) {
	a := Result{Method: MethodLogLinear, Observed: 60, Estimate: 100, Lower: 80, Upper: 120, Level: 0.95}
	b := Result{Method: MethodLogLinear, Observed: 64, Estimate: 200, Lower: 180, Upper: 220, Level: 0.95}
	r, err := PoolLinkage([]Result{a, b})
	if err != nil {
		t.Fatal(err)
	}
	sigma := 20 / 1.959963984540054
	if math.Abs(r.Estimate-150) > 1e-6 || math.Abs(r.Lower-(100-1.6448536269514722*sigma)) > 1e-4 || math.Abs(r.Upper-(200+1.6448536269514722*sigma)) > 1e-4 {
		t.Errorf("pooled %.4f [%.4f, %.4f]", r.Estimate, r.Lower, r.Upper)
	}
	// Within: σ² each; between: 50².
	if !within(r.Parameters["within_variance"], sigma*sigma, 1e-9) || !within(r.Parameters["between_variance"], 2500, 1e-9) {
		t.Errorf("variances %v", r.Parameters)
	}
	l := r.Linkage
	if l == nil || l.Draws != 2 || l.EstimateMin != 100 || l.EstimateMax != 200 || r.Observed != 62 {
		t.Fatalf("linkage %+v, observed %d", l, r.Observed)
	}
	if want := 1 - 40/(r.Upper-r.Lower); math.Abs(l.Share-want) > 1e-12 || l.Share < 0.6 {
		t.Errorf("share %v, want %v", l.Share, want)
	}
	if want := 2500 / (2500 + sigma*sigma); math.Abs(l.VarianceShare-want) > 1e-12 {
		t.Errorf("variance share %v, want %v", l.VarianceShare, want)
	}

	// The same result twice: nothing comes from linkage.
	r, err = PoolLinkage([]Result{a, a})
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(r.Estimate-100) > 1e-6 || math.Abs(r.Lower-80) > 1e-4 || math.Abs(r.Upper-120) > 1e-4 || r.Linkage.Share > 1e-6 || r.Linkage.VarianceShare != 0 {
		t.Errorf("identical draws: %.4f [%.4f, %.4f], linkage %+v", r.Estimate, r.Lower, r.Upper, r.Linkage)
	}

	// An unbounded draw makes the pooled upper limit unbounded when it
	// holds more than 2.5% of the mass above its estimate; the JSON says null.
	u := Result{Method: MethodLogLinear, Observed: 60, Estimate: 150, Lower: 120, Upper: math.Inf(1), Level: 0.95}
	r, err = PoolLinkage([]Result{a, u})
	if err != nil {
		t.Fatal(err)
	}
	if !math.IsInf(r.Upper, 1) || !math.IsNaN(r.Linkage.Share) {
		t.Errorf("unbounded draw: upper %v share %v", r.Upper, r.Linkage.Share)
	}
	if b, err := json.Marshal(r); err != nil || !strings.Contains(string(b), `"share":null`) {
		t.Errorf("json %s, %v", b, err)
	}
}

// Posterior draws are pooled in equal numbers: draws from N(μ_i, 1) with
// the μ_i spread over 0..9 have a between-draw variance of 8.25 and a
// within-draw variance near 1.
func TestPoolLinkageDraws(t *testing.T) {
	g := rand.New(rand.NewPCG(1, 1))
	var rs []Result
	for i := range 10 {
		n := 2000 + 500*(i%2) // unequal lengths: 2,000 taken from each
		d := make([]float64, n)
		for j := range d {
			d[j] = 1000 + float64(i) + g.NormFloat64()
		}
		s := sortedCopy(d)
		rs = append(rs, Result{Method: MethodLCMCR, Observed: 900, Level: 0.95, Draws: d, RHat: 1 + float64(i)/100, ESS: float64(500 - i),
			Estimate: quantile(s, 0.5), Lower: quantile(s, 0.025), Upper: quantile(s, 0.975)})
	}
	r, err := PoolLinkage(rs)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Draws) != 10*2000 {
		t.Errorf("%d pooled draws", len(r.Draws))
	}
	if !within(r.Parameters["between_variance"], 8.25, 0.02) || !within(r.Parameters["within_variance"], 1, 0.05) {
		t.Errorf("variances %v", r.Parameters)
	}
	if !within(r.Linkage.VarianceShare, 8.25/9.25, 0.02) || r.Linkage.Share < 0.5 {
		t.Errorf("linkage %+v", r.Linkage)
	}
	// ESS adds up over the draws, scaled to the 2,000 taken from each:
	// Σ_even (500 − i) + 0.8 Σ_odd (500 − i) = 2,480 + 1,980.
	if !within(r.Estimate, 1004.5, 0.001) || r.RHat != 1.09 || r.ESS != 4460 {
		t.Errorf("pooled %v, R-hat %v, ESS %v", r.Estimate, r.RHat, r.ESS)
	}
}

// Real engines: LCMCR on Kosovo and on the same table with 3% of the
// two-list people split into two singletons (a linkage error), pooled.
func TestPoolLinkageLCMCR(t *testing.T) {
	kos := readTestTable(t, "kosovo_4lists")
	split := &Table{Lists: kos.Lists, Counts: append([]int(nil), kos.Counts...)}
	for p, c := range kos.Counts {
		if p&(p-1) != 0 && c > 0 && p&3 == 3 { // on EXH and ABA, and maybe more
			s := c * 3 / 100
			split.Counts[p] -= s
			split.Counts[1] += s
			split.Counts[p&^1] += s
		}
	}
	opts := LCMCROptions{Seed: 9, Burnin: 2000, Iterations: 20000, Thin: 10}
	var rs []Result
	for i, tb := range []*Table{kos, split} {
		o := opts
		o.Seed += uint64(i)
		r, err := LCMCR(context.Background(), tb, o)
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, r)
	}
	p, err := PoolLinkage(rs)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("draws %.0f and %.0f, pooled %.0f [%.0f, %.0f], linkage share %.2f, variance share %.2f", rs[0].Estimate, rs[1].Estimate, p.Estimate, p.Lower, p.Upper, p.Linkage.Share, p.Linkage.VarianceShare)
	if p.Estimate < rs[0].Estimate-50 && p.Estimate < rs[1].Estimate-50 || p.Estimate > rs[0].Estimate+50 && p.Estimate > rs[1].Estimate+50 {
		t.Errorf("pooled median %.0f not between the draws' %.0f and %.0f", p.Estimate, rs[0].Estimate, rs[1].Estimate)
	}
	if !hasFlag(p, WarnObservedFloor) || !hasFlag(p, WarnLowCoverage) || p.Method != MethodLCMCR {
		t.Errorf("flags %v", p.Flags)
	}
	for _, w := range p.Flags {
		if w.Code == WarnLowCoverage && !strings.HasPrefix(w.Text, "in every linkage draw") {
			t.Errorf("coverage warning %q", w.Text)
		}
	}
}

func TestPoolLinkageRefusals(t *testing.T) {
	ll := Result{Method: MethodLogLinear, Estimate: 100, Lower: 80, Upper: 120, Level: 0.95}
	ch := Result{Method: MethodChao, Estimate: 100, Lower: 80, Upper: 120, Level: 0.95}
	l90 := ll
	l90.Level = 0.9
	nan := ll
	nan.Estimate = math.Inf(1)
	for _, c := range []struct {
		name string
		rs   []Result
		want string
	}{
		{"none", nil, "no linkage draws"},
		{"methods", []Result{ll, ch}, "one method at a time"},
		{"levels", []Result{ll, l90}, "90% interval"},
		{"unbounded estimate", []Result{ll, nan}, "no finite estimate"},
	} {
		if _, err := PoolLinkage(c.rs); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error about %q", c.name, err, c.want)
		}
	}
}
