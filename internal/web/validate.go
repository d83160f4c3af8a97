package web

import (
	"github.com/rollcall-project/rollcall"
	"github.com/rollcall-project/rollcall/internal/amnesty"
)

// validateBody applies the checks an entity needs beyond the store's
// before an API create or update: a decree's rule must compile (the error
// names the line and column) and its date must be usable, as on the
// command line.
func validateBody(v any) error {
	switch x := v.(type) {
	case *rollcall.AmnestyDecree:
		return amnesty.ValidateDecree(*x)
	}
	return nil
}
