package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/export/csvcell"
	"github.com/rollcall-project/rollcall/internal/link"
	"github.com/rollcall-project/rollcall/internal/link/match"
	"github.com/rollcall-project/rollcall/internal/store"
)

// linkCommands returns `link`, over the database or CSV files.
func (m *Main) linkCommands() []*cobra.Command {
	return []*cobra.Command{m.linkCommand()}
}

type linkFlags struct {
	inputs    []string
	id        string
	fields    []string
	blocks    []string
	guards    []string
	threshold float64
	output    string
	truth     string
	saveModel string
	model     string
	review    string
	linkType  string
	quiet     bool
	dryRun    bool
	calib     bool
}

func (m *Main) linkCommand() *cobra.Command {
	var f linkFlags
	cmd := &cobra.Command{
		Use:   "link [--db DB] | --input FILE.csv [--input FILE2.csv] --id COL --field COL:KIND [--field ...]",
		Short: "Link records into persons (in the database, or in CSV files)",
		Long: `link finds the records that describe the same entity.

Without --input it links every record in the database (--db) into persons:
earlier human decisions (same / different person, from the review queue) are
honoured, person ids stay stable where a cluster keeps most of a person's
records, the doubtful pairs refill the review queue, and what changed is
printed as JSON.

With --input it works on CSV files and touches no database. One input is
deduplicated; several inputs are linked (only pairs across inputs are
compared). Record ids must be unique across all inputs.

KIND is one of name, text, date, category, exact, number, facility, place.
COL+ALT:KIND compares the closest of several columns holding forms of one
value (e.g. name+name_hangul:name). --guard COL keeps a cluster from
joining records that disagree on COL (surnames of a name, spans of a date)
through a chain of other links.

Over the database the fields are those of every linkage of stored records
(link.PersonFields): name+name_alt:name, sex:exact, birth_date:date,
province:place, facility:facility, arrest_date:date,
charge_category:category, sentence_years:number, released_on:date, with
the surname and the birth date guarded.

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
	fl.StringArrayVar(&f.fields, "field", nil, "COL[+ALT...]:KIND to compare (repeat); KIND: name, text, date, category, exact, number, facility, place")
	fl.StringArrayVar(&f.guards, "guard", nil, "COL: keep apart, in one cluster, records that disagree on this field beyond its comparator's tolerance unless their own pair is strong (repeat; name fields compare surnames, dates their spans). With --db, in addition to the guarded surname and birth date")
	fl.StringArrayVar(&f.blocks, "block", nil, "blocking rule: keys joined by '&', e.g. 'surname&dob:year1' (repeat; default automatic).\nA key is a column, COL:year or COL:year1 (year ± 1) for dates, COL:given or COL:surname for full names")
	fl.Float64Var(&f.threshold, "threshold", 0, "match probability from which records join a cluster (default 0.5)")
	fl.StringVar(&f.output, "output", "", "write id,cluster CSV here instead of stdout")
	fl.StringVar(&f.truth, "truth", "", "ground-truth column: print precision, recall and F1 as JSON")
	fl.StringVar(&f.saveModel, "save-model", "", "save the trained settings (JSON) to this file")
	fl.StringVar(&f.model, "model", "", "use the settings saved by --save-model instead of training")
	fl.StringVar(&f.review, "review", "", "write the doubtful pairs (review band) as CSV to this file")
	fl.StringVar(&f.linkType, "link-type", "", "dedupe, link or link_and_dedupe (default: dedupe for one input, link for several)")
	fl.BoolVar(&f.quiet, "quiet", false, "do not print the model summary on stderr")
	fl.BoolVar(&f.dryRun, "dry-run", false, "without --input: report what linking the database would change, change nothing")
	fl.BoolVar(&f.calib, "calibration", false, "check the match probabilities against labels (the review decisions with --db, --truth with --input) and print the check as JSON; with --db nothing is changed")
	return cmd
}

func (m *Main) runLink(cmd *cobra.Command, f linkFlags) error {
	if len(f.inputs) == 0 {
		// No files: link the records stored in --db into persons.
		return m.runLinkDB(cmd, f)
	}
	if f.id == "" {
		return rollcall.Errorf(rollcall.EINVALID, "--id is required with --input")
	}
	if f.calib && f.truth == "" {
		return rollcall.Errorf(rollcall.EINVALID, "--calibration with --input needs --truth COL: the labels to check the probabilities against")
	}
	s, err := f.settings()
	if err != nil {
		return err
	}
	ds, truth, err := link.ReadFiles(f.inputs, f.id, s, f.truth)
	if err != nil {
		return err
	}
	report, done := m.progress()
	opt := match.Options{Progress: report}
	if !f.quiet {
		// Report blocking before the (longer) comparison and scoring.
		opt.AfterBlocking = func(pairs []match.Pair, rules []match.RuleStats) {
			fmt.Fprintf(m.Stderr, "blocking: %d candidate pairs from %d rules\n", len(pairs), len(rules))
			for _, r := range rules {
				fmt.Fprintf(m.Stderr, "  block %-40s %d new pairs\n", match.RuleString(r.Rule), r.Pairs)
			}
			if truth != nil {
				fmt.Fprintf(m.Stderr, "  pair completeness %.4f (share of true pairs among candidates)\n",
					match.PairCompleteness(ds, truth, pairs, s.LinkType))
			}
		}
	}
	res, err := match.RunWithOptions(cmd.Context(), ds, s, nil, opt)
	done()
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
		if err := os.WriteFile(f.saveModel, append(b, '\n'), 0o600); err != nil {
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
		b, err := json.Marshal(match.Evaluate(ds, res, truth))
		if err != nil {
			return fmt.Errorf("encoding evaluation: %w", err)
		}
		fmt.Fprintln(m.Stdout, string(b))
	}
	if f.calib {
		// The labelled set: every scored pair, labelled by the truth.
		model := make([]float64, len(res.Pairs))
		same := make([]bool, len(res.Pairs))
		for i, p := range res.Pairs {
			model[i], same[i] = res.ModelProb(i), truth[p.A] != "" && truth[p.A] == truth[p.B]
		}
		b, err := json.Marshal(map[string]any{"calibration": match.CheckCalibration(model, same, 10)})
		if err != nil {
			return fmt.Errorf("encoding calibration: %w", err)
		}
		fmt.Fprintln(m.Stdout, string(b))
	}
	return nil
}

// settings are the linkage settings the flags give: a saved model or the
// --field specs, with the blocking rules, threshold and link type.
func (f *linkFlags) settings() (match.Settings, error) {
	var s match.Settings
	if f.model != "" {
		saved, err := link.ReadSettings(f.model)
		if err != nil {
			return s, err
		}
		if len(f.fields) > 0 {
			return s, rollcall.Errorf(rollcall.EINVALID, "--field and --model exclude each other: the model names its fields")
		}
		s = *saved
	} else {
		if len(f.fields) == 0 {
			return s, rollcall.Errorf(rollcall.EINVALID, "give at least one --field COL:KIND")
		}
		for _, spec := range f.fields {
			fd, err := link.ParseField(spec)
			if err != nil {
				return s, err
			}
			s.Fields = append(s.Fields, fd)
		}
	}
	if err := setGuards(s.Fields, f.guards); err != nil {
		return s, err
	}
	for _, b := range f.blocks {
		s.Blocking = append(s.Blocking, link.ParseBlocking(b))
	}
	if f.threshold != 0 {
		s.Threshold = f.threshold
	}
	if f.linkType != "" {
		s.LinkType = f.linkType
	}
	return s, nil
}

// runLinkDB links the stored records into persons (rollcall link --db).
func (m *Main) runLinkDB(cmd *cobra.Command, f linkFlags) error {
	if len(f.fields) > 0 || f.id != "" || f.truth != "" || f.output != "" {
		return rollcall.Errorf(rollcall.EINVALID, "--id, --field, --truth and --output go with --input; over the database the fields are fixed (link.PersonFields: name, sex, birth date, province, facility, arrest date, charge category, sentence, release date)")
	}
	if !m.dbGiven(cmd) {
		return rollcall.Errorf(rollcall.EINVALID, "link: give --input FILE.csv (files), or --db DB to link the stored records into persons")
	}
	if f.calib {
		return m.linkCalibration(cmd, f)
	}
	return m.withStore(cmd, openOpts{}, func(ctx context.Context, st *store.Store) error {
		opts := link.Options{DryRun: f.dryRun}
		if f.model != "" {
			s, err := link.ReadSettings(f.model)
			if err != nil {
				return err
			}
			opts.Settings = s
		}
		if len(f.guards) > 0 {
			if opts.Settings == nil {
				s := link.DefaultSettings()
				opts.Settings = &s
			}
			if err := setGuards(opts.Settings.Fields, f.guards); err != nil {
				return err
			}
		}
		report, done := m.progress()
		opts.Progress = report
		rep, err := link.Run(ctx, st, opts)
		done()
		if err != nil {
			return err
		}
		if f.saveModel != "" {
			b, err := json.MarshalIndent(rep.Settings, "", "  ")
			if err != nil {
				return fmt.Errorf("save model: %w", err)
			}
			if err := os.WriteFile(f.saveModel, b, 0o600); err != nil {
				return fmt.Errorf("save model: %w", err)
			}
		}
		summary := *rep
		summary.Settings = nil // written with --save-model; too long for a report
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(struct {
			link.Report
			DryRun bool `json:"dry_run,omitempty"`
		}{summary, f.dryRun})
	})
}

// linkCalibration checks the match probabilities of the stored records
// against the human decisions (rollcall link --db --calibration).
func (m *Main) linkCalibration(cmd *cobra.Command, f linkFlags) error {
	return m.withStore(cmd, openOpts{}, func(ctx context.Context, st *store.Store) error {
		var settings *match.Settings
		if f.model != "" {
			s, err := link.ReadSettings(f.model)
			if err != nil {
				return err
			}
			settings = s
		}
		report, done := m.progress()
		check, err := link.CheckCalibration(ctx, st, settings, report)
		done()
		if err != nil {
			return err
		}
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"calibration": check})
	})
}

// setGuards turns on the cluster guard of the fields comparing cols.
func setGuards(fields []match.Field, cols []string) error {
	for _, c := range cols {
		if !link.SetGuard(fields, c) {
			return rollcall.Errorf(rollcall.EINVALID, "--guard %s: no --field compares column %q", c, c)
		}
	}
	return nil
}

func writeFileWith(path string, fn func(io.Writer) error) error {
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
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

func writeClusters(w io.Writer, ds *match.Dataset, res *match.Result) error {
	cw := csvcell.NewWriter(w)
	_ = cw.Write([]string{"id", "cluster"})
	for i, r := range ds.Records {
		_ = cw.Write([]string{r.ID, strconv.Itoa(int(res.Cluster[i]))})
	}
	cw.Flush()
	return cw.Error()
}

func writeReview(w io.Writer, ds *match.Dataset, res *match.Result) error {
	cw := csvcell.NewWriter(w)
	_ = cw.Write([]string{"id_a", "id_b", "probability"})
	for _, p := range res.Review {
		_ = cw.Write([]string{ds.Records[p.A].ID, ds.Records[p.B].ID, strconv.FormatFloat(float64(p.Prob), 'f', 4, 32)})
	}
	cw.Flush()
	return cw.Error()
}

// printModel summarizes blocking and the learned parameters for people.
func printModel(w io.Writer, res *match.Result) {
	st := res.Stats
	fmt.Fprintf(w, "link: %d records, %s, %d candidate pairs of %d (%.4f%% compared)\n",
		st.Records, res.Settings.LinkType, st.CandidatePairs, st.ComparablePair,
		100*float64(st.CandidatePairs)/float64(max(st.ComparablePair, 1)))
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
