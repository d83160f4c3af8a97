package estimate

import (
	"context"
	"fmt"
	"slices"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/estimate/mse"
	"github.com/rollcall-project/rollcall/internal/link"
	"github.com/rollcall-project/rollcall/internal/link/match"
	"github.com/rollcall-project/rollcall/internal/store"
)

// FromRecords estimates from raw records in one step, without a database:
// it links the records of ds with settings s (each record's Source is its
// list; records of one list are deduplicated too, unless s says
// otherwise), takes the linked clusters as persons, or, with
// opts.LinkageDraws, that many plausible clusterings (match.Result.Draws),
// builds a capture table per clustering with one list per distinct
// Source, estimates with each method and pools the draws as Run does.
// Strata, counts of fates or events, list groups and saving need the
// database and are refused.
func FromRecords(ctx context.Context, ds *match.Dataset, s match.Settings, opts Options, methods []mse.Method) ([]*Outcome, error) {
	switch {
	case len(opts.By) > 0:
		return nil, rollcall.Errorf(rollcall.EINVALID, "strata (--by) need the database: records from files carry no stratum variables")
	case !opts.Count.IsZero():
		return nil, rollcall.Errorf(rollcall.EINVALID, "counting by fate or event needs the database")
	case len(opts.Groups) > 0 || (opts.Lists != "" && opts.Lists != ListsAuto):
		return nil, rollcall.Errorf(rollcall.EINVALID, "with records from files each value of the list column is a list: --lists and --group do not apply")
	case opts.Save:
		return nil, rollcall.Errorf(rollcall.EINVALID, "records from files are not stored: estimate from --db to store a result")
	case opts.LinkageDraws < 0:
		return nil, &rollcall.Error{Code: rollcall.EINVALID, Field: "linkage_draws", Message: fmt.Sprintf("linkage draws must be 0 (none) or more, not %d", opts.LinkageDraws)}
	case len(methods) == 0:
		return nil, rollcall.Errorf(rollcall.EINVALID, "no method to estimate with")
	}
	for _, m := range methods {
		if _, err := mse.ParseMethod(string(m)); err != nil {
			return nil, err
		}
	}
	if len(ds.Records) == 0 {
		return nil, rollcall.Errorf(rollcall.EINVALID, "no records to estimate from")
	}
	if s.LinkType == "" {
		s.LinkType = match.LinkAndDedupe
	}
	if opts.LinkageDraws > 0 {
		s = link.ForDraws(s)
	}
	res, err := match.RunWithOptions(ctx, ds, s, nil, match.Options{Progress: opts.LinkProgress})
	if err != nil {
		return nil, fmt.Errorf("link records: %w", err)
	}
	clusterings := [][]int32{res.Cluster}
	var linkage *LinkageDraws
	if opts.LinkageDraws > 0 {
		if clusterings, err = res.Draws(opts.LinkageDraws, opts.LinkageSeed); err != nil {
			return nil, fmt.Errorf("linkage draws: %w", err)
		}
		linkage = &LinkageDraws{Draws: opts.LinkageDraws, Seed: opts.LinkageSeed}
	}
	// One list per distinct source, in sorted order.
	var lists []string
	for _, r := range ds.Records {
		if !slices.Contains(lists, r.Source) {
			lists = append(lists, r.Source)
		}
	}
	slices.Sort(lists)
	listOf := make([]int, len(lists))
	for i := range listOf {
		listOf[i] = i
	}
	pop := &population{lists: lists, grouping: "list column", counted: Count{}.String(), linkage: linkage}
	for _, c := range clusterings {
		if err := pop.add(recordHistories(ds, c, lists), listOf); err != nil {
			return nil, err
		}
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
	return outs, nil
}

// recordHistories are the capture histories of a clustering of ds: the
// lists (indexes into lists) of each cluster's records.
func recordHistories(ds *match.Dataset, cluster []int32, lists []string) []store.CaptureRow {
	index := make(map[string]int, len(lists))
	for i, l := range lists {
		index[l] = i
	}
	byCluster := map[int32]map[int]bool{}
	for i, r := range ds.Records {
		m := byCluster[cluster[i]]
		if m == nil {
			m = map[int]bool{}
			byCluster[cluster[i]] = m
		}
		m[index[r.Source]] = true
	}
	rows := make([]store.CaptureRow, 0, len(byCluster))
	for c, m := range byCluster {
		row := store.CaptureRow{PersonID: int64(c)}
		for l := range m {
			row.Lists = append(row.Lists, l)
		}
		slices.Sort(row.Lists)
		rows = append(rows, row)
	}
	return rows
}
