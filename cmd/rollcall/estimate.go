package main

import (
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
	// without --input
	by     string
	lists  string
	groups []string
	noSave bool
}

// estimateCommands returns `rollcall estimate`.
func (m *Main) estimateCommands() []*cobra.Command {
	var f estimateFlags
	cmd := &cobra.Command{
		Use:   "estimate (--input FILE.csv | --db DB [--by facility_type|period|sex|region]) --method loglinear|lcmcr|chao|observed",
		Short: "Estimate a population size from overlapping lists (multiple systems estimation)",
		Long: `estimate reads a capture-pattern table and estimates how many people there are
in total, seen or not.

FILE.csv is either aggregated (one 0/1 column per list, named after the list,
plus a "count" column) or one row per person (0/1 list columns only).

Methods:
  loglinear  Poisson log-linear models; all hierarchical models up to --max-order
             (default: number of lists − 1) are compared by BIC (or --criterion aic);
             the interval is the multinomial profile likelihood of the selected model.
  lcmcr      Bayesian latent-class model (Manrique-Vallier 2016), Gibbs sampler,
             --chains chains in parallel; estimate = posterior median, interval =
             2.5% and 97.5% posterior quantiles.
  chao       Chao's lower bound n + f1²/(2 f2).
  observed   The number of people seen: the trivial lower bound.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.runEstimate(cmd, &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.input, "input", "", "CSV file with the capture-pattern table (required)")
	fl.StringVar(&f.method, "method", "loglinear", "loglinear, lcmcr, chao or observed")
	fl.StringVar(&f.criterion, "criterion", "bic", "log-linear model selection: bic or aic")
	fl.IntVar(&f.maxOrder, "max-order", 0, "log-linear: highest interaction order (default: lists − 1)")
	fl.StringVar(&f.model, "model", "", `log-linear: fit this model instead of searching, e.g. "[123][14][34]"`)
	fl.Uint64Var(&f.seed, "seed", 0, "lcmcr: random seed (default: drawn at random and reported)")
	fl.IntVar(&f.iterations, "iterations", 200000, "lcmcr: sweeps per chain after burn-in")
	fl.IntVar(&f.burnin, "burnin", 10000, "lcmcr: burn-in sweeps per chain")
	fl.IntVar(&f.thin, "thin", 20, "lcmcr: keep every N-th sweep")
	fl.IntVar(&f.chains, "chains", 2, "lcmcr: chains run in parallel")
	fl.IntVar(&f.classes, "classes", 10, "lcmcr: truncation level K* of the latent classes")
	fl.StringVar(&f.format, "format", "table", "output: json or table")
	fl.StringVar(&f.by, "by", "", "without --input: estimate per stratum and combine (facility_type, period, sex, region; comma-separated)")
	fl.StringVar(&f.lists, "lists", "auto", "without --input: one list per source, per source kind, or auto (per source up to 8 sources, else per kind)")
	fl.StringArrayVar(&f.groups, "group", nil, "without --input: SOURCEKEY=LIST puts a source into a named list (repeat); other sources stay lists of their own")
	fl.BoolVar(&f.noSave, "no-save", false, "without --input: do not store the result in the database")
	return []*cobra.Command{cmd}
}

func (m *Main) runEstimate(cmd *cobra.Command, f *estimateFlags) error {
	if f.format != "json" && f.format != "table" {
		return rollcall.Errorf(rollcall.EINVALID, "estimate: --format must be json or table, not %q", f.format)
	}
	method, err := mse.ParseMethod(f.method)
	if err != nil {
		return flagError("estimate: --method", err)
	}
	opts, err := f.options(cmd, method)
	if err != nil {
		return err
	}
	report, done := m.progress()
	if report != nil {
		desc := "fitting models"
		if method == mse.MethodLCMCR {
			desc = "sampling"
		}
		bar := func(n, total int64) { report(desc, n, total) }
		opts.LogLinear.Progress, opts.LCMCR.Progress = bar, bar
	}
	var out *estimate.Outcome
	if f.input == "" {
		// No file: estimate from the linked persons in --db.
		out, err = m.estimateDB(cmd, f, method, opts)
	} else {
		out, err = estimateFile(cmd.Context(), f.input, method, opts)
	}
	done()
	if err != nil {
		return err
	}
	if len(out.Saved) > 0 {
		fmt.Fprintf(m.Stderr, "stored as estimate %v (input hash %s, lists grouped by %s)\n", out.Saved, out.InputHash[:12], out.Grouping)
	}
	return m.writeEstimate(out.Result, f)
}

// estimateFile estimates from the capture-pattern table in a CSV file.
func estimateFile(ctx context.Context, path string, method mse.Method, opts mse.Options) (*estimate.Outcome, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, rollcall.WrapError(rollcall.EINVALID, err, "estimate: cannot open %s", path)
	}
	defer file.Close()
	tab, err := mse.ReadCSV(file, path)
	if err != nil {
		return nil, err
	}
	res, err := mse.Estimate(ctx, tab, method, opts)
	if err != nil {
		return nil, fmt.Errorf("estimate %s: %w", path, err)
	}
	return &estimate.Outcome{Result: res}, nil
}

// estimateDB estimates from the linked persons in --db and, unless
// --no-save, stores the result with its method, parameters, seed and input
// hash.
func (m *Main) estimateDB(cmd *cobra.Command, f *estimateFlags, method mse.Method, opts mse.Options) (*estimate.Outcome, error) {
	if !m.dbGiven(cmd) {
		return nil, rollcall.Errorf(rollcall.EINVALID, "estimate: give --input FILE.csv, or --db DB to estimate from the linked persons")
	}
	lists, err := estimate.ParseLists(f.lists)
	if err != nil {
		return nil, err
	}
	groups := map[string]string{}
	for _, g := range f.groups {
		k, v, ok := strings.Cut(g, "=")
		if !ok || k == "" || v == "" {
			return nil, rollcall.Errorf(rollcall.EINVALID, "--group %q: want SOURCEKEY=LIST", g)
		}
		groups[k] = v
	}
	var out *estimate.Outcome
	err = m.withStore(cmd, openOpts{}, func(ctx context.Context, st *store.Store) error {
		var err error
		out, err = estimate.Run(ctx, st, estimate.Options{
			Method: method, By: estimate.ParseStrata(f.by), Lists: lists, Groups: groups,
			LogLinear: opts.LogLinear, LCMCR: opts.LCMCR, Save: !f.noSave,
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("estimate: %w", err)
	}
	return out, nil
}

// options turns the flags into mse options; an lcmcr run without --seed gets
// a random seed, which the result reports.
func (f *estimateFlags) options(cmd *cobra.Command, method mse.Method) (mse.Options, error) {
	if method == mse.MethodLCMCR && !cmd.Flags().Changed("seed") {
		var b [8]byte
		if _, err := rand.Read(b[:]); err != nil {
			return mse.Options{}, fmt.Errorf("estimate: draw a seed: %w", err)
		}
		f.seed = binary.LittleEndian.Uint64(b[:]) >> 1
	}
	return mse.Options{
		LogLinear: mse.LogLinearOptions{Criterion: f.criterion, MaxOrder: f.maxOrder, Model: f.model},
		LCMCR: mse.LCMCROptions{
			Classes: f.classes, Seed: f.seed, Chains: f.chains,
			Burnin: f.burnin, Iterations: f.iterations, Thin: f.thin,
		},
	}, nil
}

// writeEstimate prints a result as --format asks.
func (m *Main) writeEstimate(res mse.Result, f *estimateFlags) error {
	if f.format == "json" {
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(res)
	}
	return writeEstimateTable(m.Stdout, res)
}

// writeEstimateTable prints a result for people.
func writeEstimateTable(w io.Writer, r mse.Result) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	num := func(x float64) string {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return "unbounded"
		}
		return fmt.Sprintf("%.1f", x)
	}
	fmt.Fprintf(tw, "method\t%s\n", r.Method)
	fmt.Fprintf(tw, "lists\t%s\n", strings.Join(r.Lists, ", "))
	fmt.Fprintf(tw, "observed\t%d\n", r.Observed)
	fmt.Fprintf(tw, "estimate\t%s\n", num(r.Estimate))
	fmt.Fprintf(tw, "%g%% interval\t[%s, %s]\n", r.Level*100, num(r.Lower), num(r.Upper))
	fmt.Fprintf(tw, "interval\t%s\n", r.Interval)
	if r.Model != "" {
		fmt.Fprintf(tw, "model\t%s (by %s; %s)\n", r.Model, r.Criterion, r.Search)
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
		fmt.Fprintln(tw, "model\tparams\tAIC\tBIC\tweight\testimate\t")
		for _, c := range r.Candidates {
			fmt.Fprintf(tw, "%s\t%d\t%.2f\t%.2f\t%.3f\t%s\t\n", c.Model, c.Params, c.AIC, c.BIC, c.Weight, num(c.Estimate))
		}
		if err := tw.Flush(); err != nil {
			return fmt.Errorf("write estimate: %w", err)
		}
	}
	for _, s := range r.Warnings {
		fmt.Fprintln(w, "warning:", s)
	}
	return nil
}
