package mse

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
)

// benchSweeps reports single-chain Gibbs sweeps per second at K* = 10.
func benchSweeps(b *testing.B, tb *Table) {
	opts := LCMCROptions{}
	opts.defaults()
	s := newLCMCRChain(tb, &opts, 1, chainStream(0))
	for i := 0; i < lcmcrWarmup; i++ {
		s.sweep(false)
	}
	s.relabel()
	b.ResetTimer()
	stop := cpuTimer(b)
	for b.Loop() {
		s.sweep(true)
	}
	cpu := stop()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "sweeps/s")
	if cpu > 0 {
		b.ReportMetric(float64(b.N)/cpu.Seconds(), "sweeps/cpu-s")
	}
}

func BenchmarkLCMCRSweepKosovo(b *testing.B) { benchSweeps(b, readTestTable(b, "kosovo_4lists")) }

// BenchmarkLCMCRKosovoDocSettings is the whole call with the R package's
// documented settings (10,000 burn-in, 1,000 draws × thin 100) on 2 chains.
func BenchmarkLCMCRKosovoDocSettings(b *testing.B) {
	tb := readTestTable(b, "kosovo_4lists")
	for b.Loop() {
		if _, err := LCMCR(context.Background(), tb, LCMCROptions{Seed: 1, Burnin: 10000, Iterations: 100000, Thin: 100}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLCMCRSweep10Lists uses a 10-list table simulated from a
// three-class population (see simulate in sim_test.go).
func BenchmarkLCMCRSweep10Lists(b *testing.B) {
	tb := simulateTable(rand.New(rand.NewPCG(10, 10)), simPopulation10, 10)
	b.Logf("10-list table: %d observed, %d distinct patterns", tb.Observed(), len(nonzero(tb)))
	benchSweeps(b, tb)
}

func nonzero(t *Table) []uint32 { p, _ := t.patterns(); return p }

// rESSPerSecond is R's LCMCR 0.4.14 on Kosovo at K* = 10, measured side by
// side with rollcall on a quiet machine (mse-reference.md): ESS 1,071 per
// 1.1 M sweeps (100,000 burn-in + 1,000,000 thinned by 100) at 70,210
// sweeps/s in long runs, that is 68 effective draws of N per second.
const rESSPerSecond = 1071 / (1.1e6 / 70210)

// BenchmarkLCMCRKosovoESS measures effective samples of N per second of a
// whole LCMCR call on Kosovo (K* = 10) with R's total of 1.1 M sweeps split
// over 2 chains run in parallel: 50,000 burn-in + 500,000 sweeps each,
// thinned by 50. Each iteration uses another seed.
func BenchmarkLCMCRKosovoESS(b *testing.B) {
	tb := readTestTable(b, "kosovo_4lists")
	var essSum float64
	seed := uint64(0)
	start := processCPU()
	for b.Loop() {
		seed++
		r, err := LCMCR(context.Background(), tb, LCMCROptions{Seed: seed, Chains: 2, Burnin: 50000, Iterations: 500000, Thin: 50})
		if err != nil {
			b.Fatal(err)
		}
		essSum += r.ESS
	}
	cpu := processCPU() - start
	perS := essSum / b.Elapsed().Seconds()
	b.ReportMetric(essSum/float64(b.N), "ESS")
	b.ReportMetric(perS, "ESS/s")
	b.ReportMetric(essSum/cpu.Seconds(), "ESS/cpu-s")
	b.ReportMetric(perS/rESSPerSecond, "×R")
}

// linkagePopulation is a fictional population of 20,000 seen through 5
// lists: two groups, one seen about twice as often as the other on every
// list, about 9,800 people seen with 13,000 records between them. (Every
// method estimates about 18,000 on it: heterogeneity of the same direction
// on every list is invisible to them.)
func linkagePopulation(g *rand.Rand) []uint32 {
	pop := simPop{n: 20000, classes: []simClass{
		{0.6, []float64{0.16, 0.19, 0.14, 0.17, 0.15}},
		{0.4, []float64{0.075, 0.09, 0.065, 0.085, 0.075}},
	}}
	return pop.draw(g, 5)
}

// BenchmarkLCMCRLinkage20 is a linkage-averaged LCMCR estimate: 20
// linkage draws of a 13,000-record, 5-list population (each draw splits 2%
// of the people seen on several lists and merges 1% in pairs, as another
// plausible clustering would), LCMCR on each (2 chains in parallel,
// 10,000 burn-in + 40,000 sweeps thinned by 20) and the pooling. Goal:
// under 60 s on 2 cores.
func BenchmarkLCMCRLinkage20(b *testing.B) {
	people := linkagePopulation(rand.New(rand.NewPCG(13000, 1)))
	tables := make([]*Table, 20)
	for i := range tables {
		g := rand.New(rand.NewPCG(13000, uint64(i+2)))
		tables[i] = tableOf(mergePeople(g, splitPeople(g, slices.Clone(people), 0.02), 0.01), 5)
	}
	records := 0
	for _, c := range tables[0].ListCounts() {
		records += c
	}
	b.Logf("draw 1: %d people seen, %d records, %d distinct patterns", tables[0].Observed(), records, len(nonzero(tables[0])))
	opts := Options{LCMCR: LCMCROptions{Seed: 1, Burnin: 10000, Iterations: 40000, Thin: 20}}
	start := processCPU()
	var r Result
	for b.Loop() {
		var err error
		if r, err = EstimateLinkage(context.Background(), tables, MethodLCMCR, opts); err != nil {
			b.Fatal(err)
		}
	}
	cpu := processCPU() - start
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/op")
	b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(r.ESS, "ESS")
	b.ReportMetric(100*r.Linkage.Share, "linkage-%")
	b.Logf("pooled %.0f [%.0f, %.0f] (truth 20,000), linkage share %.2f of the width, %.2f of the variance, R-hat %.3f", r.Estimate, r.Lower, r.Upper, r.Linkage.Share, r.Linkage.VarianceShare, r.RHat)
}
