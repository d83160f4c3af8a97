package main

import (
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
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/estimate/mse"
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
	db         estimateDBFlags
}

// estimateCommands returns `rollcall estimate`.
func (m *Main) estimateCommands() []*cobra.Command {
	var f estimateFlags
	cmd := &cobra.Command{
		Use:   "estimate (--input FILE.csv | --db DB [--by facility_type|period|sex|region]) --method loglinear|lcmcr|chao",
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
  chao       Chao's lower bound n + f1²/(2 f2).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return m.runEstimate(cmd, &f)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&f.input, "input", "", "CSV file with the capture-pattern table (required)")
	fl.StringVar(&f.method, "method", "loglinear", "loglinear, lcmcr or chao")
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
	f.db.register(cmd)
	return []*cobra.Command{cmd}
}

func (m *Main) runEstimate(cmd *cobra.Command, f *estimateFlags) error {
	if err := f.check(); err != nil {
		return err
	}
	if f.input == "" {
		// No file: estimate from the linked persons in --db.
		return m.runEstimateDB(cmd, f)
	}
	file, err := os.Open(f.input)
	if err != nil {
		return rollcall.WrapError(rollcall.EINVALID, err, "estimate: cannot open %s", f.input)
	}
	defer file.Close()
	tab, err := mse.ReadCSV(file, f.input)
	if err != nil {
		return err
	}
	res, err := m.estimateTable(cmd, tab, f)
	if err != nil {
		return fmt.Errorf("estimate %s: %w", f.input, err)
	}
	return m.writeEstimate(res, f)
}

// check validates the flags that do not depend on the data.
func (f *estimateFlags) check() error {
	if f.format != "json" && f.format != "table" {
		return rollcall.Errorf(rollcall.EINVALID, "estimate: --format must be json or table, not %q", f.format)
	}
	switch f.method {
	case mse.MethodLogLinear, mse.MethodLCMCR, mse.MethodChao:
	default:
		return rollcall.Errorf(rollcall.EINVALID, "estimate: --method must be loglinear, lcmcr or chao, not %q", f.method)
	}
	return nil
}

// options turns the flags into mse options; an lcmcr run without --seed gets
// a random seed, which the result reports.
func (f *estimateFlags) options(cmd *cobra.Command) (mse.Options, error) {
	if f.method == mse.MethodLCMCR && !cmd.Flags().Changed("seed") {
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

// estimateTable runs the chosen method on a table, with a progress bar on a
// terminal. The table may come from a file or, later, from the database.
func (m *Main) estimateTable(cmd *cobra.Command, tab *mse.Table, f *estimateFlags) (mse.Result, error) {
	opts, err := f.options(cmd)
	if err != nil {
		return mse.Result{}, err
	}
	desc := "fitting models"
	if f.method == mse.MethodLCMCR {
		desc = "sampling"
	}
	bar := m.progressBar(desc)
	opts.LogLinear.Progress, opts.LCMCR.Progress = bar.update, bar.update
	res, err := mse.Estimate(cmd.Context(), tab, f.method, opts)
	bar.finish()
	return res, err
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

// progress draws a bar on stderr when stderr is a terminal; otherwise its
// methods do nothing.
type progress struct {
	bar   *progressbar.ProgressBar
	desc  string
	out   io.Writer
	total int64
}

func (m *Main) progressBar(desc string) *progress {
	p := &progress{desc: desc}
	if f, ok := m.Stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.out = m.Stderr
	}
	return p
}

func (p *progress) update(done, total int64) {
	if p.out == nil {
		return
	}
	if p.bar == nil || total != p.total {
		p.total = total
		p.bar = progressbar.NewOptions64(total,
			progressbar.OptionSetWriter(p.out),
			progressbar.OptionSetDescription(p.desc),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionShowCount(),
			progressbar.OptionClearOnFinish(),
		)
	}
	_ = p.bar.Set64(done)
}

func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
