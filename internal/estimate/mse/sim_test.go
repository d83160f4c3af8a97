package mse

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
)

// simClass is a latent class of a simulated population: its share and
// each list's capture probability for its members.
type simClass struct {
	share float64
	p     []float64
}

type simPop struct {
	n       int
	classes []simClass
}

// simPopulation5: 2,000 people in three classes that differ in which lists
// see them, seen through 5 lists with independent captures within a class;
// about 12% are on no list. (With a harder third class, capture 0.1–0.3,
// LCMCR covered in 45/50 and log-linear in 37/50: LCMCR's Beta(1, 1) prior
// on capture probabilities then pulls a rarely seen class's capture
// probability up and the estimate down by about 1.5%.)
var simPopulation5 = simPop{n: 2000, classes: []simClass{
	{0.5, []float64{0.6, 0.5, 0.2, 0.4, 0.3}},
	{0.3, []float64{0.1, 0.3, 0.5, 0.2, 0.4}},
	{0.2, []float64{0.3, 0.2, 0.2, 0.3, 0.25}},
}}

var simPopulation10 = simPop{n: 5000, classes: []simClass{
	{0.5, []float64{0.3, 0.2, 0.25, 0.3, 0.2, 0.15, 0.3, 0.2, 0.25, 0.2}},
	{0.3, []float64{0.1, 0.15, 0.1, 0.05, 0.1, 0.12, 0.08, 0.1, 0.1, 0.05}},
	{0.2, []float64{0.03, 0.05, 0.04, 0.06, 0.05, 0.02, 0.04, 0.05, 0.03, 0.04}},
}}

// simulateTable draws one capture-pattern table from the population.
func simulateTable(g *rand.Rand, pop simPop, k int) *Table {
	lists := make([]string, k)
	for j := range lists {
		lists[j] = string(rune('A' + j))
	}
	t, _ := NewTable(lists)
	left := pop.n
	for ci, c := range pop.classes {
		m := int(math.Round(c.share * float64(pop.n)))
		if ci == len(pop.classes)-1 {
			m = left
		}
		left -= m
		for i := 0; i < m; i++ {
			var p uint32
			for j := 0; j < k; j++ {
				if g.Float64() < c.p[j] {
					p |= 1 << j
				}
			}
			if p != 0 {
				t.Counts[p]++
			}
		}
	}
	return t
}

// TestSimulationCoverage is the simulation study: 50 tables from a known
// population of 2,000 with heterogeneous capture. LCMCR's 95% interval must
// cover the truth in at least 90% of them. The log-linear (BIC) and Chao
// figures are reported, not asserted: with heterogeneity they are expected
// to underestimate. ROLLCALL_MSE_REPLICATES changes the number of tables.
func TestSimulationCoverage(t *testing.T) {
	if testing.Short() {
		t.Skip("simulation study (50 LCMCR and log-linear fits) skipped in -short mode")
	}
	reps := 50
	if v := os.Getenv("ROLLCALL_MSE_REPLICATES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("ROLLCALL_MSE_REPLICATES=%q: want a positive number", v)
		}
		reps = n
	}
	// Default: short chains and pairwise log-linear models (1,024 per
	// table) to keep the test near 10 s; ROLLCALL_MSE_LONG=1 runs about 16
	// times longer chains and all 6,893 hierarchical models.
	lcOpts := func(seed uint64) LCMCROptions {
		return LCMCROptions{Seed: seed, Burnin: 1000, Iterations: 12000, Thin: 6}
	}
	llOpts := LogLinearOptions{Top: -1, MaxOrder: 2}
	if os.Getenv("ROLLCALL_MSE_LONG") != "" {
		lcOpts = func(seed uint64) LCMCROptions {
			return LCMCROptions{Seed: seed, Burnin: 20000, Iterations: 200000, Thin: 20}
		}
		llOpts = LogLinearOptions{Top: -1}
	}
	truth := float64(simPopulation5.n)
	type acc struct {
		cover, fail int
		bias, width float64
	}
	stats := map[string]*acc{"lcmcr": {}, "loglinear": {}, "chao": {}}
	ctx := context.Background()
	for rep := 0; rep < reps; rep++ {
		tb := simulateTable(rand.New(rand.NewPCG(uint64(rep), 99)), simPopulation5, 5)
		lc, err := LCMCR(ctx, tb, lcOpts(uint64(rep)))
		if err != nil {
			t.Fatal(err)
		}
		ll, err := LogLinear(ctx, tb, llOpts)
		if err != nil {
			t.Fatal(err)
		}
		ch := Chao(tb)
		for name, r := range map[string]Result{"lcmcr": lc, "loglinear": ll, "chao": ch} {
			a := stats[name]
			if math.IsInf(r.Estimate, 0) || math.IsNaN(r.Estimate) {
				a.fail++
				continue
			}
			if r.Lower <= truth && truth <= r.Upper {
				a.cover++
			}
			a.bias += r.Estimate - truth
			a.width += r.Upper - r.Lower
		}
	}
	for _, name := range []string{"lcmcr", "loglinear", "chao"} {
		a := stats[name]
		ok := float64(reps - a.fail)
		t.Logf("%-9s coverage %d/%d = %.0f%%, mean bias %+.0f (%.1f%% of N = %.0f), mean interval width %.0f, no estimate %d",
			name, a.cover, reps, 100*float64(a.cover)/float64(reps), a.bias/ok, 100*a.bias/ok/truth, truth, a.width/ok, a.fail)
	}
	if c := stats["lcmcr"].cover; float64(c) < 0.9*float64(reps) {
		t.Errorf("LCMCR covers the truth in %d of %d replicates, want ≥ 90%%", c, reps)
	}
}
