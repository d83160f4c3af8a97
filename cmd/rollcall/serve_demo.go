package main

import (
	"context"
	"fmt"

	"github.com/rollcall-project/rollcall/internal/demo"
	"github.com/rollcall-project/rollcall/internal/estimate/mse"
	"github.com/rollcall-project/rollcall/internal/store"
)

// loadSynth fills a demo database with FICTIONAL data (demo.Load) and says
// what it did: the linkage, the true size of the population (only
// generated data has one, so the estimates can be judged) and each stored
// estimate.
func (m *Main) loadSynth(ctx context.Context, st *store.Store, persons int) error {
	sum, err := demo.Load(ctx, st, persons)
	if err != nil {
		return m.importFailed(err)
	}
	rep := sum.Link
	fmt.Fprintf(m.Stdout, "linked %d fictional records into %d persons (%d pairs wait for review)\n", rep.Records, rep.Persons, rep.Review)
	fmt.Fprintf(m.Stdout, "the fictional population has %d persons in truth; the sources saw %d of them\n", sum.TruePersons, sum.Seen)
	if q := sum.Quality; q != nil {
		fmt.Fprintf(m.Stdout, "linkage against the known truth: precision %.4f, recall %.4f, F1 %.4f; %d persons found for %d true; largest person %d records (largest true %d)\n",
			q.Precision, q.Recall, q.F1, q.Persons, q.TruePersons, q.Largest, q.LargestTrue)
		fmt.Fprintf(m.Stdout, "review queue: %d pairs (%.1f%% of records); of the first %d review pairs, %d would change a person (%d in the order of doubt alone)\n",
			q.Review, 100*q.ReviewShare, q.Examined, q.WouldChange, q.WouldChangeByDoubt)
	}
	for _, e := range sum.Estimates {
		o, out := e.Options, e.Outcome
		fmt.Fprintf(m.Stdout, "estimate %-9s %s: %.0f [%.0f, %.0f] from %d documented\n", o.Method, o.By,
			out.Result.Estimate, out.Result.Lower, out.Result.Upper, out.Result.Observed)
		for _, w := range out.Result.Flags {
			if w.Code != mse.WarnObservedFloor && w.Code != mse.WarnHeterogeneity {
				fmt.Fprintf(m.Stdout, "  warning [%s]: %s\n", w.Code, w.Text)
			}
		}
	}
	fmt.Fprintf(m.Stdout, "every estimate warns that the documented are a floor [%s] and that heterogeneous capture biases it downward [%s]\n",
		mse.WarnObservedFloor, mse.WarnHeterogeneity)
	return nil
}
