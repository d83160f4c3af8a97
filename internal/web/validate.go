package web

import (
	"context"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/amnesty"
	"github.com/rollcall-project/rollcall/internal/refdata"
	"github.com/rollcall-project/rollcall/internal/store"
)

// validateBody applies the checks an entity needs beyond the store's
// before an API or form create or update: vocabulary values (a source's
// kind, an informant's consent, a record's fate, a person's status, a
// follow-up's kind, ...) are checked and
// normalised by the same function as import's (refdata.CheckVocabulary),
// so the API and the forms accept exactly what an import accepts; a
// decree's rule must compile (the error names the line and column, and its
// values must be in the vocabularies of st) and its date must be usable, as
// on the command line.
func validateBody(ctx context.Context, st *store.Store, v any) error {
	switch x := v.(type) {
	case *rollcall.AmnestyDecree:
		return amnesty.ValidateDecree(ctx, st, *x)
	case *rollcall.Source, *rollcall.Record, *rollcall.Person, *rollcall.Facility, *rollcall.Event, *rollcall.FollowUp:
		voc, err := refdata.Vocabulary(ctx, st)
		if err != nil {
			return err
		}
		return refdata.CheckVocabulary(voc, v)
	}
	return nil
}
