package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/estimate"
	"github.com/rollcall-project/rollcall/internal/estimate/mse"
	"github.com/rollcall-project/rollcall/internal/link"
	"github.com/rollcall-project/rollcall/internal/link/match"
	"github.com/rollcall-project/rollcall/internal/store"
)

// estimateFlags are the flags of `rollcall estimate`.
type estimateFlags struct {
	input      string
	method     string
	criterion  string
	maxOrder   int
	model      string
	seed       uint64
	iterations int
	burnin     int
	thin       int
	chains     int
	classes    int
	format     string
	// --records
	records    []string
	listColumn string
	id         string
	fields     []string
	// without --input
	by     string
	lists  string
	groups []string
	noSave bool
	fate   string
	event  string
	from   int
	to     int
	// --records or --db
	linkageDraws int
	linkModel    string
}

// methodAll estimates with every method that applies and compares them.
const methodAll = "all"

// estimateCommands returns `rollcall estimate`.
func (m *Main) estimateCommands() []*cobra.Command {
	var f estimateFlags
	cmd := &cobra.Command{
		Use:   "estimate (--input FILE.csv | --records FILE.csv --list-column COL --id COL --field COL:KIND ... | --db DB) --method loglinear|lcmcr|dga|chao|observed|all",
		Short: "Estimate a population size from overlapping lists (multiple systems estimation)",
		Long: `estimate estimates how many people there are in total, seen or not, from
overlapping lists: a capture-pattern table (--input), raw records linked on the
way (--records), or the linked persons of a database (--db).

--input FILE.csv is either aggregated (one 0/1 column per list, named after the
list, plus a "count" column) or one row per person (0/1 list columns only).

--records FILE.csv (repeatable) holds one row per record: the value of
--list-column names the record's list, --id its id, and --field COL:KIND the
columns to link on (the syntax of "rollcall link"). The records are linked into
persons and estimated in one step. Nothing is stored.

--db estimates from the linked persons and stores the result (unless --no-save),
per stratum with --by. --fate died,executed counts only persons whose fate is
one of those, and a list captures a person only through a record of that list
reporting it. --event execution [--from 2000] [--to 2015] counts victims of
such events dated in the period: a list captures a victim through a record that
is the event's victim entry or whose source the event cites; an event whose
date may lie outside the period ("1990s" for 1995–2005) or that has no date is
not counted, and a warning says how many.

--linkage-draws N (with --records or --db) carries the uncertainty of record
linkage into the estimate: the records are linked (over the database with the
stored review decisions; the match probabilities are checked against them and
recalibrated when they are off), N plausible clusterings are drawn, the
estimate is made on each and the results pooled. The "linkage" object of the
result gives the draws and the share of the interval that linkage adds. With
draws and without --iterations, LCMCR runs 200,000/N sweeps per chain and draw
(at least 10,000): the pooled posterior holds the draws of all of them.

Methods:
  loglinear  Poisson log-linear models; all hierarchical models up to --max-order
             (default: number of lists − 1) are compared by BIC (or --criterion aic);
             the interval is the multinomial profile likelihood of the selected model.
  lcmcr      Bayesian latent-class model (Manrique-Vallier 2016), Gibbs sampler,
             --chains chains in parallel; estimate = posterior median, interval =
             2.5% and 97.5% posterior quantiles.
  dga        Bayesian model averaging over all decomposable graphical models
             (Madigan & York 1997, as R's dga), 3 to 5 lists; posterior median
             and 95% interval.
  chao       Chao's lower bound n + ((t−1)/t)·f1²/(2 f2) for t lists.
  observed   The number of people seen: the trivial lower bound.
  all        loglinear, lcmcr, dga (3–5 lists) and chao on the same lists; every
             result warns when two of them disagree beyond their intervals.

Every result carries warnings with stable codes (JSON "flags"), printed after
the table.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.runEstimate(cmd, &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.input, "input", "", "CSV file with the capture-pattern table")
	fl.StringArrayVar(&f.records, "records", nil, "CSV file of raw records to link and estimate from (repeat for several files)")
	fl.StringVar(&f.listColumn, "list-column", "", "with --records: the column naming each record's list")
	fl.StringVar(&f.id, "id", "", "with --records: the column with the record id")
	fl.StringArrayVar(&f.fields, "field", nil, "with --records: COL[+ALT...]:KIND to link on (repeat); KIND: name, text, date, category, exact, number, facility, place")
	fl.StringVar(&f.method, "method", "loglinear", "loglinear, lcmcr, dga, chao, observed or all")
	fl.StringVar(&f.criterion, "criterion", "bic", "log-linear model selection: bic or aic")
	fl.IntVar(&f.maxOrder, "max-order", 0, "log-linear: highest interaction order (default: lists − 1)")
	fl.StringVar(&f.model, "model", "", `log-linear: fit this model instead of searching, e.g. "[123][14][34]"`)
	fl.Uint64Var(&f.seed, "seed", 0, "random seed of lcmcr, dga's draws and the linkage draws (default: drawn at random and reported)")
	fl.IntVar(&f.iterations, "iterations", 200000, "lcmcr: sweeps per chain after burn-in")
	fl.IntVar(&f.burnin, "burnin", 10000, "lcmcr: burn-in sweeps per chain")
	fl.IntVar(&f.thin, "thin", 20, "lcmcr: keep every N-th sweep")
	fl.IntVar(&f.chains, "chains", 2, "lcmcr: chains run in parallel")
	fl.IntVar(&f.classes, "classes", 10, "lcmcr: truncation level K* of the latent classes")
	fl.StringVar(&f.format, "format", "table", "output: json or table")
	fl.StringVar(&f.by, "by", "", "with --db: estimate per stratum and combine (facility_type, period, sex, region; comma-separated)")
	fl.StringVar(&f.lists, "lists", "auto", "with --db: one list per source, per source kind, or auto (per source up to 8 sources, else per kind)")
	fl.StringArrayVar(&f.groups, "group", nil, "with --db: SOURCEKEY=LIST puts a source into a named list (repeat); other sources stay lists of their own")
	fl.BoolVar(&f.noSave, "no-save", false, "with --db: do not store the result in the database")
	fl.StringVar(&f.fate, "fate", "", "with --db: count persons whose fate is one of these (comma-separated: died, executed, disappeared, …)")
	fl.StringVar(&f.event, "event", "", "with --db: count victims of events of these types (comma-separated: execution, death_in_custody, …)")
	fl.IntVar(&f.from, "from", 0, "with --event: first year of the period")
	fl.IntVar(&f.to, "to", 0, "with --event: last year of the period")
	fl.IntVar(&f.linkageDraws, "linkage-draws", 0, "with --records or --db: average over N plausible linkages of the records (0: the linkage as it is)")
	fl.StringVar(&f.linkModel, "link-model", "", "with --db --linkage-draws: link with the settings saved by `rollcall link --save-model` (default: those of `rollcall link --db`)")
	return []*cobra.Command{cmd}
}

func (m *Main) runEstimate(cmd *cobra.Command, f *estimateFlags) error {
	if f.format != "json" && f.format != "table" {
		return rollcall.Errorf(rollcall.EINVALID, "estimate: --format must be json or table, not %q", f.format)
	}
	var methods []mse.Method
	if f.method == methodAll {
		methods = []mse.Method{mse.MethodLogLinear, mse.MethodLCMCR, mse.MethodDGA, mse.MethodChao}
	} else {
		method, err := mse.ParseMethod(f.method)
		if err != nil {
			return flagError("estimate: --method", fmt.Errorf("%w (or all)", err))
		}
		methods = []mse.Method{method}
	}
	if err := f.checkSources(cmd); err != nil {
		return err
	}
	opts, err := f.options(cmd, methods)
	if err != nil {
		return err
	}
	report, done := m.progress()
	if report != nil {
		bar := func(n, total int64) { report("estimating", n, total) }
		opts.LogLinear.Progress, opts.LCMCR.Progress = bar, bar
		opts.LinkProgress = report
	}
	var outs []*estimate.Outcome
	switch {
	case f.input != "":
		outs, err = estimateFile(cmd.Context(), f.input, methods, opts)
	case len(f.records) > 0:
		outs, err = f.estimateRecords(cmd.Context(), methods, opts)
	default:
		// No file: estimate from the linked persons in --db.
		outs, err = m.estimateDB(cmd, f, methods, opts)
	}
	done()
	if err != nil {
		return err
	}
	for _, out := range outs {
		if len(out.Saved) > 0 {
			fmt.Fprintf(m.Stderr, "stored %s as estimate %v (input hash %s, lists grouped by %s)\n", out.Result.Method, out.Saved, out.InputHash[:12], out.Grouping)
		}
	}
	return m.writeEstimates(outs, f)
}

// checkSources refuses flags that do not go with the data source chosen.
func (f *estimateFlags) checkSources(cmd *cobra.Command) error {
	changed := func(names ...string) string {
		for _, n := range names {
			if cmd.Flags().Changed(n) {
				return "--" + n
			}
		}
		return ""
	}
	dbOnly := changed("by", "lists", "group", "no-save", "fate", "event", "from", "to", "link-model")
	recordsOnly := changed("list-column", "id", "field")
	switch {
	case f.input != "" && len(f.records) > 0:
		return rollcall.Errorf(rollcall.EINVALID, "estimate: give --input (a capture table) or --records (raw records), not both")
	case f.input != "" && (dbOnly != "" || recordsOnly != "" || f.linkageDraws != 0):
		return rollcall.Errorf(rollcall.EINVALID, "estimate: %s does not go with --input: a capture table is already linked and counted", or(dbOnly, recordsOnly, "--linkage-draws"))
	case len(f.records) > 0 && dbOnly != "":
		return rollcall.Errorf(rollcall.EINVALID, "estimate: %s goes with --db, not --records", dbOnly)
	case len(f.records) > 0 && (f.listColumn == "" || f.id == "" || len(f.fields) == 0):
		return rollcall.Errorf(rollcall.EINVALID, "estimate: --records needs --list-column COL, --id COL and at least one --field COL:KIND")
	case f.input == "" && len(f.records) == 0 && recordsOnly != "":
		return rollcall.Errorf(rollcall.EINVALID, "estimate: %s goes with --records FILE.csv", recordsOnly)
	case f.linkageDraws < 0:
		return rollcall.Errorf(rollcall.EINVALID, "estimate: --linkage-draws must be 0 or more, not %d", f.linkageDraws)
	}
	return nil
}

func or(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// estimateFile estimates from the capture-pattern table in a CSV file.
func estimateFile(ctx context.Context, path string, methods []mse.Method, opts estimate.Options) ([]*estimate.Outcome, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, rollcall.WrapError(rollcall.EINVALID, err, "estimate: cannot open %s", path)
	}
	defer file.Close()
	tab, err := mse.ReadCSV(file, path)
	if err != nil {
		return nil, err
	}
	mo := mse.Options{LogLinear: opts.LogLinear, LCMCR: opts.LCMCR, DGA: opts.DGA}
	var outs []*estimate.Outcome
	for _, method := range applicable(methods, tab.K()) {
		res, err := mse.Estimate(ctx, tab, method, mo)
		if err != nil {
			return nil, fmt.Errorf("estimate %s: %w", path, err)
		}
		outs = append(outs, &estimate.Outcome{Lists: tab.Lists, Result: res, Counted: estimate.Count{}.String()})
	}
	estimate.CrossCheck(outs)
	return outs, nil
}

// applicable drops dga from several methods when the lists are too few or
// too many for it (asked for alone, its own error says so).
func applicable(methods []mse.Method, lists int) []mse.Method {
	if len(methods) == 1 || (lists >= mse.MinDGALists && lists <= mse.MaxDGALists) {
		return methods
	}
	var out []mse.Method
	for _, m := range methods {
		if m != mse.MethodDGA {
			out = append(out, m)
		}
	}
	return out
}

// estimateRecords links raw records and estimates from them (--records).
func (f *estimateFlags) estimateRecords(ctx context.Context, methods []mse.Method, opts estimate.Options) ([]*estimate.Outcome, error) {
	var s match.Settings
	for _, spec := range f.fields {
		fd, err := link.ParseField(spec)
		if err != nil {
			return nil, flagError("estimate: --field", err)
		}
		s.Fields = append(s.Fields, fd)
	}
	ds, lists, err := link.ReadFilesColumns(f.records, f.id, s, []string{f.listColumn})
	if err != nil {
		return nil, err
	}
	for i := range ds.Records {
		if lists[i][0] == "" {
			return nil, &rollcall.Error{Code: rollcall.EINVALID, Field: f.listColumn,
				Message: fmt.Sprintf("record %q has no list: every record needs a value in column %q", ds.Records[i].ID, f.listColumn)}
		}
		ds.Records[i].Source = lists[i][0]
	}
	n := 0
	seen := map[string]bool{}
	for _, r := range ds.Records {
		if !seen[r.Source] {
			seen[r.Source] = true
			n++
		}
	}
	return estimate.FromRecords(ctx, ds, s, opts, applicable(methods, n))
}

// estimateDB estimates from the linked persons in --db and, unless
// --no-save, stores the result with its method, parameters, seed and input
// hash.
func (m *Main) estimateDB(cmd *cobra.Command, f *estimateFlags, methods []mse.Method, opts estimate.Options) ([]*estimate.Outcome, error) {
	if !m.dbGiven(cmd) {
		return nil, rollcall.Errorf(rollcall.EINVALID, "estimate: give --input FILE.csv, --records FILE.csv, or --db DB to estimate from the linked persons")
	}
	var err error
	if opts.Lists, err = estimate.ParseLists(f.lists); err != nil {
		return nil, err
	}
	opts.Groups = map[string]string{}
	for _, g := range f.groups {
		k, v, ok := strings.Cut(g, "=")
		if !ok || k == "" || v == "" {
			return nil, rollcall.Errorf(rollcall.EINVALID, "--group %q: want SOURCEKEY=LIST", g)
		}
		opts.Groups[k] = v
	}
	if f.linkModel != "" {
		if f.linkageDraws == 0 {
			return nil, rollcall.Errorf(rollcall.EINVALID, "estimate: --link-model goes with --linkage-draws: without draws the stored persons are used as they are")
		}
		s, err := link.ReadSettings(f.linkModel)
		if err != nil {
			return nil, err
		}
		opts.LinkSettings = s
	}
	opts.By, opts.Save = estimate.ParseStrata(f.by), !f.noSave
	opts.Count = estimate.Count{Fate: estimate.ParseCodes(f.fate), Event: estimate.ParseCodes(f.event), From: f.from, To: f.to}
	var outs []*estimate.Outcome
	err = m.withStore(cmd, openOpts{}, func(ctx context.Context, st *store.Store) error {
		if len(methods) > 1 {
			// dga only where the lists allow it: find out how many there are.
			o := opts
			o.Save, o.LinkageDraws = false, 0
			probe, err := estimate.Run(ctx, st, withMethod(o, mse.MethodObserved))
			if err != nil {
				return err
			}
			methods = applicable(methods, len(probe.Lists))
		}
		var err error
		outs, err = estimate.RunMethods(ctx, st, opts, methods)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("estimate: %w", err)
	}
	return outs, nil
}

func withMethod(o estimate.Options, m mse.Method) estimate.Options {
	o.Method = m
	return o
}

// options turns the flags into estimate options; a run that samples
// (lcmcr, dga draws, linkage draws) without --seed gets a random seed,
// which the result reports.
func (f *estimateFlags) options(cmd *cobra.Command, methods []mse.Method) (estimate.Options, error) {
	random := f.linkageDraws > 0
	for _, m := range methods {
		random = random || m == mse.MethodLCMCR || m == mse.MethodDGA
	}
	if random && !cmd.Flags().Changed("seed") {
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			return estimate.Options{}, fmt.Errorf("estimate: draw a seed: %w", err)
		}
		f.seed = binary.LittleEndian.Uint64(b[:]) >> 1
	}
	iterations := f.iterations
	if f.linkageDraws > 0 && !cmd.Flags().Changed("iterations") {
		iterations = max(10000, f.iterations/f.linkageDraws)
	}
	return estimate.Options{
		LogLinear: mse.LogLinearOptions{Criterion: f.criterion, MaxOrder: f.maxOrder, Model: f.model},
		LCMCR: mse.LCMCROptions{
			Classes: f.classes, Seed: f.seed, Chains: f.chains,
			Burnin: f.burnin, Iterations: iterations, Thin: f.thin,
		},
		DGA:          mse.DGAOptions{Seed: f.seed},
		LinkageDraws: f.linkageDraws, LinkageSeed: f.seed,
	}, nil
}

// writeEstimates prints the results as --format asks: one JSON object per
// result (an array for several), or tables.
func (m *Main) writeEstimates(outs []*estimate.Outcome, f *estimateFlags) error {
	if f.format == "json" {
		objs := make([]json.RawMessage, len(outs))
		for i, out := range outs {
			b, err := estimateJSON(out)
			if err != nil {
				return err
			}
			objs[i] = b
		}
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if len(objs) == 1 {
			return enc.Encode(objs[0])
		}
		return enc.Encode(objs)
	}
	for i, out := range outs {
		if i > 0 {
			fmt.Fprintln(m.Stdout)
		}
		if err := writeEstimateTable(m.Stdout, out); err != nil {
			return err
		}
	}
	return nil
}

// estimateJSON is the result's JSON followed by what was counted and, for
// linkage draws, their seed and the check of the match probabilities.
func estimateJSON(out *estimate.Outcome) (json.RawMessage, error) {
	b, err := json.Marshal(out.Result)
	if err != nil {
		return nil, fmt.Errorf("encode estimate: %w", err)
	}
	extra := []struct {
		key string
		val any
	}{{"counted", out.Counted}}
	if l := out.Linkage; l != nil {
		extra = append(extra, struct {
			key string
			val any
		}{"linkage_model", l})
	}
	b = bytes.TrimSuffix(bytes.TrimSpace(b), []byte("}"))
	for _, e := range extra {
		v, err := json.Marshal(e.val)
		if err != nil {
			return nil, fmt.Errorf("encode estimate: %w", err)
		}
		k, _ := json.Marshal(e.key)
		b = append(append(append(append(b, ','), k...), ':'), v...)
	}
	return append(b, '}'), nil
}

// writeEstimateTable prints a result for people.
func writeEstimateTable(w io.Writer, out *estimate.Outcome) error {
	r := out.Result
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	num := func(x float64) string {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "unbounded"
		}
		return fmt.Sprintf("%.1f", x)
	}
	fmt.Fprintf(tw, "method\t%s\n", r.Method)
	fmt.Fprintf(tw, "lists\t%s\n", strings.Join(r.Lists, ", "))
	if out.Counted != "" {
		fmt.Fprintf(tw, "counted\t%s\n", out.Counted)
	}
	fmt.Fprintf(tw, "observed\t%d\n", r.Observed)
	fmt.Fprintf(tw, "estimate\t%s\n", num(r.Estimate))
	fmt.Fprintf(tw, "%g%% interval\t[%s, %s]\n", r.Level*100, num(r.Lower), num(r.Upper))
	fmt.Fprintf(tw, "interval\t%s\n", r.Interval)
	if l := r.Linkage; l != nil {
		fmt.Fprintf(tw, "linkage draws\t%d (estimates %s–%s); linkage adds %.0f%% of the interval's width, %.0f%% of the variance\n",
			l.Draws, num(l.EstimateMin), num(l.EstimateMax), 100*l.Share, 100*l.VarianceShare)
	}
	if lm := out.Linkage; lm != nil {
		fmt.Fprintf(tw, "linkage seed\t%d\n", lm.Seed)
		if c := lm.Calibration; c != nil && c.Pairs > 0 {
			state := "consistent with them"
			switch {
			case lm.Recalibrated:
				state = "off: recalibrated on them"
			case c.Off:
				state = "off, too few to recalibrate"
			}
			fmt.Fprintf(tw, "match probabilities\t%d decided pairs (%d doubtful), %d same against %.1f expected (z %.2f): %s\n", c.Pairs, c.Doubtful, c.Matches, c.Expected, c.Z, state)
		}
	}
	if r.Model != "" {
		if r.Criterion != "" {
			fmt.Fprintf(tw, "model\t%s (by %s; %s)\n", r.Model, r.Criterion, r.Search)
		} else {
			fmt.Fprintf(tw, "model\t%s (most probable; %s)\n", r.Model, r.Search)
		}
	}
	if r.Method == mse.MethodLCMCR {
		fmt.Fprintf(tw, "seed\t%d\n", r.Seed)
		fmt.Fprintf(tw, "sweeps\t%d chains × (%d burn-in + %d, thin %d)\n", r.Chains, r.Burnin, r.Iterations, r.Thin)
		fmt.Fprintf(tw, "R-hat, ESS\t%.3f, %.0f\n", r.RHat, r.ESS)
	}
	keys := make([]string, 0, len(r.Parameters))
	for k := range r.Parameters {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(tw, "%s\t%.6g\n", k, r.Parameters[k])
	}
	for _, s := range r.Strata {
		fmt.Fprintf(tw, "stratum %s\t%s [%s, %s]\n", s.Stratum, num(s.Result.Estimate), num(s.Result.Lower), num(s.Result.Upper))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write estimate: %w", err)
	}
	if len(r.Candidates) > 1 {
		fmt.Fprintln(w, "\nbest models:")
		tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
		if r.Method == mse.MethodDGA {
			fmt.Fprintln(tw, "model\tparams\tposterior probability\tmedian\t")
			for _, c := range r.Candidates {
				fmt.Fprintf(tw, "%s\t%d\t%.3f\t%s\t\n", c.Model, c.Params, c.Weight, num(c.Estimate))
			}
		} else {
			fmt.Fprintln(tw, "model\tparams\tAIC\tBIC\tweight\testimate\t")
			for _, c := range r.Candidates {
				fmt.Fprintf(tw, "%s\t%d\t%.2f\t%.2f\t%.3f\t%s\t\n", c.Model, c.Params, c.AIC, c.BIC, c.Weight, num(c.Estimate))
			}
		}
		if err := tw.Flush(); err != nil {
			return fmt.Errorf("write estimate: %w", err)
		}
	}
	for _, fl := range r.Flags {
		fmt.Fprintf(w, "warning [%s]: %s\n", fl.Code, fl.Text)
	}
	return nil
}
