package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/auth"
	"github.com/rollcall-project/rollcall/internal/demo"
	"github.com/rollcall-project/rollcall/internal/estimate/mse"
	"github.com/rollcall-project/rollcall/internal/keys"
	"github.com/rollcall-project/rollcall/internal/refdata"
	"github.com/rollcall-project/rollcall/internal/store"
)

// runDemo is `rollcall demo`: it keeps to a database of its own (issue 12,
// finding 5). Without --db that is demo.DefaultDB, whatever $ROLLCALL_DB
// says; the variables naming a real database's keys and evidence are
// ignored (demo.Env), with a notice; an existing database without the
// demo's marker is refused before anything opens it (demo.Check); a new
// one is marked before anything else is written (demo.Mark).
func (m *Main) runDemo(cmd *cobra.Command, f serveFlags, persons int) error {
	getenv, ignored := demo.Env(m.Getenv)
	m.Getenv = getenv
	if fl := cmd.Flag("db"); fl != nil && !fl.Changed {
		_ = fl.Value.Set(demo.DefaultDB)
	}
	dsn := m.dbFlag(cmd)
	if len(ignored) > 0 {
		fmt.Fprintf(m.Stdout, "demo: ignoring %s: the demo keeps to its own database %s\n", strings.Join(ignored, ", "), store.RedactDSN(dsn))
	}
	fresh, err := demo.Check(cmd.Context(), dsn)
	if err != nil {
		return err
	}
	if err := m.demoKeyring(dsn); err != nil {
		return err
	}
	return m.withStore(cmd, openOpts{serving: true}, func(ctx context.Context, st *store.Store) error {
		if fresh {
			if err := demo.Mark(ctx, st); err != nil {
				return err
			}
		}
		if err := m.loadDemo(ctx, st, persons); err != nil {
			return err
		}
		return m.serve(cmd.Context(), st, f)
	})
}

// demoKeyring gives a demo SQLite database a keyring on its first run,
// protected by a key file beside it (<db>.key), so that the demo's forms
// can store informants and testimonies sealed as a real database does. A
// real database keeps its key file away from the database (rollcall key
// init); the demo's data are fictional. A PostgreSQL demo has no keyring
// (the demo ignores $ROLLCALL_KEYRING): it stores no confidential values
// and signs no checkpoints.
func (m *Main) demoKeyring(dsn string) error {
	if store.IsPostgresDSN(dsn) || m.cipherConfigured(dsn) {
		return nil
	}
	path, err := m.keyringPath(dsn)
	if err != nil {
		return err
	}
	s, _, err := keyFileSecret(dsn + ".key")
	if err != nil {
		return err
	}
	if _, err := keys.Create(path, s, keys.Options{}); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "demo keyring %s, unlocked by the key file %s (demo only: keep a real key file away from its database)\n", path, dsn+".key")
	return nil
}

// loadDemo fills a demo database on its first run and (re)creates the demo
// account with a fresh random password, printed once.
func (m *Main) loadDemo(ctx context.Context, st *store.Store, persons int) error {
	if err := refdata.Load(ctx, st); err != nil {
		return fmt.Errorf("load reference data: %w", err)
	}
	_, n, err := st.ListSources(ctx, rollcall.ListOptions{Limit: 1, Filters: map[string]string{"fictional": "true"}})
	if err != nil {
		return err
	}
	if n == 0 {
		fmt.Fprintf(m.Stdout, "generating %d fictional persons...\n", persons)
		if err := m.loadSynth(ctx, st, persons); err != nil {
			return err
		}
	}
	svc := auth.NewService(st)
	pw := auth.NewSecret()[:20]
	if _, err := st.UserByName(ctx, "demo"); err == nil {
		err = svc.SetPassword(ctx, "demo", pw)
		if err != nil {
			return err
		}
	} else if _, err := svc.AddUser(ctx, "demo", rollcall.RoleAdmin, pw); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "demo login (FICTIONAL data, demo only): user demo, password %s\n", pw)
	if f, ok := m.Stdout.(*os.File); ok && f == os.Stdout {
		fmt.Fprintln(m.Stdout, "the password changes at every start of the demo")
	}
	return nil
}

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
