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
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/estimate/mse"
	"github.com/rollcall-project/rollcall/internal/link"
	"github.com/rollcall-project/rollcall/internal/link/match"
	"github.com/rollcall-project/rollcall/internal/refdata"
	"github.com/rollcall-project/rollcall/internal/store"
)

// Options configure Run. The JSON names of the fields that have one are
// those of the API's options.
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
	DGA       mse.DGAOptions
	// Count says who is counted: every documented person (the zero
	// value), or those with a fate, or victims of events in a period.
	Count
	// LinkageDraws, when above 0, carries the uncertainty of record
	// linkage into the estimate: the stored records are linked again (with
	// the stored human decisions), that many plausible clusterings are
	// drawn, the estimate is made on each and the results are pooled
	// (mse.PoolLinkage). 0 estimates on the stored persons.
	LinkageDraws int `json:"linkage_draws,omitempty"`
	// LinkageSeed makes the draws repeatable.
	LinkageSeed uint64 `json:"linkage_seed,omitempty"`
	// Link settings the draws link with (nil: link.DefaultSettings) and
	// how they report progress.
	LinkSettings *match.Settings `json:"-"`
	LinkProgress match.Progress  `json:"-"`
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
	// Counted says in words who was counted (Count.String).
	Counted string `json:"counted"`
	// Linkage says how the linkage draws were made, when there were any.
	Linkage *LinkageDraws `json:"linkage,omitempty"`
	Saved   []int64       `json:"saved,omitempty"`
}

// LinkageDraws says how the clusterings of a linkage-averaged estimate
// were drawn.
type LinkageDraws struct {
	Draws int    `json:"draws"`
	Seed  uint64 `json:"seed"`
	// Calibration is the check of the match probabilities against the
	// human decisions (or a labelled set); Recalibrated says its curve was
	// applied before drawing.
	Calibration  *match.CalibrationCheck `json:"calibration,omitempty"`
	Recalibrated bool                    `json:"recalibrated"`
}

// Run estimates the population from the persons in st (or, with
// LinkageDraws, from draws of the linkage of its records) with
// opts.Method, and stores the result when opts.Save.
func Run(ctx context.Context, st *store.Store, opts Options) (*Outcome, error) {
	outs, err := RunMethods(ctx, st, opts, []mse.Method{opts.Method})
	if err != nil {
		return nil, err
	}
	return outs[0], nil
}

// RunMethods estimates one population with several methods: the capture
// tables (and linkage draws) are built once, every method estimates on
// them, methods whose intervals do not overlap are flagged on every
// result (CrossCheck), and each result is stored when opts.Save.
// opts.Method is not used.
func RunMethods(ctx context.Context, st *store.Store, opts Options, methods []mse.Method) ([]*Outcome, error) {
	if len(methods) == 0 {
		return nil, rollcall.Errorf(rollcall.EINVALID, "no method to estimate with")
	}
	for _, m := range methods {
		if _, err := mse.ParseMethod(string(m)); err != nil {
			return nil, err
		}
	}
	pop, err := storedPopulation(ctx, st, &opts)
	if err != nil {
		return nil, err
	}
	outs := make([]*Outcome, len(methods))
	for i, m := range methods {
		o := opts
		o.Method = m
		if outs[i], err = pop.estimate(ctx, o); err != nil {
			return nil, err
		}
	}
	CrossCheck(outs)
	if opts.Save {
		for i, out := range outs {
			o := opts
			o.Method = methods[i]
			if err := Save(ctx, st, out, o); err != nil {
				return nil, err
			}
		}
	}
	return outs, nil
}

// CrossCheck adds to every outcome's result a warning for each pair of
// them whose intervals do not overlap (mse.CrossCheck), among outcomes of
// the same population: the same persons counted, over the same lists.
func CrossCheck(outs []*Outcome) {
	groups := map[string][]int{}
	var order []string
	for i, o := range outs {
		k := o.Counted + "\x00" + strings.Join(o.Lists, "\x00")
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], i)
	}
	for _, k := range order {
		idx := groups[k]
		rs := make([]mse.Result, len(idx))
		for j, i := range idx {
			rs[j] = outs[i].Result
		}
		for _, w := range mse.CrossCheck(rs) {
			for _, i := range idx {
				outs[i].Result.AddWarning(w)
			}
		}
	}
}

// population is the capture tables of one counted population: one set per
// clustering (the stored persons, or each linkage draw).
type population struct {
	lists    []string
	grouping string
	counted  string
	// draws hold each clustering's tables by stratum; strata its
	// strata in order.
	draws    []map[string]*mse.Table
	strata   []string
	warnings []mse.Warning
	linkage  *LinkageDraws
	// fictional: some person counted (in some draw) is fictional.
	fictional bool
}

// storedPopulation reads the records of st and builds the capture tables
// opts asks for (normalizing opts.Count).
func storedPopulation(ctx context.Context, st *store.Store, opts *Options) (*population, error) {
	if err := store.CheckStrata(opts.By); err != nil {
		return nil, err
	}
	if opts.LinkageDraws < 0 {
		return nil, &rollcall.Error{Code: rollcall.EINVALID, Field: "linkage_draws", Message: fmt.Sprintf("linkage draws must be 0 (none) or more, not %d", opts.LinkageDraws)}
	}
	var evs []rollcall.Event
	if !opts.Count.IsZero() {
		vocab, err := refdata.Vocabulary(ctx, st)
		if err != nil {
			return nil, err
		}
		if err := opts.Count.Normalize(vocab); err != nil {
			return nil, err
		}
		if len(opts.Event) > 0 {
			if evs, _, err = st.ListEvents(ctx, rollcall.ListOptions{Limit: -1}); err != nil {
				return nil, fmt.Errorf("read events: %w", err)
			}
		}
	}
	all, err := st.CaptureRecords(ctx)
	if err != nil {
		return nil, err
	}
	var recs []store.CaptureRecord
	var clusterings [][]int64
	var linkage *LinkageDraws
	if opts.LinkageDraws == 0 {
		// The stored persons: the linked records, by person.
		var cluster []int64
		for _, r := range all {
			if r.PersonID != 0 {
				recs = append(recs, r)
				cluster = append(cluster, r.PersonID)
			}
		}
		if len(recs) == 0 {
			return nil, rollcall.Errorf(rollcall.EINVALID, "no linked persons to estimate from: import records and run `rollcall link` first")
		}
		clusterings = [][]int64{cluster}
	} else {
		recs = all
		if len(recs) == 0 {
			return nil, rollcall.Errorf(rollcall.EINVALID, "no records to estimate from: import records first")
		}
		drawn, err := link.Draws(ctx, st, opts.LinkageDraws, link.DrawOptions{Settings: opts.LinkSettings, Seed: opts.LinkageSeed, Progress: opts.LinkProgress})
		if err != nil {
			return nil, err
		}
		at := make(map[int64]int, len(drawn.RecordIDs))
		for j, id := range drawn.RecordIDs {
			at[id] = j
		}
		for _, d := range drawn.Clusterings {
			cluster := make([]int64, len(recs))
			for i, r := range recs {
				j, ok := at[r.ID]
				if !ok {
					return nil, fmt.Errorf("linkage draws: record %d was not linked", r.ID)
				}
				cluster[i] = int64(d[j])
			}
			clusterings = append(clusterings, cluster)
		}
		check := drawn.Calibration
		linkage = &LinkageDraws{Draws: opts.LinkageDraws, Seed: opts.LinkageSeed, Calibration: &check, Recalibrated: drawn.Recalibrated}
	}
	cnt := newCounter(opts.Count, recs, evs)
	var may []store.CaptureRecord
	for i, r := range recs {
		if cnt.may(i) {
			may = append(may, r)
		}
	}
	names := store.SourceKeys(may)
	if len(names) == 0 {
		return nil, rollcall.Errorf(rollcall.EINVALID, "no one to count: no record reports what was asked (%s)", opts.Count.String())
	}
	listOf, lists, grouping, err := groupLists(ctx, st, names, *opts)
	if err != nil {
		return nil, err
	}
	pop := &population{lists: lists, grouping: grouping, counted: opts.Count.String(), warnings: cnt.warnings, linkage: linkage}
	for _, cluster := range clusterings {
		rows := store.Histories(recs, cluster, opts.By, names, cnt.capture)
		if err := pop.add(rows, listOf); err != nil {
			return nil, err
		}
	}
	return pop, nil
}

// add adds one clustering's capture histories (lists as indexes into the
// list names, which listOf maps to the population's lists).
func (p *population) add(rows []store.CaptureRow, listOf []int) error {
	if len(rows) == 0 {
		return rollcall.Errorf(rollcall.EINVALID, "no one to count: no person is captured by the lists (%s)", p.counted)
	}
	tables := map[string]*mse.Table{}
	for _, r := range rows {
		p.fictional = p.fictional || r.Fictional
		var pattern uint32
		for _, l := range r.Lists {
			pattern |= 1 << listOf[l]
		}
		t := tables[r.Stratum]
		if t == nil {
			var err error
			if t, err = mse.NewTable(p.lists); err != nil {
				return err
			}
			tables[r.Stratum] = t
		}
		if err := t.Add(pattern, 1); err != nil {
			return err
		}
	}
	order := make([]string, 0, len(tables))
	for s := range tables {
		order = append(order, s)
	}
	sort.Strings(order)
	if len(p.draws) == 0 {
		p.strata = order
	} else {
		// A stratum missing from some draws (a person's attributes resolve
		// differently in another clustering) is an empty table there.
		for _, s := range order {
			if !slices.Contains(p.strata, s) {
				p.strata = append(p.strata, s)
			}
		}
		sort.Strings(p.strata)
	}
	p.draws = append(p.draws, tables)
	return nil
}

// estimate runs opts.Method on every clustering's tables and pools the
// draws' results.
func (p *population) estimate(ctx context.Context, opts Options) (*Outcome, error) {
	if len(p.lists) < 2 {
		return nil, rollcall.Errorf(rollcall.EINVALID, "estimation needs at least two lists, the data have %d (%s)", len(p.lists), strings.Join(p.lists, ", "))
	}
	if len(p.lists) > mse.MaxLogLinearLists && opts.Method == mse.MethodLogLinear {
		return nil, rollcall.Errorf(rollcall.EINVALID, "%d lists is more than log-linear models take (%d): group the sources (--lists kind or --group)", len(p.lists), mse.MaxLogLinearLists)
	}
	out := &Outcome{Lists: p.lists, Grouping: p.grouping, Counted: p.counted, InputHash: p.hashTables(), Linkage: p.linkage, Fictional: p.fictional}
	results := make([]mse.Result, len(p.draws))
	for d, tables := range p.draws {
		o := opts
		// Each draw's and stratum's sampler has a seed of its own.
		o.LCMCR.Seed += uint64(d * len(p.strata))
		o.DGA.Seed += uint64(d * len(p.strata))
		var err error
		if results[d], err = estimateTables(ctx, p.strata, tables, p.lists, o); err != nil {
			if len(p.draws) > 1 {
				err = fmt.Errorf("linkage draw %d: %w", d+1, err)
			}
			return nil, err
		}
	}
	if len(results) == 1 {
		out.Result = results[0]
	} else {
		var err error
		if out.Result, err = poolDraws(results); err != nil {
			return nil, err
		}
	}
	if len(out.Result.Lists) == 0 {
		out.Result.Lists = p.lists // a stratified result names its lists too
	}
	for _, w := range p.warnings {
		out.Result.AddWarning(w)
	}
	return out, nil
}

// estimateTables estimates one clustering: the whole table, or each
// stratum and their sum.
func estimateTables(ctx context.Context, strata []string, tables map[string]*mse.Table, lists []string, opts Options) (mse.Result, error) {
	mo := mse.Options{LogLinear: opts.LogLinear, LCMCR: opts.LCMCR, DGA: opts.DGA}
	if len(opts.By) == 0 {
		return mse.Estimate(ctx, tables[""], opts.Method, mo)
	}
	// A stratum with no one in this clustering (its persons resolve to
	// another value in another draw) has nothing to estimate here.
	var ss []mse.Stratum
	for _, s := range strata {
		if t := tables[s]; t != nil {
			ss = append(ss, mse.Stratum{Name: s, Table: t})
		}
	}
	return mse.Stratified(ctx, ss, mse.StratifiedOptions{Method: opts.Method, LogLinear: opts.LogLinear, LCMCR: opts.LCMCR, DGA: opts.DGA})
}

// poolDraws pools the linkage draws' results, and their strata stratum by
// stratum: those found in every draw (the others are named in a warning;
// the total holds them all).
func poolDraws(results []mse.Result) (mse.Result, error) {
	pooled, err := mse.PoolLinkage(results)
	if err != nil {
		return mse.Result{}, err
	}
	byName := make([]map[string]mse.Result, len(results))
	for d, r := range results {
		byName[d] = map[string]mse.Result{}
		for _, s := range r.Strata {
			byName[d][s.Stratum] = s.Result
		}
	}
	var partial []string
	for _, s := range results[0].Strata {
		rs := make([]mse.Result, 0, len(results))
		for d := range results {
			if r, ok := byName[d][s.Stratum]; ok {
				rs = append(rs, r)
			}
		}
		if len(rs) < len(results) {
			partial = append(partial, s.Stratum)
			continue
		}
		pr, err := mse.PoolLinkage(rs)
		if err != nil {
			return mse.Result{}, fmt.Errorf("stratum %q: %w", s.Stratum, err)
		}
		pooled.Strata = append(pooled.Strata, mse.StratumResult{Stratum: s.Stratum, Result: pr})
	}
	for d := range results[1:] {
		for _, s := range results[d+1].Strata {
			if _, ok := byName[0][s.Stratum]; !ok && !slices.Contains(partial, s.Stratum) {
				partial = append(partial, s.Stratum)
			}
		}
	}
	if len(partial) > 0 {
		pooled.AddWarning(mse.Warning{Code: mse.WarnSparseStratum, Text: fmt.Sprintf(
			"strata %s hold persons in some linkage draws only: they have no pooled estimate of their own (the total counts them)", strings.Join(partial, ", "))})
	}
	return pooled, nil
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
	return listOf, lists, grouping, nil
}

// hashTables is a SHA-256 over the strata's list names and counts, of
// each clustering, so that a stored result names exactly the tables it
// came from.
func (p *population) hashTables() string {
	h := sha256.New()
	for d, tables := range p.draws {
		if len(p.draws) > 1 {
			fmt.Fprintf(h, "linkage draw %d\n", d+1)
		}
		for _, s := range p.strata {
			t := tables[s]
			if t == nil {
				continue
			}
			fmt.Fprintf(h, "stratum %q lists %q\n", s, t.Lists)
			for i, c := range t.Counts {
				if c != 0 {
					fmt.Fprintf(h, "%d %d\n", i, c)
				}
			}
		}
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Save stores an outcome of Run made with opts (its overall result and
// each stratum's) with its method, parameters, seed, input hash, who was
// counted and the warnings, and sets out.Saved.
func Save(ctx context.Context, st *store.Store, out *Outcome, opts Options) error {
	params := map[string]any{
		"lists": out.Lists, "grouping": out.Grouping, "by": opts.By.String(),
		"interval": out.Result.Interval, "counted": out.Counted,
	}
	if !opts.Count.IsZero() {
		params["count"] = opts.Count
	}
	if l := out.Linkage; l != nil {
		params["linkage_draws"] = l.Draws
		params["linkage_seed"] = l.Seed
		params["recalibrated"] = l.Recalibrated
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
	case mse.MethodDGA:
		params["search"] = out.Result.Search
		params["delta"] = finite(out.Result.Parameters["delta"])
		params["top_model_probability"] = finite(out.Result.Parameters["top_model_probability"])
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
		// Each row's own warnings: a stratum's say what holds for it.
		p["warnings"], p["flags"] = nonNil(r.Warnings), nonNilFlags(r.Flags)
		if r.Linkage != nil {
			p["linkage"] = r.Linkage
		}
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

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func nonNilFlags(f []mse.Warning) []mse.Warning {
	if f == nil {
		return []mse.Warning{}
	}
	return f
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
