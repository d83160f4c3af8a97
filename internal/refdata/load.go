package refdata

import (
	"context"
	"fmt"
	"reflect"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/store"
)

// Load writes the reference data into st in one transaction: facilities and
// decrees by key, terms by scheme and code, published estimates by subject,
// period and source. Rows that are already there and equal are left alone,
// so loading twice changes nothing; rows that differ are updated.
func Load(ctx context.Context, st *store.Store) error {
	facs, err := Facilities()
	if err != nil {
		return err
	}
	terms, err := Terms()
	if err != nil {
		return err
	}
	ests, err := PublishedEstimates()
	if err != nil {
		return err
	}
	decrees, err := AmnestyDecrees()
	if err != nil {
		return err
	}
	return st.InTx(ctx, func(tx *store.Store) error {
		for _, t := range terms {
			if err := tx.UpsertTerm(ctx, t); err != nil {
				return fmt.Errorf("load term %s/%s: %w", t.Scheme, t.Code, err)
			}
		}
		for i := range facs {
			if err := UpsertFacility(ctx, tx, &facs[i]); err != nil {
				return err
			}
		}
		for i := range decrees {
			if err := upsertDecree(ctx, tx, &decrees[i]); err != nil {
				return err
			}
		}
		return upsertEstimates(ctx, tx, ests)
	})
}

// UpsertFacility creates f, or updates the facility with its key when that
// differs; afterwards f holds the stored row's identity.
func UpsertFacility(ctx context.Context, tx *store.Store, f *rollcall.Facility) error {
	old, err := tx.FacilityByKey(ctx, f.Key)
	switch {
	case rollcall.ErrorCode(err) == rollcall.ENOTFOUND:
		if err := tx.CreateFacility(ctx, f); err != nil {
			return fmt.Errorf("load facility %s: %w", f.Key, err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("load facility %s: %w", f.Key, err)
	}
	f.Meta = old.Meta
	if reflect.DeepEqual(normFacility(*old), normFacility(*f)) {
		return nil
	}
	if err := tx.UpdateFacility(ctx, f); err != nil {
		return fmt.Errorf("load facility %s: %w", f.Key, err)
	}
	return nil
}

// normFacility makes nil and empty alias lists compare equal.
func normFacility(f rollcall.Facility) rollcall.Facility {
	if len(f.Aliases) == 0 {
		f.Aliases = nil
	}
	return f
}

// LoaderName is the actor the reference decrees are written as, so that
// their rule versions say they came from the reference data.
const LoaderName = "reference data"

// upsertDecree creates or updates a reference decree. A rule that someone
// has saved since (its newest rule version is not the reference data's)
// is theirs and stays; the other fields follow the reference data.
func upsertDecree(ctx context.Context, tx *store.Store, d *rollcall.AmnestyDecree) error {
	ctx = rollcall.WithActor(ctx, rollcall.Actor{Name: LoaderName, Role: rollcall.RoleSystem})
	old, err := tx.DecreeByKey(ctx, d.Key)
	switch {
	case rollcall.ErrorCode(err) == rollcall.ENOTFOUND:
		if err := tx.CreateAmnestyDecree(ctx, d); err != nil {
			return fmt.Errorf("load decree %s: %w", d.Key, err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("load decree %s: %w", d.Key, err)
	}
	d.Meta = old.Meta
	if old.Rule != d.Rule {
		vs, err := tx.RuleVersions(ctx, old.ID)
		if err != nil {
			return fmt.Errorf("load decree %s: %w", d.Key, err)
		}
		if len(vs) > 0 && vs[0].SavedBy != LoaderName && vs[0].SavedBy != "" {
			d.Rule = old.Rule
		}
	}
	if *old == *d {
		return nil
	}
	if err := tx.UpdateAmnestyDecree(ctx, d); err != nil {
		return fmt.Errorf("load decree %s: %w", d.Key, err)
	}
	return nil
}

// upsertEstimates matches published estimates on subject, period and
// source, which together identify a published figure.
func upsertEstimates(ctx context.Context, tx *store.Store, ests []rollcall.PublishedEstimate) error {
	type key struct{ subject, period, source string }
	have := map[key]rollcall.PublishedEstimate{}
	for off := 0; ; {
		page, _, err := tx.ListPublishedEstimates(ctx, rollcall.ListOptions{Limit: 500, Offset: off})
		if err != nil {
			return fmt.Errorf("load estimates: %w", err)
		}
		for _, e := range page {
			have[key{e.Subject, e.Period, e.Source}] = e
		}
		if len(page) < 500 {
			break
		}
		off += len(page)
	}
	for i := range ests {
		e := &ests[i]
		old, ok := have[key{e.Subject, e.Period, e.Source}]
		if !ok {
			if err := tx.CreatePublishedEstimate(ctx, e); err != nil {
				return fmt.Errorf("load estimate %q: %w", e.Subject, err)
			}
			continue
		}
		e.Meta = old.Meta
		if reflect.DeepEqual(old, *e) {
			continue
		}
		if err := tx.UpdatePublishedEstimate(ctx, e); err != nil {
			return fmt.Errorf("load estimate %q: %w", e.Subject, err)
		}
	}
	return nil
}

// Vocabulary is every controlled vocabulary: the built-in terms, then any
// term added in the database (st nil: the built-in ones only). A built-in
// label keeps its meaning when a database term reuses it.
func Vocabulary(ctx context.Context, st *store.Store) (*rollcall.Vocabulary, error) {
	terms, err := Terms()
	if err != nil {
		return nil, err
	}
	if st != nil {
		db, err := st.Terms(ctx, "")
		if err != nil {
			return nil, fmt.Errorf("read vocabularies: %w", err)
		}
		terms = append(terms, db...)
	}
	return rollcall.NewVocabulary(terms), nil
}
