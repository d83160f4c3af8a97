package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/linkage"
)

// linkCommands returns the file-based `link` command.
func (m *Main) linkCommands() []*cobra.Command {
	return []*cobra.Command{m.linkCommand()}
}

type linkFlags struct {
	inputs    []string
	id        string
	fields    []string
	blocks    []string
	threshold float64
	output    string
	truth     string
	saveModel string
	model     string
	review    string
	linkType  string
	quiet     bool
}

func (m *Main) linkCommand() *cobra.Command {
	var f linkFlags
	cmd := &cobra.Command{
		Use:   "link --input FILE.csv [--input FILE2.csv] --id COL --field COL:KIND [--field ...]",
		Short: "Link or deduplicate records in CSV files",
		Long: `link finds the records that describe the same entity. One input is
deduplicated; several inputs are linked (only pairs across inputs are
compared). Record ids must be unique across all inputs.

KIND is one of name, text, date, category, exact, number.

Output: CSV "id,cluster" with every input id once, in input order, to
--output or stdout. With --truth COL the pairwise evaluation (precision,
recall, f1, blocking pair completeness, …) is printed as one JSON object on
stdout: after the CSV when the CSV goes to stdout, alone when --output is
given. Blocking rules (unless --block), EM training and thresholds are
automatic; the learned model is summarized on stderr and can be saved with
--save-model and reused with --model.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return m.runLink(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&f.inputs, "input", nil, "CSV file with a header row (repeat to link several files)")
	fl.StringVar(&f.id, "id", "", "column with the record id")
	fl.StringArrayVar(&f.fields, "field", nil, "COL:KIND to compare (repeat); KIND: name, text, date, category, exact, number")
	fl.StringArrayVar(&f.blocks, "block", nil, "blocking rule: columns joined by '&', e.g. 'surname&dob:year' (repeat; default automatic)")
	fl.Float64Var(&f.threshold, "threshold", 0, "match probability from which records join a cluster (default 0.5)")
	fl.StringVar(&f.output, "output", "", "write id,cluster CSV here instead of stdout")
	fl.StringVar(&f.truth, "truth", "", "ground-truth column: print precision, recall and F1 as JSON")
	fl.StringVar(&f.saveModel, "save-model", "", "save the trained settings (JSON) to this file")
	fl.StringVar(&f.model, "model", "", "use the settings saved by --save-model instead of training")
	fl.StringVar(&f.review, "review", "", "write the doubtful pairs (review band) as CSV to this file")
	fl.StringVar(&f.linkType, "link-type", "", "dedupe, link or link_and_dedupe (default: dedupe for one input, link for several)")
	fl.BoolVar(&f.quiet, "quiet", false, "do not print the model summary on stderr")
	_ = cmd.MarkFlagRequired("input")
	_ = cmd.MarkFlagRequired("id")
	return cmd
}

func (m *Main) runLink(cmd *cobra.Command, f linkFlags) error {
	ctx := cmd.Context()
	var s linkage.Settings
	if f.model != "" {
		b, err := os.ReadFile(f.model)
		if err != nil {
			return rollcall.WrapError(rollcall.EINVALID, err, "cannot read model %s", f.model)
		}
		if err := json.Unmarshal(b, &s); err != nil {
			return rollcall.WrapError(rollcall.EINVALID, err, "model %s is not valid settings JSON", f.model)
		}
		if len(f.fields) > 0 {
			return rollcall.Errorf(rollcall.EINVALID, "--field and --model exclude each other: the model names its fields")
		}
	} else {
		if len(f.fields) == 0 {
			return rollcall.Errorf(rollcall.EINVALID, "give at least one --field COL:KIND")
		}
		for _, spec := range f.fields {
			i := strings.LastIndex(spec, ":")
			if i <= 0 {
				return rollcall.Errorf(rollcall.EINVALID, "--field %q: want COL:KIND", spec)
			}
			k, err := linkage.ParseKind(spec[i+1:])
			if err != nil {
				return err
			}
			s.Fields = append(s.Fields, linkage.Field{Column: spec[:i], Kind: k})
		}
	}
	for _, b := range f.blocks {
		var rule []string
		for _, k := range strings.Split(b, "&") {
			if k = strings.TrimSpace(k); k != "" {
				rule = append(rule, k)
			}
		}
		s.Blocking = append(s.Blocking, rule)
	}
	if f.threshold != 0 {
		s.Threshold = f.threshold
	}
	if f.linkType != "" {
		s.LinkType = f.linkType
	}
	cols := make([]string, 0, len(s.Fields)+1)
	for _, fd := range s.Fields {
		cols = append(cols, fd.Column)
	}
	if f.truth != "" {
		cols = append(cols, f.truth)
	}
	ds := &linkage.Dataset{Columns: cols[:len(s.Fields)]}
	var truth []string
	for i, in := range f.inputs {
		recs, err := readInput(in, strconv.Itoa(i), f.id, cols)
		if err != nil {
			return err
		}
		for _, r := range recs {
			if f.truth != "" {
				truth = append(truth, r.Values[len(s.Fields)])
				r.Values = r.Values[:len(s.Fields)]
			}
			ds.Records = append(ds.Records, r)
		}
	}
	opt := linkage.Options{}
	if bar := m.progress(); bar != nil {
		opt.Progress = bar
	}
	res, err := linkage.RunWithOptions(ctx, ds, s, nil, opt)
	if err != nil {
		return err
	}
	if !f.quiet {
		printModel(m.Stderr, res)
	}
	if f.saveModel != "" {
		b, err := json.MarshalIndent(res.Settings, "", "  ")
		if err != nil {
			return fmt.Errorf("encoding model: %w", err)
		}
		if err := os.WriteFile(f.saveModel, append(b, '\n'), 0o644); err != nil {
			return fmt.Errorf("saving model: %w", err)
		}
	}
	if f.review != "" {
		if err := writeFileWith(f.review, func(w io.Writer) error { return writeReview(w, ds, res) }); err != nil {
			return err
		}
	}
	if f.output != "" {
		if err := writeFileWith(f.output, func(w io.Writer) error { return writeClusters(w, ds, res) }); err != nil {
			return err
		}
	} else if err := writeClusters(m.Stdout, ds, res); err != nil {
		return err
	}
	if f.truth != "" {
		ev := linkage.Evaluate(ds, res, truth)
		b, err := json.Marshal(ev)
		if err != nil {
			return fmt.Errorf("encoding evaluation: %w", err)
		}
		fmt.Fprintln(m.Stdout, string(b))
	}
	return nil
}

func readInput(path, source, id string, cols []string) ([]linkage.Record, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, rollcall.WrapError(rollcall.EINVALID, err, "cannot open input %s", path)
	}
	defer fh.Close()
	return linkage.ReadCSV(fh, path, source, id, cols)
}

func writeFileWith(path string, fn func(io.Writer) error) error {
	fh, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("creating %s: %w", path, err)
	}
	if err := fn(fh); err != nil {
		fh.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := fh.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

func writeClusters(w io.Writer, ds *linkage.Dataset, res *linkage.Result) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"id", "cluster"})
	for i, r := range ds.Records {
		_ = cw.Write([]string{r.ID, strconv.Itoa(int(res.Cluster[i]))})
	}
	cw.Flush()
	return cw.Error()
}

func writeReview(w io.Writer, ds *linkage.Dataset, res *linkage.Result) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"id_a", "id_b", "probability"})
	for _, p := range res.Review {
		_ = cw.Write([]string{ds.Records[p.A].ID, ds.Records[p.B].ID, strconv.FormatFloat(float64(p.Prob), 'f', 4, 32)})
	}
	cw.Flush()
	return cw.Error()
}

// printModel summarizes blocking and the learned parameters for people.
func printModel(w io.Writer, res *linkage.Result) {
	st := res.Stats
	fmt.Fprintf(w, "link: %d records, %s, %d candidate pairs of %d (%.4f%% compared)\n",
		st.Records, res.Settings.LinkType, st.CandidatePairs, st.ComparablePair,
		100*float64(st.CandidatePairs)/float64(max(st.ComparablePair, 1)))
	for _, r := range st.Rules {
		fmt.Fprintf(w, "  block %-40s %d new pairs\n", linkage.RuleString(r.Rule), r.Pairs)
	}
	fmt.Fprintf(w, "model: lambda %.6g after %d EM iterations\n", res.Settings.Lambda, st.EMIterations)
	for _, fd := range res.Settings.Fields {
		fmt.Fprintf(w, "  %s (%s)\n", fd.Column, fd.Kind)
		for _, l := range fd.Levels[1:] {
			fmt.Fprintf(w, "    %-20s m=%.4f u=%.6f\n", l.Name, l.M, l.U)
		}
	}
	fmt.Fprintf(w, "result: %d clusters, %d pairs to review, %d merges refused, %s\n",
		st.Clusters, st.Review, st.Refused, st.Elapsed.Round(1e6))
}

// progress returns a progress callback drawing a bar on stderr when stderr
// is a terminal, else nil.
func (m *Main) progress() linkage.Progress {
	fh, ok := m.Stderr.(*os.File)
	if !ok || !term.IsTerminal(int(fh.Fd())) {
		return nil
	}
	var mu sync.Mutex
	var bar *progressbar.ProgressBar
	stage := ""
	return func(st string, done, total int64) {
		mu.Lock()
		defer mu.Unlock()
		if st != stage || bar == nil {
			if bar != nil {
				_ = bar.Finish()
			}
			stage = st
			bar = progressbar.NewOptions64(total, progressbar.OptionSetWriter(fh),
				progressbar.OptionSetDescription(st), progressbar.OptionClearOnFinish(),
				progressbar.OptionThrottle(100e6))
		}
		_ = bar.Set64(done)
	}
}
