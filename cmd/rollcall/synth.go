package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/rollcall-project/rollcall/internal/demo/synth"
	"github.com/rollcall-project/rollcall/internal/ingest"
	"github.com/rollcall-project/rollcall/internal/refdata"
	"github.com/rollcall-project/rollcall/internal/store"
)

func (m *Main) synthCommands() []*cobra.Command {
	var opts synth.Options
	var out string
	var load bool
	cmd := &cobra.Command{
		Use:   "synth",
		Short: "Generate FICTIONAL test data: a population seen through several source lists",
		Long: `Synth generates a fictional population of detainees and the records several
source lists give of them: an NGO list in Revised Romanization, a UN submission
in McCune–Reischauer, testimonies in hangul, a state-media amnesty list and a
press report, with partial birth dates, facility name variants, typos and
duplicates. Every row is marked fictional. The same seed gives the same data.

--out DIR writes sources.csv, records.csv, events.csv and truth.csv (which
record describes which true person; keep it apart from the data). --load, or
no --out, loads the data (with the reference data) into the database.`,
		Example: `  rollcall synth --persons 2000 --seed 1 --out demo/
  rollcall synth --persons 2000 --seed 1 --db demo.db`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ds, err := synth.Generate(opts)
			if err != nil {
				return err
			}
			dir := out
			if dir == "" {
				tmp, err := os.MkdirTemp("", "rollcall-synth-")
				if err != nil {
					return fmt.Errorf("synth: %w", err)
				}
				defer os.RemoveAll(tmp)
				dir = tmp
			}
			if err := ds.WriteCSV(dir); err != nil {
				return err
			}
			fmt.Fprintf(m.Stderr, "FICTIONAL data: %d persons, %d sources, %d records, %d events (seed %d)\n",
				len(ds.Persons), len(ds.Sources), len(ds.Records), len(ds.Events), opts.Seed)
			if out != "" {
				fmt.Fprintf(m.Stdout, "wrote %s\n", filepath.Join(out, "{sources,records,events,truth}.csv"))
			}
			if out != "" && !load && !cmd.Flags().Changed("db") {
				return nil
			}
			return m.withStore(cmd, openOpts{}, func(ctx context.Context, st *store.Store) error {
				if err := refdata.Load(ctx, st); err != nil {
					return fmt.Errorf("load reference data: %w", err)
				}
				files := []string{filepath.Join(dir, "sources.csv"), filepath.Join(dir, "records.csv"), filepath.Join(dir, "events.csv")}
				res, err := ingest.Import(ctx, st, files, ingest.Options{Progress: m.stderrTerminal()})
				if err != nil {
					return m.importFailed(err)
				}
				fmt.Fprintf(m.Stdout, "loaded into %s: %d sources, %d records, %d events created\n",
					m.dbFlag(cmd), res.Sources.Created, res.Records.Created, res.Events.Created)
				return nil
			})
		},
	}
	f := cmd.Flags()
	f.IntVar(&opts.Persons, "persons", 1000, "size of the true (fictional) population")
	f.Uint64Var(&opts.Seed, "seed", 1, "random seed")
	f.IntVar(&opts.Sources, "sources", 5, "number of source lists")
	f.StringVar(&out, "out", "", "write the CSV files (and truth.csv) into this directory")
	f.BoolVar(&load, "load", false, "also load into the database when --out is given")
	return []*cobra.Command{cmd}
}
