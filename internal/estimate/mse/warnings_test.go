package mse

import (
	"context"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
)

func hasFlag(r Result, code string) bool {
	return slices.ContainsFunc(r.Flags, func(w Warning) bool { return w.Code == code })
}

// Every method's result carries the floor and heterogeneity statements, and
// Warnings holds exactly the texts of Flags.
func TestWarningsOnEveryEstimate(t *testing.T) {
	ctx := context.Background()
	short := LCMCROptions{Seed: 1, Burnin: 500, Iterations: 4000, Thin: 4}
	for _, c := range []struct {
		file     string
		coverage bool // Chao's sample coverage below 55%
	}{
		{"kosovo_4lists", true},     // Ĉ = 0.47: the lists overlap little
		{"mse_korea_3lists", false}, // Ĉ = 0.72
	} {
		tb := readTestTable(t, c.file)
		var rs []Result
		for _, m := range []Method{MethodLogLinear, MethodLCMCR, MethodChao, MethodObserved, MethodDGA} {
			r, err := Estimate(ctx, tb, m, Options{LCMCR: short})
			if err != nil {
				t.Fatal(err)
			}
			rs = append(rs, r)
		}
		st, err := Stratified(ctx, []Stratum{{"a", tb}, {"b", tb}}, StratifiedOptions{Method: MethodChao})
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, st)
		for _, r := range rs {
			if !hasFlag(r, WarnObservedFloor) || !hasFlag(r, WarnHeterogeneity) {
				t.Errorf("%s %s: flags %v lack the floor or heterogeneity statement", c.file, r.Method, r.Flags)
			}
			if r.Method != MethodStratified && hasFlag(r, WarnLowCoverage) != c.coverage {
				t.Errorf("%s %s: low-coverage warning %v, want %v", c.file, r.Method, hasFlag(r, WarnLowCoverage), c.coverage)
			}
			texts := make([]string, len(r.Flags))
			for i, w := range r.Flags {
				texts[i] = w.Text
				if w.Code == "" {
					t.Errorf("%s %s: warning without a code: %q", c.file, r.Method, w.Text)
				}
			}
			if !slices.Equal(texts, r.Warnings) {
				t.Errorf("%s %s: Warnings %q are not the texts of Flags %q", c.file, r.Method, r.Warnings, texts)
			}
		}
		// The stratified total states the floor once, not once per stratum.
		n := 0
		for _, w := range st.Flags {
			if w.Code == WarnObservedFloor {
				n++
			}
		}
		if n != 1 {
			t.Errorf("stratified: %d floor statements in %v", n, st.Flags)
		}
	}
}

// Chao & Tsay's coverage by hand: A holds 7 people (4 only on A), B 5 (3),
// C 4 (2): 1 − (4/7 + 3/5 + 2/4)/3.
func TestSampleCoverage(t *testing.T) {
	tb, _ := FromPatterns([]string{"A", "B", "C"}, []uint32{1, 1, 1, 1, 2, 2, 2, 4, 4, 3, 5, 7})
	want := 1 - (4.0/7+3.0/5+2.0/4)/3
	if got := tb.SampleCoverage(); math.Abs(got-want) > 1e-12 {
		t.Errorf("coverage %v, want %v", got, want)
	}
	empty, _ := NewTable([]string{"A", "B"})
	if c := empty.SampleCoverage(); !math.IsNaN(c) {
		t.Errorf("empty table coverage %v, want NaN", c)
	}
}

// UK5's LCMCR posterior puts a large weight on a class that no list
// captures (mse-reference: its LCMCR interval is twice as wide as the
// others); Korea's does not.
func TestLCMCRInvisibleClassWarning(t *testing.T) {
	ctx := context.Background()
	opts := LCMCROptions{Seed: 1, Burnin: 5000, Iterations: 40000, Thin: 10}
	uk, err := LCMCR(ctx, readTestTable(t, "sparsemse_ukdat_5"), opts)
	if err != nil {
		t.Fatal(err)
	}
	if !hasFlag(uk, WarnInvisibleClass) || uk.Parameters["invisible_class_share"] < 0.1 {
		t.Errorf("UK5: share %.3f, flags %v: want the invisible-class warning", uk.Parameters["invisible_class_share"], uk.Flags)
	}
	ko, err := LCMCR(ctx, readTestTable(t, "mse_korea_3lists"), opts)
	if err != nil {
		t.Fatal(err)
	}
	if hasFlag(ko, WarnInvisibleClass) {
		t.Errorf("Korea: share %.3f: unexpected invisible-class warning", ko.Parameters["invisible_class_share"])
	}
}

func TestCrossCheck(t *testing.T) {
	ll := Result{Method: MethodLogLinear, Estimate: 100, Lower: 90, Upper: 110}
	lc := Result{Method: MethodLCMCR, Estimate: 130, Lower: 115, Upper: 160}
	ch := Result{Method: MethodChao, Estimate: 105, Lower: 95, Upper: 120}
	ob := Result{Method: MethodObserved, Estimate: 50, Lower: 50, Upper: 50}
	unb := Result{Method: MethodLogLinear, Estimate: math.Inf(1), Lower: math.NaN(), Upper: math.NaN()}
	for _, c := range []struct {
		name string
		rs   []Result
		want int
	}{
		{"overlapping", []Result{ll, ch}, 0},
		{"apart", []Result{ll, lc}, 1},
		{"chao overlaps both", []Result{ll, lc, ch}, 1},
		{"chao, a lower bound, below", []Result{lc, {Method: MethodChao, Estimate: 100, Lower: 95, Upper: 105}}, 0},
		{"chao above", []Result{{Method: MethodLogLinear, Estimate: 100, Lower: 90, Upper: 110}, {Method: MethodChao, Estimate: 130, Lower: 115, Upper: 160}}, 1},
		{"observed and unbounded left out", []Result{ll, ob, unb}, 0},
	} {
		ws := CrossCheck(c.rs)
		if len(ws) != c.want {
			t.Errorf("%s: %d warnings %v, want %d", c.name, len(ws), ws, c.want)
		}
		for _, w := range ws {
			if w.Code != WarnMethodDisagree || !strings.Contains(w.Text, "loglinear gives 100 [90, 110]") || !strings.Contains(w.Text, "gives 130 [115, 160]") {
				t.Errorf("%s: %+v", c.name, w)
			}
		}
	}
	rs := []Result{ll, lc, ch}
	AddCrossCheck(rs)
	for _, r := range rs {
		if !hasFlag(r, WarnMethodDisagree) || len(r.Warnings) != len(r.Flags) {
			t.Errorf("%s: %v", r.Method, r.Flags)
		}
	}
}

func TestFlagsJSON(t *testing.T) {
	r := Result{Method: MethodChao, Estimate: 1, Lower: 1, Upper: 1}
	b, _ := json.Marshal(r)
	if !strings.Contains(string(b), `"flags":[]`) {
		t.Errorf("no empty flags in %s", b)
	}
	r.warn(WarnLowCoverage, "low %d", 3)
	b, _ = json.Marshal(r)
	if !strings.Contains(string(b), `"flags":[{"code":"low_sample_coverage","text":"low 3"}]`) || !strings.Contains(string(b), `"warnings":["low 3"]`) {
		t.Errorf("json %s", b)
	}
	var back Result
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(back.Flags, r.Flags) {
		t.Errorf("round trip %v", back.Flags)
	}
}
