package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/rollcall-project/rollcall/internal/amnesty"
	"github.com/rollcall-project/rollcall/internal/estimate"
	"github.com/rollcall-project/rollcall/internal/estimate/mse"
	"github.com/rollcall-project/rollcall/internal/ingest"
	"github.com/rollcall-project/rollcall/internal/link"
	"github.com/rollcall-project/rollcall/internal/store"
	"github.com/rollcall-project/rollcall/internal/synth"
)

// demoSeed makes every demo database the same.
const demoSeed = 20150815

// loadSynth fills a demo database the way a user would: it generates a
// FICTIONAL population seen through several source lists, imports the lists
// (sources, records, events) through the importer, links the records into
// persons (which fills the review queue with the doubtful pairs), estimates
// the total with each method, and records fictional outcomes under the 2015
// amnesty decree.
func (m *Main) loadSynth(ctx context.Context, st *store.Store, persons int) error {
	ds, err := synth.Generate(synth.Options{Persons: persons, Seed: demoSeed})
	if err != nil {
		return fmt.Errorf("generate demo data: %w", err)
	}
	dir, err := os.MkdirTemp("", "rollcall-demo-")
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer os.RemoveAll(dir)
	if err := ds.WriteCSV(dir); err != nil {
		return err
	}
	files := []string{filepath.Join(dir, "sources.csv"), filepath.Join(dir, "records.csv"), filepath.Join(dir, "events.csv")}
	if _, err := ingest.Import(ctx, st, files, ingest.Options{}); err != nil {
		return m.importFailed(err)
	}
	rep, err := link.Run(ctx, st, link.Options{})
	if err != nil {
		return fmt.Errorf("demo linkage: %w", err)
	}
	fmt.Fprintf(m.Stdout, "linked %d fictional records into %d persons (%d pairs wait for review)\n", rep.Records, rep.Persons, rep.Review)
	// Only generated data has a known truth; say it, so the estimates can be judged.
	fmt.Fprintf(m.Stdout, "the fictional population has %d persons in truth; the sources saw %d of them\n", len(ds.Persons), seen(ds))
	runs := []estimate.Options{
		{Method: mse.MethodLogLinear},
		{Method: mse.MethodLCMCR, LCMCR: mse.LCMCROptions{Seed: demoSeed, Burnin: 2000, Iterations: 40000, Thin: 20}},
		{Method: mse.MethodChao},
		{Method: mse.MethodLCMCR, By: estimate.Strata{"facility_type"}, LCMCR: mse.LCMCROptions{Seed: demoSeed, Burnin: 2000, Iterations: 20000, Thin: 20}},
	}
	for _, o := range runs {
		o.Save = true
		out, err := estimate.Run(ctx, st, o)
		if err != nil {
			return fmt.Errorf("demo estimate (%s): %w", o.Method, err)
		}
		fmt.Fprintf(m.Stdout, "estimate %-9s %s: %.0f [%.0f, %.0f] from %d documented\n", o.Method, o.By,
			out.Result.Estimate, out.Result.Lower, out.Result.Upper, out.Result.Observed)
	}
	if _, err := amnesty.SeedDemoOutcomes(ctx, st, 1); err != nil {
		return fmt.Errorf("demo amnesty outcomes: %w", err)
	}
	return nil
}

// seen counts the true persons that at least one record describes.
func seen(ds *synth.Dataset) int {
	ids := map[synth.PersonID]bool{}
	for _, p := range ds.Truth {
		ids[p] = true
	}
	return len(ids)
}
