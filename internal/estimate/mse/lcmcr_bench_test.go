package mse

import (
	"context"
	"math/rand/v2"
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
