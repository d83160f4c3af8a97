package amnesty

import (
	"context"
	"fmt"
	"strings"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/amnesty/rule"
	"github.com/rollcall-project/rollcall/internal/refdata"
	"github.com/rollcall-project/rollcall/internal/store"
)

// ValidateDecree checks what the store does not: a usable date and a rule
// that compiles against the vocabularies of st (an empty rule is allowed:
// the wording may not support one).
func ValidateDecree(ctx context.Context, st *store.Store, d rollcall.AmnestyDecree) error {
	if strings.TrimSpace(d.Key) == "" {
		return &rollcall.Error{Code: rollcall.EINVALID, Field: "key", Message: "the decree needs a key"}
	}
	if _, err := rule.NewOn(rule.DecreeDate(d)); err != nil {
		return &rollcall.Error{Code: rollcall.EINVALID, Field: "effective", Message: rollcall.ErrorMessage(err)}
	}
	if strings.TrimSpace(d.Rule) == "" {
		return nil
	}
	voc, err := refdata.Vocabulary(ctx, st)
	if err != nil {
		return fmt.Errorf("amnesty: %w", err)
	}
	_, err = rule.Compile(d.Rule, voc)
	return err
}

// SaveDecree creates the decree, or with update replaces the one with the
// same key (keeping its id, so outcomes stay attached).
func SaveDecree(ctx context.Context, st *store.Store, d *rollcall.AmnestyDecree, update bool) (created bool, err error) {
	if err := ValidateDecree(ctx, st, *d); err != nil {
		return false, err
	}
	if d.Country == "" {
		d.Country = "KP"
	}
	err = st.InTx(ctx, func(tx *store.Store) error {
		old, err := tx.DecreeByKey(ctx, d.Key)
		switch {
		case rollcall.ErrorCode(err) == rollcall.ENOTFOUND:
			created = true
			return tx.CreateAmnestyDecree(ctx, d)
		case err != nil:
			return err
		case !update:
			return rollcall.Errorf(rollcall.ECONFLICT, "decree %s already exists (use --update to replace it)", d.Key)
		}
		d.Meta = old.Meta
		return tx.UpdateAmnestyDecree(ctx, d)
	})
	if err != nil {
		return false, fmt.Errorf("amnesty: save decree %s: %w", d.Key, err)
	}
	return created, nil
}

// CompileRule checks a rule as the decrees' rules are read: CEL over the
// facts, vocabulary literals read through the vocabularies of st. Errors
// are EINVALID with "rule LINE:COL: message" for each problem.
func CompileRule(ctx context.Context, st *store.Store, src string) (*rule.Rule, error) {
	voc, err := refdata.Vocabulary(ctx, st)
	if err != nil {
		return nil, fmt.Errorf("amnesty: %w", err)
	}
	return rule.Compile(src, voc)
}

// Preview decides every documented person under the decree with key
// decreeKey as if its rule were src, without saving anything: what an
// analyst sees before saving a rule. An empty src previews the decree
// without a rule.
func Preview(ctx context.Context, st *store.Store, decreeKey, src string) (*Evaluation, error) {
	d, err := st.DecreeByKey(ctx, decreeKey)
	if err != nil {
		return nil, fmt.Errorf("amnesty: decree %q: %w", decreeKey, err)
	}
	pop, err := loadPopulation(ctx, st, 0)
	if err != nil {
		return nil, err
	}
	d.Rule = src
	return evaluateDecree(ctx, st, *d, pop)
}

// SaveRule replaces the rule of the decree with key decreeKey, if version
// is its current version, after checking that it compiles (an empty rule
// removes it: the decree then has no executable rule). The store keeps the
// new rule as a version with who saved it, when, and note.
func SaveRule(ctx context.Context, st *store.Store, decreeKey string, version int, src, note string) (*rollcall.AmnestyDecree, error) {
	d, err := st.DecreeByKey(ctx, decreeKey)
	if err != nil {
		return nil, fmt.Errorf("amnesty: decree %q: %w", decreeKey, err)
	}
	src = strings.TrimSpace(src)
	d.Rule = src
	if err := ValidateDecree(ctx, st, *d); err != nil {
		return nil, err
	}
	out, err := st.SetDecreeRule(ctx, d.ID, version, src, note)
	if err != nil {
		return nil, fmt.Errorf("amnesty: save the rule of %s: %w", decreeKey, err)
	}
	return out, nil
}
