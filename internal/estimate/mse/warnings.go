package mse

import (
	"fmt"
	"math"
	"math/bits"
)

// Warning is one thing the reader of an estimate must know: a stable
// machine code (for programs, filters and translations) and English text.
type Warning struct {
	Code string `json:"code"`
	Text string `json:"text"`
}

// Warning codes. They are part of the JSON output: never rename one, only
// add.
const (
	// On every estimate.
	WarnObservedFloor = "observed_is_floor"  // the documented persons are a floor
	WarnHeterogeneity = "heterogeneity_bias" // heterogeneous capture biases every method downward

	// About the table.
	WarnLowCoverage    = "low_sample_coverage" // Chao's sample coverage below 55%
	WarnEmptyList      = "empty_list"
	WarnNoOverlap      = "lists_never_overlap"
	WarnSparseTable    = "sparse_table"
	WarnNoRecapture    = "no_recapture" // nobody is on two lists
	WarnFewObserved    = "few_observed"
	WarnThreeLists     = "three_lists"
	WarnFarAboveSeen   = "far_above_observed" // estimate or upper limit many times n
	WarnMethodDisagree = "methods_disagree"   // set by CrossCheck

	// Log-linear.
	WarnModelsUnranked = "models_unranked"
	WarnNoMLE          = "no_mle"
	WarnBoundaryFit    = "boundary_fit"
	WarnNotConverged   = "not_converged"
	WarnPoorFit        = "poor_fit"
	WarnUnbounded      = "unbounded_interval"

	// Samplers.
	WarnRHat           = "chains_disagree"
	WarnOneChain       = "one_chain"
	WarnLowESS         = "low_ess"
	WarnTruncated      = "posterior_truncated"
	WarnInvisibleClass = "invisible_latent_class" // LCMCR: a class almost never captured

	// Chao.
	WarnLowerBound   = "lower_bound"
	WarnNoDoubletons = "no_doubletons"
	WarnImprecise    = "imprecise"

	// Strata and linkage.
	WarnSparseStratum = "sparse_stratum"
	WarnNoEstimate    = "no_estimate"
)

// warn records a warning in Flags and its text in Warnings.
func (r *Result) warn(code, format string, args ...any) {
	r.addWarning(Warning{Code: code, Text: fmt.Sprintf(format, args...)})
}

func (r *Result) addWarning(w Warning) {
	r.Flags = append(r.Flags, w)
	r.Warnings = append(r.Warnings, w.Text)
}

// AddWarning records a warning found outside the estimator (what the
// counted population left out, say) in Flags and its text in Warnings.
func (r *Result) AddWarning(w Warning) { r.addWarning(w) }

// lowCoverage is the sample coverage below which Chao et al. (2001) advise
// that the lists hold too little information on the unseen.
const lowCoverage = 0.55

// SampleCoverage is the multiple-list sample coverage of Chao & Tsay (1998)
// and Chao et al. (2001): 1 − (1/t) Σ_j Z_j/n_j, where n_j is the size of
// list j and Z_j the number of people on list j only. It is the average
// share of a list that the other lists also see; NaN when no list holds
// anyone.
func (t *Table) SampleCoverage() float64 {
	lc := t.ListCounts()
	s, lists := 0.0, 0
	for j, nj := range lc {
		if nj == 0 {
			continue
		}
		s += float64(t.Counts[1<<j]) / float64(nj)
		lists++
	}
	if lists == 0 {
		return math.NaN()
	}
	return 1 - s/float64(lists)
}

// finish adds the warnings every estimate carries: low sample coverage, the
// observed count as a floor and the downward bias under heterogeneous
// capture. Every method calls it last.
func (r *Result) finish(t *Table) {
	if c := t.SampleCoverage(); c < lowCoverage {
		if r.Parameters == nil {
			r.Parameters = map[string]float64{}
		}
		r.Parameters["sample_coverage"] = c
		r.warn(WarnLowCoverage, "low sample coverage: on average only %.0f%% of a list is also on another list (Chao's coverage estimate; below %.0f%% the lists say little about the unseen and every estimate leans on its model)", 100*c, 100*lowCoverage)
	}
	r.addFloorWarnings()
}

// addFloorWarnings states what holds for every estimate: the people seen
// are a floor, and heterogeneous capture pulls every method down.
func (r *Result) addFloorWarnings() {
	r.warn(WarnObservedFloor, "the %d documented people are a floor: the true number is at least this, whatever the estimate says", r.Observed)
	r.warn(WarnHeterogeneity, "people who are hard to document tend to be missed by every list (heterogeneous capture); this biases every method downward, so the true number may lie above the interval")
}

// CrossCheck compares estimates of the same population by several methods
// and returns a warning for every pair whose intervals do not overlap,
// except Chao's lower bound lying below another estimate.
// Results without a finite interval (the observed count, unbounded fits)
// are left out.
func CrossCheck(results []Result) []Warning {
	var out []Warning
	ok := func(r Result) bool {
		return r.Method != MethodObserved && !math.IsNaN(r.Lower) && !math.IsNaN(r.Upper) && !math.IsInf(r.Lower, 0) && r.Upper >= r.Lower
	}
	for i, a := range results {
		for _, b := range results[i+1:] {
			if !ok(a) || !ok(b) {
				continue
			}
			if a.Upper < b.Lower || b.Upper < a.Lower {
				lo, hi := a, b
				if b.Upper < a.Lower {
					lo, hi = b, a
				}
				if lo.Method == MethodChao {
					continue // a lower bound below an estimate is what it promises
				}
				out = append(out, Warning{Code: WarnMethodDisagree, Text: fmt.Sprintf(
					"methods disagree beyond their intervals: %s gives %.0f [%.0f, %.0f], %s gives %.0f [%.0f, %.0f]; at least one model does not fit these lists",
					lo.Method, lo.Estimate, lo.Lower, lo.Upper, hi.Method, hi.Estimate, hi.Lower, hi.Upper)})
			}
		}
	}
	return out
}

// AddCrossCheck appends CrossCheck's warnings to every result.
func AddCrossCheck(results []Result) {
	ws := CrossCheck(results)
	for i := range results {
		for _, w := range ws {
			results[i].addWarning(w)
		}
	}
}

// singletons returns how many people are on exactly one and on exactly two lists.
func (t *Table) singletons() (f1, f2 float64) {
	for p, c := range t.Counts {
		switch bits.OnesCount(uint(p)) {
		case 1:
			f1 += float64(c)
		case 2:
			f2 += float64(c)
		}
	}
	return f1, f2
}
