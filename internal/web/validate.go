package web

import (
	"context"

	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/amnesty"
	"github.com/rollcall-project/rollcall/internal/store"
)

// validateBody applies the checks an entity needs beyond the store's
// before an API create or update: a decree's rule must compile (the error
// names the line and column, and its values must be in the vocabularies of
// st) and its date must be usable, as on the command line.
func validateBody(ctx context.Context, st *store.Store, v any) error {
	switch x := v.(type) {
	case *rollcall.AmnestyDecree:
		return amnesty.ValidateDecree(ctx, st, *x)
	}
	return nil
}
