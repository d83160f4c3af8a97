package mse

import (
	"context"
	"math"
	"math/bits"
	"strings"
	"testing"
)

// The dga package ships 8, 61 and 822 graphs for 3, 4 and 5 lists: the
// labelled chordal graphs.
func TestDecomposableGraphCounts(t *testing.T) {
	for k, want := range map[int]int{3: 8, 4: 61, 5: 822} {
		gs := decomposableGraphs(k)
		if len(gs) != want {
			t.Errorf("%d lists: %d graphs, want %d", k, len(gs), want)
		}
		seen := map[string]bool{}
		for _, g := range gs {
			f := g.model.Format(k)
			if seen[f] {
				t.Errorf("%d lists: graph %s twice", k, f)
			}
			seen[f] = true
			// Vertices minus separators... every vertex is in exactly one
			// plus set as its own new vertex: plus has k sets.
			if len(g.plus) != k {
				t.Errorf("%s: %d plus sets", f, len(g.plus))
			}
		}
	}
	// The 4-cycle is not decomposable.
	cycle := []uint32{0b1010, 0b0101, 0b1010, 0b0101}
	if _, ok := chordalFactors(cycle); ok {
		t.Error("4-cycle accepted as chordal")
	}
}

// The factorisation must not depend on the search order: the same graph
// with its lists relabelled gives the same marginal likelihood on the
// relabelled table.
func TestDGARelabelInvariant(t *testing.T) {
	tb := readTestTable(t, "dga_my1997_5lists")
	perm := []int{3, 0, 4, 1, 2}
	pt, _ := NewTable([]string{"a", "b", "c", "d", "e"})
	for p, c := range tb.Counts {
		var q uint32
		for j := range 5 {
			if p>>j&1 == 1 {
				q |= 1 << perm[j]
			}
		}
		pt.Counts[q] = c
	}
	a, err := DGA(tb, DGAOptions{MaxMissing: 400})
	if err != nil {
		t.Fatal(err)
	}
	b, err := DGA(pt, DGAOptions{MaxMissing: 400})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"bayes_estimator", "mean", "top_model_probability"} {
		if !within(a.Parameters[k], b.Parameters[k], 1e-9) {
			t.Errorf("%s: %v vs %v after relabelling", k, a.Parameters[k], b.Parameters[k])
		}
	}
}

// Madigan & York (1997), 3-list spina bifida data, as checked in dga's own
// tests ("3 lists example against Madigan and York"): δ = 1, a
// negative-binomial prior on N (a = 13.14, b = 55.17), Nmissing 1..300.
// Published: top model probability 0.37, its Bayes estimator 731 and mode
// 729; model-averaged Bayes estimator 731, mode 728. These are rounded
// figures, so the test asks for the same rounding.
func TestDGAMadiganYork(t *testing.T) {
	tb := readTestTable(t, "dga_my1997_spina_3lists")
	const a, b = 13.14, 55.17
	prior := func(N float64) float64 {
		return N*math.Log(b) - (N+a)*math.Log(1+b) + lgamma(N+a) - lgamma(N+1) - lgamma(a)
	}
	opts := DGAOptions{Delta: 1, LogPriorN: prior, MaxMissing: 300}
	post, err := dgaPosterior(tb, opts)
	if err != nil {
		t.Fatal(err)
	}
	top := post.modelOrder()[0]
	ts := post.summary(post.modelPosterior(top))
	as := post.summary(post.averaged())
	t.Logf("top %s p=%.4f Bayes %.2f mode %.0f; averaged Bayes %.2f mode %.0f",
		post.graphs[top].model.Format(3), post.modelProb[top], ts.bayes, ts.mode, as.bayes, as.mode)
	if got := math.Round(post.modelProb[top]*100) / 100; got != 0.37 {
		t.Errorf("top model probability %.4f, published 0.37", post.modelProb[top])
	}
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"top model Bayes estimator", math.Round(ts.bayes), 731},
		{"top model mode", ts.mode, 729},
		{"averaged Bayes estimator", math.Round(as.bayes), 731},
		{"averaged mode", as.mode, 728},
	} {
		if c.got != c.want {
			t.Errorf("%s %v, published %v", c.name, c.got, c.want)
		}
	}
	r, err := DGA(tb, opts)
	if err != nil {
		t.Fatal(err)
	}
	if r.Parameters["bayes_estimator"] != as.bayes || r.Parameters["mode"] != as.mode || r.Candidates[0].Weight != post.modelProb[top] {
		t.Errorf("result %+v does not report the posterior", r.Parameters)
	}
}

// Posterior medians and 95% intervals of dga 2.0.2 (mse-reference.md,
// "Computed here": δ = 2^−K, prior 1/N, a grid of the number missing from
// 1, widened until its top 1% held < 1e−4 of the mass). The computation is
// exact; the tolerance (0.5% on the median, 1% on the limits) covers our
// 0.05% bins and the end of the grid, which differs: ours starts at 0 and
// grows until its upper half holds < 1e−3. Two sets need the reference's
// own grid, 1..10·n: the saturated graph gives Korea's posterior a heavy
// tail (its 97.5% point grows from 401 to 508 as the grid grows to 80·n),
// and Ned_5 has ≥ 2.5% of its mass beyond 10·n (our default grid, up to
// 100·n, gives 50,451 [41,681, 210,258]).
func TestDGAReferenceSets(t *testing.T) {
	for _, c := range []struct {
		file        string
		med, lo, hi float64
		grid        [2]int // MinMissing, MaxMissing; zero for the default
	}{
		{"kosovo_4lists", 12595, 9827, 16544, [2]int{}},
		{"sparsemse_ukdat_5", 22990, 10387, 33508, [2]int{}},
		{"modslavmse_ukdat_4", 11363, 9534, 13547, [2]int{}},
		{"sparsemse_ned_5", 47903, 40845, 55456, [2]int{1, 82340}},
		{"sparsemse_neworl_5", 869, 511, 1758, [2]int{}},
		{"mse_neworl_5_186", 847, 529, 1589, [2]int{}},
		{"sparsemse_western", 2132, 1343, 3848, [2]int{}},
		{"mse_korea_3lists", 163, 127, 401, [2]int{1, 1230}},
		{"conting_spina_3lists", 725, 686, 784, [2]int{}},
		{"dga_my1997_spina_3lists", 731, 694, 787, [2]int{}},
		{"dga_my1997_5lists", 618, 590, 656, [2]int{}},
		{"conting_scotpwid_4lists", 32783, 26138, 40499, [2]int{}},
		{"rcapture_hiv_4lists", 11220, 9404, 14094, [2]int{}},
		{"rcapture_lesbian_4lists", 5131, 4635, 5749, [2]int{}},
		{"rcapture_diabetes_4lists", 2471, 2376, 2589, [2]int{}},
	} {
		t.Run(c.file, func(t *testing.T) {
			r, err := Estimate(context.Background(), readTestTable(t, c.file), MethodDGA, Options{DGA: DGAOptions{MinMissing: c.grid[0], MaxMissing: c.grid[1]}})
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%.0f [%.0f, %.0f] (dga %.0f [%.0f, %.0f]), top %s p=%.2f, grid to %.0f", r.Estimate, r.Lower, r.Upper, c.med, c.lo, c.hi, r.Model, r.Parameters["top_model_probability"], r.Parameters["grid_max_missing"])
			if !within(r.Estimate, c.med, 0.005) || !within(r.Lower, c.lo, 0.01) || !within(r.Upper, c.hi, 0.01) {
				t.Errorf("%.0f [%.0f, %.0f], dga %.0f [%.0f, %.0f]", r.Estimate, r.Lower, r.Upper, c.med, c.lo, c.hi)
			}
		})
	}
}

func TestDGARefusals(t *testing.T) {
	two, _ := NewTable([]string{"A", "B"})
	two.Add(1, 3)
	two.Add(3, 2)
	six := readTestTable(t, "sparsemse_ukdat")
	kos := readTestTable(t, "kosovo_4lists")
	empty, _ := NewTable([]string{"A", "B", "C"})
	for _, c := range []struct {
		name string
		tb   *Table
		opts DGAOptions
		want string
	}{
		{"two lists", two, DGAOptions{}, "3 to 5 lists, got 2"},
		{"six lists", six, DGAOptions{}, "3 to 5 lists, got 6"},
		{"empty", empty, DGAOptions{}, "empty"},
		{"negative delta", kos, DGAOptions{Delta: -1}, "delta"},
		{"level", kos, DGAOptions{Level: 1.5}, "level"},
	} {
		_, err := DGA(c.tb, c.opts)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one mentioning %q", c.name, err, c.want)
		}
	}
}

// Draws follow the exact posterior: their median and quantiles match the
// grid's to within Monte Carlo error.
func TestDGADraws(t *testing.T) {
	r, err := DGA(readTestTable(t, "kosovo_4lists"), DGAOptions{Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Draws) != dgaDraws {
		t.Fatalf("%d draws", len(r.Draws))
	}
	s := sortedCopy(r.Draws)
	if !within(quantile(s, 0.5), r.Estimate, 0.01) || !within(quantile(s, 0.025), r.Lower, 0.02) || !within(quantile(s, 0.975), r.Upper, 0.03) {
		t.Errorf("draws %.0f [%.0f, %.0f], posterior %.0f [%.0f, %.0f]", quantile(s, 0.5), quantile(s, 0.025), quantile(s, 0.975), r.Estimate, r.Lower, r.Upper)
	}
}

func TestPext(t *testing.T) {
	if got := pext(0b10110, 0b11010); got != 0b101 {
		t.Errorf("pext %b", got)
	}
	if bits.OnesCount32(pext(0xffffffff, 0b1011)) != 3 {
		t.Error("pext count")
	}
}

// BenchmarkDGA is the whole DGA call with the default grid. R's dga
// (shared CPU, mse-reference.md): 4 lists under 1.1 s; Ned_5 29 s and UK5
// 17 s for 822 graphs on the reference's 10·n grid.
func BenchmarkDGA(b *testing.B) {
	for _, f := range []string{"kosovo_4lists", "sparsemse_western", "sparsemse_ukdat_5", "sparsemse_ned_5"} {
		tb := readTestTable(b, f)
		b.Run(f, func(b *testing.B) {
			start := processCPU()
			for b.Loop() {
				if _, err := DGA(tb, DGAOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric((processCPU()-start).Seconds()/float64(b.N), "cpu-s/op")
		})
	}
}

// A grid that cuts the posterior's tail is reported, whether the caller
// gave it or the automatic one stopped at 100·n.
func TestDGATruncationReported(t *testing.T) {
	kos := readTestTable(t, "kosovo_4lists")
	short, err := DGA(kos, DGAOptions{MaxMissing: 9000}) // the 97.5% point is at 16,541 − 4,400
	if err != nil {
		t.Fatal(err)
	}
	full, err := DGA(kos, DGAOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !hasFlag(short, WarnTruncated) || hasFlag(full, WarnTruncated) || short.Upper >= full.Upper {
		t.Errorf("grid to 9,000 missing: %.0f [%.0f, %.0f] %v; default: %.0f [%.0f, %.0f] %v", short.Estimate, short.Lower, short.Upper, short.Flags, full.Estimate, full.Lower, full.Upper, full.Flags)
	}
	for _, c := range full.Candidates {
		if math.IsNaN(c.Estimate) || c.Weight < 0 || c.Weight > 1 {
			t.Errorf("candidate %+v", c)
		}
	}
}
