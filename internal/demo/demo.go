// Package demo fills a database with FICTIONAL data the way a user would,
// for `rollcall demo` and for tests: it generates a population seen through
// several source lists (internal/demo/synth, the pure generator with its
// ground truth), imports the lists, links the records into persons,
// estimates the total with each method, and records fictional outcomes
// under the 2015 amnesty decree (SeedAmnestyOutcomes). Every row it writes
// is marked fictional. The same seed gives the same database. The demo
// keeps to a database it created (guard.go: Check, Mark, Env), so that
// fictional persons never enter a real one.
package demo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/rollcall-project/rollcall/internal/demo/synth"
	"github.com/rollcall-project/rollcall/internal/estimate"
	"github.com/rollcall-project/rollcall/internal/estimate/mse"
	"github.com/rollcall-project/rollcall/internal/ingest"
	"github.com/rollcall-project/rollcall/internal/link"
	"github.com/rollcall-project/rollcall/internal/store"
)

// Seed makes every demo database the same.
const Seed = 20150815

// Estimate is one estimate the demo ran and stored.
type Estimate struct {
	Options estimate.Options
	Outcome *estimate.Outcome
}

// Summary is what Load did, for the caller to print.
type Summary struct {
	Link *link.Report
	// Quality compares the linked persons with the known truth.
	Quality *LinkQuality
	// TruePersons is the size of the fictional population; Seen how many of
	// them at least one record describes. Only generated data has a known
	// truth: it lets a reader judge the estimates.
	TruePersons, Seen int
	Estimates         []Estimate
	Amnesty           *AmnestySummary
}

// Load generates a FICTIONAL population of persons (with Seed), imports
// its sources, records and events through the importer (all or nothing;
// an import failure is returned as the importer gave it), links the records
// into persons (which fills the review queue with the doubtful pairs),
// estimates the total with each method (stored), and records fictional
// outcomes under the 2015 amnesty decree. The reference data must be
// loaded first.
func Load(ctx context.Context, st *store.Store, persons int) (*Summary, error) {
	return load(ctx, st, persons, link.Options{})
}

// load is Load linking with opts (tests compare other settings).
func load(ctx context.Context, st *store.Store, persons int, opts link.Options) (*Summary, error) {
	sum, err := loadLinked(ctx, st, persons, opts)
	if err != nil {
		return nil, err
	}
	runs := []estimate.Options{
		{Method: mse.MethodLogLinear},
		{Method: mse.MethodLCMCR, LCMCR: mse.LCMCROptions{Seed: Seed, Burnin: 2000, Iterations: 40000, Thin: 20}},
		{Method: mse.MethodChao},
		{Method: mse.MethodLCMCR, By: estimate.Strata{"facility_type"}, LCMCR: mse.LCMCROptions{Seed: Seed, Burnin: 2000, Iterations: 20000, Thin: 20}},
	}
	// All four estimate one population: compared with each other
	// (estimate.CrossCheck) before they are stored, so that a disagreement
	// beyond their intervals is said on each.
	outs := make([]*estimate.Outcome, len(runs))
	for i, o := range runs {
		if outs[i], err = estimate.Run(ctx, st, o); err != nil {
			return nil, fmt.Errorf("demo estimate (%s): %w", o.Method, err)
		}
	}
	estimate.CrossCheck(outs)
	for i, o := range runs {
		o.Save = true
		if err := estimate.Save(ctx, st, outs[i], o); err != nil {
			return nil, fmt.Errorf("demo estimate (%s): %w", o.Method, err)
		}
		sum.Estimates = append(sum.Estimates, Estimate{Options: o, Outcome: outs[i]})
	}
	if sum.Amnesty, err = SeedAmnestyOutcomes(ctx, st, 1); err != nil {
		return nil, fmt.Errorf("demo amnesty outcomes: %w", err)
	}
	return sum, nil
}

// loadLinked generates the population, imports it, links the records
// into persons and measures the linkage against the truth: Load up to the
// estimates.
func loadLinked(ctx context.Context, st *store.Store, persons int, opts link.Options) (*Summary, error) {
	ds, err := synth.Generate(synth.Options{Persons: persons, Seed: Seed})
	if err != nil {
		return nil, fmt.Errorf("generate demo data: %w", err)
	}
	dir, err := os.MkdirTemp("", "rollcall-demo-")
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	defer os.RemoveAll(dir)
	if err := ds.WriteCSV(dir); err != nil {
		return nil, err
	}
	files := []string{filepath.Join(dir, "sources.csv"), filepath.Join(dir, "records.csv"), filepath.Join(dir, "events.csv")}
	if _, err := ingest.Import(ctx, st, files, ingest.Options{}); err != nil {
		return nil, err
	}
	sum := &Summary{TruePersons: len(ds.Persons), Seen: seen(ds)}
	if sum.Link, err = link.Run(ctx, st, opts); err != nil {
		return nil, fmt.Errorf("demo linkage: %w", err)
	}
	if sum.Quality, err = measureLinkage(ctx, st, ds); err != nil {
		return nil, err
	}
	return sum, nil
}

// seen counts the true persons that at least one record describes.
func seen(ds *synth.Dataset) int {
	ids := map[synth.PersonID]bool{}
	for _, p := range ds.Truth {
		ids[p] = true
	}
	return len(ids)
}
