package mse

import (
	"context"
	"math/rand/v2"
	"testing"
)

func TestScratchBig(t *testing.T) {
	pop := simPopulation5
	for _, n := range []int{5000, 50000} {
		pop.n = n
		for rep := 0; rep < 3; rep++ {
			tb := simulateTable(rand.New(rand.NewPCG(uint64(rep), 99)), pop, 5)
			for _, it := range []int{12000, 200000} {
				r, _ := LCMCR(context.Background(), tb, LCMCROptions{Seed: 1, Burnin: it / 10, Iterations: it, Thin: 10})
				t.Logf("N=%d rep %d it %d: %.0f [%.0f %.0f] rel %.3f rhat %.3f ess %.0f", n, rep, it, r.Estimate, r.Lower, r.Upper, r.Estimate/float64(n), r.RHat, r.ESS)
			}
		}
	}
}
