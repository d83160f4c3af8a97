package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/estimate"
)

// estimateDBFlags are the flags of `rollcall estimate` without --input.
type estimateDBFlags struct {
	by     string
	lists  string
	groups []string
	noSave bool
}

func (f *estimateDBFlags) register(cmd *cobra.Command) {
	fl := cmd.Flags()
	fl.StringVar(&f.by, "by", "", "without --input: estimate per stratum and combine (facility_type, period, sex, region; comma-separated)")
	fl.StringVar(&f.lists, "lists", "auto", "without --input: one list per source, per source kind, or auto (per source up to 8 sources, else per kind)")
	fl.StringArrayVar(&f.groups, "group", nil, "without --input: SOURCEKEY=LIST puts a source into a named list (repeat); other sources stay lists of their own")
	fl.BoolVar(&f.noSave, "no-save", false, "without --input: do not store the result in the database")
}

// stratumAliases maps the stratum names to the store's.
var stratumAliases = map[string]string{"period": "decade", "region": "province"}

// runEstimateDB builds capture histories from the linked persons in --db,
// estimates, prints the result and stores it with its method, parameters,
// seed and input hash.
func (m *Main) runEstimateDB(cmd *cobra.Command, f *estimateFlags) error {
	if !m.dbGiven(cmd) {
		return rollcall.Errorf(rollcall.EINVALID, "estimate: give --input FILE.csv, or --db DB to estimate from the linked persons")
	}
	ctx := m.cliContext(cmd.Context())
	st, err := m.openStore(ctx, cmd)
	if err != nil {
		return err
	}
	opts, err := f.options(cmd)
	if err != nil {
		return err
	}
	var by []string
	for _, v := range strings.Split(f.db.by, ",") {
		if v = strings.TrimSpace(v); v != "" {
			if a, ok := stratumAliases[v]; ok {
				v = a
			}
			by = append(by, v)
		}
	}
	groups := map[string]string{}
	for _, g := range f.db.groups {
		k, v, ok := strings.Cut(g, "=")
		if !ok || k == "" || v == "" {
			return rollcall.Errorf(rollcall.EINVALID, "--group %q: want SOURCEKEY=LIST", g)
		}
		groups[k] = v
	}
	desc := "fitting models"
	if f.method == "lcmcr" {
		desc = "sampling"
	}
	bar := m.progressBar(desc)
	opts.LogLinear.Progress, opts.LCMCR.Progress = bar.update, bar.update
	out, err := estimate.Run(ctx, st, estimate.Options{
		Method: f.method, By: strings.Join(by, ","), Lists: f.db.lists, Groups: groups,
		LogLinear: opts.LogLinear, LCMCR: opts.LCMCR, Save: !f.db.noSave,
	})
	bar.finish()
	if err != nil {
		return fmt.Errorf("estimate: %w", err)
	}
	if len(out.Saved) > 0 {
		fmt.Fprintf(m.Stderr, "stored as estimate %v (input hash %s, lists grouped by %s)\n", out.Saved, out.InputHash[:12], out.Grouping)
	}
	return m.writeEstimate(out.Result, f)
}
