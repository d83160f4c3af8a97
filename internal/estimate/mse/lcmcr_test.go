package mse

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"testing"
)

// Kosovo reference (mse-reference.md, LCMCR 0.4.14, K* = 10, a = b = 0.25):
// over seven runs of the R package with different seeds and lengths the
// posterior median ranged over 10,360–10,598, the 2.5% point over
// 8,840–9,245 and the 97.5% point over 13,620–14,786. The short default
// test allows for its larger Monte Carlo error; the long run
// (ROLLCALL_MSE_LONG=1) uses the reference settings and the R ranges
// widened by 2%.
func TestLCMCRKosovo(t *testing.T) {
	tb := readTestTable(t, "kosovo_4lists")
	long := os.Getenv("ROLLCALL_MSE_LONG") != ""
	opts := LCMCROptions{Seed: 20240601, Burnin: 5000, Iterations: 60000, Thin: 10, Chains: 2}
	medLo, medHi, loLo, loHi, hiLo, hiHi := 10100.0, 10850.0, 8600.0, 9500.0, 13000.0, 15500.0
	if long {
		opts = LCMCROptions{Seed: 20240601, Burnin: 100000, Iterations: 1000000, Thin: 100, Chains: 2}
		medLo, medHi, loLo, loHi, hiLo, hiHi = 10360*0.98, 10598*1.02, 8840*0.98, 9245*1.02, 13620*0.98, 14786*1.02
	}
	r, err := LCMCR(context.Background(), tb, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Kosovo LCMCR: median %.0f [%.0f, %.0f], mean %.0f, R-hat %.3f, ESS %.0f", r.Estimate, r.Lower, r.Upper, r.Parameters["mean"], r.RHat, r.ESS)
	if r.Estimate < medLo || r.Estimate > medHi {
		t.Errorf("median %.0f outside [%.0f, %.0f]", r.Estimate, medLo, medHi)
	}
	if r.Lower < loLo || r.Lower > loHi {
		t.Errorf("2.5%% point %.0f outside [%.0f, %.0f]", r.Lower, loLo, loHi)
	}
	if r.Upper < hiLo || r.Upper > hiHi {
		t.Errorf("97.5%% point %.0f outside [%.0f, %.0f]", r.Upper, hiLo, hiHi)
	}
	if r.RHat > 1.05 {
		t.Errorf("R-hat %.3f", r.RHat)
	}
	if r.Seed != opts.Seed || r.Burnin != opts.Burnin || r.Iterations != opts.Iterations {
		t.Errorf("settings not reported: %+v", r)
	}
}

func TestLCMCRReproducible(t *testing.T) {
	tb := readTestTable(t, "mse_korea_3lists")
	opts := LCMCROptions{Seed: 7, Burnin: 500, Iterations: 5000, Thin: 5}
	a, err := LCMCR(context.Background(), tb, opts)
	if err != nil {
		t.Fatal(err)
	}
	b, err := LCMCR(context.Background(), tb, opts)
	if err != nil {
		t.Fatal(err)
	}
	for i := range a.Draws {
		if a.Draws[i] != b.Draws[i] {
			t.Fatalf("draw %d differs: %v vs %v", i, a.Draws[i], b.Draws[i])
		}
	}
	opts.Seed = 8
	c, _ := LCMCR(context.Background(), tb, opts)
	same := true
	for i := range a.Draws {
		same = same && a.Draws[i] == c.Draws[i]
	}
	if same {
		t.Error("seeds 7 and 8 gave identical draws")
	}
	if len(a.Draws) != 2*opts.Iterations/opts.Thin {
		t.Errorf("%d draws, want %d", len(a.Draws), 2*opts.Iterations/opts.Thin)
	}
}

func TestLCMCRCancel(t *testing.T) {
	tb := readTestTable(t, "kosovo_4lists")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := LCMCR(ctx, tb, LCMCROptions{Iterations: 1 << 30}); err == nil {
		t.Fatal("cancelled run returned no error")
	}
}

// With the n0 cap set the draws never exceed (1 + cap)·n, and the result says so.
func TestLCMCRCapReported(t *testing.T) {
	tb := readTestTable(t, "sparsemse_artificial_3")
	r, err := LCMCR(context.Background(), tb, LCMCROptions{Seed: 3, Burnin: 1000, Iterations: 10000, MaxN0Factor: 2})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range r.Draws {
		if d > 3*float64(r.Observed) {
			t.Fatalf("draw %v above the cap", d)
		}
	}
	if r.Parameters["n0_cap"] != 2*float64(r.Observed) {
		t.Errorf("cap not reported: %v", r.Parameters)
	}
}

func TestRHatAndESS(t *testing.T) {
	g := rand.New(rand.NewPCG(1, 2))
	const n = 4000
	iid := [][]float64{make([]float64, n), make([]float64, n)}
	ar := [][]float64{make([]float64, n), make([]float64, n)}
	const rho = 0.9
	for c := range iid {
		x := 0.0
		for i := 0; i < n; i++ {
			iid[c][i] = g.NormFloat64()
			x = rho*x + math.Sqrt(1-rho*rho)*g.NormFloat64()
			ar[c][i] = x
		}
	}
	if r := splitRHat(iid); math.Abs(r-1) > 0.01 {
		t.Errorf("iid R-hat %v", r)
	}
	if e := ess(iid); e < 0.8*2*n || e > 1.2*2*n {
		t.Errorf("iid ESS %v, want about %d", e, 2*n)
	}
	// AR(1): ESS = N(1−ρ)/(1+ρ).
	want := 2 * n * (1 - rho) / (1 + rho)
	if e := ess(ar); e < 0.7*want || e > 1.3*want {
		t.Errorf("AR(1) ESS %v, want about %v", e, want)
	}
	// Chains centred apart disagree.
	shifted := [][]float64{iid[0], make([]float64, n)}
	for i, v := range iid[1] {
		shifted[1][i] = v + 1
	}
	if r := splitRHat(shifted); r < 1.1 {
		t.Errorf("shifted chains R-hat %v, want > 1.1", r)
	}
}

// TestLCMCRReferenceSets compares posterior medians with the R package on
// the reference data sets (LCMCR 0.4.14, K* = 10, 1.1 M sweeps, seed
// 20240601; mse-reference.md). It takes minutes (BENCHMARKS.md), so it runs
// when ROLLCALL_MSE_REFERENCE=1 (as .ci/run sets) or ROLLCALL_MSE_LONG=1.
// Sets whose posterior is multimodal (ScotPWID, Ned_5: our chains disagree,
// R-hat > 1.05) are left out.
func TestLCMCRReferenceSets(t *testing.T) {
	if os.Getenv("ROLLCALL_MSE_REFERENCE") == "" && os.Getenv("ROLLCALL_MSE_LONG") == "" {
		t.Skip("LCMCR comparison with the R package's posteriors skipped (minutes): set ROLLCALL_MSE_REFERENCE=1, as .ci/run does")
	}
	for _, c := range []struct {
		file        string
		med, lo, hi float64
	}{
		{"modslavmse_ukdat_4", 12016, 10217, 14734},
		{"sparsemse_western", 1836, 1311, 2994},
		{"mse_korea_3lists", 138, 124, 201},
		{"rcapture_hiv_4lists", 10918, 9389, 13030},
		{"rcapture_lesbian_4lists", 5368, 4299, 6997},
		{"rcapture_diabetes_4lists", 2424, 2258, 3186},
		{"conting_spina_3lists", 727, 678, 820},
		{"dga_my1997_5lists", 629, 590, 716},
		{"sparsemse_neworl_5", 830, 569, 1373},
		{"sparsemse_ukdat_5", 22384, 15932, 34724},
		{"rcapture_hare_6occasions", 76, 70, 90},
		{"sparsemse_ukdat", 22299, 16640, 33305},
		{"sparsemse_neworl", 716, 512, 1063},
	} {
		r, err := LCMCR(context.Background(), readTestTable(t, c.file), LCMCROptions{Seed: 1, Burnin: 100000, Iterations: 1000000, Thin: 100})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%-26s %.0f [%.0f, %.0f] R-hat %.3f ESS %.0f; R: %.0f [%.0f, %.0f]", c.file, r.Estimate, r.Lower, r.Upper, r.RHat, r.ESS, c.med, c.lo, c.hi)
		if r.RHat > 1.05 {
			// Our chains found separate modes (the R figure is one chain):
			// the result carries the warning; a comparison would be moot.
			t.Logf("%s: chains disagree (R-hat %.3f), not compared", c.file, r.RHat)
			continue
		}
		if !within(r.Estimate, c.med, 0.05) || !within(r.Lower, c.lo, 0.08) || !within(r.Upper, c.hi, 0.10) {
			t.Errorf("%s: %.0f [%.0f, %.0f], R %.0f [%.0f, %.0f]", c.file, r.Estimate, r.Lower, r.Upper, c.med, c.lo, c.hi)
		}
	}
}
