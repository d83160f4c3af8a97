// Package estimate connects the documented data to the multiple systems
// estimation engine: it builds capture histories from the linked persons
// (one list per source, or per source group), estimates per stratum with
// internal/estimate/mse, and stores every result with its method, parameters, seed
// and a hash of the input table, so that a published figure can be
// reproduced.
package estimate

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/estimate/mse"
	"github.com/rollcall-project/rollcall/internal/store"
)

// Options configure Run.
type Options struct {
	// Method is one that mse.ParseMethod accepts.
	Method mse.Method
	// By names the stratum variables; empty estimates the whole population
	// at once.
	By Strata
	// Lists says what a list is (empty: ListsAuto). Groups, when set, maps
	// a source key to the list it belongs to and overrides Lists.
	Lists  Lists
	Groups map[string]string
	// MaxLists bounds the lists of a ListsAuto grouping [8].
	MaxLists  int
	LogLinear mse.LogLinearOptions
	LCMCR     mse.LCMCROptions
	// Save stores the results (overall and per stratum) in the database.
	Save bool
	// Job is the background job that runs this estimate (0: none); the
	// stored results name it, so that a job run again finds them (SavedBy).
	Job int64
}

// Outcome is what Run found.
type Outcome struct {
	Lists     []string `json:"lists"`
	Grouping  string   `json:"grouping"`
	InputHash string   `json:"input_hash"`
	// Fictional: some person counted is fictional (or has a fictional
	// record); the stored result carries the FICTIONAL mark.
	Fictional bool       `json:"fictional,omitempty"`
	Result    mse.Result `json:"result"`
	Saved     []int64    `json:"saved,omitempty"`
}

// Run estimates the population from the persons in st.
func Run(ctx context.Context, st *store.Store, opts Options) (*Outcome, error) {
	if _, err := mse.ParseMethod(string(opts.Method)); err != nil {
		return nil, err
	}
	rows, names, err := st.CaptureHistories(ctx, opts.By)
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, rollcall.Errorf(rollcall.EINVALID, "no linked persons to estimate from: import records and run `rollcall link` first")
	}
	listOf, lists, grouping, err := groupLists(ctx, st, names, opts)
	if err != nil {
		return nil, err
	}
	if len(lists) < 2 {
		return nil, rollcall.Errorf(rollcall.EINVALID, "estimation needs at least two lists, the data have %d (%s)", len(lists), strings.Join(lists, ", "))
	}
	tables := map[string]*mse.Table{}
	var order []string
	for _, r := range rows {
		var pattern uint32
		for _, l := range r.Lists {
			pattern |= 1 << listOf[l]
		}
		t := tables[r.Stratum]
		if t == nil {
			if t, err = mse.NewTable(lists); err != nil {
				return nil, err
			}
			tables[r.Stratum] = t
			order = append(order, r.Stratum)
		}
		if err := t.Add(pattern, 1); err != nil {
			return nil, err
		}
	}
	sort.Strings(order)
	out := &Outcome{Lists: lists, Grouping: grouping, InputHash: hashTables(order, tables)}
	for _, r := range rows {
		out.Fictional = out.Fictional || r.Fictional
	}
	if len(opts.By) == 0 {
		out.Result, err = mse.Estimate(ctx, tables[""], opts.Method, mse.Options{LogLinear: opts.LogLinear, LCMCR: opts.LCMCR})
	} else {
		strata := make([]mse.Stratum, len(order))
		for i, s := range order {
			strata[i] = mse.Stratum{Name: s, Table: tables[s]}
		}
		out.Result, err = mse.Stratified(ctx, strata, mse.StratifiedOptions{Method: opts.Method, LogLinear: opts.LogLinear, LCMCR: opts.LCMCR})
	}
	if err != nil {
		return nil, err
	}
	if len(out.Result.Lists) == 0 {
		out.Result.Lists = lists // a stratified result names its lists too
	}
	if opts.Save {
		if err := save(ctx, st, out, opts); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// groupLists maps each source (by its index in names) to a list index.
func groupLists(ctx context.Context, st *store.Store, names []string, opts Options) ([]int, []string, string, error) {
	mode, err := ParseLists(string(opts.Lists))
	if err != nil {
		return nil, nil, "", err
	}
	maxLists := opts.MaxLists
	if maxLists == 0 {
		maxLists = 8
	}
	// grouping names what was done: the mode, or "groups".
	grouping := string(ListsSource)
	group := func(key string) string { return key }
	switch {
	case len(opts.Groups) > 0:
		grouping = "groups"
		group = func(key string) string {
			if g, ok := opts.Groups[key]; ok {
				return g
			}
			return key
		}
	case mode == ListsKind || (mode == ListsAuto && len(names) > maxLists):
		// One list query: lists never decrypt, whereas SourceByKey would open
		// (and audit as read) each testimony's informant just to learn a kind.
		srcs, _, err := st.ListSources(ctx, rollcall.ListOptions{Limit: -1})
		if err != nil {
			return nil, nil, "", fmt.Errorf("read sources: %w", err)
		}
		kinds := make(map[string]string, len(srcs))
		for _, src := range srcs {
			kinds[src.Key] = src.Kind
		}
		grouping = string(ListsKind)
		group = func(key string) string { return kinds[key] }
	}
	index := map[string]int{}
	var lists []string
	listOf := make([]int, len(names))
	for i, key := range names {
		g := group(key)
		j, ok := index[g]
		if !ok {
			j = len(lists)
			index[g] = j
			lists = append(lists, g)
		}
		listOf[i] = j
	}
	if len(lists) > mse.MaxLogLinearLists && opts.Method == mse.MethodLogLinear {
		return nil, nil, "", rollcall.Errorf(rollcall.EINVALID, "%d lists is more than log-linear models take (%d): group the sources (--lists kind or --group)", len(lists), mse.MaxLogLinearLists)
	}
	return listOf, lists, grouping, nil
}

// hashTables is a SHA-256 over the strata's list names and counts, so that
// a stored result names exactly the table it came from.
func hashTables(order []string, tables map[string]*mse.Table) string {
	h := sha256.New()
	for _, s := range order {
		t := tables[s]
		fmt.Fprintf(h, "stratum %q lists %q\n", s, t.Lists)
		for i, c := range t.Counts {
			if c != 0 {
				fmt.Fprintf(h, "%d %d\n", i, c)
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

func save(ctx context.Context, st *store.Store, out *Outcome, opts Options) error {
	params := map[string]any{
		"lists": out.Lists, "grouping": out.Grouping, "by": opts.By.String(),
		"interval": out.Result.Interval, "warnings": out.Result.Warnings,
	}
	switch opts.Method {
	case mse.MethodLogLinear:
		params["criterion"] = out.Result.Criterion
		params["max_order"] = opts.LogLinear.MaxOrder
		params["search"] = out.Result.Search
	case mse.MethodLCMCR:
		params["classes"] = opts.LCMCR.Classes
		params["chains"] = out.Result.Chains
		params["burnin"] = out.Result.Burnin
		params["iterations"] = out.Result.Iterations
		params["thin"] = out.Result.Thin
		params["rhat"] = finite(out.Result.RHat)
		params["ess"] = finite(out.Result.ESS)
	}
	row := func(stratum string, r mse.Result) *store.EstimateRow {
		e := &store.EstimateRow{
			Stratum: stratum, Method: string(r.Method), Observed: r.Observed, Estimate: r.Estimate,
			Lower: ptr(r.Lower), Upper: ptr(r.Upper), Level: r.Level, Model: r.Model,
			Seed: int64(r.Seed), InputHash: out.InputHash, Fictional: out.Fictional,
		}
		if e.Method == "" {
			e.Method = string(opts.Method)
		}
		if math.IsNaN(e.Estimate) || math.IsInf(e.Estimate, 0) {
			e.Estimate = -1 // unbounded; the interval says so
		}
		p := map[string]any{}
		for k, v := range params {
			p[k] = v
		}
		p["method"] = opts.Method
		if opts.Job != 0 {
			p["job"] = opts.Job
		}
		b, _ := json.Marshal(p)
		e.ParamsJSON = string(b)
		return e
	}
	return st.InTx(ctx, func(tx *store.Store) error {
		by := opts.By.String()
		overall := "all"
		if by != "" {
			overall = "all (by " + by + ")"
		}
		rows := []*store.EstimateRow{row(overall, out.Result)}
		for _, s := range out.Result.Strata {
			rows = append(rows, row(by+"="+s.Stratum, s.Result))
		}
		for _, e := range rows {
			if err := tx.SaveEstimate(ctx, e); err != nil {
				return err
			}
			out.Saved = append(out.Saved, e.ID)
		}
		return nil
	})
}

func ptr(x float64) *float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return &x
}

func finite(x float64) any {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return nil
	}
	return strconv.FormatFloat(x, 'g', 6, 64)
}

// SavedBy returns the stored results of the background job job, in the
// order they were saved (none when it has not saved any).
func SavedBy(ctx context.Context, st *store.Store, job int64) ([]store.EstimateRow, error) {
	all, err := st.ListEstimates(ctx)
	if err != nil {
		return nil, err
	}
	var out []store.EstimateRow
	for _, e := range all {
		var p struct {
			Job int64 `json:"job"`
		}
		if json.Unmarshal([]byte(e.ParamsJSON), &p) == nil && p.Job == job {
			out = append(out, e)
		}
	}
	return out, nil
}
